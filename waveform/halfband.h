// 2:1 decimation by a half-band low-pass filter: the Resampler's path for 2:1 with the default
// options (1000 -> 500 Hz, the commonest decimation of ECG archives). Internal to waveform/.
//
// The filter is a Kaiser-windowed sinc (beta 5.65) with its cutoff at the output Nyquist
// frequency and a half-width of 24 input samples: 47 taps, symmetric, every other one zero, so an
// output costs 25 taps (13 multiplications after folding the symmetric pairs) against 32 for the
// general polyphase bank. Unit DC gain. Response: within 0.06% up to 0.55 x the output Nyquist
// frequency, -6 dB at it, below -58 dB from 1.15 x it (tests/waveform/resample_test.cc checks the
// Resampler's specification on it). Output j lies at input position 2j (no delay); there are
// round(n / 2) outputs; beyond the ends the input is extended as waveform/edge_extension.h says.
// Channels are filtered one at a time, 16 outputs per vector where the CPU has AVX-512, else 8
// (AVX2 or baseline x86-64). Every path computes the same operations in the same order; the
// AVX-512 and AVX2 paths fuse each multiply-add (FMA, one rounding) and agree bit for bit, the
// baseline path (x86-64 CPUs without FMA, before 2013, and non-GCC builds) rounds the product and
// the sum separately, so its outputs may differ from theirs in the last bits of the float (far
// below the whole microvolt Canonicalise rounds to). Pure, thread-safe.
#pragma once

#include <cstddef>

namespace ecg {

// Non-zero taps per output.
constexpr size_t kHalfbandTaps = 25;

// kWidest: the widest vectors this CPU has; kEight: 8-float vectors (with FMA where the CPU has
// it); kBaseline: 8-float vectors without FMA (for tests comparing paths).
enum class HalfbandIsa { kWidest, kEight, kBaseline };

// in[c][0, n) -> out[c][0, (n + 1) / 2) for c < channels. REQUIRES n >= 1, no overlap.
void HalfbandDecimate(const float* const* in, size_t channels, size_t n, float* const* out,
                      HalfbandIsa isa = HalfbandIsa::kWidest);

}  // namespace ecg
