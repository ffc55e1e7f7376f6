#include "waveform/synth.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "waveform/error.h"

namespace ecg {
namespace {

SynthOptions SmallCohort() {
  SynthOptions options;
  options.patients = 12;
  options.ecgs_per_patient = 3;
  options.seed = 20261121;
  return options;
}

// The mean beat of the independent leads around the true R peaks (-250..+450 ms), baseline
// removed per lead: a patient's morphology as the learning code would see it.
std::vector<double> MeanBeat(const SyntheticEcg& ecg) {
  const double rate = ecg.signal.sample_rate_hz();
  const long before = std::lround(0.25 * rate), after = std::lround(0.45 * rate);
  const Lead leads[] = {Lead::kI,  Lead::kII, Lead::kV1, Lead::kV2,
                        Lead::kV3, Lead::kV4, Lead::kV5, Lead::kV6};
  std::vector<double> beat;
  for (Lead lead : leads) {
    const float* x = ecg.signal.lead_uV(lead);
    std::vector<double> sum(before + after, 0.0);
    int count = 0;
    for (double r_s : ecg.truth.r_peak_times_s) {
      const long r = std::lround(r_s * rate);
      if (r - before < 0 || r + after > static_cast<long>(ecg.signal.samples_per_lead())) continue;
      for (long i = -before; i < after; ++i) sum[i + before] += x[r + i];
      ++count;
    }
    const double baseline = sum[0] / std::max(count, 1);
    for (double v : sum) beat.push_back(v / std::max(count, 1) - baseline);
  }
  return beat;
}

double Distance(const std::vector<double>& a, const std::vector<double>& b) {
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += (a[i] - b[i]) * (a[i] - b[i]);
  return std::sqrt(sum / a.size());
}

TEST(SynthesiseCohort, TheSameSeedGivesTheSameEcgsAndAnotherSeedOthers) {
  const auto a = SynthesiseCohort(SmallCohort());
  const auto b = SynthesiseCohort(SmallCohort());
  ASSERT_EQ(a.size(), 36u);
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].signal.data_uV(), b[i].signal.data_uV());
    EXPECT_EQ(a[i].metadata.sop_instance_uid, b[i].metadata.sop_instance_uid);
    EXPECT_EQ(a[i].metadata.acquisition_time_ms, b[i].metadata.acquisition_time_ms);
  }
  SynthOptions other = SmallCohort();
  other.seed += 1;
  EXPECT_NE(SynthesiseCohort(other)[0].signal.data_uV(), a[0].signal.data_uV());
}

TEST(SynthesiseCohort, APatientsEcgsDoNotDependOnHowManyPatientsOrVisitsAreAsked) {
  SynthOptions options = SmallCohort();
  const auto cohort = SynthesiseCohort(options);
  options.ecgs_per_patient = 5;
  const auto patient = SynthesisePatient(options, 7);
  ASSERT_EQ(patient.size(), 5u);
  for (size_t v = 0; v < 3; ++v) {
    EXPECT_EQ(patient[v].signal.data_uV(), cohort[7 * 3 + v].signal.data_uV());
    EXPECT_EQ(patient[v].metadata.acquisition_time_ms,
              cohort[7 * 3 + v].metadata.acquisition_time_ms);
  }
}

TEST(SynthesiseCohort, LimbLeadsFollowExactlyFromLeadsIAndII) {
  for (const SyntheticEcg& ecg : SynthesiseCohort(SmallCohort())) {
    const EcgSignal& s = ecg.signal;
    EXPECT_EQ(s.mask().CountRecorded(), kLeadCount);
    for (size_t t = 0; t < s.samples_per_lead(); ++t) {
      const float i = s.lead_uV(Lead::kI)[t], ii = s.lead_uV(Lead::kII)[t];
      ASSERT_EQ(s.lead_uV(Lead::kIII)[t], ii - i);
      ASSERT_LE(std::fabs(s.lead_uV(Lead::kAVR)[t] + 0.5f * (i + ii)), 0.5f);
      ASSERT_LE(std::fabs(s.lead_uV(Lead::kAVL)[t] - (i - 0.5f * ii)), 0.5f);
      ASSERT_LE(std::fabs(s.lead_uV(Lead::kAVF)[t] - (ii - 0.5f * i)), 0.5f);
    }
  }
}

TEST(SynthesiseCohort, SamplesAreWholeMicrovoltsWithRealisticAmplitudesAndRates) {
  for (const SyntheticEcg& ecg : SynthesiseCohort(SmallCohort())) {
    const EcgSignal& s = ecg.signal;
    ASSERT_EQ(s.samples_per_lead(), 5000u);
    float largest_swing = 0;
    for (Lead lead : AllLeads()) {
      const float* x = s.lead_uV(lead);
      const auto [lo, hi] = std::minmax_element(x, x + s.samples_per_lead());
      largest_swing = std::max(largest_swing, *hi - *lo);
      for (size_t t = 0; t < s.samples_per_lead(); ++t) ASSERT_EQ(x[t], std::nearbyint(x[t]));
    }
    // The largest QRS of a 12-lead ECG is about 0.5 to 3.5 mV peak to peak.
    EXPECT_GT(largest_swing, 500.0f) << ecg.metadata.patient_id;
    EXPECT_LT(largest_swing, 5000.0f) << ecg.metadata.patient_id;
    EXPECT_GT(ecg.truth.heart_rate_bpm, 40.0);
    EXPECT_LT(ecg.truth.heart_rate_bpm, 130.0);
    EXPECT_GE(ecg.truth.r_peak_times_s.size(), 6u);
  }
}

TEST(SynthesiseCohort, MetadataNamesThePatientAndVisitsFollowInTime) {
  const auto cohort = SynthesiseCohort(SmallCohort());
  std::set<std::string> uids;
  for (size_t i = 0; i < cohort.size(); ++i) {
    const EcgMetadata& m = cohort[i].metadata;
    EXPECT_EQ(cohort[i].patient_index, i / 3);
    EXPECT_EQ(cohort[i].visit_index, i % 3);
    EXPECT_EQ(m.patient_id,
              "SYNTH-" + std::string(i / 3 < 10 ? "00000" : "0000") + std::to_string(i / 3));
    EXPECT_TRUE(m.sex == "M" || m.sex == "F");
    EXPECT_EQ(m.birth_date.size(), 8u);
    ASSERT_TRUE(m.patient_age_years.has_value());
    EXPECT_GE(*m.patient_age_years, 25);
    EXPECT_LE(*m.patient_age_years, 95);
    EXPECT_LE(m.sop_instance_uid.size(), 64u);
    EXPECT_EQ(m.sop_instance_uid.rfind("2.25.", 0), 0u);
    uids.insert(m.sop_instance_uid);
    uids.insert(m.study_instance_uid);
    if (i % 3 > 0) {
      EXPECT_GE(*m.acquisition_time_ms - *cohort[i - 1].metadata.acquisition_time_ms,
                13LL * 86400000);
    }
  }
  EXPECT_EQ(uids.size(), 2 * cohort.size());
}

TEST(SynthesiseCohort, EcgsOfOnePatientAreMoreAlikeThanEcgsOfDifferentPatients) {
  SynthOptions options = SmallCohort();
  options.patients = 20;
  const auto cohort = SynthesiseCohort(options);
  std::vector<std::vector<double>> beats;
  for (const auto& ecg : cohort) beats.push_back(MeanBeat(ecg));
  double same = 0, other = 0;
  int same_n = 0, other_n = 0, nearest_is_same = 0;
  for (size_t a = 0; a < beats.size(); ++a) {
    double best = 1e300;
    size_t best_b = 0;
    for (size_t b = 0; b < beats.size(); ++b) {
      if (a == b) continue;
      const double d = Distance(beats[a], beats[b]);
      const bool same_patient = cohort[a].patient_index == cohort[b].patient_index;
      (same_patient ? same : other) += d;
      ++(same_patient ? same_n : other_n);
      if (d < best) best = d, best_b = b;
    }
    nearest_is_same += cohort[best_b].patient_index == cohort[a].patient_index;
  }
  same /= same_n;
  other /= other_n;
  const double identification = static_cast<double>(nearest_is_same) / beats.size();
  std::printf(
      "mean beat distance: same patient %.1f uV, different %.1f uV; nearest is the same "
      "patient for %.0f%%\n",
      same, other, 100 * identification);
  EXPECT_LT(same, 0.6 * other);
  EXPECT_GT(identification, 0.6);
}

TEST(SynthesiseCohort, DriftingPatientsChangeAcrossVisitsAndOthersDoNot) {
  SynthOptions options = SmallCohort();
  options.drifting_fraction = 0.5;
  options.ecgs_per_patient = 4;
  size_t drifting = 0;
  for (const auto& ecg : SynthesiseCohort(options)) {
    if (!ecg.truth.drifting) {
      EXPECT_EQ(ecg.truth.qrs_width_scale, 1.0);
      EXPECT_EQ(ecg.truth.t_wave_scale, 1.0);
      continue;
    }
    ++drifting;
    if (ecg.visit_index == 0) continue;
    EXPECT_GT(ecg.truth.qrs_width_scale, 1.0);
    EXPECT_LT(ecg.truth.t_wave_scale, 1.0);
  }
  EXPECT_GT(drifting, 0u);
  EXPECT_LT(drifting, 48u);
}

TEST(SynthesiseCohort, CleanSignalsAtAnotherRateKeepTheirLength) {
  SynthOptions options = SmallCohort();
  options.patients = 1;
  options.sample_rate_hz = 250;
  options.duration_s = 8;
  options.noise_scale = 0;
  const auto cohort = SynthesiseCohort(options);
  EXPECT_EQ(cohort[0].signal.samples_per_lead(), 2000u);
  EXPECT_EQ(cohort[0].signal.sample_rate_hz(), 250.0);
}

TEST(SynthesiseCohort, RefusesNonPositiveRatesAndDurations) {
  SynthOptions options = SmallCohort();
  options.sample_rate_hz = 0;
  EXPECT_THROW(SynthesiseCohort(options), Error);
  options.sample_rate_hz = 500;
  options.duration_s = -1;
  EXPECT_THROW(SynthesiseCohort(options), Error);
}

}  // namespace
}  // namespace ecg
