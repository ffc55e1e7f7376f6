#include "tools/delineation_flags.h"

namespace ecg::tools {

void AddDelineationFlags(CLI::App& cmd, DelineationOptions& d) {
  cmd.add_option("--qrs-threshold", d.qrs_threshold_fraction, "developer: QRS slope share");
  cmd.add_option("--qrs-hold-ms", d.qrs_hold_ms, "developer: QRS hold (ms)");
  cmd.add_option("--t-window-ms", d.t_area_window_ms, "developer: T area window (ms)");
  cmd.add_option("--p-window-ms", d.p_area_window_ms, "developer: P area window (ms)");
  cmd.add_option("--lead-share", d.min_lead_share, "developer: share for a lead to take part");
  cmd.add_option("--p-lead-share", d.p_lead_share, "developer: --lead-share for P alone (0: same)");
  cmd.add_option("--t-lead-rank", d.t_lead_rank, "developer: 0 sum, k: k-th latest lead T end");
  cmd.add_option("--t-peak-agree-ms", d.t_peak_agree_ms,
                 "developer: T end from leads whose T peak is within this of the leads' "
                 "amplitude-weighted median peak (ms, 0: off)");
  cmd.add_option("--t-peak-agree-share", d.t_peak_agree_share,
                 "developer: with --t-peak-agree-ms, a disagreeing lead still votes when its T "
                 "reaches this share of the largest lead's (0: off)");
  cmd.add_option("--t-peak-echo-share", d.t_peak_echo_share,
                 "developer: with --t-peak-agree-ms, a disagreeing lead still votes when the "
                 "agreeing leads' mean normalised |deviation| at its peak reaches this (0: off)");
  cmd.add_option("--t-peak-edge-ms", d.t_peak_edge_ms,
                 "developer: leads whose T peak is this close to the T search's end do not "
                 "vote (ms, 0: off)");
  cmd.add_option("--t-rank-floor", d.t_rank_floor,
                 "developer: DelineationOptions::t_rank_floor (0: off)");
  cmd.add_option("--qrs-lead-rank", d.qrs_lead_rank, "developer: 0 sum, k: k-th extreme lead QRS");
  cmd.add_option("--qrs-offset-threshold", d.qrs_offset_threshold_fraction,
                 "developer: per-lead QRS offset slope share (0: --qrs-threshold)");
  cmd.add_option("--qrs-wave-share", d.qrs_wave_share,
                 "developer: per-lead QRS threshold relative to the outermost wave's slope");
  cmd.add_option("--qrs-noise-sd", d.qrs_noise_sd,
                 "developer: per-lead QRS threshold at least floor + k noise SDs");
  cmd.add_option("--qrs-lead-smooth-ms", d.qrs_lead_smooth_ms,
                 "developer: per-lead QRS slope moving average (ms, 0: none)");
  cmd.add_option("--qrs-agree-ms", d.qrs_agree_ms,
                 "developer: per-lead QRS, extreme lead within this of the median");
  cmd.add_option("--qrs-onset-lead-threshold", d.qrs_onset_lead_threshold,
                 "developer: version 4 per-lead QRS onset slope share (0: version 3)");
  cmd.add_option("--qrs-onset-lead-noise-sd", d.qrs_onset_lead_noise_sd,
                 "developer: version 4 per-lead QRS onset threshold at least k noise SDs");
  cmd.add_option("--qrs-onset-lead-agree-ms", d.qrs_onset_lead_agree_ms,
                 "developer: version 4 QRS onset, earliest lead within this of the median");
  cmd.add_option("--qrs-onset-lead-smooth-ms", d.qrs_onset_lead_smooth_ms,
                 "developer: version 4 per-lead QRS onset slope moving average (ms)");
  cmd.add_option("--qrs-onset-lead-trailing", d.qrs_onset_lead_trailing,
                 "developer: version 4 per-lead moving average trailing (true) or centred");
  cmd.add_option("--qrs-onset-lead-quiet-pr", d.qrs_onset_lead_quiet_pr,
                 "developer: version 4 QRS onset votes only from leads with a quiet PR segment");
  cmd.add_option("--qrs-offset-lead-threshold", d.qrs_offset_lead_threshold,
                 "developer: version 5 per-lead QRS offset slope share (0: version 4)");
  cmd.add_option("--qrs-offset-lead-agree-ms", d.qrs_offset_lead_agree_ms,
                 "developer: per-lead QRS offset, latest lead within this of the median");
  cmd.add_option("--qrs-offset-lead-noise-sd", d.qrs_offset_lead_noise_sd,
                 "developer: version 5 per-lead QRS offset threshold at least k noise SDs");
  cmd.add_option("--qrs-offset-lead-quiet-st", d.qrs_offset_lead_quiet_st,
                 "developer: per-lead QRS offset votes only from leads with a quiet ST segment");
  cmd.add_option("--p-onset-lead-threshold", d.p_onset_lead_threshold,
                 "developer: per-lead P onset, share of the lead's |detrended P| (0: off)");
  cmd.add_option("--p-onset-lead-share", d.p_onset_lead_share,
                 "developer: per-lead P onset, leads at this share of the largest P vote");
  cmd.add_option("--p-onset-lead-agree-ms", d.p_onset_lead_agree_ms,
                 "developer: per-lead P onset, earliest lead within this of the median");
  cmd.add_option("--p-lead-rank", d.p_lead_rank, "developer: 0 sum, k: k-th extreme lead P");
  cmd.add_flag("--qrs-wavelet", d.qrs_wavelet,
               "developer: QRS lead by lead on the wavelet transform (Martinez et al. 2004)");
  cmd.add_option("--qrs-wavelet-scale", d.qrs_wavelet_scale,
                 "developer: wavelet QRS scale k (2^k at 250 Hz)");
  cmd.add_option("--qrs-wavelet-onset-share", d.qrs_wavelet_onset_share[0],
                 "developer: wavelet QRS onset share of a rising first slope");
  cmd.add_option("--qrs-wavelet-onset-share-falling", d.qrs_wavelet_onset_share[1],
                 "developer: wavelet QRS onset share of a falling first slope");
  cmd.add_option("--qrs-wavelet-offset-share", d.qrs_wavelet_offset_share[0],
                 "developer: wavelet QRS offset share of a rising last slope");
  cmd.add_option("--qrs-wavelet-offset-share-falling", d.qrs_wavelet_offset_share[1],
                 "developer: wavelet QRS offset share of a falling last slope");
  cmd.add_option("--qrs-wavelet-search-ms", d.qrs_wavelet_search_ms,
                 "developer: wavelet QRS window for the first and last waves (ms)");
  cmd.add_option("--qrs-wavelet-walk-ms", d.qrs_wavelet_walk_ms,
                 "developer: wavelet QRS walk from a wave to its boundary (ms)");
  cmd.add_option("--qrs-wavelet-waves", d.qrs_wavelet_waves,
                 "developer: wavelet QRS waves beyond the main one on each side (1: Martinez)");
  cmd.add_flag("--qrs-wavelet-any-sign", d.qrs_wavelet_any_sign,
               "developer: wavelet QRS first/last waves of either sign (Martinez: opposite)");
  cmd.add_option("--qrs-wavelet-settle-uv", d.qrs_wavelet_settle_uV,
                 "developer: wavelet QRS boundary moved in while the signal stays within this");
  cmd.add_option(
      "--qrs-knee-span-ms", d.qrs_knee_span_ms,
      "developer: QRS boundaries moved to a chord knee from this far outside (ms; 0: version 2)");
  cmd.add_option("--qrs-knee-reach", d.qrs_knee_reach,
                 "developer: QRS knee chord's inner end, share of the curve's QRS rise");
  cmd.add_flag("--qrs-knee-variation", d.qrs_knee_variation,
               "developer: QRS knee on the running |slope| sum instead of |deviation|");
  cmd.add_option("--p-knee-span-ms", d.p_knee_span_ms, "developer: P knee span (ms, 0: version 2)");
  cmd.add_option("--p-knee-reach", d.p_knee_reach, "developer: P knee chord's inner end share");
  cmd.add_option("--t-knee-span-ms", d.t_knee_span_ms, "developer: T end knee span (ms, 0: off)");
  cmd.add_option("--t-knee-reach", d.t_knee_reach, "developer: T knee chord's inner end share");
  cmd.add_option("--qrs-backtrack-sd", d.qrs_backtrack_sd,
                 "developer: QRS onset moved out while |deviation| > quiet mean + k SD (0: off)");
  cmd.add_option("--qrs-backtrack-max-ms", d.qrs_backtrack_max_ms,
                 "developer: QRS backtracking at most this far (ms)");
  cmd.add_option("--qrs-backtrack-share", d.qrs_backtrack_share,
                 "developer: QRS backtracking threshold at least this share of the peak");
  cmd.add_flag("--qrs-backtrack-offset", d.qrs_backtrack_offset,
               "developer: QRS offset backtracked too");
}

}  // namespace ecg::tools
