// The delineator on ECGs whose boundaries are known exactly (tests/waveform/measure_signals.h).
#include <gtest/gtest.h>

#include <cmath>
#include <vector>

#include "tests/waveform/measure_signals.h"
#include "waveform/ecg_measure.h"

namespace ecg {
namespace {

using testing::KnownEcgOptions;
using testing::MakeKnownEcg;

struct Case {
  const char* name;
  KnownEcgOptions options;
};

KnownEcgOptions With(double hr, double pr, double qrs, double qt, double noise = 0,
                     double rate = 500) {
  KnownEcgOptions o;
  o.heart_rate_bpm = hr;
  o.pr_ms = pr;
  o.qrs_ms = qrs;
  o.qt_ms = qt;
  o.t_ms = std::min(180.0, 0.45 * qt);
  o.noise_uV = noise;
  o.sample_rate_hz = rate;
  return o;
}

void ExpectKnownIntervals(const KnownEcgOptions& o, double tolerance_ms, double qt_tolerance_ms,
                          const MeasureOptions& options = {}) {
  const EcgMeasurements m = MeasureEcg(MakeKnownEcg(o).signal, options);
  ASSERT_TRUE(m.qrs_ms && m.pr_ms && m.p_ms && m.qt_ms) << m.rhythm;
  EXPECT_EQ(m.rhythm, "sinus");
  EXPECT_NEAR(*m.heart_rate_bpm, o.heart_rate_bpm, 1.0);
  EXPECT_NEAR(*m.rr_ms, 60000.0 / o.heart_rate_bpm, 2.0);
  EXPECT_NEAR(*m.p_ms, o.p_ms, tolerance_ms);
  EXPECT_NEAR(*m.pr_ms, o.pr_ms, tolerance_ms);
  EXPECT_NEAR(*m.qrs_ms, o.qrs_ms, tolerance_ms);
  EXPECT_NEAR(*m.qt_ms, o.qt_ms, qt_tolerance_ms);
  EXPECT_NEAR(*m.qtc_bazett_ms, *m.qt_ms / std::sqrt(*m.rr_ms / 1000.0), 1.0);
  EXPECT_NEAR(*m.qtc_fridericia_ms, *m.qt_ms / std::cbrt(*m.rr_ms / 1000.0), 1.0);
  EXPECT_NEAR(*m.p_axis_deg, o.p_axis_deg, 3.0);
  EXPECT_NEAR(*m.qrs_axis_deg, o.qrs_axis_deg, 3.0);
  EXPECT_NEAR(*m.t_axis_deg, o.t_axis_deg, 3.0);
  EXPECT_TRUE(m.reasons.empty());
  EXPECT_FALSE(m.quality.noisy);
  EXPECT_FALSE(m.quality.irregular_rr);
  EXPECT_TRUE(m.quality.p_wave_consistent);
}

// Every known ECG of the tests above (rates, rhythms, noise) with one set of options.
void ExpectEveryKnownCase(const MeasureOptions& options) {
  ExpectKnownIntervals(With(70, 160, 90, 380), 6, 10, options);
  ExpectKnownIntervals(With(45, 260, 150, 470), 6, 10, options);
  ExpectKnownIntervals(With(115, 130, 80, 300), 6, 10, options);
  ExpectKnownIntervals(With(60, 170, 100, 540), 6, 10, options);
  ExpectKnownIntervals(With(72, 170, 100, 400, /*noise=*/15), 8, 14, options);
  ExpectKnownIntervals(With(70, 160, 90, 380, 0, 1000), 6, 10, options);
  ExpectKnownIntervals(With(70, 160, 90, 380, 0, 250), 12, 14, options);
}

TEST(MeasureIntervals, NormalSinusRhythmIsMeasuredWithinAFewMilliseconds) {
  ExpectKnownIntervals(With(70, 160, 90, 380), 6, 10);
}

TEST(MeasureIntervals, SlowRhythmWithFirstDegreeBlockAndWideQrsIsMeasured) {
  ExpectKnownIntervals(With(45, 260, 150, 470), 6, 10);
}

TEST(MeasureIntervals, FastRhythmWithShortQtIsMeasured) {
  ExpectKnownIntervals(With(115, 130, 80, 300), 6, 10);
}

TEST(MeasureIntervals, LongQtIsMeasured) {
  ExpectKnownIntervals(With(60, 170, 100, 540), 6, 10);
}

TEST(MeasureIntervals, ModerateNoiseMovesTheIntervalsByFewMilliseconds) {
  ExpectKnownIntervals(With(72, 170, 100, 400, /*noise=*/15), 8, 14);
}

TEST(MeasureIntervals, SignalsAt1000HzAndAt250HzAreMeasuredAlike) {
  ExpectKnownIntervals(With(70, 160, 90, 380, 0, 1000), 6, 10);
  // At 250 Hz a sample is 4 ms, and the smoothing spreads each QRS edge by a sample.
  ExpectKnownIntervals(With(70, 160, 90, 380, 0, 250), 12, 14);
}

TEST(MeasureIntervals, BaselineWanderDoesNotMoveTheBoundaries) {
  KnownEcgOptions o = With(70, 160, 90, 380);
  o.wander_uV = 300;
  ExpectKnownIntervals(o, 8, 14);
}

// A developer variant (docs/measurements.md, "What was tried"): QRS boundaries lead by lead,
// with a noise floor, combined by the agreeing leads' extremes.
TEST(MeasureIntervals, TheLeadByLeadQrsVariantMeasuresKnownIntervalsToo) {
  MeasureOptions lead_by_lead;
  lead_by_lead.delineation.qrs_agree_ms = 15;
  lead_by_lead.delineation.qrs_noise_sd = 5;
  ExpectKnownIntervals(With(70, 160, 90, 380), 6, 10, lead_by_lead);
  ExpectKnownIntervals(With(45, 260, 150, 470), 6, 10, lead_by_lead);
  ExpectKnownIntervals(With(72, 170, 100, 400, /*noise=*/15), 8, 14, lead_by_lead);
}

// Version 3's boundaries (no lead-by-lead onset, docs/measurements.md) stay reproducible.
TEST(MeasureIntervals, VersionThreeWithoutTheLeadOnsetStillMeasuresKnownIntervals) {
  MeasureOptions v3;
  v3.delineation.qrs_onset_lead_threshold = 0;
  ExpectEveryKnownCase(v3);
}

// The known ECG with a small deflection in `lead` (-40 uV half sine) over 8 ms either side of
// each QRS onset (`at_offset`: offset), so that lead's QRS starts 8 ms earlier (ends 8 ms later).
testing::KnownEcg WithSmallDeflection(const testing::KnownEcgOptions& o, Lead lead,
                                      bool at_offset) {
  testing::KnownEcg ecg = MakeKnownEcg(o);
  const double rate = o.sample_rate_hz, half_s = 0.008;
  const long n = static_cast<long>(ecg.signal.samples_per_lead());
  for (double on : ecg.qrs_onsets_s) {
    const double edge = at_offset ? on + o.qrs_ms / 1000.0 : on;
    for (long i = std::lround((edge - half_s) * rate); i <= std::lround((edge + half_s) * rate);
         ++i) {
      if (i >= 0 && i < n)
        ecg.signal.lead_uV(lead)[i] +=
            std::round(-40 * std::sin(M_PI * (i / rate - edge + half_s) / (2 * half_s)));
    }
  }
  return ecg;
}

// Version 4 (docs/measurements.md, fifth pass): one lead (V2) starts its QRS 8 ms before the
// others with a small deflection (40 uV, a fifteenth of its R). The global onset is that lead's;
// version 3's normalised sum, whose threshold is relative to the peak that all leads make up
// together, misses it; the lead-by-lead onset finds it.
TEST(MeasureIntervals, AnEarlySmallDeflectionInOneLeadStartsTheQrs) {
  for (double noise_uV : {0.0, 15.0}) {
    testing::KnownEcgOptions o;
    o.noise_uV = noise_uV;
    const testing::KnownEcg ecg = WithSmallDeflection(o, Lead::kV2, false);
    MeasureOptions v3;
    v3.delineation.qrs_onset_lead_threshold = 0;
    const EcgMeasurements old = MeasureEcg(ecg.signal, v3), now = MeasureEcg(ecg.signal);
    ASSERT_TRUE(old.pr_ms && now.pr_ms && now.qrs_ms) << noise_uV;
    EXPECT_NEAR(*now.pr_ms, o.pr_ms - 8, 2) << noise_uV;
    EXPECT_NEAR(*now.qrs_ms, o.qrs_ms + 8, 6) << noise_uV;
    EXPECT_GE(*old.pr_ms, o.pr_ms - 2) << noise_uV;
  }
}

// Version 4's boundaries (no lead-by-lead offset, docs/measurements.md) stay reproducible.
TEST(MeasureIntervals, VersionFourWithoutTheLeadOffsetStillMeasuresKnownIntervals) {
  MeasureOptions v4;
  v4.delineation.qrs_offset_lead_threshold = 0;
  ExpectEveryKnownCase(v4);
}

// Version 5 (docs/measurements.md, sixth pass), the mirror of version 4: one lead (V5) ends its
// QRS 8 ms after the others with a small deflection (40 uV). The global offset is that lead's;
// version 4's normalised sum misses it (without noise) or catches part of it; the lead-by-lead
// offset finds it.
TEST(MeasureIntervals, ALateSmallDeflectionInOneLeadEndsTheQrs) {
  for (double noise_uV : {0.0, 15.0}) {
    testing::KnownEcgOptions o;
    o.noise_uV = noise_uV;
    const testing::KnownEcg ecg = WithSmallDeflection(o, Lead::kV5, true);
    MeasureOptions v4;
    v4.delineation.qrs_offset_lead_threshold = 0;
    const EcgMeasurements old = MeasureEcg(ecg.signal, v4), now = MeasureEcg(ecg.signal);
    ASSERT_TRUE(old.qrs_ms && now.qrs_ms && now.qt_ms && old.qt_ms) << noise_uV;
    EXPECT_NEAR(*now.qrs_ms, o.qrs_ms + 8, 6) << noise_uV;
    EXPECT_GE(*now.qrs_ms, *old.qrs_ms + 4) << noise_uV;
    EXPECT_EQ(*now.qt_ms, *old.qt_ms) << noise_uV;  // the T search stays on version 4's offset
  }
}

// The wavelet QRS variant (Martinez et al. 2004; docs/measurements.md, version 3 candidates).
TEST(MeasureIntervals, TheWaveletQrsVariantMeasuresKnownIntervalsToo) {
  MeasureOptions wavelet;
  wavelet.delineation.qrs_wavelet = true;
  wavelet.delineation.qrs_agree_ms = 15;
  wavelet.delineation.qrs_wavelet_waves = 5;
  wavelet.delineation.qrs_wavelet_any_sign = true;
  wavelet.delineation.qrs_wavelet_settle_uV = 5;
  ExpectEveryKnownCase(wavelet);
}

// Version 2's boundaries (no knee, docs/measurements.md) stay reproducible through the options.
TEST(MeasureIntervals, VersionTwoWithoutTheKneeStillMeasuresKnownIntervals) {
  MeasureOptions v2;
  v2.delineation.qrs_knee_span_ms = 0;
  v2.delineation.p_knee_span_ms = 0;
  ExpectKnownIntervals(With(70, 160, 90, 380), 6, 10, v2);
  ExpectKnownIntervals(With(72, 170, 100, 400, /*noise=*/15), 8, 14, v2);
}

// A developer variant (docs/measurements.md, fourth pass): the T end moved to its knee as well.
TEST(MeasureIntervals, TheTEndKneeVariantMeasuresKnownIntervalsToo) {
  MeasureOptions knee;
  knee.delineation.t_knee_span_ms = 80;
  knee.delineation.t_knee_reach = 0.1;
  ExpectKnownIntervals(With(70, 160, 90, 380), 6, 10, knee);
  ExpectKnownIntervals(With(45, 260, 150, 470), 6, 10, knee);
  ExpectKnownIntervals(With(115, 130, 80, 300), 6, 10, knee);
  ExpectKnownIntervals(With(72, 170, 100, 400, /*noise=*/15), 8, 14, knee);
  ExpectKnownIntervals(With(70, 160, 90, 380, 0, 250), 12, 14, knee);
}

// Rounded corners (each lead through a 30 ms moving average, as a device's low-pass filter
// rounds them): the P wave leaves its level well before version 2's area indicator places its
// boundaries, and the knee finds that earlier start; the QRS is not made shorter.
TEST(MeasureIntervals, OnRoundedCornersTheKneeWidensThePWaveAndDoesNotShortenTheQrs) {
  EcgSignal signal = MakeKnownEcg(With(70, 160, 90, 380)).signal;
  const size_t n = signal.samples_per_lead();
  const size_t half = 7;  // 15 samples at 500 Hz
  for (Lead lead : AllLeads()) {
    if (!signal.mask().present(lead)) continue;
    float* x = signal.lead_uV(lead);
    const std::vector<float> raw(x, x + n);
    for (size_t i = half; i + half < n; ++i) {
      double sum = 0;
      for (size_t j = i - half; j <= i + half; ++j) sum += raw[j];
      x[i] = static_cast<float>(sum / (2 * half + 1));
    }
  }
  MeasureOptions v2;
  v2.delineation.qrs_knee_span_ms = 0;
  v2.delineation.p_knee_span_ms = 0;
  const EcgMeasurements knee = MeasureEcg(signal), old = MeasureEcg(signal, v2);
  ASSERT_TRUE(knee.qrs_ms && old.qrs_ms && knee.p_ms && old.p_ms && knee.pr_ms && old.pr_ms);
  EXPECT_GE(*knee.qrs_ms, *old.qrs_ms);
  EXPECT_GT(*knee.p_ms, *old.p_ms + 4);
  EXPECT_GE(*knee.pr_ms, *old.pr_ms);
  // Still within the wave as rounded: at most the known value plus the filter's half-width at
  // each end.
  EXPECT_LT(*knee.qrs_ms, 90 + 30);
  EXPECT_LT(*knee.p_ms, 100 + 30);
}

TEST(MeasureIntervals, FrontalAxesFollowTheWavesDirections) {
  for (double axis : {-60.0, -30.0, 0.0, 75.0, 120.0, 170.0}) {
    KnownEcgOptions o;
    o.qrs_axis_deg = axis;
    o.t_axis_deg = axis + 10;
    const EcgMeasurements m = MeasureEcg(MakeKnownEcg(o).signal);
    ASSERT_TRUE(m.qrs_axis_deg && m.t_axis_deg) << axis;
    EXPECT_NEAR(*m.qrs_axis_deg, axis, 3.0);
    EXPECT_NEAR(*m.t_axis_deg, axis + 10 > 180 ? axis + 10 - 360 : axis + 10, 3.0);
  }
}

TEST(MeasureIntervals, TheSameSignalGivesTheSameFiguresEveryTime) {
  const EcgSignal signal = MakeKnownEcg(With(70, 160, 90, 380, 20)).signal;
  const EcgMeasurements a = MeasureEcg(signal), b = MeasureEcg(signal);
  for (const std::string& f : MeasurementFieldNames()) {
    EXPECT_EQ(MeasurementField(a, f), MeasurementField(b, f)) << f;
  }
}

}  // namespace
}  // namespace ecg
