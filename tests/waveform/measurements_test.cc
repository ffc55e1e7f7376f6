#include "waveform/measurements.h"

#include <gtest/gtest.h>

#include <cmath>

#include "waveform/synth.h"

namespace ecg {
namespace {

std::vector<SyntheticEcg> Cohort(double noise_scale, double rate_hz = 500) {
  SynthOptions options;
  options.patients = 15;
  options.ecgs_per_patient = 2;
  options.seed = 99;
  options.noise_scale = noise_scale;
  options.sample_rate_hz = rate_hz;
  return SynthesiseCohort(options);
}

// Every true R peak at least 100 ms from the ends is found within 35 ms (the spatially largest
// wave: R, or S for a few synthetic patients), every detected peak is near a true one, and all
// beats of one ECG are aligned on the same wave (offsets within 8 ms of each other).
void ExpectPeaksMatch(const SyntheticEcg& ecg, const std::vector<size_t>& found) {
  const double rate = ecg.signal.sample_rate_hz();
  const double duration_s = ecg.signal.samples_per_lead() / rate;
  auto nearest = [](double t, const std::vector<double>& set) {
    double best = 1e9;
    for (double s : set) {
      if (std::fabs(s - t) < std::fabs(best)) best = s - t;
    }
    return best;
  };
  std::vector<double> found_s;
  for (size_t p : found) found_s.push_back(p / rate);
  double lo = 1, hi = -1;
  for (double t : ecg.truth.r_peak_times_s) {
    if (t < 0.1 || t > duration_s - 0.1) continue;
    const double offset = nearest(t, found_s);
    EXPECT_LE(std::fabs(offset), 0.035) << ecg.metadata.sop_instance_uid << ": R at " << t;
    lo = std::min(lo, offset);
    hi = std::max(hi, offset);
  }
  EXPECT_LE(hi - lo, 0.008) << ecg.metadata.sop_instance_uid;
  for (double t : found_s) {
    EXPECT_LE(std::fabs(nearest(t, ecg.truth.r_peak_times_s)), 0.035)
        << ecg.metadata.sop_instance_uid << ": false peak at " << t;
  }
}

TEST(DetectRPeaks, FindsEveryBeatOfNoisySyntheticEcgsAlignedOnTheSameWave) {
  for (const SyntheticEcg& ecg : Cohort(1.0)) ExpectPeaksMatch(ecg, DetectRPeaks(ecg.signal));
}

TEST(DetectRPeaks, FindsBeatsAtOtherRatesAndWithTripleNoise) {
  for (const SyntheticEcg& ecg : Cohort(3.0, 250)) ExpectPeaksMatch(ecg, DetectRPeaks(ecg.signal));
  for (const SyntheticEcg& ecg : Cohort(1.0, 1000)) ExpectPeaksMatch(ecg, DetectRPeaks(ecg.signal));
}

TEST(DetectRPeaks, WorksFromThePrecordialLeadsAlone) {
  for (SyntheticEcg ecg : Cohort(1.0)) {
    for (Lead lead : {Lead::kI, Lead::kII, Lead::kIII, Lead::kAVR, Lead::kAVL, Lead::kAVF}) {
      ecg.signal.set_status(lead, LeadStatus::kMissing);
    }
    ExpectPeaksMatch(ecg, DetectRPeaks(ecg.signal));
  }
}

TEST(MeasureRhythm, HeartRateMatchesTheGeneratorsWithinTwoBeatsPerMinute) {
  for (const SyntheticEcg& ecg : Cohort(1.0)) {
    const RhythmMeasurements m = MeasureRhythm(ecg.signal);
    ASSERT_TRUE(m.heart_rate_bpm.has_value());
    EXPECT_NEAR(*m.heart_rate_bpm, ecg.truth.heart_rate_bpm, 2.0 + 0.05 * ecg.truth.heart_rate_bpm);
    EXPECT_EQ(m.rr_intervals_ms.size(), m.r_peaks.size() - 1);
  }
}

TEST(MeasureRhythm, AFlatSignalHasNoBeatsAndNoHeartRate) {
  EcgSignal flat(500, 5000);
  flat.set_status(Lead::kII, LeadStatus::kRecorded);
  const RhythmMeasurements m = MeasureRhythm(flat);
  EXPECT_TRUE(m.r_peaks.empty());
  EXPECT_FALSE(m.heart_rate_bpm.has_value());
  EXPECT_FALSE(MedianBeat(flat, m.r_peaks).has_value());
}

TEST(MedianBeat, AlignsTheRPeakAtTheWindowStartAndKeepsTheMask) {
  SynthOptions options;
  options.patients = 1;
  options.ecgs_per_patient = 1;
  options.noise_scale = 0;
  const SyntheticEcg ecg = SynthesiseCohort(options)[0];
  EcgSignal signal = ecg.signal;
  signal.set_status(Lead::kV3, LeadStatus::kMissing);
  const auto peaks = DetectRPeaks(signal);
  const auto beat = MedianBeat(signal, peaks);
  ASSERT_TRUE(beat.has_value());
  EXPECT_EQ(beat->samples_per_lead(), 350u);  // 700 ms at 500 Hz
  EXPECT_EQ(beat->status(Lead::kV3), LeadStatus::kMissing);
  EXPECT_EQ(beat->status(Lead::kV5), LeadStatus::kRecorded);
  // The largest summed deflection lies at the R peak, sample 125 (250 ms).
  size_t best = 0;
  double best_sum = 0;
  for (size_t i = 0; i < beat->samples_per_lead(); ++i) {
    double sum = 0;
    for (Lead lead : AllLeads()) sum += std::fabs(beat->lead_uV(lead)[i] - beat->lead_uV(lead)[0]);
    if (sum > best_sum) best_sum = sum, best = i;
  }
  EXPECT_NEAR(static_cast<double>(best), 125.0, 5.0);
  // Without noise the median beat is close to the mean of the aligned beats.
  std::vector<double> mean(350, 0.0);
  size_t count = 0;
  for (size_t p : peaks) {
    if (p < 125 || p + 225 > signal.samples_per_lead()) continue;
    for (size_t i = 0; i < 350; ++i) mean[i] += signal.lead_uV(Lead::kII)[p - 125 + i];
    ++count;
  }
  for (size_t i = 0; i < 350; ++i) {
    mean[i] /= count;
    EXPECT_NEAR(beat->lead_uV(Lead::kII)[i], mean[i], 30.0 + 0.08 * std::fabs(mean[i])) << i;
  }
}

}  // namespace
}  // namespace ecg
