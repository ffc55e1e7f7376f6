#include "waveform/measurements.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "waveform/median.h"

namespace ecg {
namespace {

size_t Samples(double ms, double rate_hz) {
  return static_cast<size_t>(std::lround(ms * rate_hz / 1000.0));
}

// Centred moving average over 2*half+1 samples, the window shrinking at the ends.
std::vector<double> MovingAverage(const std::vector<double>& x, size_t half) {
  const size_t n = x.size();
  std::vector<double> prefix(n + 1, 0.0);
  for (size_t i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + x[i];
  std::vector<double> out(n);
  for (size_t i = 0; i < n; ++i) {
    const size_t lo = i >= half ? i - half : 0, hi = std::min(n, i + half + 1);
    out[i] = (prefix[hi] - prefix[lo]) / static_cast<double>(hi - lo);
  }
  return out;
}

// Every present lead, lightly smoothed (a centred 10 ms box: locates peaks) and band-passed
// (about 3-30 Hz: finds QRS complexes).
struct PreparedLeads {
  std::vector<std::vector<double>> smooth;
  std::vector<std::vector<double>> band;
};

PreparedLeads PrepareLeads(const EcgSignal& signal) {
  const double rate = signal.sample_rate_hz();
  const size_t n = signal.samples_per_lead();
  PreparedLeads prepared;
  for (Lead lead : AllLeads()) {
    if (!signal.mask().present(lead)) continue;
    const float* x = signal.lead_uV(lead);
    std::vector<double> raw(x, x + n);
    prepared.smooth.push_back(MovingAverage(raw, Samples(5, rate)));
    const std::vector<double> baseline = MovingAverage(raw, Samples(100, rate));
    for (size_t i = 0; i < n; ++i) raw[i] -= baseline[i];
    prepared.band.push_back(MovingAverage(raw, Samples(11, rate)));
  }
  return prepared;
}

// Summed squared slopes, integrated over a centred window of 2 * half_ms.
std::vector<double> SlopeEnergy(const std::vector<std::vector<double>>& leads, double rate,
                                double half_ms) {
  const size_t n = leads[0].size();
  std::vector<double> energy(n, 0.0);
  for (const auto& y : leads) {
    for (size_t i = 1; i + 1 < n; ++i) {
      const double slope = y[i + 1] - y[i - 1];
      energy[i] += slope * slope;
    }
  }
  return MovingAverage(energy, Samples(half_ms, rate));
}

// Local maxima, strongest first, none within `refractory` samples of a stronger one.
std::vector<size_t> Candidates(const std::vector<double>& energy, size_t refractory) {
  std::vector<size_t> maxima;
  for (size_t i = 1; i + 1 < energy.size(); ++i) {
    if (energy[i] > energy[i - 1] && energy[i] >= energy[i + 1]) maxima.push_back(i);
  }
  std::sort(maxima.begin(), maxima.end(), [&](size_t a, size_t b) {
    return energy[a] > energy[b] || (energy[a] == energy[b] && a < b);
  });
  std::vector<size_t> kept;
  std::vector<bool> blocked(energy.size(), false);
  for (size_t m : maxima) {
    if (blocked[m]) continue;
    kept.push_back(m);
    const size_t lo = m >= refractory ? m - refractory : 0;
    const size_t hi = std::min(energy.size(), m + refractory + 1);
    std::fill(blocked.begin() + lo, blocked.begin() + hi, true);
  }
  return kept;
}

// Spatial magnitude around a QRS whose slope energy peaks at `centre`: for offsets -reach..+reach,
// the sum over leads of the squared deviation from the lead's PR segment (100..60 ms before the
// centre). Empty when the window does not fit in the signal.
std::vector<double> SpatialMagnitude(const std::vector<std::vector<double>>& smooth, size_t centre,
                                     size_t reach, double rate) {
  const size_t n = smooth[0].size();
  const size_t pr_start = Samples(100, rate), pr_end = Samples(60, rate);
  // The QRS must be whole: its end lies up to about 60 ms after the energy maximum.
  if (centre < std::max(pr_start, reach) || centre + std::max(reach, pr_end) >= n) return {};
  std::vector<double> magnitude(2 * reach + 1, 0.0);
  for (const auto& y : smooth) {
    double baseline = 0;
    for (size_t i = centre - pr_start; i < centre - pr_end; ++i) baseline += y[i];
    baseline /= static_cast<double>(pr_start - pr_end);
    for (size_t k = 0; k < magnitude.size(); ++k) {
      const double d = y[centre - reach + k] - baseline;
      magnitude[k] += d * d;
    }
  }
  return magnitude;
}

// R peaks of the QRS complexes at `centres`, dropping those cut by the ends of the signal: the
// peak of the spatial QRS loop. The offset from
// the energy maximum is fixed per ECG (the peak of the summed magnitudes of all beats), then
// refined per beat within +-8 ms, so every beat is aligned on the same wave.
std::vector<size_t> Fiducials(const std::vector<std::vector<double>>& smooth,
                              const std::vector<size_t>& centres, double rate) {
  const size_t reach = Samples(40, rate), refine = Samples(8, rate);
  std::vector<std::vector<double>> curves;
  std::vector<double> total(2 * reach + 1, 0.0);
  for (size_t c : centres) {
    curves.push_back(SpatialMagnitude(smooth, c, reach, rate));
    for (size_t k = 0; k < curves.back().size(); ++k) total[k] += curves.back()[k];
  }
  const size_t typical =
      static_cast<size_t>(std::max_element(total.begin(), total.end()) - total.begin());
  const size_t lo = typical >= refine ? typical - refine : 0;
  const size_t hi = std::min(total.size(), typical + refine + 1);
  std::vector<size_t> peaks;
  for (size_t b = 0; b < centres.size(); ++b) {
    if (curves[b].empty()) continue;  // a QRS cut by either end of the signal
    const auto best = std::max_element(curves[b].begin() + lo, curves[b].begin() + hi);
    peaks.push_back(centres[b] - reach + static_cast<size_t>(best - curves[b].begin()));
  }
  return peaks;
}

}  // namespace

std::vector<size_t> DetectRPeaks(const EcgSignal& signal, const RPeakOptions& options) {
  const double rate = signal.sample_rate_hz();
  const size_t n = signal.samples_per_lead();
  if (signal.mask().CountPresent() == 0 || n < Samples(1000, rate)) return {};
  const PreparedLeads leads = PrepareLeads(signal);
  const std::vector<double> energy = SlopeEnergy(leads.band, rate, 40);
  const std::vector<size_t> candidates = Candidates(energy, Samples(options.refractory_ms, rate));
  const double seconds = n / rate;
  const size_t top = std::min(candidates.size(), std::max<size_t>(3, std::lround(seconds / 2)));
  if (top == 0) return {};
  std::vector<double> strongest;
  for (size_t i = 0; i < top; ++i) strongest.push_back(energy[candidates[i]]);
  const double threshold = options.threshold_fraction * Median(strongest);
  if (!(threshold > 0)) return {};
  std::vector<size_t> centres;
  for (size_t c : candidates) {
    if (energy[c] < threshold) break;  // candidates are strongest first
    centres.push_back(c);
  }
  std::vector<size_t> peaks;
  const size_t edge = Samples(50, rate);
  for (size_t r : Fiducials(leads.smooth, centres, rate)) {
    if (r >= edge && r + edge < n) peaks.push_back(r);
  }
  std::sort(peaks.begin(), peaks.end());
  peaks.erase(std::unique(peaks.begin(), peaks.end()), peaks.end());
  return peaks;
}

RhythmMeasurements MeasureRhythm(const EcgSignal& signal, const RPeakOptions& options) {
  RhythmMeasurements m;
  m.r_peaks = DetectRPeaks(signal, options);
  for (size_t i = 1; i < m.r_peaks.size(); ++i) {
    m.rr_intervals_ms.push_back(1000.0 * (m.r_peaks[i] - m.r_peaks[i - 1]) /
                                signal.sample_rate_hz());
  }
  if (!m.rr_intervals_ms.empty()) m.heart_rate_bpm = 60000.0 / Median(m.rr_intervals_ms);
  return m;
}

std::optional<EcgSignal> MedianBeat(const EcgSignal& signal, const std::vector<size_t>& r_peaks,
                                    const MedianBeatOptions& options) {
  const double rate = signal.sample_rate_hz();
  const size_t before = Samples(options.before_ms, rate);
  const size_t length = Samples(options.before_ms + options.after_ms, rate);
  std::vector<size_t> starts;
  for (size_t r : r_peaks) {
    if (r >= before && r - before + length <= signal.samples_per_lead())
      starts.push_back(r - before);
  }
  if (starts.empty() || length == 0) return std::nullopt;
  EcgSignal beat(rate, length);
  std::vector<double> values(starts.size());
  for (Lead lead : AllLeads()) {
    beat.set_status(lead, signal.status(lead));
    if (!signal.mask().present(lead)) continue;
    const float* x = signal.lead_uV(lead);
    float* out = beat.lead_uV(lead);
    for (size_t i = 0; i < length; ++i) {
      for (size_t b = 0; b < starts.size(); ++b) values[b] = x[starts[b] + i];
      out[i] = static_cast<float>(MedianInPlace(values));
    }
  }
  return beat;
}

}  // namespace ecg
