// The compact drawing form of a signal (waveform/signal_i16.h): exact for whole-microvolt
// canonical signals, scaled without clamping beyond int16, self-describing, and refusing bytes
// that are not its format.
#include "waveform/signal_i16.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/waveform/one_synthetic_ecg.h"
#include "waveform/error.h"

namespace ecg {
namespace {

using testing::OneSyntheticEcg;

TEST(SignalI16, AWholeMicrovoltSignalRoundTripsExactlyWithItsRateAndLeadStatus) {
  EcgSignal signal = OneSyntheticEcg(/*seed=*/7);
  for (float& v : signal.mutable_data_uV()) v = std::round(v);
  signal.set_status(Lead::kV3, LeadStatus::kMissing);
  signal.set_status(Lead::kIII, LeadStatus::kDerived);
  const std::string bytes = EncodeSignalI16(signal);
  EXPECT_EQ(bytes.size(), kSignalI16HeaderBytes + 2 * kLeadCount * signal.samples_per_lead());
  EXPECT_EQ(bytes.substr(0, 6), "ECGI16");
  EXPECT_EQ(SignalI16ScaleUv(signal), 1u);
  const EcgSignal back = DecodeSignalI16(bytes);
  EXPECT_EQ(back.sample_rate_hz(), signal.sample_rate_hz());
  ASSERT_EQ(back.samples_per_lead(), signal.samples_per_lead());
  EXPECT_EQ(back.mask(), signal.mask());
  for (size_t i = 0; i < signal.data_uV().size(); ++i) {
    ASSERT_EQ(back.data_uV()[i], signal.data_uV()[i]) << "sample " << i;
  }
}

TEST(SignalI16, SamplesBeyondInt16AreScaledToTheNearestMultipleAndNeverClamped) {
  EcgSignal signal(500.0, 4);
  signal.set_status(Lead::kI, LeadStatus::kRecorded);
  float* lead = signal.lead_uV(Lead::kI);
  lead[0] = 100000;  // 100 mV: needs 4 uV per unit
  lead[1] = -65535;
  lead[2] = 3;
  lead[3] = NAN;
  EXPECT_EQ(SignalI16ScaleUv(signal), 4u);
  const EcgSignal back = DecodeSignalI16(EncodeSignalI16(signal));
  const float* got = back.lead_uV(Lead::kI);
  EXPECT_EQ(got[0], 100000);
  EXPECT_EQ(got[1], -65536);  // rounded to a multiple of 4, error <= 2 uV
  EXPECT_EQ(got[2], 4);
  EXPECT_EQ(got[3], 0);  // non-finite becomes 0
}

TEST(SignalI16, BytesOfAnotherFormatOrSizeAreRefusedAsCorruption) {
  const std::string good = EncodeSignalI16(EcgSignal(500.0, 10));
  std::string bad_magic = good;
  bad_magic[0] = 'X';
  std::string bad_version = good;
  bad_version[7] = 2;
  for (const std::string& bytes :
       {std::string("ECG"), bad_magic, bad_version, good.substr(0, good.size() - 2)}) {
    try {
      DecodeSignalI16(bytes);
      ADD_FAILURE() << "decoded " << bytes.size() << " bad bytes";
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsCorruption()) << e.what();
    }
  }
}

}  // namespace
}  // namespace ecg
