#include "waveform/halfband.h"

#include <algorithm>
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

// Vector width in floats of V. The templates below load and store through Load/Store's overloads
// (float_lanes.h): a vector type passed as a template argument loses its alignment attribute, so
// dereferencing a V* would assume 32- or 64-byte alignment.
template <typename V>
constexpr size_t kWidth = sizeof(V) / sizeof(float);

// The even and odd elements of the 2 x width floats at p.
ECG_ALWAYS_INLINE void Deinterleave(const float* p, Lanes* even, Lanes* odd) {
  Lanes a, b;
  Load(a, p);
  Load(b, p + kLanes);
  *even = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14);
  *odd = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15);
}
ECG_ALWAYS_INLINE void Deinterleave(const float* p, Lanes16* even, Lanes16* odd) {
  Lanes16 a, b;
  Load(a, p);
  Load(b, p + 16);
  *even = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  *odd = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}

// Splits the extended input into its even and odd samples (length `size` each): whole vectors
// where the input is in range, ExtendedSample at the edges.
template <typename V>
ECG_ALWAYS_INLINE void Split(const float* x, size_t n, size_t size, float* even, float* odd) {
  constexpr size_t w = kWidth<V>;
  const auto at = [x, n](size_t m, size_t parity) {
    return ExtendedSample(
        x, n, static_cast<std::ptrdiff_t>(2 * m + parity) - static_cast<std::ptrdiff_t>(kPad));
  };
  size_t m = 0;
  for (; m < kPad / 2 && m < size; ++m) even[m] = at(m, 0), odd[m] = at(m, 1);
  for (; m + w <= size && 2 * m + 2 * w <= n + kPad; m += w) {
    V e, o;
    Deinterleave(x + 2 * m - kPad, &e, &o);
    Store(even + m, e);
    Store(odd + m, o);
  }
  for (; m < size; ++m) even[m] = at(m, 0), odd[m] = at(m, 1);
}

// acc += coefficient * (x[a] + x[b]), one vector of outputs.
template <typename V>
ECG_ALWAYS_INLINE void AddPair(V& acc, float coefficient, const float* a, const float* b) {
  V later, earlier;
  Load(later, a);
  Load(earlier, b);
  acc += coefficient * (later + earlier);
}

// One vector of outputs at y: y[j] = centre even[j + kPairs] + sum_q pair[q] (odd[j + kPairs + q]
// + odd[j + kPairs - 1 - q]), the pairs summed in two interleaved chains (fixed order, the same
// for every vector width, so all paths agree bit for bit).
template <typename V>
ECG_ALWAYS_INLINE void FilterVector(const Coefficients& c, const float* even, const float* odd,
                                    float* y) {
  V centre, acc0 = {}, acc1 = {};
  Load(centre, even + kPairs);
  for (size_t q = 0; q < kPairs; q += 2) {
    AddPair(acc0, c.pair[q], odd + kPairs + q, odd + kPairs - 1 - q);
    AddPair(acc1, c.pair[q + 1], odd + kPairs + q + 1, odd + kPairs - 2 - q);
  }
  Store(y, (c.centre * centre + acc0) + acc1);
}

// One channel: x[0, n) -> y[0, (n + 1) / 2). even and odd are scratch of `size` floats each,
// tail of one vector; whole vectors of outputs are written straight to y, the last through tail.
template <typename V>
ECG_ALWAYS_INLINE void DecimateChannel(const float* x, size_t n, float* y, size_t size, float* even,
                                       float* odd, float* tail) {
  constexpr size_t w = kWidth<V>;
  const Coefficients& c = Taps();
  const size_t count = (n + 1) / 2;
  Split<V>(x, n, size, even, odd);
  size_t j = 0;
  for (; j + w <= count; j += w) FilterVector<V>(c, even + j, odd + j, y + j);
  if (j == count) return;
  FilterVector<V>(c, even + j, odd + j, tail);
  std::copy(tail, tail + (count - j), y + j);
}

// The channel loop for 8-float vectors (AVX2 or baseline clone) and 16-float ones (AVX-512).
ECG_MULTIVERSION
void DecimateLanes8(const float* const* in, size_t channels, size_t n, float* const* out,
                    size_t size, float* even, float* odd, float* tail) {
  for (size_t ch = 0; ch < channels; ++ch) {
    DecimateChannel<Lanes>(in[ch], n, out[ch], size, even, odd, tail);
  }
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ECG_HALFBAND_AVX512 1
__attribute__((target("avx512f"), optimize("fp-contract=off"))) void DecimateLanes16(
    const float* const* in, size_t channels, size_t n, float* const* out, size_t size, float* even,
    float* odd, float* tail) {
  for (size_t ch = 0; ch < channels; ++ch) {
    DecimateChannel<Lanes16>(in[ch], n, out[ch], size, even, odd, tail);
  }
}
#endif

}  // namespace

void HalfbandDecimate(const float* const* in, size_t channels, size_t n, float* const* out,
                      HalfbandIsa isa) {
  constexpr size_t kMaxWidth = 16;
  const size_t count = (n + 1) / 2;
  const size_t blocks = (count + kMaxWidth - 1) / kMaxWidth;
  const size_t size = blocks * kMaxWidth + 2 * kPairs;  // the last vector reads up to here
  thread_local std::vector<float> even, odd, tail(kMaxWidth);
  even.resize(size);
  odd.resize(size);
#ifdef ECG_HALFBAND_AVX512
  static const bool has_avx512 = __builtin_cpu_supports("avx512f");
  if (isa == HalfbandIsa::kWidest && has_avx512) {
    return DecimateLanes16(in, channels, n, out, size, even.data(), odd.data(), tail.data());
  }
#endif
  DecimateLanes8(in, channels, n, out, size, even.data(), odd.data(), tail.data());
}

}  // namespace ecg
