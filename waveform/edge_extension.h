// How the resamplers see a signal beyond its ends: point reflection, x[-k] = 2 x[0] - x[k] and
// x[n-1+k] = 2 x[n-1] - x[n-1-k], which continues both the level and the slope, so offsets and
// baseline drift do not ring at the edges; beyond one reflection the edge value is held.
// Internal to waveform/ (resample.cc, halfband.cc). REQUIRES n >= 1. Pure, thread-safe.
#pragma once

#include <algorithm>
#include <cstddef>

namespace ecg {

// x[t] for 0 <= t < n, the extension above otherwise.
inline float ExtendedSample(const float* x, size_t n, std::ptrdiff_t t) {
  const auto last = static_cast<std::ptrdiff_t>(n) - 1;
  if (t < 0) return 2 * x[0] - x[std::min(-t, last)];
  if (t > last) return 2 * x[last] - x[last - std::min(t - last, last)];
  return x[t];
}

}  // namespace ecg
