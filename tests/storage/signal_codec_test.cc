#include "storage/signal_codec.h"

#include <gtest/gtest.h>
#include <zstd.h>

#include <cstring>
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

// Sets III, aVR, aVL and aVF from I and II as a device does, rounding halves towards zero.
void DeriveLimbLeads(EcgSignal* signal) {
  const size_t n = signal->samples_per_lead();
  const float* i = signal->lead_uV(Lead::kI);
  const float* ii = signal->lead_uV(Lead::kII);
  for (size_t t = 0; t < n; ++t) {
    signal->lead_uV(Lead::kIII)[t] = ii[t] - i[t];
    signal->lead_uV(Lead::kAVR)[t] = std::trunc(-(i[t] + ii[t]) / 2);
    signal->lead_uV(Lead::kAVL)[t] = std::trunc(i[t] - ii[t] / 2);
    signal->lead_uV(Lead::kAVF)[t] = std::trunc(ii[t] - i[t] / 2);
  }
  for (Lead lead : {Lead::kIII, Lead::kAVR, Lead::kAVL, Lead::kAVF}) {
    signal->set_status(lead, LeadStatus::kDerived);
  }
}

TEST(SignalCodecTest, LimbLeadsDerivedFromIAndIICostAlmostNothing) {
  EcgSignal derived = TestSignal(4);
  DeriveLimbLeads(&derived);
  EcgSignal eight_leads = derived;
  for (Lead lead : {Lead::kIII, Lead::kAVR, Lead::kAVL, Lead::kAVF}) {
    eight_leads.set_status(lead, LeadStatus::kMissing);
    std::fill_n(eight_leads.lead_uV(lead), eight_leads.samples_per_lead(), 0.0f);
  }
  const std::string blob = EncodeSignal(derived);
  // 4 x 5,000 residuals, 0 or 1 as I and II are even or odd: about a bit each (2,500 bytes),
  // where their second differences (the noise of +-12 uV) would take about 6 (15,000 bytes).
  EXPECT_LT(blob.size(), EncodeSignal(eight_leads).size() + 4000);
  EXPECT_EQ(DecodeSignal(blob).data_uV(), derived.data_uV());
}

TEST(SignalCodecTest, LimbLeadsWithoutIOrIIAndIndependentLimbLeadsRoundTrip) {
  EcgSignal independent = TestSignal(5);  // III, aVR, aVL, aVF unrelated to I and II
  EXPECT_EQ(DecodeSignal(EncodeSignal(independent)).data_uV(), independent.data_uV());
  for (Lead absent : {Lead::kI, Lead::kII}) {
    EcgSignal without = TestSignal(6);
    DeriveLimbLeads(&without);
    without.set_status(absent, LeadStatus::kMissing);
    std::fill_n(without.lead_uV(absent), without.samples_per_lead(), 0.0f);
    const EcgSignal decoded = DecodeSignal(EncodeSignal(without));
    EXPECT_EQ(decoded.data_uV(), without.data_uV()) << LeadName(absent);
    EXPECT_EQ(decoded.mask(), without.mask()) << LeadName(absent);
  }
}

TEST(SignalCodecTest, BlobsOfTheFirstFormatStillDecode) {
  // "ECZ1": 500 Hz, 3 samples, lead I and lead III recorded; every lead as second differences.
  // Lead I = {5, 7, 6}: residuals 5, -3, -3; lead III = {-2, 0, 0}: -2, 4, -2 (zigzag varints).
  const uint8_t varints[] = {10, 5, 5, 3, 8, 3};
  std::string blob = "ECZ1";
  const uint32_t header[3] = {500, 3, 1u | (1u << 4)};
  blob.append(reinterpret_cast<const char*>(header), sizeof(header));
  std::string frame(ZSTD_compressBound(sizeof(varints)), '\0');
  frame.resize(ZSTD_compress(frame.data(), frame.size(), varints, sizeof(varints), 3));
  const EcgSignal decoded = DecodeSignal(blob + frame);
  EXPECT_EQ(decoded.sample_rate_hz(), 500.0);
  EXPECT_EQ(decoded.mask().status(Lead::kIII), LeadStatus::kRecorded);
  EXPECT_FALSE(decoded.mask().present(Lead::kII));
  EXPECT_EQ(std::vector<float>(decoded.lead_uV(Lead::kI), decoded.lead_uV(Lead::kI) + 3),
            (std::vector<float>{5, 7, 6}));
  EXPECT_EQ(std::vector<float>(decoded.lead_uV(Lead::kIII), decoded.lead_uV(Lead::kIII) + 3),
            (std::vector<float>{-2, 0, 0}));
}

TEST(SignalCodecTest, LargeStepsAndLargeValuesRoundTrip) {
  EcgSignal signal = TestSignal(7, 3001);  // an odd length: the vector loops leave a tail
  float* v2 = signal.lead_uV(Lead::kV2);
  for (size_t t = 0; t < 3001; t += 3) v2[t] = t % 2 ? 30000.0f : -30000.0f;  // escaped residuals
  const EcgSignal decoded = DecodeSignal(EncodeSignal(signal));
  EXPECT_EQ(decoded.data_uV(), signal.data_uV());
  signal.lead_uV(Lead::kII)[3000] = 1e9f;  // beyond the vector path's range: the exact path
  EXPECT_EQ(DecodeSignal(EncodeSignal(signal)).data_uV(), signal.data_uV());
}

// An "ECZ2" blob of one lead (I) with the given residual stream.
std::string Ecz2Blob(uint32_t samples, const std::string& residuals) {
  std::string blob = "ECZ2";
  const uint32_t header[3] = {500, samples, 1u};
  blob.append(reinterpret_cast<const char*>(header), sizeof(header));
  std::string frame(ZSTD_compressBound(residuals.size()), '\0');
  frame.resize(ZSTD_compress(frame.data(), frame.size(), residuals.data(), residuals.size(), 1));
  return blob + frame;
}

TEST(SignalCodecTest, MissingOrExtraEscapesAreCorruption) {
  // Residuals +1 (zigzag 2), then +128 (zigzag 256, escaped): x = {1, 128 + 2 * 1}.
  const std::string escape_value("\x00\x01\x00\x00\x00\x00\x00\x00", 8);
  EXPECT_EQ(DecodeSignal(Ecz2Blob(2, "\x02\xff" + escape_value)).lead_uV(Lead::kI)[1], 130.0f);
  for (const std::string& bad :
       {std::string("\x02\xff"), "\x02\xff" + escape_value + "x", std::string("\x02")}) {
    try {
      DecodeSignal(Ecz2Blob(2, bad));
      ADD_FAILURE() << "decoded " << bad.size() << " residual bytes";
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsCorruption()) << e.what();
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
