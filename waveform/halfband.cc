#include "waveform/halfband.h"

#include <algorithm>
#include <cmath>

#include "waveform/edge_extension.h"
#include "waveform/float_lanes.h"
#include "waveform/kaiser.h"

// GCC on x86-64 gets a 16-float (AVX-512) path beside the multiversioned 8-float one.
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ECG_HALFBAND_AVX512 1
#endif

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
#ifdef ECG_HALFBAND_AVX512
ECG_ALWAYS_INLINE void Deinterleave(const float* p, Lanes16* even, Lanes16* odd) {
  Lanes16 a, b;
  Load(a, p);
  Load(b, p + 16);
  *even = __builtin_shufflevector(a, b, 0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
  *odd = __builtin_shufflevector(a, b, 1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
}
#endif

// Splits the extended input into its even and odd samples m0 <= m < m1 (even[m - m0] =
// x(2m - kPad), odd[m - m0] = x(2m + 1 - kPad)): whole vectors where the input is in range,
// ExtendedSample at the edges.
template <typename V>
ECG_ALWAYS_INLINE void Split(const float* x, size_t n, size_t m0, size_t m1, float* even,
                             float* odd) {
  constexpr size_t w = kWidth<V>;
  const auto at = [x, n](size_t m, size_t parity) {
    return ExtendedSample(
        x, n, static_cast<std::ptrdiff_t>(2 * m + parity) - static_cast<std::ptrdiff_t>(kPad));
  };
  size_t m = m0;
  for (; m < kPad / 2 && m < m1; ++m) even[m - m0] = at(m, 0), odd[m - m0] = at(m, 1);
  for (; m + w <= m1 && 2 * m + 2 * w <= n + kPad; m += w) {
    V e, o;
    Deinterleave(x + 2 * m - kPad, &e, &o);
    Store(even + m - m0, e);
    Store(odd + m - m0, o);
  }
  for (; m < m1; ++m) even[m - m0] = at(m, 0), odd[m - m0] = at(m, 1);
}

// acc += coefficient * (x[a] + x[b]), one vector of outputs.
template <typename V>
ECG_ALWAYS_INLINE void AddPair(V& acc, float coefficient, const float* a, const float* b) {
  V later, earlier;
  Load(later, a);
  Load(earlier, b);
  acc += coefficient * (later + earlier);
}

// kVectors vectors of outputs at y: y[j] = centre even[j + kPairs] + sum_q pair[q] (odd[j +
// kPairs + q] + odd[j + kPairs - 1 - q]), the pairs summed in two interleaved chains per vector
// (fixed order, the same for every vector width and count, so all paths agree bit for bit).
// Two vectors at once give the core four independent chains.
template <typename V, size_t kVectors>
ECG_ALWAYS_INLINE void FilterVectors(const Coefficients& c, const float* even, const float* odd,
                                     float* y) {
  constexpr size_t w = kWidth<V>;
  V acc[kVectors][2] = {};
  for (size_t q = 0; q < kPairs; q += 2) {
#pragma GCC unroll 4
    for (size_t v = 0; v < kVectors; ++v) {
      const float* o = odd + v * w + kPairs;
      AddPair(acc[v][0], c.pair[q], o + q, o - 1 - q);
      AddPair(acc[v][1], c.pair[q + 1], o + q + 1, o - 2 - q);
    }
  }
#pragma GCC unroll 4
  for (size_t v = 0; v < kVectors; ++v) {
    V centre;
    Load(centre, even + v * w + kPairs);
    Store(y + v * w, (c.centre * centre + acc[v][0]) + acc[v][1]);
  }
}

// Outputs per chunk of a channel: the chunk's split samples (2 x (kChunk + 2 kPairs) floats)
// stay in L1 while they are filtered.
constexpr size_t kChunk = 256;
constexpr size_t kScratch = kChunk + 2 * kPairs;

// Outputs [j0, j0 + count) of one channel x[0, n) into y[j0...].
template <typename V>
ECG_ALWAYS_INLINE void DecimateChunk(const float* x, size_t n, size_t j0, size_t count, float* y) {
  constexpr size_t w = kWidth<V>;
  const Coefficients& c = Taps();
  const size_t vectors = (count + w - 1) / w;
  alignas(64) float even[kScratch], odd[kScratch], tail[w];
  Split<V>(x, n, j0, j0 + vectors * w + 2 * kPairs, even, odd);
  size_t j = 0;
  for (; j + 2 * w <= count; j += 2 * w) FilterVectors<V, 2>(c, even + j, odd + j, y + j0 + j);
  for (; j + w <= count; j += w) FilterVectors<V, 1>(c, even + j, odd + j, y + j0 + j);
  if (j == count) return;
  FilterVectors<V, 1>(c, even + j, odd + j, tail);
  std::copy(tail, tail + (count - j), y + j0 + j);
}

template <typename V>
ECG_ALWAYS_INLINE void DecimateChannels(const float* const* in, size_t channels, size_t n,
                                        float* const* out) {
  const size_t count = (n + 1) / 2;
  for (size_t ch = 0; ch < channels; ++ch) {
    for (size_t j0 = 0; j0 < count; j0 += kChunk) {
      DecimateChunk<V>(in[ch], n, j0, std::min(kChunk, count - j0), out[ch]);
    }
  }
}

// The channel loop for 8-float vectors (AVX2 or baseline clone) and 16-float ones (AVX-512).
ECG_MULTIVERSION
void DecimateLanes8(const float* const* in, size_t channels, size_t n, float* const* out) {
  DecimateChannels<Lanes>(in, channels, n, out);
}

#ifdef ECG_HALFBAND_AVX512
__attribute__((target("avx512f"), optimize("fp-contract=off"))) void DecimateLanes16(
    const float* const* in, size_t channels, size_t n, float* const* out) {
  DecimateChannels<Lanes16>(in, channels, n, out);
}
#endif

}  // namespace

void HalfbandDecimate(const float* const* in, size_t channels, size_t n, float* const* out,
                      HalfbandIsa isa) {
#ifdef ECG_HALFBAND_AVX512
  static const bool has_avx512 = __builtin_cpu_supports("avx512f");
  if (isa == HalfbandIsa::kWidest && has_avx512) return DecimateLanes16(in, channels, n, out);
#endif
  DecimateLanes8(in, channels, n, out);
}

}  // namespace ecg
