// The preview excerpt of a signal (waveform/signal_excerpt.h): the leads asked for, from the first
// sample for the asked duration, at a lower rate with the waveform kept, never upsampled.
#include "waveform/signal_excerpt.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/waveform/one_synthetic_ecg.h"
#include "waveform/error.h"

namespace ecg {
namespace {

using testing::OneSyntheticEcg;

TEST(SignalExcerpt, KeepsTheAskedLeadFromTheStartAtTheLowerRateAndNothingElse) {
  const EcgSignal signal = OneSyntheticEcg(/*seed=*/3);
  ASSERT_EQ(signal.sample_rate_hz(), 500.0);
  const EcgSignal excerpt = SignalExcerpt(signal, {{Lead::kII}, 2500.0, 125.0});
  EXPECT_EQ(excerpt.sample_rate_hz(), 125.0);
  EXPECT_NEAR(static_cast<double>(excerpt.samples_per_lead()), 312.5, 0.5);
  EXPECT_EQ(excerpt.status(Lead::kII), signal.status(Lead::kII));
  for (Lead lead : AllLeads()) {
    if (lead == Lead::kII) continue;
    EXPECT_EQ(excerpt.status(lead), LeadStatus::kMissing) << LeadName(lead);
    for (size_t i = 0; i < excerpt.samples_per_lead(); ++i) {
      ASSERT_EQ(excerpt.lead_uV(lead)[i], 0.0f) << LeadName(lead);
    }
  }
  // The waveform is the original's: each excerpt sample is close to the 4-sample mean around the
  // same moment (the synthetic ECG's content is far below the new Nyquist frequency), and the R
  // waves keep most of their height.
  double worst_uV = 0, peak_in = 0, peak_out = 0;
  for (size_t j = 2; j + 2 < excerpt.samples_per_lead(); ++j) {
    const float* in = signal.lead_uV(Lead::kII) + 4 * j;
    const double local = (in[-1] + in[0] + in[0] + in[1]) / 4.0;
    worst_uV = std::max(worst_uV, std::abs(excerpt.lead_uV(Lead::kII)[j] - local));
  }
  for (size_t i = 0; i < 1250; ++i)
    peak_in = std::max<double>(peak_in, signal.lead_uV(Lead::kII)[i]);
  for (size_t j = 0; j < excerpt.samples_per_lead(); ++j) {
    peak_out = std::max<double>(peak_out, excerpt.lead_uV(Lead::kII)[j]);
  }
  EXPECT_LT(worst_uV, 0.25 * peak_in);
  EXPECT_GT(peak_out, 0.7 * peak_in);
}

TEST(SignalExcerpt, IsNeverLongerThanTheSignalNorUpsampledAndKeepsAMissingLeadMissing) {
  EcgSignal signal = OneSyntheticEcg(/*seed=*/4);
  signal.set_status(Lead::kV3, LeadStatus::kMissing);
  const EcgSignal all = SignalExcerpt(signal, {{}, 60000.0, 1000.0});
  EXPECT_EQ(all.sample_rate_hz(), 500.0);
  ASSERT_EQ(all.samples_per_lead(), signal.samples_per_lead());
  EXPECT_EQ(all.mask(), signal.mask());
  for (Lead lead : AllLeads()) {
    const bool missing = lead == Lead::kV3;  // zero samples, whatever the signal held there
    for (size_t i = 0; i < signal.samples_per_lead(); ++i) {
      ASSERT_EQ(all.lead_uV(lead)[i], missing ? 0.0f : signal.lead_uV(lead)[i])
          << LeadName(lead) << " sample " << i;
    }
  }
  const EcgSignal v3 = SignalExcerpt(signal, {{Lead::kV3}, 1000.0, 0.0});
  EXPECT_EQ(v3.samples_per_lead(), 500u);
  EXPECT_EQ(v3.status(Lead::kV3), LeadStatus::kMissing);
}

TEST(SignalExcerpt, APreferenceListKeepsOnlyTheFirstLeadTheSignalHolds) {
  EcgSignal signal = OneSyntheticEcg(/*seed=*/6);
  ExcerptRequest request{{Lead::kII, Lead::kI, Lead::kV5}, 2500.0, 125.0, true};
  EcgSignal excerpt = SignalExcerpt(signal, request);
  EXPECT_NE(excerpt.status(Lead::kII), LeadStatus::kMissing);
  EXPECT_EQ(excerpt.status(Lead::kI), LeadStatus::kMissing);
  EXPECT_EQ(excerpt.status(Lead::kV5), LeadStatus::kMissing);
  // Without II and I (a recording of the chest leads only), V5 is the one kept.
  signal.set_status(Lead::kII, LeadStatus::kMissing);
  signal.set_status(Lead::kI, LeadStatus::kMissing);
  excerpt = SignalExcerpt(signal, request);
  EXPECT_EQ(excerpt.status(Lead::kII), LeadStatus::kMissing);
  EXPECT_EQ(excerpt.status(Lead::kV5), signal.status(Lead::kV5));
  double moved_uV = 0;
  for (size_t i = 0; i < excerpt.samples_per_lead(); ++i) {
    moved_uV = std::max(moved_uV, std::abs(static_cast<double>(excerpt.lead_uV(Lead::kV5)[i])));
  }
  EXPECT_GT(moved_uV, 100.0);
  // None held: the first asked, missing, and nothing else.
  signal.set_status(Lead::kV5, LeadStatus::kMissing);
  excerpt = SignalExcerpt(signal, request);
  for (Lead lead : AllLeads()) EXPECT_EQ(excerpt.status(lead), LeadStatus::kMissing);
}

TEST(SignalExcerpt, RefusesADurationOrRateThatIsNotAPositiveNumber) {
  const EcgSignal signal = OneSyntheticEcg(/*seed=*/5);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_THROW(SignalExcerpt(signal, {{Lead::kII}, 0.0, 100.0}), Error);
  EXPECT_THROW(SignalExcerpt(signal, {{Lead::kII}, nan, 100.0}), Error);
  EXPECT_THROW(SignalExcerpt(signal, {{Lead::kII}, 1000.0, -5.0}), Error);
  EXPECT_THROW(SignalExcerpt(signal, {{Lead::kII}, 1000.0, nan}), Error);
}

}  // namespace
}  // namespace ecg
