// Test ECGs whose wave boundaries are known exactly, for the delineator's tests.
//
// Each wave is a scalar shape with a finite support: P and T are half sines over [onset, offset]
// (a clear corner at each end), the QRS is piecewise linear (q, R, S) over [onset, offset]. In the
// frontal plane each wave points along its own axis: I = cos(axis) x shape and
// II = cos(axis - 60 deg) x shape, so aVF = sqrt(3)/2 sin(axis) x shape and the axis measured
// from I and aVF is exactly `axis`. V1..V6 carry the same shapes with fixed weights (V1 mostly
// negative). III, aVR, aVL, aVF are derived from I and II. Options add white noise, baseline
// wander, fibrillation (irregular RR, no P, 4-7 Hz waves) and pacing spikes.
// Deterministic for a given seed. Header-only, for tests and benchmarks.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "waveform/ecg_signal.h"

namespace ecg::testing {

struct KnownEcgOptions {
  double sample_rate_hz = 500;
  double duration_s = 10;
  double heart_rate_bpm = 70;
  double p_ms = 100;   // P onset to P offset
  double pr_ms = 160;  // P onset to QRS onset
  double qrs_ms = 90;  // QRS onset to offset
  double qt_ms = 380;  // QRS onset to T offset
  double t_ms = 160;   // T onset to T offset
  double p_uV = 150, r_uV = 1200, t_uV = 350;
  double s_depth = 0.3;  // S wave depth relative to R (about 0.97: an equiphasic RS complex)
  double p_axis_deg = 50, qrs_axis_deg = 40, t_axis_deg = 35;
  double noise_uV = 0;         // white noise SD
  double wander_uV = 0;        // 0.2 Hz baseline wander amplitude
  bool fibrillation = false;   // irregular RR (+-25%), no P wave, 4-7 Hz f waves of 60 uV
  bool pacing_spikes = false;  // a 4 mV one-sample spike 4 ms before each QRS onset
  uint32_t seed = 7;
};

struct KnownEcg {
  EcgSignal signal;
  std::vector<double> qrs_onsets_s;
};

namespace detail {

inline double HalfSine(double t, double onset, double duration) {
  if (t < onset || t > onset + duration) return 0;
  return std::sin(M_PI * (t - onset) / duration);
}

// q -0.15 at 15%, R 1.0 at 45%, S -s_depth at 75%, back to 0 at 100%.
inline double Qrs(double t, double onset, double duration, double s_depth = 0.3) {
  static const double kx[] = {0, 0.15, 0.45, 0.75, 1.0};
  const double ky[] = {0, -0.15, 1.0, -s_depth, 0};
  const double u = (t - onset) / duration;
  if (u <= 0 || u >= 1) return 0;
  for (int k = 1; k < 5; ++k) {
    if (u <= kx[k]) return ky[k - 1] + (ky[k] - ky[k - 1]) * (u - kx[k - 1]) / (kx[k] - kx[k - 1]);
  }
  return 0;
}

}  // namespace detail

inline KnownEcg MakeKnownEcg(const KnownEcgOptions& o) {
  const double rate = o.sample_rate_hz;
  const size_t n = static_cast<size_t>(std::lround(o.duration_s * rate));
  KnownEcg out{EcgSignal(rate, n), {}};
  std::mt19937 rng(o.seed);
  std::normal_distribution<double> noise(0.0, 1.0);
  std::uniform_real_distribution<double> uniform(-1.0, 1.0);
  const double rr_s = 60.0 / o.heart_rate_bpm;
  for (double t = 0.3; t < o.duration_s + rr_s;) {
    out.qrs_onsets_s.push_back(t);
    t += rr_s * (o.fibrillation ? 1.0 + 0.25 * uniform(rng) : 1.0);
  }
  const double deg = M_PI / 180;
  // Frontal projections of each wave onto I and II; precordial weights (P, QRS, T).
  const double p_i = std::cos(o.p_axis_deg * deg), p_ii = std::cos((o.p_axis_deg - 60) * deg);
  const double q_i = std::cos(o.qrs_axis_deg * deg), q_ii = std::cos((o.qrs_axis_deg - 60) * deg);
  const double t_i = std::cos(o.t_axis_deg * deg), t_ii = std::cos((o.t_axis_deg - 60) * deg);
  const double v_p[6] = {0.3, 0.5, 0.6, 0.6, 0.5, 0.5};
  const double v_q[6] = {-0.8, -0.5, 0.2, 0.9, 1.1, 0.9};
  const double v_t[6] = {-0.1, 0.8, 1.0, 1.0, 0.8, 0.6};
  const Lead precordial[6] = {Lead::kV1, Lead::kV2, Lead::kV3, Lead::kV4, Lead::kV5, Lead::kV6};
  const double f_phase = uniform(rng) * M_PI;
  for (size_t i = 0; i < n; ++i) {
    const double t = i / rate;
    double p = 0, q = 0, tw = 0;
    for (double on : out.qrs_onsets_s) {
      if (t < on - 0.5 || t > on + 0.7) continue;
      if (!o.fibrillation) p += o.p_uV * detail::HalfSine(t, on - o.pr_ms / 1000, o.p_ms / 1000);
      q += o.r_uV * detail::Qrs(t, on, o.qrs_ms / 1000, o.s_depth);
      tw += o.t_uV * detail::HalfSine(t, on + (o.qt_ms - o.t_ms) / 1000, o.t_ms / 1000);
      if (o.pacing_spikes && std::lround((on - 0.004) * rate) == static_cast<long>(i)) q += 4000;
    }
    const double f =
        o.fibrillation ? 60 * std::sin(2 * M_PI * (5.5 * t + 0.3 * std::sin(t)) + f_phase) : 0.0;
    const double wander = o.wander_uV * std::sin(2 * M_PI * 0.2 * t);
    auto value = [&](double wp, double wq, double wt) {
      return static_cast<float>(
          std::round(wp * p + wq * q + wt * tw + f * 0.7 + wander + o.noise_uV * noise(rng)));
    };
    out.signal.lead_uV(Lead::kI)[i] = value(p_i, q_i, t_i);
    out.signal.lead_uV(Lead::kII)[i] = value(p_ii, q_ii, t_ii);
    for (int v = 0; v < 6; ++v)
      out.signal.lead_uV(precordial[v])[i] = value(v_p[v], v_q[v], v_t[v]);
  }
  for (Lead lead :
       {Lead::kI, Lead::kII, Lead::kV1, Lead::kV2, Lead::kV3, Lead::kV4, Lead::kV5, Lead::kV6}) {
    out.signal.set_status(lead, LeadStatus::kRecorded);
  }
  out.signal.DeriveLimbLeads();
  return out;
}

}  // namespace ecg::testing
