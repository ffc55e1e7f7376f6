#include "waveform/wavelet.h"

#include <algorithm>
#include <cmath>

namespace ecg {

std::vector<std::vector<double>> QuadraticSplineWavelet(const float* x, size_t n, int scales) {
  using Index = std::ptrdiff_t;
  const Index len = static_cast<Index>(n);
  std::vector<std::vector<double>> out(static_cast<size_t>(std::max(scales, 0)));
  if (len == 0) return out;
  const auto at = [len](const std::vector<double>& v, Index i) {
    return v[static_cast<size_t>(std::clamp<Index>(i, 0, len - 1))];
  };
  std::vector<double> smooth(x, x + n), next(n), raw(n);
  for (int k = 1; k <= scales; ++k) {
    const Index step = Index{1} << (k - 1);
    // Raw outputs at scale 2^k are centred 2^(k-1) - 1/2 samples after their index: the smoothed
    // signal lags by (2^(k-1) - 1) / 2 and G adds step / 2.
    for (Index i = 0; i < len; ++i) {
      raw[i] = 2.0 * (at(smooth, i + step) - at(smooth, i));
      next[i] = (at(smooth, i - step) + 3.0 * at(smooth, i) + 3.0 * at(smooth, i + step) +
                 at(smooth, i + 2 * step)) /
                8.0;
    }
    const Index shift = step - 1;
    std::vector<double>& w = out[static_cast<size_t>(k - 1)];
    w.resize(n);
    for (Index i = 0; i < len; ++i) w[i] = at(raw, i - shift);
    smooth.swap(next);
  }
  return out;
}

int WaveletScaleAt(int k_at_250_hz, double rate_hz) {
  const double octaves = rate_hz > 0 ? std::log2(rate_hz / 250.0) : 0.0;
  return std::max(1, k_at_250_hz + static_cast<int>(std::lround(octaves)));
}

}  // namespace ecg
