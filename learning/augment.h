// Physiological augmentations of a batch of 12-lead ECGs (after 3KG), in LibTorch.
//
// Vectorcardiogram views: the eight independent leads (I, II, V1-V6) are projected to a VCG
// (X, Y, Z) with the inverse Dower matrix, the VCG is rotated by random angles up to
// max_rotation_deg about each axis and each axis scaled, and the change is projected back with the
// Dower matrix and added to the leads (so non-dipolar content is kept and a zero rotation is the
// identity). The other augmentations: random crops (ends zeroed, R peaks there dropped),
// amplitude scaling, baseline wander, Gaussian noise and time masking of one contiguous window per
// lead. Everything is applied to the eight independent leads and III, aVR, aVL, aVF are derived
// again at the end, so the limb-lead relations always hold.
//
// Signals in millivolts [B, 12, T] at rate_hz; randomness from LibTorch's default generator
// (seed it with torch::manual_seed for reproducible views). Stateless functions, thread-safe as
// far as the default generator is.
#pragma once

#include <torch/types.h>

#include <cstdint>

namespace ecg::learning {

struct AugmentOptions {
  bool vcg = false;                  // rotate/scale the heart axis (moves identity cues)
  double max_rotation_deg = 45.0;    // per-axis rotation bound when vcg
  double axis_scale = 0.25;          // each VCG axis scaled by U(1 - s, 1 + s) when vcg
  double crop_fraction = 0.1;        // up to this fraction of T zeroed at each end
  double amplitude_scale = 0.1;      // whole ECG scaled by U(1 - s, 1 + s)
  double baseline_wander_mV = 0.05;  // amplitude of a random 0.05-0.5 Hz sinusoid per lead
  double noise_mV = 0.02;            // Gaussian noise standard deviation
  double time_mask_ratio = 0.0;      // contiguous window of this fraction of T zeroed per lead
  double beat_dropout = 0.0;         // chance that each R peak is left out of the view's peaks, so
                                     // its median beat comes from another subset of the beats
};

struct AugmentedBatch {
  torch::Tensor signals_mV;  // [B, 12, T]
  torch::Tensor peaks;       // [B, K], peaks inside cropped ends or dropped set to -1
};

// The 8x3 Dower matrix (rows I, II, V1..V6; columns X, Y, Z) and its 3x8 inverse (Edenbrandt).
torch::Tensor DowerMatrix();
torch::Tensor InverseDowerMatrix();

// [B, 12, T] -> [B, 3, T] from I, II, V1-V6.
torch::Tensor ToVcg(const torch::Tensor& signals_mV);
// [B, 3, T] -> [B, 12, T]: Dower projection of I, II, V1-V6, limb leads derived.
torch::Tensor FromVcg(const torch::Tensor& vcg);
// [B, 12, T]: recomputes III, aVR, aVL, aVF from I and II.
torch::Tensor DeriveLimbLeads(const torch::Tensor& signals_mV);

AugmentedBatch Augment(const torch::Tensor& signals_mV, const torch::Tensor& peaks, double rate_hz,
                       const AugmentOptions& options);

}  // namespace ecg::learning
