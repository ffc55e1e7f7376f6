// The T peak agreement variant (DelineationOptions::t_peak_agree_ms, docs/measurements.md
// "Repeatability: a T end on another wave"): leads whose T peak lies far from the leads'
// amplitude-weighted median peak do not vote on the T end.
#include <gtest/gtest.h>

#include <cmath>

#include "tests/waveform/measure_signals.h"
#include "waveform/ecg_measure.h"

namespace ecg {
namespace {

using testing::KnownEcgOptions;
using testing::MakeKnownEcg;

MeasureOptions WithAgreement(double ms) {
  MeasureOptions o;
  o.delineation.t_peak_agree_ms = ms;
  return o;
}

// The known ECG with a late wave in `leads`: a 400 uV half sine from 440 to 560 ms after each QRS
// onset, after the T wave (which ends 380 ms after it) and larger than those leads' T, as a U wave,
// the next P wave or a step of the baseline in a median beat of few beats would be.
testing::KnownEcg WithLateWave(const KnownEcgOptions& o, std::initializer_list<Lead> leads) {
  testing::KnownEcg ecg = MakeKnownEcg(o);
  const double rate = o.sample_rate_hz;
  const long n = static_cast<long>(ecg.signal.samples_per_lead());
  for (double on : ecg.qrs_onsets_s) {
    for (long i = std::lround((on + 0.44) * rate); i <= std::lround((on + 0.56) * rate); ++i) {
      if (i < 0 || i >= n) continue;
      const double wave = 400 * std::sin(M_PI * (i / rate - on - 0.44) / 0.12);
      for (Lead lead : leads) ecg.signal.lead_uV(lead)[i] += static_cast<float>(std::round(wave));
    }
  }
  return ecg;
}

TEST(MeasureTPeakAgreement, KnownIntervalsAreMeasuredAsWithoutIt) {
  for (double hr : {45.0, 70.0, 115.0}) {
    KnownEcgOptions o;
    o.heart_rate_bpm = hr;
    o.qt_ms = hr > 100 ? 300 : 380;
    o.t_ms = 0.45 * o.qt_ms;
    const EcgSignal signal = MakeKnownEcg(o).signal;
    const EcgMeasurements now = MeasureEcg(signal), variant = MeasureEcg(signal, WithAgreement(100));
    ASSERT_TRUE(now.qt_ms && variant.qt_ms) << hr;
    EXPECT_NEAR(*variant.qt_ms, o.qt_ms, 10) << hr;
    EXPECT_NEAR(*variant.qt_ms, *now.qt_ms, 4) << hr;
  }
}

// Four leads (the version-2 rank keeps three outlying leads out, not four) peak on the late wave:
// the 4th latest lead's T end is the late wave's end without the agreement, the T wave's with it.
TEST(MeasureTPeakAgreement, ALateWaveInFourLeadsNoLongerEndsTheT) {
  for (double noise_uV : {0.0, 15.0}) {
    KnownEcgOptions o;
    o.noise_uV = noise_uV;
    const EcgSignal signal =
        WithLateWave(o, {Lead::kV1, Lead::kV2, Lead::kV5, Lead::kV6}).signal;
    const EcgMeasurements now = MeasureEcg(signal), variant = MeasureEcg(signal, WithAgreement(100));
    ASSERT_TRUE(now.qt_ms && variant.qt_ms) << noise_uV;
    EXPECT_GT(*now.qt_ms, o.qt_ms + 100) << noise_uV;
    EXPECT_NEAR(*variant.qt_ms, o.qt_ms, 14) << noise_uV;
  }
}

// A single lead on the late wave moves neither: the rank already keeps it out.
TEST(MeasureTPeakAgreement, ALateWaveInOneLeadMovesNeither) {
  KnownEcgOptions o;
  const EcgSignal signal = WithLateWave(o, {Lead::kV1}).signal;
  const EcgMeasurements now = MeasureEcg(signal), variant = MeasureEcg(signal, WithAgreement(100));
  ASSERT_TRUE(now.qt_ms && variant.qt_ms);
  EXPECT_NEAR(*now.qt_ms, o.qt_ms, 10);
  EXPECT_NEAR(*variant.qt_ms, o.qt_ms, 10);
}

}  // namespace
}  // namespace ecg
