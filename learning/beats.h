// Beat structure for the encoder's beat branch and the median-beat baseline, in LibTorch (R peaks
// come from waveform/measurements.h).
//
// MedianBeats takes a batch at a model rate and R peak indices at that rate and returns each
// lead's median beat: the samples from 250 ms before to 450 ms after each R peak, the median
// across beats per sample, minus the beat's PR-segment level (80 to 50 ms before R). Beats whose
// window leaves the signal are skipped; a row without any beat gives zeros. Differentiable
// (through the median's selected samples); no state, thread-safe.
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace ecg::learning {

constexpr double kBeatBefore_ms = 250.0;
constexpr double kBeatAfter_ms = 450.0;

// Samples per median beat at rate_hz.
int64_t BeatSamples(int64_t rate_hz);

// signals [B, L, T] (any unit), peaks [B, K] int64 sample indices at rate_hz, -1 for padding.
// Returns [B, L, BeatSamples(rate_hz)].
torch::Tensor MedianBeats(const torch::Tensor& signals, const torch::Tensor& peaks,
                          int64_t rate_hz);

}  // namespace ecg::learning
