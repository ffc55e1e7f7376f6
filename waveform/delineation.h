// Delineation of a median beat: global wave boundaries taken from all present leads together.
//
// Method (threshold and window values from the literature, not fitted to any reference set;
// docs/measurements.md tells how the method was arrived at and how it fares on LUDB):
// - Normalised sum: every lead whose wave reaches `min_lead_share` of the largest lead's takes
//   part with its own curve divided by its own peak, so a small lead counts as much as a large
//   one. The sum starts with the earliest lead and ends with the latest, which is how IEC
//   60601-2-25 defines global boundaries (earliest onset, latest offset over the leads), while
//   noise averages over the leads.
// - QRS onset and offset: the normalised sum of |dx/dt| (central difference after a 4 ms moving
//   average) falls below its floor plus `qrs_threshold_fraction` of its peak above that floor
//   and stays there for `qrs_hold_ms`, walking out from the peak. The floor is its quietest 20
//   ms in the PR segment (onset) or the ST segment (offset).
// - Baseline: each lead's level just before QRS onset (the PQ junction, 20..6 ms before onset;
//   `BeatBoundaries::pq_anchor`).
// - T offset: Zhang et al.'s area indicator (IEEE TBME 53(7), 2006) on the normalised sum of
//   |deviation from baseline| (leads smoothed over 20 ms, which also cancels 50 Hz hum): T end is
//   the t after the T peak that maximises sum_{j=t-W+1..t} (m(j) - m(t)), W = 128 ms. The
//   indicator does not depend on the level the curve settles at, so a TP segment that does not
//   return to the PQ level does not move it.
//   Since version 2 (`t_lead_rank`): the indicator runs on each taking lead's own |deviation|
//   and the 4th latest lead's T end is taken: the global T end is the latest lead's, and the
//   4th latest keeps three outlying leads (U waves, noise) from moving it.
// - P wave: in the window between the previous beat's T end (one RR earlier) and QRS onset, each
//   lead detrended by the line through its levels at the window's ends. The P peak is the
//   maximum of the spatial magnitude (root sum of squares over the leads); a P wave is reported
//   only when that reaches `min_p_amplitude_uV`. Onset and offset: the same area indicator with
//   W = 50 ms, backward and forward, on the normalised sum of |detrended lead|.
// - Knee (since version 3, `qrs_knee_span_ms`, `p_knee_span_ms`): the QRS onset and offset and
//   the P onset and offset found above are then moved to the knee of a chord drawn from the
//   quiet segment just outside the boundary to the wave's early rise (options below); on a
//   sharp corner that is the corner itself. The PQ level and the T search are not moved.
// On waves with sharp corners (tests/waveform/measure_signals.h) version 2's smoothing places QRS
// onset about 2 ms early and offset 2 ms late, T end about 5 ms late; with the knee (version 3)
// every interval stays within tests/waveform/measure_intervals_test.cc's tolerances.
//
// Input: a median beat (waveform/measurements.h MedianBeat) with the R peak at sample
// `r_index`, the median RR of the ECG. Boundaries are sample indices in the median beat.
// Pure functions, thread-safe. Errors: none; what cannot be found is nullopt.
#pragma once

#include <cstddef>
#include <optional>

#include "waveform/ecg_signal.h"

namespace ecg {

struct DelineationOptions {
  // QRS boundaries: share of the velocity peak above the floor. Lower finds earlier onsets and
  // later offsets, and is more easily moved by noise and by the P and T waves' slopes.
  double qrs_threshold_fraction = 0.05;
  // The velocity must stay beyond the threshold this long (ms) for a boundary to count.
  double qrs_hold_ms = 8;
  // Zhang's area window for the T end and for P boundaries (ms).
  double t_area_window_ms = 128;
  double p_area_window_ms = 50;
  // A lead takes part in a boundary when its wave (slope for QRS, amplitude for P and T) reaches
  // this share of the largest lead's: tiny waves give erratic boundaries.
  double min_lead_share = 0.2;
  // The same share for the P wave alone; 0: `min_lead_share`.
  double p_lead_share = 0;
  // Smallest spatial P amplitude (uV, root sum of squares over the leads) taken as a P wave.
  double min_p_amplitude_uV = 40;
  // 0: the boundary on the normalised sum. k >= 1: each taking lead delimited on its own curve
  // (same indicator and threshold), and the k-th most extreme lead's boundary taken (k-th
  // latest T end; k-th earliest onset and k-th latest offset for P and QRS): the IEC global
  // boundary (k = 1) made robust to k - 1 outlying leads.
  int t_lead_rank = 4;
  int qrs_lead_rank = 0;
  int p_lead_rank = 0;
  // T peak agreement (developer variant, docs/measurements.md "Repeatability: a T end on another
  // wave"): > 0, with t_lead_rank: a lead takes part in the T end only when its own T peak (its
  // largest |deviation| in the T search) lies within this many ms of the leads' T peak, the
  // median of their peaks' times weighted by their amplitudes (uV). A T wave peaks at nearly the
  // same time in every lead that shows it; a lead whose T is flat peaks on another wave (a U
  // wave, the next P, baseline wander, a step in the median beat) and its T end with it. 0: off.
  double t_peak_agree_ms = 0;
  // Refinements of the T peak agreement (developer variants, docs/measurements.md "T peak
  // agreement for flat leads only"), each 0: off:
  // - with t_peak_agree_ms: a lead whose T peak disagrees still votes when its amplitude (its
  //   |deviation| at its peak) reaches this share of the largest lead's: a real late T, not a
  //   flat T peaking on drift or another wave;
  double t_peak_agree_share = 0;
  // - with t_peak_agree_ms: a lead whose T peak disagrees still votes when the agreeing leads
  //   show a wave at its peak: the mean of their |deviation| there, each over its own peak's,
  //   reaches this share;
  double t_peak_echo_share = 0;
  // - a lead whose T peak lies within this many ms of the T search's end does not vote (the
  //   lead peaks on what follows the T). If no lead is left, all vote.
  double t_peak_edge_ms = 0;
  // - m >= 1: the leads left out above count as outlying leads that t_lead_rank was there to keep
  //   out: the T end is the max(m, t_lead_rank - leads left out)-th latest of the others, so a
  //   lead left out that the rank would have passed over anyway changes nothing. 0: the rank
  //   stays t_lead_rank.
  int t_rank_floor = 0;
  // > 0: the QRS threshold is at least the floor plus this many SDs of the slope in its quiet
  // 20 ms (the noise), on the normalised sum and on each lead alike.
  double qrs_noise_sd = 0;
  // Per-lead QRS variants (used when qrs_lead_rank > 0 or qrs_agree_ms > 0):
  // - the offset's threshold share, 0: qrs_threshold_fraction;
  double qrs_offset_threshold_fraction = 0;
  // - > 0: each lead's threshold is relative to its outermost significant slope peak (a local
  //   maximum reaching this share of the lead's largest slope) passed on the way out: the first
  //   wave's for the onset, the last wave's for the offset (Martinez et al., IEEE TBME 51(4),
  //   2004), instead of the lead's largest slope;
  double qrs_wave_share = 0;
  // - the moving average (ms) before each lead's slope; 0: the slope of the raw samples (a sharp
  //   corner then spreads over one sample, not three);
  double qrs_lead_smooth_ms = 4;
  // - > 0: the global onset is the earliest of the leads' onsets that lie within this many ms of
  //   their median (latest offset likewise), instead of the k-th ranked.
  double qrs_agree_ms = 0;
  // Wavelet QRS boundaries (developer variant, docs/measurements.md "Version 3 candidate"):
  // instead of the normalised slope sum when `qrs_wavelet`, each lead whose transform reaches
  // `min_lead_share` of the largest lead's is delimited on its own quadratic-spline wavelet
  // transform W (waveform/wavelet.h) at scale 2^`qrs_wavelet_scale` at 250 Hz (Martinez et al.,
  // IEEE TBME 51(4), 2004: scale 2^2; 2^3 at 500 Hz):
  // - the largest |W| within 60 ms of R and the largest maximum of opposite sign within
  //   `qrs_wavelet_search_ms` of it are the main wave's two slopes;
  // - the first and last waves: the nearest modulus maximum outside them, of opposite sign
  //   (`qrs_wavelet_any_sign`: either sign), reaching `qrs_wavelet_significant` ([0] before,
  //   [1] after) of the largest |W| and within `qrs_wavelet_search_ms`; from it again, up to
  //   `qrs_wavelet_waves` waves on each side (Martinez: 1);
  // - onset: walking back from the first wave's maximum, the first sample where |W| falls
  //   below `qrs_wavelet_onset_share` of it ([0] when W > 0 there, [1] when W < 0) or reaches a
  //   local minimum, within `qrs_wavelet_walk_ms`; offset likewise from the last wave's with
  //   `qrs_wavelet_offset_share` (shares and windows: Martinez's);
  // - `qrs_wavelet_settle_uV` > 0: each boundary then moves towards the wave while the lead (4 ms
  //   moving average) stays within max(settle, 20 x its quietest 20 ms SD before QRS) of its
  //   level at the boundary: the kernel reaches a sharp corner before the signal does.
  // The global onset is the earliest of the leads' onsets within `qrs_agree_ms` of their median
  // (10 ms when 0), or the `qrs_lead_rank`-th earliest when only that is set; offset likewise.
  bool qrs_wavelet = false;
  int qrs_wavelet_scale = 2;
  double qrs_wavelet_significant[2] = {0.06, 0.09};
  double qrs_wavelet_onset_share[2] = {0.05, 0.07};
  double qrs_wavelet_offset_share[2] = {0.125, 0.71};
  double qrs_wavelet_search_ms = 65;
  double qrs_wavelet_walk_ms = 50;
  int qrs_wavelet_waves = 1;
  bool qrs_wavelet_any_sign = false;
  double qrs_wavelet_settle_uV = 0;
  // Knee refinement (method version 3, docs/measurements.md "After version 2, fourth pass"):
  // > 0: each QRS boundary found above is moved to the knee of a spatial curve c: the sample
  // between a = the boundary moved `qrs_knee_span_ms` outward (into the quiet segment) and b =
  // the first sample inward from a where c - c(a) reaches `qrs_knee_reach` of the QRS's largest
  // c - c(a), that lies farthest below the chord from (a, c(a)) to (b, c(b)) (the perpendicular
  // distance, whatever the axes' scales, since the chord is fixed). c: the normalised sum of
  // each lead's |deviation from its level at a| (4 ms moving average), or with
  // `qrs_knee_variation` the running sum of the normalised |slope| from a (total variation).
  // On a sharp corner inside [a, b] the knee is the corner itself, and a symmetric smoothing
  // moves it by less than its half-width. The PQ level and the T search stay where the boundaries
  // were before the knee (`BeatBoundaries::pq_anchor`). Span and reach (version 3: 30 ms, 5%;
  // P: 40 ms, 10%) were chosen on LUDB's development half among 2-3 values each; 0: off
  // (version 2).
  double qrs_knee_span_ms = 30;
  double qrs_knee_reach = 0.05;
  bool qrs_knee_variation = false;
  // The same for the P onset and offset (c: the P wave's normalised |detrended lead| after a 4 ms
  // moving average) and, as a developer variant (0: off), for the T end (c: the normalised
  // |deviation from the PQ level|, 4 ms moving average; b on the far side of the T peak).
  double p_knee_span_ms = 40;
  double p_knee_reach = 0.1;
  double t_knee_span_ms = 0;
  double t_knee_reach = 0.5;
  // QRS onset lead by lead (method version 4, docs/measurements.md "fifth pass"): > 0: after the
  // knee, the onset moves earlier to where the leads' own onsets place it: each lead whose slope
  // reaches `min_lead_share` of the largest lead's votes where, walking back from its slope peak,
  // its slope (central difference after a moving average over `qrs_onset_lead_smooth_ms`,
  // trailing: the sample and those before it, so that a sharp corner is not spread into the
  // quiet segment; centred when not `qrs_onset_lead_trailing`) stays for `qrs_hold_ms` below its
  // quiet floor plus the larger of `qrs_onset_lead_threshold` of its peak above the floor and
  // `qrs_onset_lead_noise_sd` SDs of its quiet 20 ms; leads whose PR segment next to the QRS is
  // not quiet do not vote (`qrs_onset_lead_quiet_pr`); the onset is the earliest vote within
  // `qrs_onset_lead_agree_ms` of the votes' median, and never later than the knee's. The
  // normalised sum's threshold is relative to its own peak, which many leads make up, so a lead
  // whose first deflection is early and small does not move it; a lead's own threshold does.
  // The offset, the PQ level, the T search and the P window stay where version 3 puts them.
  // Values chosen on LUDB's development half (docs/measurements.md); 0: off (version 3).
  double qrs_onset_lead_threshold = 0.02;
  double qrs_onset_lead_noise_sd = 5;
  double qrs_onset_lead_agree_ms = 10;
  double qrs_onset_lead_smooth_ms = 4;
  bool qrs_onset_lead_trailing = true;
  bool qrs_onset_lead_quiet_pr = true;
  // QRS offset lead by lead (method version 5, docs/measurements.md "sixth pass"), the mirror of
  // the onset's: > 0: after the knee, the offset moves later to the latest vote within
  // `qrs_offset_lead_agree_ms` of the votes' median, each lead voting on its own slope (a leading
  // moving average, `qrs_onset_lead_smooth_ms`) at `qrs_offset_lead_threshold` of its peak above
  // its floor after R, at least `qrs_offset_lead_noise_sd` SDs of its quiet 20 ms after R (more
  // than the onset's: fibrillation waves and noise after the QRS are smooth enough that 5 SDs of
  // a quiet 20 ms let a lead walk into them); leads whose ST segment next
  // to the QRS (10..30 ms after the sum's offset) is not quiet do not vote with
  // `qrs_offset_lead_quiet_st`. Never earlier than the knee's; the T search stays on that.
  // Values chosen on LUDB's development half; 0: off (version 4).
  double qrs_offset_lead_threshold = 0.01;
  double qrs_offset_lead_agree_ms = 15;
  double qrs_offset_lead_noise_sd = 10;
  bool qrs_offset_lead_quiet_st = true;
  // P onset lead by lead (developer variant, docs/measurements.md "seventh pass"): > 0: after
  // the knee, each lead whose |detrended P| (20 ms moving average) peaks within 40 ms of the P
  // peak at `p_onset_lead_share` of the largest lead's or more votes the first sample, walking
  // back from its peak, where it stays for `qrs_hold_ms` below `p_onset_lead_threshold` of its
  // peak; the onset moves to the earliest vote within `p_onset_lead_agree_ms` of the votes'
  // median, never later. 0: off.
  double p_onset_lead_threshold = 0;
  double p_onset_lead_share = 0.3;
  double p_onset_lead_agree_ms = 10;
  // Backtracking (developer variant, same section): > 0: each QRS boundary found above is moved
  // outward while the normalised sum of the leads' |deviation from their level in the quiet
  // window| (the velocity's quietest 20 ms before, respectively after, R) stays above its mean
  // plus this many SDs in that window; at most `qrs_backtrack_max_ms`, never into the window.
  // The offset only with `qrs_backtrack_offset`.
  double qrs_backtrack_sd = 0;
  double qrs_backtrack_max_ms = 30;
  // ... and above its level plus this share of its QRS peak above the level.
  double qrs_backtrack_share = 0;
  bool qrs_backtrack_offset = false;
};

struct BeatBoundaries {
  std::optional<size_t> p_onset, p_offset;  // both or neither
  size_t qrs_onset = 0, qrs_offset = 0;
  // The PQ level (every wave's baseline) is taken just before this sample: QRS onset, or with the
  // knee or backtracking variants the onset before they moved it.
  size_t pq_anchor = 0;
  std::optional<size_t> t_offset;
  std::optional<size_t> t_peak;
  double p_amplitude_uV = 0;  // spatial amplitude of the P candidate, reported or not
};

// nullopt when no QRS can be delimited (no present lead, the beat too short around r_index, or
// a velocity that never rises above its floor).
std::optional<BeatBoundaries> DelineateMedianBeat(const EcgSignal& median_beat, size_t r_index,
                                                  double rr_ms,
                                                  const DelineationOptions& options = {});

// Net area (uV x ms) of one lead between two samples of the median beat, relative to the
// baseline the delineation uses (the PQ junction). REQUIRES: lead present, from <= to < length.
double NetArea_uVms(const EcgSignal& median_beat, Lead lead, const BeatBoundaries& b, size_t from,
                    size_t to);
// The same with every sample's deviation from the baseline counted positive: the wave's gross
// size, of which the net area is all for a monophasic wave and little for an equiphasic one.
double AbsoluteArea_uVms(const EcgSignal& median_beat, Lead lead, const BeatBoundaries& b,
                         size_t from, size_t to);

}  // namespace ecg
