// Eight floats processed as one value (GCC/Clang vector extension), for hot loops (resample.cc,
// halfband.cc, dicom/sample_codec.cc; storage/signal_codec.cc uses ECG_MULTIVERSION). Arithmetic on
// Lanes is element-wise; GCC lowers it to AVX2 or to pairs of SSE instructions. ECG_MULTIVERSION
// compiles a function twice (AVX2 and baseline x86-64) and picks one at run time; neither enables
// FMA, so both give bit-identical results for a fixed summation order. Lanes is under-aligned on
// purpose (it is loaded from and stored to std::vector<float> storage through Load/Store); GCC lets
// vector types alias their element type. Load/Store dereference rather than memcpy: GCC 12 can
// expand a 32-byte memcpy inside a target("avx2") function as 16-byte moves through a stack slot
// (it did so in the sample decoder, waveform/dicom/sample_codec.cc).
#pragma once

#include <cstddef>

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define ECG_MULTIVERSION __attribute__((target_clones("avx2", "default")))
#else
#define ECG_MULTIVERSION
#endif

// For the helpers of a multiversioned function: inlined into each clone, so that they are
// compiled for that clone's instruction set (an out-of-line copy would be baseline x86-64).
#define ECG_ALWAYS_INLINE inline __attribute__((always_inline))

namespace ecg {

constexpr size_t kLanes = 8;

typedef float Lanes __attribute__((vector_size(kLanes * sizeof(float)), aligned(alignof(float))));

ECG_ALWAYS_INLINE void Load(Lanes& v, const float* p) {
  v = *reinterpret_cast<const Lanes*>(p);
}

ECG_ALWAYS_INLINE void Store(float* p, const Lanes& v) {
  *reinterpret_cast<Lanes*>(p) = v;
}

// Sixteen floats, for functions compiled with target("avx512f") (one zmm register); the same
// element-wise arithmetic as Lanes.
typedef float Lanes16 __attribute__((vector_size(16 * sizeof(float)), aligned(alignof(float))));

ECG_ALWAYS_INLINE void Load(Lanes16& v, const float* p) {
  v = *reinterpret_cast<const Lanes16*>(p);
}

ECG_ALWAYS_INLINE void Store(float* p, const Lanes16& v) {
  *reinterpret_cast<Lanes16*>(p) = v;
}

// Transposes an 8 x 8 block in place (rows become columns): three rounds of shuffles instead
// of 64 scalar moves.
inline void Transpose8(Lanes r[kLanes]) {
  Lanes t[kLanes], u[kLanes];
  for (size_t i = 0; i < kLanes; i += 2) {
    t[i] = __builtin_shufflevector(r[i], r[i + 1], 0, 8, 1, 9, 4, 12, 5, 13);
    t[i + 1] = __builtin_shufflevector(r[i], r[i + 1], 2, 10, 3, 11, 6, 14, 7, 15);
  }
  for (size_t i = 0; i < kLanes; i += 4) {
    u[i] = __builtin_shufflevector(t[i], t[i + 2], 0, 1, 8, 9, 4, 5, 12, 13);
    u[i + 1] = __builtin_shufflevector(t[i], t[i + 2], 2, 3, 10, 11, 6, 7, 14, 15);
    u[i + 2] = __builtin_shufflevector(t[i + 1], t[i + 3], 0, 1, 8, 9, 4, 5, 12, 13);
    u[i + 3] = __builtin_shufflevector(t[i + 1], t[i + 3], 2, 3, 10, 11, 6, 7, 14, 15);
  }
  for (size_t i = 0; i < 4; ++i) {
    r[i] = __builtin_shufflevector(u[i], u[i + 4], 0, 1, 2, 3, 8, 9, 10, 11);
    r[i + 4] = __builtin_shufflevector(u[i], u[i + 4], 4, 5, 6, 7, 12, 13, 14, 15);
  }
}

}  // namespace ecg
