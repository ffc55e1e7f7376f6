// Measurements on an EcgSignal: R peaks, RR intervals, heart rate and the per-lead median beat.
//
// R peaks (Pan-Tompkins in spirit, offline and zero-phase): every present lead is band-passed
// (a centred 200 ms moving-average high-pass, then a 22 ms moving-average low-pass that also
// cancels 50 Hz hum), differentiated and squared; the squared slopes are summed over the leads
// (so no single lead's polarity or noise decides) and integrated over a centred 80 ms window.
// Local maxima of that energy at least `refractory_ms` apart are beat candidates; those above
// `threshold_fraction` x the median of the largest candidates (one per two seconds, at least
// three) are beats. Each beat's fiducial point is the peak of the spatial QRS loop (the sum over
// leads of the squared deviation, after 10 ms smoothing, from the lead's PR segment 100..60 ms
// before the energy maximum), which does not depend on the polarity of any lead. Its offset from
// the energy maximum is chosen once per ECG (the peak of the magnitude summed over all beats,
// within +-40 ms) and refined per beat within +-8 ms, so that every beat is aligned on the same
// wave: the R peak, or for the rare QRS whose S wave is spatially larger, the S wave.
// Beats cut by either end (energy maximum within 100 ms of the start or 60 ms of the end, or
// fiducial within 50 ms of either end) are dropped.
//
// Median beat: for every present lead, the sample-wise median (mean of the two middle values for
// an even count) over the beats whose window [-before_ms, +after_ms) lies inside the signal, at
// the signal's own rate, not baseline-corrected. Missing leads stay zero and kMissing.
//
// Units: samples are indices at signal.sample_rate_hz(); intervals in ms; rate in beats/min.
// Pure functions, thread-safe. Errors: none for well-formed signals; a signal without present
// leads or too short yields no peaks (and nullopt where a value needs peaks).
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

#include "waveform/ecg_signal.h"

namespace ecg {

struct RPeakOptions {
  // Shortest RR accepted: 250 ms allows 240 beats/min.
  double refractory_ms = 250;
  // Beats must reach this fraction of a typical beat's slope energy. Lower finds small beats
  // (and more artefacts).
  double threshold_fraction = 0.25;
};

struct RhythmMeasurements {
  std::vector<size_t> r_peaks;           // sample indices, increasing
  std::vector<double> rr_intervals_ms;   // r_peaks.size() - 1 values
  std::optional<double> heart_rate_bpm;  // 60000 / median RR; nullopt with fewer than 2 peaks
};

std::vector<size_t> DetectRPeaks(const EcgSignal& signal, const RPeakOptions& options = {});
RhythmMeasurements MeasureRhythm(const EcgSignal& signal, const RPeakOptions& options = {});

struct MedianBeatOptions {
  double before_ms = 250;  // window start before the R peak
  double after_ms = 450;   // window end after the R peak
};

// The median beat, an EcgSignal of round((before+after) * rate / 1000) samples per lead with the
// R peak at sample round(before_ms * rate / 1000). nullopt when no beat has a whole window.
std::optional<EcgSignal> MedianBeat(const EcgSignal& signal, const std::vector<size_t>& r_peaks,
                                    const MedianBeatOptions& options = {});

}  // namespace ecg
