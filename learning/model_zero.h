// Model zero: the non-learned embedding that serves similar-ECG search from the first ECG of a
// fresh installation, before any training, and the reference a trained model must beat to be
// promoted (tools/worker_gate.h). No weights, no fitted statistics: a fixed formula of one ECG.
//
// The embedding of one ECG (canonical, 500 Hz; its centre 10 s, as the learned models read it):
//   1. R peaks (waveform/measurements.h, at most kModelZeroMaxBeats), the signal averaged down
//      to 100 Hz, each lead's median beat from 250 ms before to 450 ms after R, PR-level
//      corrected (learning/beats.h): 12 leads x 70 samples, in millivolts;
//   2. beat block: each sample compressed as asinh(x / 0.1 mV) (linear for small waves,
//      logarithmic for the QRS, so the P wave and the ST-T segment count), each lead then
//      z-normalised over its 70 samples (shape, not size: a flat or missing lead stays zero), and
//      the 840 values L2-normalised together;
//   3. rhythm block: mean RR interval and the standard deviation of RR intervals (seconds),
//      centred and scaled by fixed population figures ((RR - 0.85 s) / 0.2 s, (SDRR - 0.05 s) /
//      0.05 s, both clamped to [-3, 3]), 0 when fewer than two R peaks were found;
//   4. the beat block weighted sqrt(1 - w) and the rhythm block sqrt(w) / 3 (w =
//      kModelZeroRhythmWeight), concatenated, L2-normalised: kModelZeroDimension floats.
// A lead that is missing or flat contributes zeros; an ECG without any detected beat has a zero
// beat block (its embedding is its rhythm block, or the first unit axis when that is zero too),
// so every row is unit-norm and finite.
//
// Stored in the store as a model like the others: kind "zero" (sql/0004_model_zero.sql), empty
// bytes, and ModelZeroDescription() as its configuration. The formula is versioned
// (kModelZeroVersion, in that configuration): when a plugin with another formula starts, the
// store replaces the configuration and drops model zero's embeddings (EcgStore::EnsureModelZero),
// so they are computed again. Change the version with the formula.
//
// Pure functions, thread-safe (one LibTorch NoGradGuard per call, CPU). Errors:
// Error::InvalidArgument for a signal that is not at 500 Hz (learning/dataset.h PrepareEcg).
#pragma once

#include <torch/types.h>

#include <cstdint>
#include <nlohmann/json.hpp>

#include "learning/model_config.h"

namespace ecg::learning {

constexpr const char* kModelZeroKind = "zero";
constexpr const char* kModelZeroName = "model zero (median beat + rhythm, no training)";
constexpr int kModelZeroVersion = 1;
constexpr int64_t kModelZeroRate_hz = 100;
constexpr int64_t kModelZeroMaxBeats = 32;
constexpr int64_t kModelZeroRhythmFeatures = 2;
constexpr double kModelZeroRhythmWeight = 0.05;
// 12 leads x 70 samples + the rhythm features.
constexpr int64_t kModelZeroDimension = 12 * 70 + kModelZeroRhythmFeatures;

// What PrepareEcg/StackBatch need to read ECGs for model zero (window, beats kept); its
// embedding_dim is kModelZeroDimension.
ModelConfig ModelZeroInputConfig();

// signals_mV [B, 12, T] at 500 Hz, peaks [B, K] int64 sample indices at 500 Hz (-1 padding)
// -> [B, kModelZeroDimension], rows L2-normalised.
torch::Tensor ModelZeroEmbed(const torch::Tensor& signals_mV, const torch::Tensor& peaks);

// The same embedding from median beats already computed ([B, 12, 70] in mV at 100 Hz, e.g. from
// a subset of the beats) and the R peaks that give the rhythm features ([B, K] at 500 Hz).
torch::Tensor ModelZeroFromBeats(const torch::Tensor& beats_100hz_mV, const torch::Tensor& peaks);

// The per-lead median beats of a batch as model zero and the median-beat baseline see them:
// [B, 12, BeatSamples(kModelZeroRate_hz)] in mV at 100 Hz.
torch::Tensor MedianBeats100Hz(const torch::Tensor& signals_mV, const torch::Tensor& peaks);

// The configuration stored with model zero: {"kind", "version", "embedding_dim", "description"}.
nlohmann::json ModelZeroDescription();

}  // namespace ecg::learning
