#include <gtest/gtest.h>

#include "tests/storage/store_fixture.h"
#include "waveform/error.h"

namespace ecg::testing {
namespace {

using SignalRoundTripTest = StoreTest;

TEST_F(SignalRoundTripTest, AStoredSignalComesBackSampleForSample) {
  IngestedEcg ecg = TestEcg(1, 0);
  ecg.signal.set_status(Lead::kV6, LeadStatus::kMissing);
  std::fill_n(ecg.signal.lead_uV(Lead::kV6), ecg.signal.samples_per_lead(), 0.0f);
  ecg.signal.set_status(Lead::kIII, LeadStatus::kDerived);
  const UpsertResult r = store_->UpsertEcg(ecg);
  const std::optional<EcgSignal> signal = store_->LoadSignal(r.ecg_key);
  ASSERT_TRUE(signal.has_value());
  EXPECT_EQ(signal->sample_rate_hz(), 500.0);
  EXPECT_EQ(signal->samples_per_lead(), 5000u);
  EXPECT_EQ(signal->mask(), ecg.signal.mask());
  EXPECT_EQ(signal->data_uV(), ecg.signal.data_uV());
  EXPECT_FALSE(store_->LoadMedianBeat(r.ecg_key).has_value());
}

TEST_F(SignalRoundTripTest, AMedianBeatIsStoredBesideTheSignal) {
  IngestedEcg ecg = TestEcg(1, 0);
  ecg.median_beat = TestSignal(99, 600);
  const UpsertResult r = store_->UpsertEcg(ecg);
  EXPECT_EQ(store_->LoadMedianBeat(r.ecg_key)->data_uV(), ecg.median_beat->data_uV());
}

TEST_F(SignalRoundTripTest, SignalsLoadTogetherInTheOrderGivenSkippingUnknownKeys) {
  const UpsertResult a = store_->UpsertEcg(TestEcg(1, 0));
  const UpsertResult b = store_->UpsertEcg(TestEcg(2, 1));
  const std::vector<std::pair<int64_t, EcgSignal>> signals =
      store_->LoadSignals({b.ecg_key, 12345, a.ecg_key});
  ASSERT_EQ(signals.size(), 2u);
  EXPECT_EQ(signals[0].first, b.ecg_key);
  EXPECT_EQ(signals[0].second.data_uV(), store_->LoadSignal(b.ecg_key)->data_uV());
  EXPECT_EQ(signals[1].first, a.ecg_key);
  EXPECT_EQ(signals[1].second.data_uV(), store_->LoadSignal(a.ecg_key)->data_uV());
  EXPECT_NE(signals[0].second.data_uV(), signals[1].second.data_uV());
  EXPECT_TRUE(store_->LoadSignals({}).empty());
}

TEST_F(SignalRoundTripTest, AnUnknownEcgHasNoSignal) {
  EXPECT_FALSE(store_->LoadSignal(12345).has_value());
}

TEST_F(SignalRoundTripTest, ASignalIsStoredCompressed) {
  store_->UpsertEcg(TestEcg(1, 0));
  const int64_t bytes = std::stoll(Sql("SELECT octet_length(signal) FROM signals"));
  EXPECT_LT(bytes, 120000 / 2);  // raw int16 would be 120 kB
}

TEST_F(SignalRoundTripTest, ADamagedStoredSignalIsDataLossNamingTheEcg) {
  const UpsertResult r = store_->UpsertEcg(TestEcg(1, 0));
  Sql("UPDATE signals SET signal = substring(signal FROM 1 FOR 100)");  // cut inside the frame
  const std::string expected =
      "stored signal of ECG " + std::to_string(r.ecg_key) + " is damaged: signal codec: ";
  for (const bool together : {false, true}) {
    try {
      if (together) {
        store_->LoadSignals({r.ecg_key});
      } else {
        store_->LoadSignal(r.ecg_key);
      }
      ADD_FAILURE() << "a damaged signal decoded";
    } catch (const Error& e) {
      EXPECT_TRUE(e.IsDataLoss()) << e.what();
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace ecg::testing
