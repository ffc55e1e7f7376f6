// BeatBlock: the identity block of the embedding. Each lead's R-aligned median beat
// (learning/beats.h), standardised per feature and projected on its principal axes, with the
// statistics fitted on training ECGs and kept as model buffers (saved with the weights), so the
// embedder needs no extra input. The median beat is the strongest non-learned identity cue on
// PTB-XL (docs/model.md); the learned part of the embedding only has to add to it.
//
// Buffers (checkpoint keys, do not rename): "mean" [F], "inv_std" [F], "basis" [F, dim], with
// F = 12 * BeatSamples(rate_hz). Before Fit they hold an identity-like map (mean 0, inv_std 1,
// the first dim unit axes). Fit needs at least 2 rows; components beyond the rank of the data are
// zero columns. Not thread-safe while fitting; forward only reads the buffers.
// Errors: Error::InvalidArgument for features of the wrong shape.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "learning/dataset.h"

namespace ecg::learning {

class EcgModelImpl;

class BeatBlockImpl : public torch::nn::Module {
 public:
  BeatBlockImpl(int64_t rate_hz, int64_t dim);
  // median beats [B, 12, BeatSamples(rate_hz)] -> [B, dim], L2-normalised rows.
  torch::Tensor forward(const torch::Tensor& beats);
  // features [N, F] (flattened median beats): per-feature mean and std, then the principal axes.
  void Fit(const torch::Tensor& features);
  // Takes the fitted statistics of another block of the same shape.
  void CopyFrom(const BeatBlockImpl& other);

 private:
  torch::Tensor mean_, inv_std_, basis_;
};
TORCH_MODULE(BeatBlock);

// Fits the model's beat block (when config.beat_block_dim > 0) on the centred windows of up to
// max_ecgs ECGs of the given patients (each patient's ECGs in order, patients in the given order).
void FitBeatBlock(EcgModelImpl& model, EcgDataset& data, const std::vector<size_t>& patients,
                  size_t max_ecgs = 2048);

}  // namespace ecg::learning
