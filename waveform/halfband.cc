#include "waveform/halfband.h"

#include <algorithm>
#include <cmath>

// Declares the FMA builtins used below (GCC registers them with the target pragmas it holds).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#endif

#include "waveform/edge_extension.h"
#include "waveform/float_lanes.h"
#include "waveform/kaiser.h"

// GCC on x86-64 gets 16-float (AVX-512) and 8-float (AVX2) paths with FMA beside the baseline one.
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

// How a path multiplies and adds: Fused (one rounding, vfmadd) where the CPU has FMA, Separate
// (two roundings) on baseline x86-64.
// The builtins, not the intrinsics: an intrinsic (a target("fma") function) cannot be inlined into
// these generic helpers, a builtin is expanded where the helper lands, inside the FMA paths.
// Always inlined, so the ABI of a vector return without AVX (-Wpsabi) never applies.
#ifdef ECG_HALFBAND_AVX512
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wpsabi"
struct Fused {
  ECG_ALWAYS_INLINE static void MulAdd(Lanes& acc, float c, const Lanes& x) {
    const Lanes coefficient = {c, c, c, c, c, c, c, c};
    acc = __builtin_ia32_vfmaddps256(coefficient, x, acc);
  }
  ECG_ALWAYS_INLINE static void MulAdd(Lanes16& acc, float c, const Lanes16& x) {
    const Lanes16 coefficient = {c, c, c, c, c, c, c, c, c, c, c, c, c, c, c, c};
    acc = __builtin_ia32_vfmaddps512_mask(coefficient, x, acc, 0xffff, 4);
  }
};
#pragma GCC diagnostic pop
#endif
struct Separate {
  ECG_ALWAYS_INLINE static void MulAdd(Lanes& acc, float c, const Lanes& x) { acc += c * x; }
};

// acc += coefficient * (x[a] + x[b]), one vector of outputs.
template <typename M, typename V>
ECG_ALWAYS_INLINE void AddPair(V& acc, float coefficient, const float* a, const float* b) {
  V later, earlier;
  Load(later, a);
  Load(earlier, b);
  M::MulAdd(acc, coefficient, later + earlier);
}

// kVectors vectors of outputs at y: y[j] = centre even[j + kPairs] + sum_q pair[q] (odd[j +
// kPairs + q] + odd[j + kPairs - 1 - q]), the pairs summed in two interleaved chains per vector
// (fixed order, the same for every vector width and count, so the paths with the same M agree
// bit for bit). Two vectors at once give the core four independent chains.
template <typename M, typename V, size_t kVectors>
ECG_ALWAYS_INLINE void FilterVectors(const Coefficients& c, const float* even, const float* odd,
                                     float* y) {
  constexpr size_t w = kWidth<V>;
  V acc[kVectors][2] = {};
#pragma GCC unroll 6
  for (size_t q = 0; q < kPairs; q += 2) {
#pragma GCC unroll 4
    for (size_t v = 0; v < kVectors; ++v) {
      const float* o = odd + v * w + kPairs;
      AddPair<M>(acc[v][0], c.pair[q], o + q, o - 1 - q);
      AddPair<M>(acc[v][1], c.pair[q + 1], o + q + 1, o - 2 - q);
    }
  }
#pragma GCC unroll 4
  for (size_t v = 0; v < kVectors; ++v) {
    V centre;
    Load(centre, even + v * w + kPairs);
    M::MulAdd(acc[v][0], c.centre, centre);
    Store(y + v * w, acc[v][0] + acc[v][1]);
  }
}

// Outputs per chunk of a channel: the chunk's split samples (2 x (kChunk + 2 kPairs) floats)
// stay in L1 while they are filtered.
constexpr size_t kChunk = 256;
constexpr size_t kScratch = kChunk + 2 * kPairs;

// Outputs [j0, j0 + count) of one channel x[0, n) into y[j0...].
template <typename M, typename V>
ECG_ALWAYS_INLINE void DecimateChunk(const float* x, size_t n, size_t j0, size_t count, float* y) {
  constexpr size_t w = kWidth<V>;
  const Coefficients& c = Taps();
  const size_t vectors = (count + w - 1) / w;
  alignas(64) float even[kScratch], odd[kScratch], tail[w];
  Split<V>(x, n, j0, j0 + vectors * w + 2 * kPairs, even, odd);
  size_t j = 0;
  for (; j + 2 * w <= count; j += 2 * w) FilterVectors<M, V, 2>(c, even + j, odd + j, y + j0 + j);
  for (; j + w <= count; j += w) FilterVectors<M, V, 1>(c, even + j, odd + j, y + j0 + j);
  if (j == count) return;
  FilterVectors<M, V, 1>(c, even + j, odd + j, tail);
  std::copy(tail, tail + (count - j), y + j0 + j);
}

template <typename M, typename V>
ECG_ALWAYS_INLINE void DecimateChannels(const float* const* in, size_t channels, size_t n,
                                        float* const* out) {
  const size_t count = (n + 1) / 2;
  for (size_t ch = 0; ch < channels; ++ch) {
    for (size_t j0 = 0; j0 < count; j0 += kChunk) {
      DecimateChunk<M, V>(in[ch], n, j0, std::min(kChunk, count - j0), out[ch]);
    }
  }
}

// The channel loop for 16-float vectors (AVX-512), 8-float ones with FMA (AVX2), and 8-float
// ones without (baseline x86-64: SSE pairs).
#ifdef ECG_HALFBAND_AVX512
__attribute__((target("avx512f,fma"))) void DecimateLanes16(const float* const* in, size_t channels,
                                                            size_t n, float* const* out) {
  DecimateChannels<Fused, Lanes16>(in, channels, n, out);
}

__attribute__((target("avx2,fma"))) void DecimateLanes8Fused(const float* const* in,
                                                             size_t channels, size_t n,
                                                             float* const* out) {
  DecimateChannels<Fused, Lanes>(in, channels, n, out);
}
#endif

void DecimateLanes8Separate(const float* const* in, size_t channels, size_t n, float* const* out) {
  DecimateChannels<Separate, Lanes>(in, channels, n, out);
}

}  // namespace

void HalfbandDecimate(const float* const* in, size_t channels, size_t n, float* const* out,
                      HalfbandIsa isa) {
#ifdef ECG_HALFBAND_AVX512
  static const bool has_fma = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  static const bool has_avx512 = has_fma && __builtin_cpu_supports("avx512f");
  if (isa == HalfbandIsa::kWidest && has_avx512) {
    return DecimateLanes16(in, channels, n, out);
  }
  if (isa != HalfbandIsa::kBaseline && has_fma) {
    return DecimateLanes8Fused(in, channels, n, out);
  }
#endif
  DecimateLanes8Separate(in, channels, n, out);
}

}  // namespace ecg
