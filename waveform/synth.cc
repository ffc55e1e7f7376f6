#include "waveform/synth.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>

#include "waveform/civil_time.h"
#include "waveform/error.h"
#include "waveform/random.h"
#include "waveform/uid.h"

namespace ecg {
namespace {

constexpr double kPi = 3.14159265358979323846;
constexpr int64_t kMsPerDay = 86400000;
constexpr double kMsPerYear = 365.2425 * kMsPerDay;

using Vec3 = std::array<double, 3>;  // X (left), Y (inferior), Z (posterior), mV
using Mat3 = std::array<Vec3, 3>;

enum Wave { kP, kQ, kR, kS, kT, kTLate, kWaveCount };

struct WaveShape {
  double offset_s;  // centre relative to the R peak (T waves: at RR = 1 s)
  double width_s;   // Gaussian standard deviation (T waves: at RR = 1 s)
  Vec3 dipole_mV;
};

// A normal adult beat, a sketch of published VCG loops: P towards left-inferior, a small
// septal Q right-anterior, R left-inferior-posterior, terminal S right-superior-posterior, T
// roughly concordant with R, slightly anterior.
constexpr std::array<WaveShape, kWaveCount> kPopulationBeat = {{
    {-0.165, 0.022, {0.07, 0.11, -0.03}},
    {-0.028, 0.009, {-0.10, -0.05, -0.12}},
    {0.000, 0.011, {1.25, 0.70, 0.55}},
    {0.030, 0.011, {-0.40, -0.25, 0.35}},
    {0.300, 0.055, {0.22, 0.20, -0.12}},
    {0.360, 0.030, {0.08, 0.06, -0.04}},
}};

// Dower's matrix: Frank X, Y, Z (mV) to the independent leads I, II, V1..V6.
constexpr std::array<Vec3, 8> kDower = {{
    {0.632, -0.235, 0.059},
    {0.235, 1.066, -0.132},
    {-0.515, 0.157, -0.917},
    {0.044, 0.164, -1.387},
    {0.882, 0.098, -1.277},
    {1.213, 0.127, -0.601},
    {1.125, 0.127, -0.086},
    {0.831, 0.076, 0.230},
}};
constexpr std::array<Lead, 8> kIndependentLeads = {Lead::kI,  Lead::kII, Lead::kV1, Lead::kV2,
                                                   Lead::kV3, Lead::kV4, Lead::kV5, Lead::kV6};
using LeadField = std::array<Vec3, 8>;

struct Patient {
  std::array<WaveShape, kWaveCount> beat;
  std::array<Vec3, kWaveCount> axis_delay_s;  // per-axis shift of each wave: loops, not lines
  LeadField lead_field;
  double heart_rate_bpm;
  double resp_hz, rsa_fraction, lf_hz, lf_fraction;
  double mains_hz;
  bool female;
  int64_t birth_ms;
  bool drifting;
  double hr_drift_bpm_per_year, qrs_widening_per_year, t_flattening_per_year;
  std::vector<int64_t> visit_ms;
};

// One ECG's model state: the patient after drift and this visit's jitter.
struct Visit {
  std::array<WaveShape, kWaveCount> beat;
  LeadField lead_field;
  double heart_rate_bpm;
  double emg_uV, hum_uV, wander_uV;
  SynthTruth truth;
};

Mat3 Rotation(double rx, double ry, double rz) {
  const double cx = std::cos(rx), sx = std::sin(rx), cy = std::cos(ry), sy = std::sin(ry);
  const double cz = std::cos(rz), sz = std::sin(rz);
  // Rz * Ry * Rx
  return {{{cz * cy, cz * sy * sx - sz * cx, cz * sy * cx + sz * sx},
           {sz * cy, sz * sy * sx + cz * cx, sz * sy * cx - cz * sx},
           {-sy, cy * sx, cy * cx}}};
}

Vec3 Apply(const Mat3& m, const Vec3& v) {
  Vec3 out{};
  for (int r = 0; r < 3; ++r) out[r] = m[r][0] * v[0] + m[r][1] * v[1] + m[r][2] * v[2];
  return out;
}

Mat3 RandomRotation(Random& rng, double sd_deg) {
  const double sd = sd_deg * kPi / 180;
  return Rotation(rng.Normal(0, sd), rng.Normal(0, sd), rng.Normal(0, sd));
}

void RotateWaves(std::array<WaveShape, kWaveCount>& beat, const Mat3& m, int first, int last) {
  for (int w = first; w <= last; ++w) beat[w].dipole_mV = Apply(m, beat[w].dipole_mV);
}

void JitterLeadField(LeadField& field, Random& rng, double sd) {
  for (Vec3& row : field) {
    for (double& v : row) v += rng.Normal(0, sd);
  }
}

std::vector<int64_t> VisitTimes(const SynthOptions& options, Random& rng) {
  std::vector<int64_t> times;
  double t = options.first_visit_ms + rng.Uniform(0, 365.0) * kMsPerDay;
  for (size_t v = 0; v < options.ecgs_per_patient; ++v) {
    if (v > 0) t += std::exp(rng.Uniform(std::log(14.0), std::log(3 * 365.0))) * kMsPerDay;
    // A time of day between 08:00 and 17:00, whole seconds.
    const double day_start = std::floor(t / kMsPerDay) * kMsPerDay;
    t = day_start + (8 * 3600 + std::floor(rng.Uniform(0, 9 * 3600))) * 1000.0;
    times.push_back(static_cast<int64_t>(t));
  }
  return times;
}

Patient MakePatient(const SynthOptions& options, size_t index) {
  Random rng(DeriveSeed(options.seed, index + 1));
  Patient p;
  p.female = rng.Bernoulli(0.5);
  p.beat = kPopulationBeat;
  const double body_scale = std::exp(rng.Normal(0, 0.22)) * (p.female ? 0.85 : 1.0);
  for (WaveShape& w : p.beat) {
    const double wave_scale = std::exp(rng.Normal(0, 0.2)) * body_scale;
    const double spread = 0.1 * std::max({std::fabs(w.dipole_mV[0]), std::fabs(w.dipole_mV[1]),
                                          std::fabs(w.dipole_mV[2])});
    for (double& a : w.dipole_mV) a = a * wave_scale + rng.Normal(0, spread);
    w.width_s *= std::exp(rng.Normal(0, 0.12));
  }
  p.beat[kP].offset_s += rng.Normal(0, 0.015);
  p.beat[kQ].offset_s += rng.Normal(0, 0.003);
  p.beat[kS].offset_s += rng.Normal(0, 0.003);
  const double qt_shift = rng.Normal(0, 0.02);
  p.beat[kT].offset_s += qt_shift;
  p.beat[kTLate].offset_s += qt_shift + rng.Normal(0, 0.01);
  // Electrical axis: the whole dipole, then T against QRS (the QRS-T angle).
  RotateWaves(p.beat, RandomRotation(rng, 14), kP, kTLate);
  RotateWaves(p.beat, RandomRotation(rng, 10), kT, kTLate);
  for (int w = 0; w < kWaveCount; ++w) {
    const double sd = w >= kT ? 0.008 : 0.002;
    for (double& d : p.axis_delay_s[w]) d = rng.Normal(0, sd);
  }
  p.lead_field = kDower;
  JitterLeadField(p.lead_field, rng, 0.08);
  p.heart_rate_bpm = std::clamp(rng.Normal(p.female ? 73 : 70, 10), 48.0, 105.0);
  p.resp_hz = rng.Uniform(0.18, 0.33);
  p.rsa_fraction = rng.Uniform(0.01, 0.06);
  p.lf_hz = rng.Uniform(0.08, 0.12);
  p.lf_fraction = rng.Uniform(0.005, 0.03);
  p.mains_hz = rng.Bernoulli(0.5) ? 50 : 60;
  p.drifting = rng.Uniform() < options.drifting_fraction;
  p.hr_drift_bpm_per_year = (rng.Bernoulli(0.5) ? 1 : -1) * rng.Uniform(3, 8);
  p.qrs_widening_per_year = rng.Uniform(0.05, 0.15);
  p.t_flattening_per_year = rng.Uniform(0.15, 0.30);
  const double age_years = rng.Uniform(25, 85);
  Random schedule(DeriveSeed(options.seed, index + 1, 0));  // apart: visits may be added
  p.visit_ms = VisitTimes(options, schedule);
  p.birth_ms = p.visit_ms.empty() ? options.first_visit_ms : p.visit_ms[0];
  p.birth_ms -= static_cast<int64_t>(age_years * kMsPerYear);
  p.birth_ms -= p.birth_ms % kMsPerDay;
  return p;
}

Visit MakeVisit(const Patient& p, size_t visit_index, Random& rng) {
  Visit v;
  v.beat = p.beat;
  v.lead_field = p.lead_field;
  v.truth.drifting = p.drifting;
  v.truth.years_since_first_visit = (p.visit_ms[visit_index] - p.visit_ms[0]) / kMsPerYear;
  double heart_rate = p.heart_rate_bpm;
  if (p.drifting) {
    const double years = v.truth.years_since_first_visit;
    heart_rate += p.hr_drift_bpm_per_year * years;
    v.truth.qrs_width_scale = std::min(1.6, 1 + p.qrs_widening_per_year * years);
    v.truth.t_wave_scale = std::max(0.15, 1 - p.t_flattening_per_year * years);
    for (int w : {kQ, kR, kS}) v.beat[w].width_s *= v.truth.qrs_width_scale;
    v.beat[kQ].offset_s *= v.truth.qrs_width_scale;
    v.beat[kS].offset_s *= v.truth.qrs_width_scale;
    for (int w : {kT, kTLate}) {
      for (double& a : v.beat[w].dipole_mV) a *= v.truth.t_wave_scale;
    }
  }
  // Electrode placement, posture and day-to-day variation: large enough that a patient's
  // ECGs are alike but not copies (see the identification figure in docs/formats.md).
  JitterLeadField(v.lead_field, rng, 0.07);
  RotateWaves(v.beat, RandomRotation(rng, 7), kP, kTLate);
  const double gain = std::exp(rng.Normal(0, 0.10));
  for (int w = 0; w < kWaveCount; ++w) {
    const double wave_gain = gain * std::exp(rng.Normal(0, w >= kT ? 0.12 : 0.06));
    for (double& a : v.beat[w].dipole_mV) a *= wave_gain;
  }
  v.heart_rate_bpm = std::clamp(heart_rate + rng.Normal(0, 5), 40.0, 150.0);
  v.emg_uV = rng.Uniform(2, 10);
  v.hum_uV = rng.Uniform(0, 12);
  v.wander_uV = rng.Uniform(20, 120);
  return v;
}

// R-peak times from 1.5 s before the ECG to 1 s after it: RR modulated by respiration (RSA),
// a 0.1 Hz LF wave and white jitter.
std::vector<double> BeatTimes(const Patient& p, const Visit& v, double duration_s, Random& rng) {
  const double mean_rr = 60.0 / v.heart_rate_bpm;
  const double resp_phase = rng.Uniform(0, 2 * kPi), lf_phase = rng.Uniform(0, 2 * kPi);
  std::vector<double> times;
  double t = -1.5 + rng.Uniform(0, mean_rr);
  while (t < duration_s + 1.0) {
    times.push_back(t);
    const double rr =
        mean_rr *
        (1 + p.rsa_fraction * std::sin(2 * kPi * p.resp_hz * t + resp_phase) +
         p.lf_fraction * std::sin(2 * kPi * p.lf_hz * t + lf_phase) + rng.Normal(0, 0.01));
    t += std::max(rr, 0.25);
  }
  return times;
}

// The dipole, three rows of n samples (mV), as a sum of Gaussians per beat, wave and axis.
std::array<std::vector<double>, 3> RenderDipole(const Patient& p, const Visit& v,
                                                const std::vector<double>& beats, double rate_hz,
                                                size_t n, Random& rng) {
  std::array<std::vector<double>, 3> dipole;
  for (auto& axis : dipole) axis.assign(n, 0.0);
  for (size_t b = 0; b + 1 < beats.size(); ++b) {
    const double rr = beats[b + 1] - beats[b];
    const double bazett = std::sqrt(std::clamp(rr, 0.3, 2.0));
    const double qrs_jitter = std::exp(rng.Normal(0, 0.02));
    const double t_jitter = std::exp(rng.Normal(0, 0.03));
    const double p_jitter = std::exp(rng.Normal(0, 0.05));
    const double breathing = 1 + 0.04 * std::sin(2 * kPi * p.resp_hz * beats[b]);
    for (int w = 0; w < kWaveCount; ++w) {
      const bool t_wave = w >= kT;
      const WaveShape& shape = v.beat[w];
      const double scale = w == kP ? p_jitter : t_wave ? t_jitter : qrs_jitter * breathing;
      const double width_s = t_wave ? shape.width_s * bazett : shape.width_s;
      const double offset_s = t_wave ? shape.offset_s * bazett : shape.offset_s;
      for (int d = 0; d < 3; ++d) {
        const double centre_s = beats[b] + offset_s + p.axis_delay_s[w][d];
        const double amplitude = shape.dipole_mV[d] * scale;
        const long first =
            std::max(0L, static_cast<long>(std::ceil((centre_s - 4 * width_s) * rate_hz)));
        const long last =
            std::min(static_cast<long>(n) - 1,
                     static_cast<long>(std::floor((centre_s + 4 * width_s) * rate_hz)));
        for (long i = first; i <= last; ++i) {
          const double z = (i / rate_hz - centre_s) / width_s;
          dipole[d][i] += amplitude * std::exp(-0.5 * z * z);
        }
      }
    }
  }
  return dipole;
}

// Noise of one lead (uV): white muscle noise, mains hum, baseline wander.
void AddNoise(const Patient& p, const Visit& v, double noise_scale, double rate_hz,
              std::vector<double>& lead_uV, Random& rng) {
  if (noise_scale <= 0) return;
  const double emg = noise_scale * v.emg_uV * rng.Uniform(0.7, 1.3);
  const double hum = noise_scale * v.hum_uV * rng.Uniform(0.5, 1.5);
  const double hum_phase = rng.Uniform(0, 2 * kPi);
  const double resp_amp = noise_scale * v.wander_uV * rng.Uniform(0.1, 0.5);
  const double resp_phase = rng.Uniform(0, 2 * kPi);
  const double slow_amp = noise_scale * v.wander_uV * rng.Uniform(0.3, 1.0);
  const double slow_hz = rng.Uniform(0.03, 0.15), slow_phase = rng.Uniform(0, 2 * kPi);
  for (size_t i = 0; i < lead_uV.size(); ++i) {
    const double t = i / rate_hz;
    lead_uV[i] += emg * rng.Normal() + hum * std::sin(2 * kPi * p.mains_hz * t + hum_phase) +
                  resp_amp * std::sin(2 * kPi * p.resp_hz * t + resp_phase) +
                  slow_amp * std::sin(2 * kPi * slow_hz * t + slow_phase);
  }
}

EcgSignal ProjectToLeads(const Patient& p, const Visit& v,
                         const std::array<std::vector<double>, 3>& dipole,
                         const SynthOptions& options, Random& rng) {
  const size_t n = dipole[0].size();
  EcgSignal signal(options.sample_rate_hz, n);
  std::vector<double> lead(n);
  for (size_t l = 0; l < kIndependentLeads.size(); ++l) {
    const Vec3& row = v.lead_field[l];
    for (size_t i = 0; i < n; ++i) {
      lead[i] = 1000.0 * (row[0] * dipole[0][i] + row[1] * dipole[1][i] + row[2] * dipole[2][i]);
    }
    AddNoise(p, v, options.noise_scale, options.sample_rate_hz, lead, rng);
    float* out = signal.lead_uV(kIndependentLeads[l]);
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<float>(std::nearbyint(lead[i]));
  }
  const float* i_lead = signal.lead_uV(Lead::kI);
  const float* ii_lead = signal.lead_uV(Lead::kII);
  for (size_t i = 0; i < n; ++i) {
    signal.lead_uV(Lead::kIII)[i] = ii_lead[i] - i_lead[i];
    signal.lead_uV(Lead::kAVR)[i] = std::nearbyint(-0.5f * (i_lead[i] + ii_lead[i]));
    signal.lead_uV(Lead::kAVL)[i] = std::nearbyint(i_lead[i] - 0.5f * ii_lead[i]);
    signal.lead_uV(Lead::kAVF)[i] = std::nearbyint(ii_lead[i] - 0.5f * i_lead[i]);
  }
  for (Lead lead_id : AllLeads()) signal.set_status(lead_id, LeadStatus::kRecorded);
  return signal;
}

// Study, series and instance UIDs of a visit, from the seed.
std::string SynthUid(uint64_t seed, size_t patient, size_t visit, uint64_t kind) {
  return DerivedUid(seed, patient + 1, (visit + 1) * 4 + kind);
}

EcgMetadata MakeMetadata(const Patient& p, const SynthOptions& options, size_t patient,
                         size_t visit) {
  EcgMetadata m;
  char id[32];
  std::snprintf(id, sizeof(id), "SYNTH-%06zu", patient);
  m.patient_id = id;
  m.issuer_of_patient_id = "ORTHANC-ECG-SYNTH";
  m.sex = p.female ? "F" : "M";
  m.birth_date = FormatCivilDate(p.birth_ms);
  const int64_t when = p.visit_ms[visit];
  m.patient_age_years = static_cast<int>((when - p.birth_ms) / kMsPerYear);
  m.acquisition_time_ms = when;
  m.utc_offset_minutes = 0;
  m.acquisition_time_source = "acquisition";
  m.study_instance_uid = SynthUid(options.seed, patient, visit, 0);
  m.series_instance_uid = SynthUid(options.seed, patient, visit, 1);
  m.sop_instance_uid = SynthUid(options.seed, patient, visit, 2);
  m.manufacturer = "orthanc-ecg synth";
  m.model = "dipole model 1";
  return m;
}

SyntheticEcg MakeEcg(const Patient& p, const SynthOptions& options, size_t patient, size_t visit) {
  Random rng(DeriveSeed(options.seed, patient + 1, visit + 1));
  Visit v = MakeVisit(p, visit, rng);
  const size_t n = static_cast<size_t>(std::llround(options.duration_s * options.sample_rate_hz));
  const std::vector<double> beats = BeatTimes(p, v, options.duration_s, rng);
  const auto dipole = RenderDipole(p, v, beats, options.sample_rate_hz, n, rng);
  SyntheticEcg ecg{MakeMetadata(p, options, patient, visit),
                   ProjectToLeads(p, v, dipole, options, rng), patient, visit, v.truth};
  for (double t : beats) {
    if (t >= 0 && t < options.duration_s) ecg.truth.r_peak_times_s.push_back(t);
  }
  const auto& r = ecg.truth.r_peak_times_s;
  if (r.size() >= 2) ecg.truth.heart_rate_bpm = 60.0 * (r.size() - 1) / (r.back() - r.front());
  return ecg;
}

void CheckOptions(const SynthOptions& options) {
  if (!(options.sample_rate_hz > 0) || !(options.duration_s > 0) ||
      !std::isfinite(options.sample_rate_hz) || !std::isfinite(options.duration_s) ||
      options.duration_s * options.sample_rate_hz > 1e8) {
    throw Error::InvalidArgument(
        "SynthesiseCohort: rate and duration must be positive (and below 1e8 samples per lead)");
  }
}

}  // namespace

std::vector<SyntheticEcg> SynthesisePatient(const SynthOptions& options, size_t patient_index) {
  CheckOptions(options);
  const Patient p = MakePatient(options, patient_index);
  std::vector<SyntheticEcg> ecgs;
  for (size_t visit = 0; visit < options.ecgs_per_patient; ++visit) {
    ecgs.push_back(MakeEcg(p, options, patient_index, visit));
  }
  return ecgs;
}

std::vector<SyntheticEcg> SynthesiseCohort(const SynthOptions& options) {
  std::vector<SyntheticEcg> cohort;
  cohort.reserve(options.patients * options.ecgs_per_patient);
  for (size_t patient = 0; patient < options.patients; ++patient) {
    for (SyntheticEcg& ecg : SynthesisePatient(options, patient)) cohort.push_back(std::move(ecg));
  }
  return cohort;
}

}  // namespace ecg
