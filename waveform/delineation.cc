#include "waveform/delineation.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

#include "waveform/wavelet.h"

namespace ecg {
namespace {

using Index = std::ptrdiff_t;

Index Samples(double ms, double rate_hz) {
  return std::lround(ms * rate_hz / 1000.0);
}

// Centred moving average over 2*half+1 samples, the window shrinking at the ends; `side` -1
// (trailing): over the sample and the 2*half before it instead; +1 (leading): the sample and the
// 2*half after it.
std::vector<double> Smooth(const float* x, Index n, Index half, int side = 0) {
  std::vector<double> prefix(n + 1, 0.0);
  for (Index i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + x[i];
  std::vector<double> out(n);
  for (Index i = 0; i < n; ++i) {
    const Index lo = std::max<Index>(0, i - (side < 0 ? 2 * half : side > 0 ? 0 : half));
    const Index hi = std::min(n, i + (side > 0 ? 2 * half : side < 0 ? 0 : half) + 1);
    out[i] = (prefix[hi] - prefix[lo]) / static_cast<double>(hi - lo);
  }
  return out;
}

// |central difference| of a moving average of x over 2*half+1 samples (ends: their neighbour's).
// `side` -1: of the trailing average (Smooth). Before a sharp corner at t0 that slope is 0 up to
// t0 - 1, as the raw slope is, where the centred average's rises `half` samples earlier; it
// averages noise as the centred one does. For onsets, which are walked back to from the wave;
// +1 (leading) likewise for offsets, walked forward to.
std::vector<double> AbsSlope(const float* x, Index n, Index half, int side = 0) {
  const std::vector<double> smooth = Smooth(x, n, half, side);
  std::vector<double> slope(n, 0.0);
  for (Index i = 1; i + 1 < n; ++i) slope[i] = std::abs(smooth[i + 1] - smooth[i - 1]);
  if (n >= 3) {
    slope[0] = slope[1];
    slope[n - 1] = slope[n - 2];
  }
  return slope;
}

// Mean of x over [from, to], both clipped to the signal; at least one sample.
double MeanOver(const std::vector<double>& x, Index from, Index to) {
  const Index n = static_cast<Index>(x.size());
  from = std::clamp<Index>(from, 0, n - 1);
  to = std::clamp<Index>(to, from, n - 1);
  double sum = 0;
  for (Index i = from; i <= to; ++i) sum += x[i];
  return sum / static_cast<double>(to - from + 1);
}

// The quietest `width` consecutive samples of x inside [from, to] (the window of smallest mean):
// its first sample, x's mean and SD over it.
struct QuietWindow {
  Index start = 0, width = 1;
  double level = 0, sd = 0;
};

QuietWindow QuietestWindow(const std::vector<double>& x, Index from, Index to, Index width) {
  const Index n = static_cast<Index>(x.size());
  from = std::clamp<Index>(from, 0, n - 1);
  to = std::clamp<Index>(to, from, n - 1);
  width = std::clamp<Index>(width, 1, to - from + 1);
  double sum = 0, best = std::numeric_limits<double>::infinity();
  Index best_start = from;
  for (Index i = from; i <= to; ++i) {
    sum += x[i];
    if (i - from >= width) sum -= x[i - width];
    if (i - from + 1 >= width && sum / static_cast<double>(width) < best) {
      best = sum / static_cast<double>(width);
      best_start = i - width + 1;
    }
  }
  double sq = 0;
  for (Index i = best_start; i < best_start + width; ++i) sq += (x[i] - best) * (x[i] - best);
  return {best_start, width, best, std::sqrt(sq / static_cast<double>(width))};
}

// Mean and SD of x over its quietest `width` consecutive samples inside [from, to].
std::pair<double, double> QuietestLevelAndSd(const std::vector<double>& x, Index from, Index to,
                                             Index width) {
  const QuietWindow q = QuietestWindow(x, from, to, width);
  return {q.level, q.sd};
}

// Zhang's area indicator: the t in [from, to] maximising sum over the W samples on the wave's
// side of t (before t when `wave_before`, after it otherwise) of m(j) - m(t).
std::optional<Index> AreaBoundary(const std::vector<double>& m, Index from, Index to, Index window,
                                  bool wave_before) {
  const Index n = static_cast<Index>(m.size());
  from = std::max<Index>(from, 0);
  to = std::min<Index>(to, n - 1);
  if (from > to || window < 1) return std::nullopt;
  std::vector<double> prefix(n + 1, 0.0);
  for (Index i = 0; i < n; ++i) prefix[i + 1] = prefix[i] + m[i];
  std::optional<Index> best;
  double best_area = -std::numeric_limits<double>::infinity();
  for (Index t = from; t <= to; ++t) {
    const Index lo = wave_before ? std::max<Index>(0, t - window + 1) : t;
    const Index hi = wave_before ? t + 1 : std::min(n, t + window);
    const double area = prefix[hi] - prefix[lo] - static_cast<double>(hi - lo) * m[t];
    if (area > best_area) {
      best_area = area;
      best = t;
    }
  }
  return best;
}

// A QRS boundary on a |slope| curve v (one lead's or the normalised sum), walking from its peak
// `p` by `step` (+1 or -1, at most to `limit`): the first sample where v stays below the
// threshold for `hold` samples. Threshold: `floor` plus `fraction` of the reference peak above
// the floor, and at least `min_threshold`. The reference peak is v[p], or with `wave_share` > 0
// the outermost local maximum passed that reaches wave_share x v[p] (the first or last wave's).
std::optional<Index> QrsBoundary(const std::vector<double>& v, Index p, Index limit, int step,
                                 double floor, double fraction, double wave_share,
                                 double min_threshold, Index hold) {
  const Index n = static_cast<Index>(v.size());
  double reference = v[p];
  for (Index i = p; step > 0 ? i <= limit : i >= limit; i += step) {
    if (i < 0 || i >= n) return std::nullopt;
    if (wave_share > 0 && i != p && i > 0 && i + 1 < n && v[i] >= v[i - 1] && v[i] >= v[i + 1] &&
        v[i] >= wave_share * v[p])
      reference = v[i];
    const double threshold = std::max(floor + fraction * (reference - floor), min_threshold);
    bool quiet = true;
    for (Index k = 0; k < hold && quiet; ++k) {
      const Index j = i + step * k;
      quiet = j >= 0 && j < n && v[j] < threshold;
    }
    if (quiet) return i;
  }
  return std::nullopt;
}

// The earliest (`latest`: latest) of `values` among those within `agree` of their median.
// REQUIRES: values not empty.
Index AgreeingExtreme(std::vector<Index> values, Index agree, bool latest) {
  std::sort(values.begin(), values.end());
  const Index median = values[values.size() / 2];
  Index best = median;
  for (Index v : values) {
    if (std::abs(v - median) <= agree) best = latest ? std::max(best, v) : std::min(best, v);
  }
  return best;
}

double PqBaseline(const std::vector<double>& x, Index qrs_onset, double rate) {
  return MeanOver(x, qrs_onset - Samples(20, rate), qrs_onset - Samples(6, rate));
}

// Root sum of squares over the leads of the baseline-corrected, detrended leads on [from, to]
// (outside: 0). Each lead is detrended by the line through its 10 ms means at the two ends when
// `detrend`, else its `baselines` entry is subtracted.
std::vector<double> SpatialMagnitude(const std::vector<std::vector<double>>& leads,
                                     const std::vector<double>& baselines, Index from, Index to,
                                     bool detrend, double rate) {
  const Index n = static_cast<Index>(leads[0].size());
  std::vector<double> sum(n, 0.0);
  const Index edge = std::max<Index>(1, Samples(10, rate));
  for (size_t l = 0; l < leads.size(); ++l) {
    const std::vector<double>& x = leads[l];
    double start_level = baselines[l], slope = 0;
    if (detrend) {
      start_level = MeanOver(x, from, from + edge - 1);
      const double end_level = MeanOver(x, to - edge + 1, to);
      slope = to > from ? (end_level - start_level) / static_cast<double>(to - from) : 0.0;
    }
    for (Index i = std::max<Index>(0, from); i <= std::min(to, n - 1); ++i) {
      const double d = x[i] - start_level - (detrend ? slope * (i - from) : 0.0);
      sum[i] += d * d;
    }
  }
  for (double& s : sum) s = std::sqrt(s);
  return sum;
}

// The sum over the leads of each lead's curve divided by its own peak in [peak_lo, peak_hi], over
// the leads whose peak reaches `min_share` of the largest lead's: every lead with a real wave
// counts alike, whatever its amplitude, so the sum starts with the earliest lead and ends with
// the latest (the global boundaries), while noise averages over the leads.
std::vector<double> NormalizedSum(const std::vector<std::vector<double>>& curves, Index peak_lo,
                                  Index peak_hi, double min_share) {
  const Index n = static_cast<Index>(curves[0].size());
  peak_lo = std::clamp<Index>(peak_lo, 0, n - 1);
  peak_hi = std::clamp<Index>(peak_hi, peak_lo, n - 1);
  std::vector<double> peaks;
  for (const auto& c : curves) {
    peaks.push_back(*std::max_element(c.begin() + peak_lo, c.begin() + peak_hi + 1));
  }
  const double largest = *std::max_element(peaks.begin(), peaks.end());
  std::vector<double> sum(n, 0.0);
  if (!(largest > 0)) return sum;
  for (size_t l = 0; l < curves.size(); ++l) {
    if (peaks[l] < min_share * largest) continue;
    for (Index i = 0; i < n; ++i) sum[i] += curves[l][i] / peaks[l];
  }
  return sum;
}

// The k-th (1-based, clipped) most extreme of `values`: the k-th latest when `latest`, else the
// k-th earliest. REQUIRES: values not empty.
Index RankedBoundary(std::vector<Index> values, int k, bool latest) {
  std::sort(values.begin(), values.end());
  if (latest) std::reverse(values.begin(), values.end());
  return values[std::clamp<size_t>(static_cast<size_t>(std::max(k, 1)) - 1, 0, values.size() - 1)];
}

// The leads whose peak of `curves` in [lo, hi] reaches `min_share` of the largest lead's, each
// with its peak's index.
std::vector<std::pair<size_t, Index>> TakingLeads(const std::vector<std::vector<double>>& curves,
                                                  Index lo, Index hi, double min_share) {
  std::vector<std::pair<size_t, Index>> peaks;
  double largest = 0;
  for (size_t l = 0; l < curves.size(); ++l) {
    const Index p = static_cast<Index>(
        std::max_element(curves[l].begin() + lo, curves[l].begin() + hi + 1) - curves[l].begin());
    peaks.emplace_back(l, p);
    largest = std::max(largest, curves[l][p]);
  }
  std::vector<std::pair<size_t, Index>> taking;
  for (const auto& [l, p] : peaks) {
    if (largest > 0 && curves[l][p] >= min_share * largest) taking.emplace_back(l, p);
  }
  return taking;
}

// The smallest SD of x about its own mean over `width` consecutive samples inside [from, to]
// (clipped): the noise of a lead's quietest stretch.
double QuietestSd(const std::vector<double>& x, Index from, Index to, Index width) {
  const Index n = static_cast<Index>(x.size());
  from = std::clamp<Index>(from, 0, n - 1);
  to = std::clamp<Index>(to, from, n - 1);
  width = std::clamp<Index>(width, 2, std::max<Index>(2, to - from + 1));
  double best = std::numeric_limits<double>::infinity();
  for (Index start = from; start + width - 1 <= to; ++start) {
    double sum = 0, sq = 0;
    for (Index i = start; i < start + width; ++i) {
      sum += x[i];
      sq += x[i] * x[i];
    }
    const double mean = sum / static_cast<double>(width);
    best = std::min(best, std::sqrt(std::max(0.0, sq / static_cast<double>(width) - mean * mean)));
  }
  return std::isfinite(best) ? best : 0.0;
}

// One lead's wavelet QRS onset and offset (sample indices); nullopt where not found.
struct WaveletQrs {
  std::optional<Index> onset, offset;
};

bool IsModulusMaximum(const std::vector<double>& w, Index i) {
  const Index n = static_cast<Index>(w.size());
  if (i <= 0 || i + 1 >= n) return false;
  const double a = std::abs(w[i]);
  return a >= std::abs(w[i - 1]) && a > std::abs(w[i + 1]);
}

// The modulus maximum nearest to `from` walking by `step` (exclusive) up to `limit`, of the sign
// of `sign` (0: either sign) and with |w| >= `at_least`; nullopt if none.
std::optional<Index> NearestMaximum(const std::vector<double>& w, Index from, Index limit, int step,
                                    double sign, double at_least) {
  for (Index i = from + step; step > 0 ? i <= limit : i >= limit; i += step) {
    if (IsModulusMaximum(w, i) && (sign == 0 || w[i] * sign > 0) && std::abs(w[i]) >= at_least)
      return i;
  }
  return std::nullopt;
}

// Walking from the wave's maximum m by `step`: the first sample where |w| is below `share` (by
// the sign of w[m]: [0] rising, [1] falling) of |w[m]|, or a local minimum of |w|; nullopt when
// none within `walk` samples.
std::optional<Index> WaveletBoundary(const std::vector<double>& w, Index m, int step,
                                     const double share[2], Index walk) {
  const Index n = static_cast<Index>(w.size());
  const double threshold = (w[m] > 0 ? share[0] : share[1]) * std::abs(w[m]);
  for (Index i = m + step; std::abs(i - m) <= walk; i += step) {
    if (i - 1 < 0 || i + 1 >= n) return std::nullopt;
    const double a = std::abs(w[i]);
    if (a < threshold || (a <= std::abs(w[i - 1]) && a <= std::abs(w[i + 1]))) return i;
  }
  return std::nullopt;
}

// One lead's QRS onset and offset on its wavelet transform w (Martinez et al. 2004; the rules
// are DelineationOptions::qrs_wavelet's). x: the lead after a 4 ms moving average; noise_uV: its
// noise (for the settling step); peak: the largest |w| near R.
WaveletQrs WaveletQrsBoundaries(const std::vector<double>& w, const std::vector<double>& x,
                                double noise_uV, Index peak, double rate,
                                const DelineationOptions& o) {
  WaveletQrs out;
  const double largest = std::abs(w[peak]);
  if (!(largest > 0)) return out;
  const double sign = w[peak] > 0 ? 1.0 : -1.0;
  const Index search = Samples(o.qrs_wavelet_search_ms, rate);
  // The main wave's other slope: the largest opposite maximum within the search window.
  Index other = peak;
  double other_size = o.qrs_wavelet_significant[0] * largest;
  for (Index i = peak - search; i <= peak + search; ++i) {
    if (IsModulusMaximum(w, i) && w[i] * sign < 0 && std::abs(w[i]) >= other_size) {
      other = i;
      other_size = std::abs(w[i]);
    }
  }
  const Index pre = std::min(peak, other), post = std::max(peak, other);
  const double pre_sign = w[pre] > 0 ? 1.0 : -1.0, post_sign = w[post] > 0 ? 1.0 : -1.0;
  // The first and last waves: the nearest significant maximum of opposite sign outside the main
  // wave; with `qrs_wavelet_waves` > 1, again from it, up to that many waves on each side.
  Index first = pre, last = post;
  double first_sign = pre_sign, last_sign = post_sign;
  for (int k = 0; k < std::max(1, o.qrs_wavelet_waves); ++k) {
    const auto f =
        NearestMaximum(w, first, first - search, -1, o.qrs_wavelet_any_sign ? 0 : -first_sign,
                       o.qrs_wavelet_significant[0] * largest);
    if (!f) break;
    first = *f;
    first_sign = w[first] > 0 ? 1.0 : -1.0;
  }
  for (int k = 0; k < std::max(1, o.qrs_wavelet_waves); ++k) {
    const auto l =
        NearestMaximum(w, last, last + search, +1, o.qrs_wavelet_any_sign ? 0 : -last_sign,
                       o.qrs_wavelet_significant[1] * largest);
    if (!l) break;
    last = *l;
    last_sign = w[last] > 0 ? 1.0 : -1.0;
  }
  const Index walk = Samples(o.qrs_wavelet_walk_ms, rate);
  out.onset = WaveletBoundary(w, first, -1, o.qrs_wavelet_onset_share, walk);
  out.offset = WaveletBoundary(w, last, +1, o.qrs_wavelet_offset_share, walk);
  // The transform's kernel reaches a corner before the signal does: move each boundary towards
  // the wave while the signal stays within `settle` of its level at the boundary.
  if (o.qrs_wavelet_settle_uV > 0) {
    const double settle = std::max(o.qrs_wavelet_settle_uV, 20 * noise_uV);
    if (out.onset) {
      const double level = x[*out.onset];
      while (*out.onset + 1 < first && std::abs(x[*out.onset + 1] - level) < settle) ++*out.onset;
    }
    if (out.offset) {
      const double level = x[*out.offset];
      while (*out.offset - 1 > last && std::abs(x[*out.offset - 1] - level) < settle) --*out.offset;
    }
  }
  return out;
}

// The knee of c between a (the quiet side) and b (on the wave; either side of a): the sample
// strictly between them farthest below the chord from (a, c[a]) to (b, c[b]); nullopt when none
// lies below it. With the chord fixed, the vertical distance is the perpendicular one times a
// constant, so the knee does not depend on the axes' scales.
std::optional<Index> ChordKnee(const std::vector<double>& c, Index a, Index b) {
  const int step = b > a ? 1 : -1;
  std::optional<Index> knee;
  double farthest = 0;
  for (Index t = a + step; t != b; t += step) {
    const double chord =
        c[a] + (c[b] - c[a]) * static_cast<double>(t - a) / static_cast<double>(b - a);
    if (chord - c[t] > farthest) {
      farthest = chord - c[t];
      knee = t;
    }
  }
  return knee;
}

// The boundary moved to the knee of c (DelineationOptions::qrs_knee_span_ms): a = `boundary`
// moved `span` samples by `outward` (clipped to [lo, hi]); b = the first sample from a towards
// `inner` (exclusive) where c - c[a] reaches `reach` of (`largest` - c[a]). Unchanged when there
// is no such b or no knee.
Index KneeBoundary(const std::vector<double>& c, Index boundary, int outward, Index span,
                   Index inner, double reach, double largest, Index lo, Index hi) {
  const Index n = static_cast<Index>(c.size());
  const Index a = std::clamp<Index>(boundary + outward * span, std::max<Index>(lo, 0),
                                    std::min<Index>(hi, n - 1));
  const double target = c[a] + reach * (largest - c[a]);
  if (!(largest > c[a])) return boundary;
  for (Index b = a - outward; outward > 0 ? b > inner : b < inner; b -= outward) {
    if (b < 0 || b >= n) return boundary;
    if (c[b] >= target) return ChordKnee(c, a, b).value_or(boundary);
  }
  return boundary;
}

// The normalised sum (NormalizedSum, peaks in [peak_lo, peak_hi]) of each lead's |deviation from
// its own mean over [from, to]|.
std::vector<double> NormalizedDeviation(const std::vector<std::vector<double>>& leads, Index from,
                                        Index to, Index peak_lo, Index peak_hi, double min_share) {
  std::vector<std::vector<double>> deviation;
  for (const auto& x : leads) {
    const double level = MeanOver(x, from, to);
    deviation.emplace_back(x.size());
    for (size_t i = 0; i < x.size(); ++i) deviation.back()[i] = std::abs(x[i] - level);
  }
  return NormalizedSum(deviation, peak_lo, peak_hi, min_share);
}

// Where a median beat's QRS is searched (sample indices): `r`, R's sample; [peak_lo, peak_hi],
// where each curve's QRS peak is taken (R +- 60 ms within [1, n - 2]); `hold`, the samples a slope
// stays below its threshold at a boundary (DelineationOptions::qrs_hold_ms, at least 1).
struct QrsSearch {
  Index r = 0;
  Index peak_lo = 0, peak_hi = 0;
  Index hold = 1;
};

// Each present lead of `beat` (AllLeads order) after a moving average over 2*half+1 samples.
std::vector<std::vector<double>> SmoothedLeads(const EcgSignal& beat, Index half) {
  const Index n = static_cast<Index>(beat.samples_per_lead());
  std::vector<std::vector<double>> out;
  for (Lead lead : AllLeads()) {
    if (beat.mask().present(lead)) out.push_back(Smooth(beat.lead_uV(lead), n, half));
  }
  return out;
}

// Each present lead's AbsSlope (`half`, `side`), in AllLeads order.
std::vector<std::vector<double>> LeadSlopes(const EcgSignal& beat, Index half, int side = 0) {
  const Index n = static_cast<Index>(beat.samples_per_lead());
  std::vector<std::vector<double>> out;
  for (Lead lead : AllLeads()) {
    if (beat.mask().present(lead)) out.push_back(AbsSlope(beat.lead_uV(lead), n, half, side));
  }
  return out;
}

// The half width of the QRS stages' 4 ms moving average (at least 1 sample).
Index QrsHalf(double rate) {
  return std::max<Index>(1, Samples(2, rate));
}

// The quietest 20 ms of `values` between 40 and 250 ms before R (`step` -1) or after it (+1):
// the floor (level) and noise (SD) a QRS boundary's slope falls to.
QuietWindow QrsQuietWindow(const std::vector<double>& values, const QrsSearch& search, int step,
                           double rate) {
  const Index quiet = std::max<Index>(1, Samples(20, rate));
  const Index near = Samples(40, rate), far = Samples(250, rate);
  return step < 0 ? QuietestWindow(values, search.r - far, search.r - near, quiet)
                  : QuietestWindow(values, search.r + near, search.r + far, quiet);
}

// The farthest sample a QRS boundary is walked to on `values`: 200 ms before R (`step` -1) or
// 250 ms after it (+1), within the curve.
Index QrsWalkLimit(const std::vector<double>& values, const QrsSearch& search, int step,
                   double rate) {
  const Index n = static_cast<Index>(values.size());
  return step < 0 ? std::max<Index>(0, search.r - Samples(200, rate))
                  : std::min<Index>(n - 1, search.r + Samples(250, rate));
}

// A QRS boundary (`outward` -1: onset, +1: offset) moved to the knee of the spatial curve of
// DelineationOptions::qrs_knee_*. levels: the present leads after a 4 ms moving average;
// velocity: the normalised |slope| sum (peaks in [search.peak_lo, search.peak_hi]); [on, off]:
// the QRS found so far.
Index QrsKnee(const std::vector<std::vector<double>>& levels, const std::vector<double>& velocity,
              Index boundary, int outward, Index on, Index off, const QrsSearch& search,
              double rate, const DelineationOptions& o) {
  const Index n = static_cast<Index>(velocity.size());
  const Index span = Samples(o.qrs_knee_span_ms, rate);
  const Index a = std::clamp<Index>(boundary + outward * span, 0, n - 1);
  std::vector<double> c(n, 0.0);
  if (o.qrs_knee_variation) {
    // Running sum of the velocity from a towards the wave (c[a] = 0, growing inward).
    for (Index i = a - outward; i >= 0 && i < n; i -= outward) c[i] = c[i + outward] + velocity[i];
  } else {
    const Index half = std::max<Index>(1, Samples(5, rate));
    c = NormalizedDeviation(levels, a - half, a + half, search.peak_lo, search.peak_hi,
                            o.min_lead_share);
  }
  const double largest = *std::max_element(c.begin() + on, c.begin() + off + 1);
  return KneeBoundary(c, boundary, outward, span, outward < 0 ? off : on, o.qrs_knee_reach, largest,
                      0, n - 1);
}

// Walking outward from `boundary` by `outward`, at most `max_walk` samples and not past `limit`:
// the first sample where c is at most `threshold` (DelineationOptions::*_backtrack_sd).
Index Backtrack(const std::vector<double>& c, Index boundary, int outward, Index limit,
                Index max_walk, double threshold) {
  Index t = boundary;
  for (Index k = 0; k < max_walk && c[t] > threshold && t != limit; ++k) t += outward;
  return t;
}

// The QRS boundary (`outward` -1: onset, +1: offset) moved outward while the normalised sum of
// the leads' |deviation from their level in the quiet window q| (4 ms moving average) stays above
// that sum's mean plus `qrs_backtrack_sd` SDs in q (or `qrs_backtrack_share` of its peak in
// [search.peak_lo, search.peak_hi] above that mean, if more); not past q, at most
// `qrs_backtrack_max_ms`.
Index QrsBacktrack(const std::vector<std::vector<double>>& levels, const QuietWindow& q,
                   Index boundary, int outward, const QrsSearch& search, double rate,
                   const DelineationOptions& o) {
  const Index peak_lo = search.peak_lo, peak_hi = search.peak_hi;
  const std::vector<double> c = NormalizedDeviation(levels, q.start, q.start + q.width - 1, peak_lo,
                                                    peak_hi, o.min_lead_share);
  const auto [level, sd] = QuietestLevelAndSd(c, q.start, q.start + q.width - 1, q.width);
  const Index limit = outward < 0 ? q.start + q.width - 1 : q.start;
  if ((limit - boundary) * outward <= 0) return boundary;
  const double peak = *std::max_element(c.begin() + peak_lo, c.begin() + peak_hi + 1);
  const double threshold =
      level + std::max(o.qrs_backtrack_sd * sd, o.qrs_backtrack_share * (peak - level));
  return Backtrack(c, boundary, outward, limit, Samples(o.qrs_backtrack_max_ms, rate), threshold);
}

// One QRS boundary's lead-by-lead rule. `step`: -1 walks back to the onset, +1 forward to the
// offset. Each lead's slope: the central difference after a moving average over `smooth_ms`, on
// the wave's side of each sample when `trailing` (trailing for the onset, leading for the offset;
// AbsSlope), else centred. A lead's threshold: the larger of `share` of its slope peak above its
// floor and `noise_sd` SDs of its quiet window. With `quiet_guard`, a lead votes only if its slope
// next to the QRS is below that threshold. The boundary: the outermost vote within `agree_ms` of
// the votes' median.
struct LeadBoundaryRule {
  int step = -1;
  double smooth_ms = 0;
  bool trailing = false;
  double share = 0;
  double noise_sd = 0;
  double agree_ms = 0;
  bool quiet_guard = false;
};

// The onset's rule (method version 4): DelineationOptions::qrs_onset_lead_*.
LeadBoundaryRule OnsetRule(const DelineationOptions& o) {
  return {-1,
          o.qrs_onset_lead_smooth_ms,
          o.qrs_onset_lead_trailing,
          o.qrs_onset_lead_threshold,
          o.qrs_onset_lead_noise_sd,
          o.qrs_onset_lead_agree_ms,
          o.qrs_onset_lead_quiet_pr};
}

// The offset's rule (method version 5): DelineationOptions::qrs_offset_lead_*, the slope smoothed
// as the onset's (qrs_onset_lead_smooth_ms, qrs_onset_lead_trailing).
LeadBoundaryRule OffsetRule(const DelineationOptions& o) {
  return {+1,
          o.qrs_onset_lead_smooth_ms,
          o.qrs_onset_lead_trailing,
          o.qrs_offset_lead_threshold,
          o.qrs_offset_lead_noise_sd,
          o.qrs_offset_lead_agree_ms,
          o.qrs_offset_lead_quiet_st};
}

// A QRS boundary lead by lead, by `rule` (OnsetRule, OffsetRule). Each lead of `beat` whose slope
// peak within [search.peak_lo, search.peak_hi] reaches `min_lead_share` of the largest lead's
// votes the first sample, walking by rule.step from that peak (at most to 200 ms before,
// respectively 250 ms after, R), where its slope stays for `search.hold` samples below its floor
// (the level of its quietest 20 ms between 40 and 250 ms before, respectively after, R) plus the
// larger of `rule.share` of its peak above the floor and `rule.noise_sd` SDs of the slope in that
// quiet window. With `rule.quiet_guard`, a lead whose mean slope 10..30 ms outside `sum_boundary`
// (the normalised sum's boundary: the PR, respectively ST, segment next to the QRS) is not below
// that threshold does not vote. The boundary is the outermost vote within `rule.agree_ms` of the
// votes' median; nullopt when no lead votes.
std::optional<Index> LeadByLeadBoundary(const EcgSignal& beat, const QrsSearch& search,
                                        Index sum_boundary, const LeadBoundaryRule& rule,
                                        double min_lead_share) {
  const double rate = beat.sample_rate_hz();
  const int step = rule.step;
  const Index half = Samples(rule.smooth_ms / 2, rate);
  const int side = rule.trailing ? (step < 0 ? -1 : +1) : 0;
  const std::vector<std::vector<double>> slopes = LeadSlopes(beat, half, side);
  std::vector<Index> votes;
  for (const auto& [l, p] : TakingLeads(slopes, search.peak_lo, search.peak_hi, min_lead_share)) {
    const std::vector<double>& v = slopes[l];
    const QuietWindow q = QrsQuietWindow(v, search, step, rate);
    const double floor = q.level;
    const double threshold =
        std::max(floor + rule.share * (v[p] - floor), floor + rule.noise_sd * q.sd);
    const Index g10 = sum_boundary + step * Samples(10, rate);
    const Index g30 = sum_boundary + step * Samples(30, rate);
    if (rule.quiet_guard && MeanOver(v, std::min(g10, g30), std::max(g10, g30)) >= threshold)
      continue;
    if (const auto b = QrsBoundary(v, p, QrsWalkLimit(v, search, step, rate), step, floor,
                                   rule.share, 0, threshold, search.hold))
      votes.push_back(*b);
  }
  if (votes.empty()) return std::nullopt;
  return AgreeingExtreme(votes, Samples(rule.agree_ms, rate), step > 0);
}

// QRS onset and offset (sample indices).
struct QrsSpan {
  Index on = 0, off = 0;
};

// The QRS on `velocity` (the leads' normalised |slope| sum): from its peak near R, on each side
// the first sample where it stays search.hold samples below its floor plus
// qrs_threshold_fraction of the peak above it, and at least qrs_noise_sd SDs above the floor;
// nullopt when the peak does not rise above both floors or a side has no such sample.
std::optional<QrsSpan> SumQrs(const std::vector<double>& velocity, const QrsSearch& search,
                              double rate, const DelineationOptions& o) {
  const Index peak = static_cast<Index>(
      std::max_element(velocity.begin() + search.peak_lo, velocity.begin() + search.peak_hi + 1) -
      velocity.begin());
  const QuietWindow before = QrsQuietWindow(velocity, search, -1, rate);
  const QuietWindow after = QrsQuietWindow(velocity, search, +1, rate);
  if (!(velocity[peak] > before.level) || !(velocity[peak] > after.level)) return std::nullopt;
  const double f = o.qrs_threshold_fraction;
  const double k = o.qrs_noise_sd;
  const std::optional<Index> onset =
      QrsBoundary(velocity, peak, QrsWalkLimit(velocity, search, -1, rate), -1, before.level, f, 0,
                  before.level + k * before.sd, search.hold);
  const std::optional<Index> offset =
      QrsBoundary(velocity, peak, QrsWalkLimit(velocity, search, +1, rate), +1, after.level, f, 0,
                  after.level + k * after.sd, search.hold);
  if (!onset || !offset) return std::nullopt;
  return QrsSpan{*onset, *offset};
}

// Developer variant (qrs_lead_rank, qrs_agree_ms): each side of `qrs` that gets votes replaced by
// the k-th extreme of (with qrs_agree_ms: the extreme within it of the median of) the taking
// leads' boundaries on their own |slope| (qrs_lead_smooth_ms; `slopes`, the sum's, when equal).
QrsSpan LeadRankQrs(const EcgSignal& beat, const std::vector<std::vector<double>>& slopes,
                    const QrsSearch& search, QrsSpan qrs, const DelineationOptions& o) {
  const double rate = beat.sample_rate_hz();
  const double f = o.qrs_threshold_fraction;
  const double k = o.qrs_noise_sd;
  const double f_off = o.qrs_offset_threshold_fraction > 0 ? o.qrs_offset_threshold_fraction : f;
  const Index lead_half = Samples(o.qrs_lead_smooth_ms / 2, rate);
  const std::vector<std::vector<double>> lead_slopes =
      lead_half == QrsHalf(rate) ? slopes : LeadSlopes(beat, lead_half);
  std::vector<Index> ons, offs;
  for (const auto& [l, p] :
       TakingLeads(lead_slopes, search.peak_lo, search.peak_hi, o.min_lead_share)) {
    const std::vector<double>& v = lead_slopes[l];
    const QuietWindow before = QrsQuietWindow(v, search, -1, rate);
    const QuietWindow after = QrsQuietWindow(v, search, +1, rate);
    if (const auto on = QrsBoundary(v, p, QrsWalkLimit(v, search, -1, rate), -1, before.level, f,
                                    o.qrs_wave_share, before.level + k * before.sd, search.hold))
      ons.push_back(*on);
    if (const auto off =
            QrsBoundary(v, p, QrsWalkLimit(v, search, +1, rate), +1, after.level, f_off,
                        o.qrs_wave_share, after.level + k * after.sd, search.hold))
      offs.push_back(*off);
  }
  const Index agree = Samples(o.qrs_agree_ms, rate);
  if (!ons.empty()) {
    qrs.on = o.qrs_agree_ms > 0 ? AgreeingExtreme(ons, agree, false)
                                : RankedBoundary(ons, o.qrs_lead_rank, false);
  }
  if (!offs.empty()) {
    qrs.off = o.qrs_agree_ms > 0 ? AgreeingExtreme(offs, agree, true)
                                 : RankedBoundary(offs, o.qrs_lead_rank, true);
  }
  return qrs;
}

// Developer variant (qrs_wavelet): each side of `qrs` that gets votes replaced by the taking
// leads' wavelet boundaries (WaveletQrsBoundaries): the extreme within qrs_agree_ms (else 10 ms)
// of their median, or with qrs_lead_rank and no qrs_agree_ms the k-th extreme.
QrsSpan WaveletLeadsQrs(const EcgSignal& beat, const QrsSearch& search, QrsSpan qrs,
                        const DelineationOptions& o) {
  const double rate = beat.sample_rate_hz();
  const Index n = static_cast<Index>(beat.samples_per_lead());
  const Index r = search.r;
  const Index quiet = std::max<Index>(1, Samples(20, rate));
  const int scale = WaveletScaleAt(o.qrs_wavelet_scale, rate);
  const std::vector<std::vector<double>> levels = SmoothedLeads(beat, QrsHalf(rate));
  std::vector<std::vector<double>> transforms, moduli;
  for (Lead lead : AllLeads()) {
    if (!beat.mask().present(lead)) continue;
    transforms.push_back(std::move(QuadraticSplineWavelet(beat.lead_uV(lead), n, scale).back()));
    moduli.emplace_back(transforms.back().size());
    std::transform(transforms.back().begin(), transforms.back().end(), moduli.back().begin(),
                   [](double v) { return std::abs(v); });
  }
  std::vector<Index> ons, offs;
  for (const auto& [l, p] : TakingLeads(moduli, search.peak_lo, search.peak_hi, o.min_lead_share)) {
    const WaveletQrs q = WaveletQrsBoundaries(
        transforms[l], levels[l],
        QuietestSd(levels[l], r - Samples(250, rate), r - Samples(40, rate), quiet), p, rate, o);
    if (q.onset) ons.push_back(*q.onset);
    if (q.offset) offs.push_back(*q.offset);
  }
  const bool ranked = o.qrs_agree_ms <= 0 && o.qrs_lead_rank > 0;
  const Index agree = Samples(o.qrs_agree_ms > 0 ? o.qrs_agree_ms : 10, rate);
  if (!ons.empty()) {
    qrs.on =
        ranked ? RankedBoundary(ons, o.qrs_lead_rank, false) : AgreeingExtreme(ons, agree, false);
  }
  if (!offs.empty()) {
    qrs.off =
        ranked ? RankedBoundary(offs, o.qrs_lead_rank, true) : AgreeingExtreme(offs, agree, true);
  }
  return qrs;
}

// Knee and backtracking variants: `qrs` moved to the knees of the spatial curve (QrsKnee, with
// qrs_knee_span_ms), then outward (QrsBacktrack, with qrs_backtrack_sd; the offset too with
// qrs_backtrack_offset). levels: the present leads after the 4 ms moving average.
QrsSpan KneeAndBacktrackQrs(const std::vector<std::vector<double>>& levels,
                            const std::vector<double>& velocity, const QrsSearch& search,
                            QrsSpan qrs, double rate, const DelineationOptions& o) {
  if (o.qrs_knee_span_ms > 0) {
    const Index on = qrs.on, off = qrs.off;
    qrs.on = QrsKnee(levels, velocity, on, -1, on, off, search, rate, o);
    qrs.off = QrsKnee(levels, velocity, off, +1, on, off, search, rate, o);
  }
  if (o.qrs_backtrack_sd > 0) {
    const QuietWindow before = QrsQuietWindow(velocity, search, -1, rate);
    const QuietWindow after = QrsQuietWindow(velocity, search, +1, rate);
    qrs.on = QrsBacktrack(levels, before, qrs.on, -1, search, rate, o);
    if (o.qrs_backtrack_offset) qrs.off = QrsBacktrack(levels, after, qrs.off, +1, search, rate, o);
  }
  return qrs;
}

// Versions 4 and 5 (qrs_onset_lead_*, qrs_offset_lead_*): `qrs` widened to the boundaries found
// lead by lead (LeadByLeadBoundary), the onset where earlier, the offset where later; `sum`: the
// normalised sum's QRS, next to which the quiet guards look.
QrsSpan LeadByLeadQrs(const EcgSignal& beat, const QrsSearch& search, const QrsSpan& sum,
                      QrsSpan qrs, const DelineationOptions& o) {
  if (o.qrs_onset_lead_threshold > 0) {
    if (const auto on = LeadByLeadBoundary(beat, search, sum.on, OnsetRule(o), o.min_lead_share))
      qrs.on = std::min(qrs.on, *on);
  }
  if (o.qrs_offset_lead_threshold > 0) {
    if (const auto off = LeadByLeadBoundary(beat, search, sum.off, OffsetRule(o), o.min_lead_share))
      qrs.off = std::max(qrs.off, *off);
  }
  return qrs;
}

// Each lead's |x - its entry of `baselines`|.
std::vector<std::vector<double>> AbsDeviation(const std::vector<std::vector<double>>& leads,
                                              const std::vector<double>& baselines) {
  const Index n = static_cast<Index>(leads[0].size());
  std::vector<std::vector<double>> deviation(leads.size(), std::vector<double>(n));
  for (size_t l = 0; l < leads.size(); ++l) {
    for (Index i = 0; i < n; ++i) deviation[l][i] = std::abs(leads[l][i] - baselines[l]);
  }
  return deviation;
}

// Where a T wave is searched (sample indices): its peak in [lo, hi], its end in (peak, end_hi].
struct TSearch {
  Index lo = 0, hi = 0, peak = 0, end_hi = 0;
};

// The median of the leads' peak times (`taking`: lead, peak) weighted by each lead's `curves`
// value at its peak: the time that half the leads' amplitude peaks at or before.
// REQUIRES: taking not empty.
Index WeightedMedianPeak(const std::vector<std::vector<double>>& curves,
                         std::vector<std::pair<size_t, Index>> taking) {
  std::sort(taking.begin(), taking.end(),
            [](const auto& a, const auto& b) { return a.second < b.second; });
  double total = 0;
  for (const auto& [l, p] : taking) total += curves[l][p];
  double cumulative = 0;
  for (const auto& [l, p] : taking) {
    cumulative += curves[l][p];
    if (cumulative >= total / 2) return p;
  }
  return taking.back().second;
}

// Which of `taking` (lead, T peak) vote on the T end: with t_peak_agree_ms the leads whose peak
// lies that close to WeightedMedianPeak, and of the others those that t_peak_agree_share or
// t_peak_echo_share keep; with t_peak_edge_ms, not the leads peaking that close to t.hi (unless
// that leaves none).
std::vector<bool> TVotingLeads(const std::vector<std::vector<double>>& deviation,
                               const std::vector<std::pair<size_t, Index>>& taking,
                               const TSearch& t, double rate, const DelineationOptions& o) {
  std::vector<bool> votes(taking.size(), true);
  if (taking.empty()) return votes;
  if (o.t_peak_agree_ms > 0) {
    const Index agree = Samples(o.t_peak_agree_ms, rate);
    const Index centre = WeightedMedianPeak(deviation, taking);
    double largest = 0;
    for (const auto& [l, p] : taking) largest = std::max(largest, deviation[l][p]);
    std::vector<bool> agrees(taking.size());
    for (size_t i = 0; i < taking.size(); ++i)
      agrees[i] = std::abs(taking[i].second - centre) <= agree;
    for (size_t i = 0; i < taking.size(); ++i) {
      if (agrees[i]) continue;
      const auto& [l, p] = taking[i];
      bool keep = o.t_peak_agree_share > 0 && deviation[l][p] >= o.t_peak_agree_share * largest;
      if (!keep && o.t_peak_echo_share > 0) {
        double echo = 0;
        int count = 0;
        for (size_t j = 0; j < taking.size(); ++j) {
          if (!agrees[j]) continue;
          const auto& [lj, pj] = taking[j];
          if (deviation[lj][pj] > 0) echo += deviation[lj][p] / deviation[lj][pj];
          ++count;
        }
        keep = count > 0 && echo / count >= o.t_peak_echo_share;
      }
      votes[i] = keep;
    }
  }
  if (o.t_peak_edge_ms > 0) {
    std::vector<bool> inner = votes;
    const Index edge = Samples(o.t_peak_edge_ms, rate);
    for (size_t i = 0; i < taking.size(); ++i)
      if (taking[i].second >= t.hi - edge) inner[i] = false;
    if (std::find(inner.begin(), inner.end(), true) != inner.end()) votes = inner;
  }
  return votes;
}

// The T end by Zhang's area indicator (t_area_window_ms) in (t.peak, t.end_hi]: on `m`, the
// normalised sum of `deviation`, or with t_lead_rank the k-th latest of the taking leads' ends
// (of the leads that TVotingLeads keeps).
std::optional<Index> TEnd(const std::vector<std::vector<double>>& deviation,
                          const std::vector<double>& m, const TSearch& t, double rate,
                          const DelineationOptions& o) {
  const Index w = Samples(o.t_area_window_ms, rate);
  if (o.t_lead_rank > 0) {
    const auto taking = TakingLeads(deviation, t.lo, t.hi, o.min_lead_share);
    const std::vector<bool> votes = TVotingLeads(deviation, taking, t, rate, o);
    std::vector<Index> ends;
    for (size_t i = 0; i < taking.size(); ++i) {
      const auto& [l, p] = taking[i];
      if (!votes[i]) continue;
      if (const auto e = AreaBoundary(deviation[l], p + 1, std::max(t.end_hi, p + 1), w, true))
        ends.push_back(*e);
    }
    if (ends.empty()) return std::nullopt;
    if (o.t_rank_floor > 0) {
      const int left_out = static_cast<int>(std::count(votes.begin(), votes.end(), false));
      return RankedBoundary(ends, std::max(o.t_rank_floor, o.t_lead_rank - left_out), true);
    }
    return RankedBoundary(ends, o.t_lead_rank, true);
  }
  return AreaBoundary(m, t.peak + 1, t.end_hi, w, true);
}

// The T end `t_end` moved to the knee (t_knee_span_ms, t_knee_reach) of the normalised
// |deviation from `baselines`| of `levels`, the leads after a 4 ms moving average: a 20 ms one
// would move the knee of a sharp corner by up to 10 ms.
Index TKnee(const std::vector<std::vector<double>>& levels, const std::vector<double>& baselines,
            const TSearch& t, Index t_end, double rate, const DelineationOptions& o) {
  const std::vector<double> c =
      NormalizedSum(AbsDeviation(levels, baselines), t.lo, t.hi, o.min_lead_share);
  return KneeBoundary(c, t_end, +1, Samples(o.t_knee_span_ms, rate), t.peak, o.t_knee_reach,
                      c[t.peak], 0, t.end_hi);
}

// The T wave, searched from 60 ms after `qrs_off` to 0.65 RR (at most 600 ms) after `r`: its peak
// on the normalised |deviation of `wave_leads` from `baselines`|, its end by TEnd (then TKnee
// with t_knee_span_ms, on `levels`). Sets b.t_peak, and b.t_offset when found.
void DelineateT(const std::vector<std::vector<double>>& wave_leads,
                const std::vector<std::vector<double>>& levels,
                const std::vector<double>& baselines, Index r, Index qrs_off, double rr_ms,
                double rate, const DelineationOptions& o, BeatBoundaries& b) {
  const Index n = static_cast<Index>(wave_leads[0].size());
  const Index rr = Samples(rr_ms, rate);
  TSearch t;
  t.lo = qrs_off + Samples(60, rate);
  t.hi =
      std::min<Index>(n - 1, r + std::min<Index>(Samples(0.65 * rr_ms, rate), Samples(600, rate)));
  if (t.lo >= t.hi) return;
  const std::vector<std::vector<double>> deviation = AbsDeviation(wave_leads, baselines);
  const std::vector<double> m = NormalizedSum(deviation, t.lo, t.hi, o.min_lead_share);
  t.peak = static_cast<Index>(std::max_element(m.begin() + t.lo, m.begin() + t.hi + 1) - m.begin());
  t.end_hi = std::min({n - 1, t.peak + Samples(300, rate),
                       std::max(t.peak + Samples(100, rate), r + rr - Samples(200, rate))});
  b.t_peak = static_cast<size_t>(t.peak);
  std::optional<Index> t_end = TEnd(deviation, m, t, rate, o);
  if (t_end && o.t_knee_span_ms > 0) t_end = TKnee(levels, baselines, t, *t_end, rate, o);
  if (t_end) b.t_offset = static_cast<size_t>(*t_end);
}

// The P wave's window [first, second]: from the previous beat's T end plus 20 ms (without a T
// end, 0.6 RR after the previous R), at most 400 ms, to 10 ms before `qrs_on`.
std::pair<Index, Index> PWindow(Index qrs_on, const std::optional<size_t>& t_offset, Index r,
                                double rr_ms, double rate) {
  const Index rr = Samples(rr_ms, rate);
  const Index p_hi = qrs_on - Samples(10, rate);
  Index p_lo = std::max<Index>(0, qrs_on - Samples(400, rate));
  if (t_offset) {
    p_lo = std::max<Index>(p_lo, static_cast<Index>(*t_offset) - rr + Samples(20, rate));
  } else {
    p_lo = std::max<Index>(p_lo, r - rr + Samples(0.6 * rr_ms, rate));
  }
  return {p_lo, p_hi};
}

// Each lead detrended over [from, to]: |x minus the line through its 10 ms levels at the two
// ends| there, 0 outside (SpatialMagnitude of the one lead).
std::vector<std::vector<double>> DetrendedLeads(const std::vector<std::vector<double>>& leads,
                                                Index from, Index to, double rate) {
  std::vector<std::vector<double>> detrended(leads.size());
  for (size_t l = 0; l < leads.size(); ++l)
    detrended[l] = SpatialMagnitude({leads[l]}, {0.0}, from, to, true, rate);
  return detrended;
}

// A P wave search: the window [lo, hi] (PWindow), each lead detrended over it (DetrendedLeads),
// the spatial magnitude's `peak` there and its amplitude; each lead's P peak is taken in
// [lead_lo, lead_hi] (`reach`, 40 ms, around the peak within the window), among the leads that
// reach `share` (p_lead_share, else min_lead_share) of the largest.
struct PSearch {
  Index lo = 0, hi = 0, peak = 0, reach = 0, lead_lo = 0, lead_hi = 0;
  double amplitude_uV = 0;
  double share = 0;
  std::vector<std::vector<double>> detrended;
};

// The P search in [p_lo, p_hi] on `wave_leads` (lo, hi, detrended, peak, amplitude_uV; reach,
// lead_lo, lead_hi and share from the options).
PSearch FindP(const std::vector<std::vector<double>>& wave_leads, Index p_lo, Index p_hi,
              double rate, const DelineationOptions& o) {
  const Index n = static_cast<Index>(wave_leads[0].size());
  PSearch ps;
  ps.lo = p_lo;
  ps.hi = p_hi;
  ps.detrended = DetrendedLeads(wave_leads, p_lo, p_hi, rate);
  std::vector<double> spatial(n, 0.0);
  for (const auto& d : ps.detrended) {
    for (Index i = p_lo; i <= p_hi; ++i) spatial[i] += d[i] * d[i];
  }
  ps.peak = static_cast<Index>(
      std::max_element(spatial.begin() + p_lo, spatial.begin() + p_hi + 1) - spatial.begin());
  ps.amplitude_uV = std::sqrt(spatial[ps.peak]);
  ps.reach = Samples(40, rate);
  ps.lead_lo = std::max(p_lo, ps.peak - ps.reach);
  ps.lead_hi = std::min(p_hi, ps.peak + ps.reach);
  ps.share = o.p_lead_share > 0 ? o.p_lead_share : o.min_lead_share;
  return ps;
}

// The P onset and offset by Zhang's area indicator (p_area_window_ms) on the detrended leads'
// normalised sum; with p_lead_rank, each side the k-th extreme of the taking leads' where any.
std::pair<std::optional<Index>, std::optional<Index>> PByArea(const PSearch& ps, double rate,
                                                              const DelineationOptions& o) {
  const std::vector<double> m =
      NormalizedSum(ps.detrended, ps.peak - ps.reach, ps.peak + ps.reach, ps.share);
  const Index w = std::max<Index>(1, Samples(o.p_area_window_ms, rate));
  std::optional<Index> p_on = AreaBoundary(m, ps.lo, ps.peak - 1, w, false);
  std::optional<Index> p_off = AreaBoundary(m, ps.peak + 1, ps.hi, w, true);
  if (o.p_lead_rank > 0) {
    std::vector<Index> ons, offs;
    for (const auto& [l, p] : TakingLeads(ps.detrended, ps.lead_lo, ps.lead_hi, ps.share)) {
      if (p <= ps.lo || p >= ps.hi) continue;
      if (const auto on = AreaBoundary(ps.detrended[l], ps.lo, p - 1, w, false)) ons.push_back(*on);
      if (const auto off = AreaBoundary(ps.detrended[l], p + 1, ps.hi, w, true))
        offs.push_back(*off);
    }
    if (!ons.empty()) p_on = RankedBoundary(ons, o.p_lead_rank, false);
    if (!offs.empty()) p_off = RankedBoundary(offs, o.p_lead_rank, true);
  }
  return {p_on, p_off};
}

// The P onset `on` and offset `off` moved to the knees (p_knee_span_ms, p_knee_reach) of the
// normalised sum of `levels` (the leads after a 4 ms moving average, see TKnee) detrended over
// the window; the knee's quiet end stays inside the window (the curve is 0 outside it).
std::pair<Index, Index> PKnee(const std::vector<std::vector<double>>& levels, const PSearch& ps,
                              Index on, Index off, double rate, const DelineationOptions& o) {
  const Index span = Samples(o.p_knee_span_ms, rate);
  const std::vector<double> c = NormalizedSum(DetrendedLeads(levels, ps.lo, ps.hi, rate),
                                              ps.peak - ps.reach, ps.peak + ps.reach, ps.share);
  return {KneeBoundary(c, on, -1, span, ps.peak, o.p_knee_reach, c[ps.peak], ps.lo, ps.hi),
          KneeBoundary(c, off, +1, span, ps.peak, o.p_knee_reach, c[ps.peak], ps.lo, ps.hi)};
}

// The P onset lead by lead (p_onset_lead_*): each taking lead votes the first sample before its
// P peak where its detrended |P| stays `hold` samples below p_onset_lead_threshold of that peak;
// the earliest vote within p_onset_lead_agree_ms of the median; nullopt when no lead votes.
std::optional<Index> POnsetLeadByLead(const PSearch& ps, Index hold, double rate,
                                      const DelineationOptions& o) {
  std::vector<Index> votes;
  for (const auto& [l, p] :
       TakingLeads(ps.detrended, ps.lead_lo, ps.lead_hi, o.p_onset_lead_share)) {
    if (p <= ps.lo) continue;
    if (const auto on =
            QrsBoundary(ps.detrended[l], p, ps.lo, -1, 0, o.p_onset_lead_threshold, 0, 0, hold))
      votes.push_back(*on);
  }
  if (votes.empty()) return std::nullopt;
  return AgreeingExtreme(votes, Samples(o.p_onset_lead_agree_ms, rate), false);
}

// The P wave in [p_lo, p_hi] (PWindow), each lead detrended by the line through its levels at the
// window's ends: found on the spatial magnitude (FindP), delimited by PByArea, then PKnee (with
// p_knee_span_ms) and POnsetLeadByLead (with p_onset_lead_threshold, never later). Sets
// b.p_amplitude_uV when the window is at least 60 ms, and b.p_onset and b.p_offset when found.
void DelineateP(const std::vector<std::vector<double>>& wave_leads,
                const std::vector<std::vector<double>>& levels, Index p_lo, Index p_hi, Index hold,
                double rate, const DelineationOptions& o, BeatBoundaries& b) {
  if (p_hi - p_lo < Samples(60, rate)) return;
  const PSearch ps = FindP(wave_leads, p_lo, p_hi, rate, o);
  b.p_amplitude_uV = ps.amplitude_uV;
  if (!(b.p_amplitude_uV >= o.min_p_amplitude_uV && ps.peak > ps.lo && ps.peak < ps.hi)) return;
  auto [p_on, p_off] = PByArea(ps, rate, o);
  if (p_on && p_off && o.p_knee_span_ms > 0)
    std::tie(p_on, p_off) = PKnee(levels, ps, *p_on, *p_off, rate, o);
  if (p_on && p_off && o.p_onset_lead_threshold > 0) {
    if (const auto on = POnsetLeadByLead(ps, hold, rate, o)) p_on = std::min(*p_on, *on);
  }
  if (p_on && p_off) {
    b.p_onset = static_cast<size_t>(*p_on);
    b.p_offset = static_cast<size_t>(*p_off);
  }
}

}  // namespace

std::optional<BeatBoundaries> DelineateMedianBeat(const EcgSignal& beat, size_t r_index,
                                                  double rr_ms, const DelineationOptions& options) {
  const double rate = beat.sample_rate_hz();
  const Index n = static_cast<Index>(beat.samples_per_lead());
  const Index r = static_cast<Index>(r_index);
  if (r < Samples(60, rate) || r + Samples(100, rate) >= n || n < 8 || !(rr_ms > 0))
    return std::nullopt;

  // QRS: the normalised velocity (|slope| after a 4 ms moving average) against its floor. Other
  // waves: 20 ms moving averages.
  const Index qrs_half = QrsHalf(rate);
  const std::vector<std::vector<double>> slopes = LeadSlopes(beat, qrs_half);
  if (slopes.empty()) return std::nullopt;
  const std::vector<std::vector<double>> wave_leads = SmoothedLeads(beat, Samples(10, rate));
  const QrsSearch search{r, std::max<Index>(1, r - Samples(60, rate)),
                         std::min<Index>(n - 2, r + Samples(60, rate)),
                         std::max<Index>(1, Samples(options.qrs_hold_ms, rate))};
  const std::vector<double> velocity =
      NormalizedSum(slopes, search.peak_lo, search.peak_hi, options.min_lead_share);
  const std::optional<QrsSpan> sum = SumQrs(velocity, search, rate, options);
  if (!sum) return std::nullopt;
  QrsSpan qrs = *sum;
  if (!options.qrs_wavelet && (options.qrs_lead_rank > 0 || options.qrs_agree_ms > 0))
    qrs = LeadRankQrs(beat, slopes, search, qrs, options);
  if (options.qrs_wavelet) qrs = WaveletLeadsQrs(beat, search, qrs, options);
  // The leads after a 4 ms moving average, for the knee and backtracking variants.
  std::vector<std::vector<double>> levels;
  if (options.qrs_knee_span_ms > 0 || options.qrs_backtrack_sd > 0 || options.p_knee_span_ms > 0 ||
      options.t_knee_span_ms > 0)
    levels = SmoothedLeads(beat, qrs_half);
  // The PQ level and the T search stay anchored on the boundaries found so far: the refinements
  // below move the reported QRS only (a T end that follows the PQ level moves by tens of ms when
  // QRS onset moves by a few; docs/measurements.md, third and fourth passes).
  const QrsSpan anchor = qrs;
  qrs = KneeAndBacktrackQrs(levels, velocity, search, qrs, rate, options);
  // Version 4: the onset lead by lead, where it is earlier. The P search keeps ending before the
  // onset found without it, so that the P wave does not move with it; likewise the offset lead by
  // lead, where it is later, and the T search (anchor.off).
  const Index p_anchor = qrs.on;
  qrs = LeadByLeadQrs(beat, search, *sum, qrs, options);

  BeatBoundaries b;
  b.qrs_onset = static_cast<size_t>(qrs.on);
  b.qrs_offset = static_cast<size_t>(qrs.off);
  b.pq_anchor = static_cast<size_t>(anchor.on);
  std::vector<double> baselines;
  for (const auto& x : wave_leads) baselines.push_back(PqBaseline(x, anchor.on, rate));
  DelineateT(wave_leads, levels, baselines, r, anchor.off, rr_ms, rate, options, b);
  const auto [p_lo, p_hi] = PWindow(p_anchor, b.t_offset, r, rr_ms, rate);
  DelineateP(wave_leads, levels, p_lo, p_hi, search.hold, rate, options, b);
  return b;
}

namespace {

// The area (uV x ms) of one lead on [from, to] relative to the PQ baseline; each sample's
// deviation counted positive when `absolute`.
double Area_uVms(const EcgSignal& beat, Lead lead, const BeatBoundaries& b, size_t from, size_t to,
                 bool absolute) {
  const double rate = beat.sample_rate_hz();
  const Index n = static_cast<Index>(beat.samples_per_lead());
  const std::vector<double> x = Smooth(beat.lead_uV(lead), n, 0);
  const double baseline = PqBaseline(x, static_cast<Index>(b.pq_anchor), rate);
  double area = 0;
  for (size_t i = from; i <= to && static_cast<Index>(i) < n; ++i) {
    area += absolute ? std::abs(x[i] - baseline) : x[i] - baseline;
  }
  return area * 1000.0 / rate;
}

}  // namespace

double NetArea_uVms(const EcgSignal& beat, Lead lead, const BeatBoundaries& b, size_t from,
                    size_t to) {
  return Area_uVms(beat, lead, b, from, to, false);
}

double AbsoluteArea_uVms(const EcgSignal& beat, Lead lead, const BeatBoundaries& b, size_t from,
                         size_t to) {
  return Area_uVms(beat, lead, b, from, to, true);
}

}  // namespace ecg
