#include "storage/signal_codec.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <limits>

#include "tests/storage/store_fixture.h"
#include "tests/support/test_env.h"
#include "waveform/canonical.h"
#include "waveform/error.h"
#include "waveform/wfdb.h"

namespace ecg::testing {
namespace {

TEST(SignalCodecTest, EncodingThenDecodingGivesTheSameSamplesMaskAndRate) {
  EcgSignal signal = TestSignal(3, 1234, 1000.0);
  signal.set_status(Lead::kV3, LeadStatus::kMissing);
  std::fill_n(signal.lead_uV(Lead::kV3), 1234, 0.0f);
  signal.set_status(Lead::kAVF, LeadStatus::kDerived);
  signal.lead_uV(Lead::kI)[0] = 2147483520.0f;  // extremes of what float holds exactly in int32
  signal.lead_uV(Lead::kI)[1] = -2147483520.0f;
  const EcgSignal decoded = DecodeSignal(EncodeSignal(signal));
  EXPECT_EQ(decoded.sample_rate_hz(), 1000.0);
  EXPECT_EQ(decoded.samples_per_lead(), 1234u);
  EXPECT_EQ(decoded.mask(), signal.mask());
  EXPECT_EQ(decoded.data_uV(), signal.data_uV());
}

TEST(SignalCodecTest, AnEmptySignalRoundTrips) {
  const EcgSignal decoded = DecodeSignal(EncodeSignal(EcgSignal(500.0, 0)));
  EXPECT_EQ(decoded.samples_per_lead(), 0u);
}

TEST(SignalCodecTest, FractionalMicrovoltsAreRefused) {
  EcgSignal signal = TestSignal(1, 100);
  signal.lead_uV(Lead::kV2)[50] = 10.25f;
  try {
    EncodeSignal(signal);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsInvalidArgument());
    EXPECT_NE(std::string(e.what()).find("V2"), std::string::npos) << e.what();
  }
}

TEST(SignalCodecTest, NotANumberInfinityAndValuesBeyondInt32AreRefusedWithTheirPlace) {
  for (const float bad : {std::numeric_limits<float>::quiet_NaN(),
                          std::numeric_limits<float>::infinity(), 2147483648.0f, -4294967296.0f}) {
    EcgSignal signal = TestSignal(1, 100);
    signal.lead_uV(Lead::kAVL)[7] = bad;
    try {
      EncodeSignal(signal);
      ADD_FAILURE() << bad << " was encoded";
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsInvalidArgument());
      EXPECT_NE(std::string(e.what()).find("aVL sample 7"), std::string::npos) << e.what();
    }
  }
}

TEST(SignalCodecTest, DamagedBlobsAreCorruptionNotCrashes) {
  const std::string blob = EncodeSignal(TestSignal(2, 500));
  for (const std::string& bad : {std::string("ECZ"), "XXXX" + blob.substr(4),
                                 blob.substr(0, blob.size() / 2), blob.substr(0, 16)}) {
    try {
      DecodeSignal(bad);
      ADD_FAILURE() << "decoded a damaged blob of " << bad.size() << " bytes";
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsCorruption()) << e.what();
    }
  }
}

TEST(SignalCodecTest, RealPtbxlRecordsCompressToAtMost50KilobytesLosslessly) {
  const auto data = SharedDataDir();
  const std::filesystem::path dir =
      data ? std::filesystem::path(*data) / "ptbxl/records500/00000" : std::filesystem::path();
  if (!data || !std::filesystem::is_directory(dir)) GTEST_SKIP() << "no PTB-XL 500 Hz records";
  size_t records = 0;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".hea" || records == 10) continue;
    const EcgSignal signal = Canonicalise(
        ReadWfdbRecord((entry.path().parent_path() / entry.path().stem()).string()).group);
    const std::string blob = EncodeSignal(signal);
    EXPECT_LE(blob.size(), 50000u) << entry.path().stem();
    EXPECT_EQ(DecodeSignal(blob).data_uV(), signal.data_uV()) << entry.path().stem();
    ++records;
  }
  EXPECT_EQ(records, 10u);
}

}  // namespace
}  // namespace ecg::testing
