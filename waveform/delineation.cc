#include "waveform/delineation.h"

#include <algorithm>
#include <cmath>
#include <limits>
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
  const Index n = static_cast<Index>(beat.samples_per_lead());
  const Index r = search.r;
  const int step = rule.step;
  const Index half = Samples(rule.smooth_ms / 2, rate);
  const int side = rule.trailing ? (step < 0 ? -1 : +1) : 0;
  std::vector<std::vector<double>> slopes;
  for (Lead lead : AllLeads()) {
    if (!beat.mask().present(lead)) continue;
    slopes.push_back(AbsSlope(beat.lead_uV(lead), n, half, side));
  }
  const Index quiet = std::max<Index>(1, Samples(20, rate));
  const Index near = Samples(40, rate), far = Samples(250, rate);
  std::vector<Index> votes;
  for (const auto& [l, p] : TakingLeads(slopes, search.peak_lo, search.peak_hi, min_lead_share)) {
    const std::vector<double>& v = slopes[l];
    const auto [floor, sd] = step < 0 ? QuietestLevelAndSd(v, r - far, r - near, quiet)
                                      : QuietestLevelAndSd(v, r + near, r + far, quiet);
    const double threshold =
        std::max(floor + rule.share * (v[p] - floor), floor + rule.noise_sd * sd);
    const Index g10 = sum_boundary + step * Samples(10, rate);
    const Index g30 = sum_boundary + step * Samples(30, rate);
    if (rule.quiet_guard && MeanOver(v, std::min(g10, g30), std::max(g10, g30)) >= threshold)
      continue;
    const Index limit = step < 0 ? std::max<Index>(0, r - Samples(200, rate))
                                 : std::min<Index>(n - 1, r + Samples(250, rate));
    if (const auto b = QrsBoundary(v, p, limit, step, floor, rule.share, 0, threshold, search.hold))
      votes.push_back(*b);
  }
  if (votes.empty()) return std::nullopt;
  return AgreeingExtreme(votes, Samples(rule.agree_ms, rate), step > 0);
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
  std::vector<std::vector<double>> slopes, wave_leads;
  const Index qrs_half = std::max<Index>(1, Samples(2, rate));
  const Index wave_half = Samples(10, rate);
  for (Lead lead : AllLeads()) {
    if (!beat.mask().present(lead)) continue;
    slopes.push_back(AbsSlope(beat.lead_uV(lead), n, qrs_half));
    wave_leads.push_back(Smooth(beat.lead_uV(lead), n, wave_half));
  }
  if (slopes.empty()) return std::nullopt;
  const size_t leads = slopes.size();
  const Index peak_lo = std::max<Index>(1, r - Samples(60, rate));
  const Index peak_hi = std::min<Index>(n - 2, r + Samples(60, rate));
  const std::vector<double> velocity =
      NormalizedSum(slopes, peak_lo, peak_hi, options.min_lead_share);
  const Index peak = static_cast<Index>(
      std::max_element(velocity.begin() + peak_lo, velocity.begin() + peak_hi + 1) -
      velocity.begin());
  const double peak_velocity = velocity[peak];
  const Index quiet = std::max<Index>(1, Samples(20, rate));
  const auto [floor_before, noise_before] =
      QuietestLevelAndSd(velocity, r - Samples(250, rate), r - Samples(40, rate), quiet);
  const auto [floor_after, noise_after] =
      QuietestLevelAndSd(velocity, r + Samples(40, rate), r + Samples(250, rate), quiet);
  if (!(peak_velocity > floor_before) || !(peak_velocity > floor_after)) return std::nullopt;
  const Index hold = std::max<Index>(1, Samples(options.qrs_hold_ms, rate));
  const QrsSearch search{r, peak_lo, peak_hi, hold};
  const double f = options.qrs_threshold_fraction;
  const double k = options.qrs_noise_sd;
  std::optional<Index> onset =
      QrsBoundary(velocity, peak, std::max<Index>(0, r - Samples(200, rate)), -1, floor_before, f,
                  0, floor_before + k * noise_before, hold);
  std::optional<Index> offset =
      QrsBoundary(velocity, peak, std::min<Index>(n - 1, r + Samples(250, rate)), +1, floor_after,
                  f, 0, floor_after + k * noise_after, hold);
  if (!onset || !offset) return std::nullopt;
  Index qrs_on = *onset, qrs_off = *offset;
  if (!options.qrs_wavelet && (options.qrs_lead_rank > 0 || options.qrs_agree_ms > 0)) {
    const double f_off =
        options.qrs_offset_threshold_fraction > 0 ? options.qrs_offset_threshold_fraction : f;
    std::vector<std::vector<double>> lead_slopes;
    const Index lead_half = Samples(options.qrs_lead_smooth_ms / 2, rate);
    if (lead_half == qrs_half) {
      lead_slopes = slopes;
    } else {
      for (Lead lead : AllLeads()) {
        if (beat.mask().present(lead))
          lead_slopes.push_back(AbsSlope(beat.lead_uV(lead), n, lead_half));
      }
    }
    std::vector<Index> ons, offs;
    for (const auto& [l, p] : TakingLeads(lead_slopes, peak_lo, peak_hi, options.min_lead_share)) {
      const std::vector<double>& v = lead_slopes[l];
      const auto [before, before_sd] =
          QuietestLevelAndSd(v, r - Samples(250, rate), r - Samples(40, rate), quiet);
      const auto [after, after_sd] =
          QuietestLevelAndSd(v, r + Samples(40, rate), r + Samples(250, rate), quiet);
      if (const auto on = QrsBoundary(v, p, std::max<Index>(0, r - Samples(200, rate)), -1, before,
                                      f, options.qrs_wave_share, before + k * before_sd, hold))
        ons.push_back(*on);
      if (const auto off =
              QrsBoundary(v, p, std::min<Index>(n - 1, r + Samples(250, rate)), +1, after, f_off,
                          options.qrs_wave_share, after + k * after_sd, hold))
        offs.push_back(*off);
    }
    const Index agree = Samples(options.qrs_agree_ms, rate);
    if (!ons.empty()) {
      qrs_on = options.qrs_agree_ms > 0 ? AgreeingExtreme(ons, agree, false)
                                        : RankedBoundary(ons, options.qrs_lead_rank, false);
    }
    if (!offs.empty()) {
      qrs_off = options.qrs_agree_ms > 0 ? AgreeingExtreme(offs, agree, true)
                                         : RankedBoundary(offs, options.qrs_lead_rank, true);
    }
  }
  if (options.qrs_wavelet) {
    const int scale = WaveletScaleAt(options.qrs_wavelet_scale, rate);
    std::vector<std::vector<double>> transforms, moduli, levels;
    for (Lead lead : AllLeads()) {
      if (!beat.mask().present(lead)) continue;
      levels.push_back(Smooth(beat.lead_uV(lead), n, qrs_half));
      transforms.push_back(std::move(QuadraticSplineWavelet(beat.lead_uV(lead), n, scale).back()));
      moduli.emplace_back(transforms.back().size());
      std::transform(transforms.back().begin(), transforms.back().end(), moduli.back().begin(),
                     [](double v) { return std::abs(v); });
    }
    std::vector<Index> ons, offs;
    for (const auto& [l, p] : TakingLeads(moduli, peak_lo, peak_hi, options.min_lead_share)) {
      const WaveletQrs q = WaveletQrsBoundaries(
          transforms[l], levels[l],
          QuietestSd(levels[l], r - Samples(250, rate), r - Samples(40, rate), quiet), p, rate,
          options);
      if (q.onset) ons.push_back(*q.onset);
      if (q.offset) offs.push_back(*q.offset);
    }
    const bool ranked = options.qrs_agree_ms <= 0 && options.qrs_lead_rank > 0;
    const Index agree = Samples(options.qrs_agree_ms > 0 ? options.qrs_agree_ms : 10, rate);
    if (!ons.empty()) {
      qrs_on = ranked ? RankedBoundary(ons, options.qrs_lead_rank, false)
                      : AgreeingExtreme(ons, agree, false);
    }
    if (!offs.empty()) {
      qrs_off = ranked ? RankedBoundary(offs, options.qrs_lead_rank, true)
                       : AgreeingExtreme(offs, agree, true);
    }
  }
  // The leads after a 4 ms moving average, for the knee and backtracking variants.
  std::vector<std::vector<double>> levels;
  if (options.qrs_knee_span_ms > 0 || options.qrs_backtrack_sd > 0 || options.p_knee_span_ms > 0 ||
      options.t_knee_span_ms > 0) {
    for (Lead lead : AllLeads()) {
      if (beat.mask().present(lead)) levels.push_back(Smooth(beat.lead_uV(lead), n, qrs_half));
    }
  }
  // The PQ level and the T search stay anchored on the boundaries found so far: the refinements
  // below move the reported QRS only (a T end that follows the PQ level moves by tens of ms when
  // QRS onset moves by a few; docs/measurements.md, third and fourth passes).
  const Index anchor_on = qrs_on, anchor_off = qrs_off;
  if (options.qrs_knee_span_ms > 0 || options.qrs_backtrack_sd > 0) {
    const Index on = qrs_on, off = qrs_off;
    if (options.qrs_knee_span_ms > 0) {
      qrs_on = QrsKnee(levels, velocity, on, -1, on, off, search, rate, options);
      qrs_off = QrsKnee(levels, velocity, off, +1, on, off, search, rate, options);
    }
    if (options.qrs_backtrack_sd > 0) {
      const QuietWindow before =
          QuietestWindow(velocity, r - Samples(250, rate), r - Samples(40, rate), quiet);
      const QuietWindow after =
          QuietestWindow(velocity, r + Samples(40, rate), r + Samples(250, rate), quiet);
      qrs_on = QrsBacktrack(levels, before, qrs_on, -1, search, rate, options);
      if (options.qrs_backtrack_offset)
        qrs_off = QrsBacktrack(levels, after, qrs_off, +1, search, rate, options);
    }
  }
  // Version 4: the onset lead by lead, where it is earlier. The P search keeps ending before the
  // onset found without it, so that the P wave does not move with it; likewise the offset lead by
  // lead, where it is later, and the T search (anchor_off).
  const Index p_anchor = qrs_on;
  if (options.qrs_onset_lead_threshold > 0) {
    if (const auto on =
            LeadByLeadBoundary(beat, search, *onset, OnsetRule(options), options.min_lead_share))
      qrs_on = std::min(qrs_on, *on);
  }
  if (options.qrs_offset_lead_threshold > 0) {
    if (const auto off =
            LeadByLeadBoundary(beat, search, *offset, OffsetRule(options), options.min_lead_share))
      qrs_off = std::max(qrs_off, *off);
  }
  onset = qrs_on;
  offset = qrs_off;

  BeatBoundaries b;
  b.qrs_onset = static_cast<size_t>(*onset);
  b.qrs_offset = static_cast<size_t>(*offset);
  b.pq_anchor = static_cast<size_t>(anchor_on);
  std::vector<double> baselines;
  for (const auto& x : wave_leads) baselines.push_back(PqBaseline(x, anchor_on, rate));

  // T wave: peak and end (Zhang's area indicator) on the normalised |deviation from baseline|.
  const Index rr = Samples(rr_ms, rate);
  const Index t_lo = anchor_off + Samples(60, rate);
  const Index t_hi =
      std::min<Index>(n - 1, r + std::min<Index>(Samples(0.65 * rr_ms, rate), Samples(600, rate)));
  if (t_lo < t_hi) {
    std::vector<std::vector<double>> deviation(leads, std::vector<double>(n));
    for (size_t l = 0; l < leads; ++l) {
      for (Index i = 0; i < n; ++i) deviation[l][i] = std::abs(wave_leads[l][i] - baselines[l]);
    }
    const std::vector<double> m = NormalizedSum(deviation, t_lo, t_hi, options.min_lead_share);
    const Index t_peak =
        static_cast<Index>(std::max_element(m.begin() + t_lo, m.begin() + t_hi + 1) - m.begin());
    const Index end_hi =
        std::min({n - 1, t_peak + Samples(300, rate),
                  std::max(t_peak + Samples(100, rate), r + rr - Samples(200, rate))});
    b.t_peak = static_cast<size_t>(t_peak);
    const Index w = Samples(options.t_area_window_ms, rate);
    if (options.t_lead_rank > 0) {
      std::vector<Index> ends;
      for (const auto& [l, p] : TakingLeads(deviation, t_lo, t_hi, options.min_lead_share)) {
        if (const auto e = AreaBoundary(deviation[l], p + 1, std::max(end_hi, p + 1), w, true))
          ends.push_back(*e);
      }
      if (!ends.empty())
        b.t_offset = static_cast<size_t>(RankedBoundary(ends, options.t_lead_rank, true));
    } else if (const auto t_end = AreaBoundary(m, t_peak + 1, end_hi, w, true)) {
      b.t_offset = static_cast<size_t>(*t_end);
    }
    if (b.t_offset && options.t_knee_span_ms > 0) {
      // On the leads after a 4 ms moving average: a 20 ms one would move the knee of a sharp
      // corner by up to 10 ms.
      std::vector<std::vector<double>> fine(leads, std::vector<double>(n));
      for (size_t l = 0; l < leads; ++l) {
        for (Index i = 0; i < n; ++i) fine[l][i] = std::abs(levels[l][i] - baselines[l]);
      }
      const std::vector<double> c = NormalizedSum(fine, t_lo, t_hi, options.min_lead_share);
      b.t_offset = static_cast<size_t>(KneeBoundary(c, static_cast<Index>(*b.t_offset), +1,
                                                    Samples(options.t_knee_span_ms, rate), t_peak,
                                                    options.t_knee_reach, c[t_peak], 0, end_hi));
    }
  }

  // P wave: between the previous beat's T end and QRS onset, each lead detrended by the line
  // through its levels at the window's ends; found on the spatial magnitude, delimited on the
  // normalised |deviation|.
  const Index p_hi = p_anchor - Samples(10, rate);
  Index p_lo = std::max<Index>(0, p_anchor - Samples(400, rate));
  if (b.t_offset) {
    p_lo = std::max<Index>(p_lo, static_cast<Index>(*b.t_offset) - rr + Samples(20, rate));
  } else {
    p_lo = std::max<Index>(p_lo, r - rr + Samples(0.6 * rr_ms, rate));
  }
  if (p_hi - p_lo >= Samples(60, rate)) {
    std::vector<std::vector<double>> detrended(leads);
    std::vector<double> spatial(n, 0.0);
    for (size_t l = 0; l < leads; ++l) {
      detrended[l] = SpatialMagnitude({wave_leads[l]}, {0.0}, p_lo, p_hi, true, rate);
      for (Index i = p_lo; i <= p_hi; ++i) spatial[i] += detrended[l][i] * detrended[l][i];
    }
    const Index p_peak = static_cast<Index>(
        std::max_element(spatial.begin() + p_lo, spatial.begin() + p_hi + 1) - spatial.begin());
    b.p_amplitude_uV = std::sqrt(spatial[p_peak]);
    if (b.p_amplitude_uV >= options.min_p_amplitude_uV && p_peak > p_lo && p_peak < p_hi) {
      const Index reach = Samples(40, rate);
      const double p_share =
          options.p_lead_share > 0 ? options.p_lead_share : options.min_lead_share;
      const std::vector<double> m =
          NormalizedSum(detrended, p_peak - reach, p_peak + reach, p_share);
      const Index w = std::max<Index>(1, Samples(options.p_area_window_ms, rate));
      auto p_on = AreaBoundary(m, p_lo, p_peak - 1, w, false);
      auto p_off = AreaBoundary(m, p_peak + 1, p_hi, w, true);
      if (options.p_lead_rank > 0) {
        std::vector<Index> ons, offs;
        const Index lo = std::max(p_lo, p_peak - reach), hi = std::min(p_hi, p_peak + reach);
        for (const auto& [l, p] : TakingLeads(detrended, lo, hi, p_share)) {
          if (p <= p_lo || p >= p_hi) continue;
          if (const auto on = AreaBoundary(detrended[l], p_lo, p - 1, w, false)) ons.push_back(*on);
          if (const auto off = AreaBoundary(detrended[l], p + 1, p_hi, w, true))
            offs.push_back(*off);
        }
        if (!ons.empty()) p_on = RankedBoundary(ons, options.p_lead_rank, false);
        if (!offs.empty()) p_off = RankedBoundary(offs, options.p_lead_rank, true);
      }
      if (p_on && p_off && options.p_knee_span_ms > 0) {
        const Index span = Samples(options.p_knee_span_ms, rate);
        // On the leads after a 4 ms moving average (see the T end's); the knee's quiet end stays
        // inside the P window (the curve is 0 outside it).
        std::vector<std::vector<double>> fine(leads);
        for (size_t l = 0; l < leads; ++l)
          fine[l] = SpatialMagnitude({levels[l]}, {0.0}, p_lo, p_hi, true, rate);
        const std::vector<double> c = NormalizedSum(fine, p_peak - reach, p_peak + reach, p_share);
        p_on =
            KneeBoundary(c, *p_on, -1, span, p_peak, options.p_knee_reach, c[p_peak], p_lo, p_hi);
        p_off =
            KneeBoundary(c, *p_off, +1, span, p_peak, options.p_knee_reach, c[p_peak], p_lo, p_hi);
      }
      if (p_on && p_off && options.p_onset_lead_threshold > 0) {
        // P onset lead by lead (DelineationOptions::p_onset_lead_*): never later than above.
        const Index lo = std::max(p_lo, p_peak - reach), hi = std::min(p_hi, p_peak + reach);
        const Index hold = std::max<Index>(1, Samples(options.qrs_hold_ms, rate));
        std::vector<Index> votes;
        for (const auto& [l, p] : TakingLeads(detrended, lo, hi, options.p_onset_lead_share)) {
          if (p <= p_lo) continue;
          if (const auto on = QrsBoundary(detrended[l], p, p_lo, -1, 0,
                                          options.p_onset_lead_threshold, 0, 0, hold))
            votes.push_back(*on);
        }
        if (!votes.empty()) {
          p_on = std::min(
              *p_on, AgreeingExtreme(votes, Samples(options.p_onset_lead_agree_ms, rate), false));
        }
      }
      if (p_on && p_off) {
        b.p_onset = static_cast<size_t>(*p_on);
        b.p_offset = static_cast<size_t>(*p_off);
      }
    }
  }
  return b;
}

double NetArea_uVms(const EcgSignal& beat, Lead lead, const BeatBoundaries& b, size_t from,
                    size_t to) {
  const double rate = beat.sample_rate_hz();
  const Index n = static_cast<Index>(beat.samples_per_lead());
  const std::vector<double> x = Smooth(beat.lead_uV(lead), n, 0);
  const double baseline = PqBaseline(x, static_cast<Index>(b.pq_anchor), rate);
  double area = 0;
  for (size_t i = from; i <= to && static_cast<Index>(i) < n; ++i) area += x[i] - baseline;
  return area * 1000.0 / rate;
}

}  // namespace ecg
