// Median of a sample of doubles, as the measurements use it: the middle value, the mean of the
// two middle values for an even count, 0 for an empty sample. MedianInPlace reorders its
// argument instead of copying it (for loops that refill one buffer, e.g. MedianBeat's per-sample
// median); Median takes a copy. O(n) (nth_element). Pure functions.
#pragma once

#include <algorithm>
#include <vector>

namespace ecg {

inline double MedianInPlace(std::vector<double>& v) {
  if (v.empty()) return 0;
  const size_t mid = v.size() / 2;
  std::nth_element(v.begin(), v.begin() + mid, v.end());
  if (v.size() % 2 == 1) return v[mid];
  const double upper = v[mid];
  return 0.5 * (upper + *std::max_element(v.begin(), v.begin() + mid));
}

inline double Median(std::vector<double> v) {
  return MedianInPlace(v);
}

}  // namespace ecg
