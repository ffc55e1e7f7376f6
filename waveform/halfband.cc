#include "waveform/halfband.h"

#include <cmath>
#include <vector>

#include "waveform/edge_extension.h"
#include "waveform/float_lanes.h"
#include "waveform/kaiser.h"

namespace ecg {
namespace {

// Taps at odd offsets +-1, +-3, ..., +-(2 kPairs - 1); the even offsets other than 0 are zero.
constexpr size_t kPairs = (kHalfbandTaps - 1) / 2;
constexpr double kHalfWidth = 2 * kPairs;  // input samples, where the window reaches zero
constexpr double kBeta = 5.65;
// Input samples before x[0] in the split arrays: even[m] = x(2m - kPad), odd[m] = x(2m + 1 - kPad).
constexpr size_t kPad = 2 * kPairs;
static_assert(kPairs % 2 == 0, "Filter sums the pairs two at a time");

struct Coefficients {
  float centre;
  float pair[kPairs];  // pair[q] weights x(2j + 2q + 1) + x(2j - 2q - 1)
};

Coefficients Design() {
  double centre = 0.5, pair[kPairs], sum = centre;
  for (size_t q = 0; q < kPairs; ++q) {
    const double d = 2.0 * q + 1;
    pair[q] = 0.5 * Sinc(d / 2) * KaiserWindow(kBeta, d / kHalfWidth);
    sum += 2 * pair[q];
  }
  Coefficients c;
  c.centre = static_cast<float>(centre / sum);
  for (size_t q = 0; q < kPairs; ++q) c.pair[q] = static_cast<float>(pair[q] / sum);
  return c;
}

const Coefficients& Taps() {
  static const Coefficients coefficients = Design();
  return coefficients;
}

// Splits the extended input into its even and odd samples (length `size` each): whole vectors
// where the input is in range, ExtendedSample at the edges.
ECG_MULTIVERSION
void Split(const float* x, size_t n, size_t size, float* even, float* odd) {
  const auto at = [x, n](size_t m, size_t parity) {
    return ExtendedSample(
        x, n, static_cast<std::ptrdiff_t>(2 * m + parity) - static_cast<std::ptrdiff_t>(kPad));
  };
  size_t m = 0;
  for (; m < kPad / 2 && m < size; ++m) even[m] = at(m, 0), odd[m] = at(m, 1);
  for (; m + kLanes <= size && 2 * m + 2 * kLanes <= n + kPad; m += kLanes) {
    Lanes a, b;
    Load(a, x + 2 * m - kPad);
    Load(b, x + 2 * m - kPad + kLanes);
    Store(even + m, __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14));
    Store(odd + m, __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15));
  }
  for (; m < size; ++m) even[m] = at(m, 0), odd[m] = at(m, 1);
}

// acc += coefficient * (x[a] + x[b]), eight outputs at once.
inline void AddPair(Lanes& acc, float coefficient, const float* a, const float* b) {
  Lanes later, earlier;
  Load(later, a);
  Load(earlier, b);
  acc += coefficient * (later + earlier);
}

// blocks x kLanes outputs: y[j] = centre even[j + kPairs] + sum_q pair[q] (odd[j + kPairs + q] +
// odd[j + kPairs - 1 - q]), the pairs summed in two interleaved chains (fixed order).
ECG_MULTIVERSION
void Filter(const Coefficients& c, const float* even, const float* odd, size_t blocks, float* y) {
  for (size_t j = 0; j < blocks * kLanes; j += kLanes) {
    Lanes centre, acc0 = {}, acc1 = {};
    Load(centre, even + j + kPairs);
    for (size_t q = 0; q < kPairs; q += 2) {
      AddPair(acc0, c.pair[q], odd + j + kPairs + q, odd + j + kPairs - 1 - q);
      AddPair(acc1, c.pair[q + 1], odd + j + kPairs + q + 1, odd + j + kPairs - 2 - q);
    }
    Store(y + j, (c.centre * centre + acc0) + acc1);
  }
}

}  // namespace

void HalfbandDecimate(const float* const* in, size_t channels, size_t n, float* const* out) {
  const size_t count = (n + 1) / 2;
  const size_t blocks = (count + kLanes - 1) / kLanes;
  const size_t size = blocks * kLanes + 2 * kPairs;  // the last block reads up to here
  thread_local std::vector<float> even, odd, y;
  even.resize(size);
  odd.resize(size);
  y.resize(blocks * kLanes);
  for (size_t c = 0; c < channels; ++c) {
    Split(in[c], n, size, even.data(), odd.data());
    Filter(Taps(), even.data(), odd.data(), blocks, y.data());
    std::copy(y.begin(), y.begin() + count, out[c]);
  }
}

}  // namespace ecg
