// ZeroBlock: model zero's embedding (learning/model_zero.h) through a linear map learned from the
// archive without labels, the "learned whitening" of image retrieval applied to ECG fingerprints.
//
// What it learns: which directions of model zero's 842 features change between two recordings of
// one heart (nuisance) and which differ between hearts (identity). Positives come from the data
// itself: the median beats of the odd and of the even beats of one ECG (two views that differ
// by beat-to-beat variation and noise), and a patient's consecutive ECGs where the archive has
// several (different sessions: electrode placement, posture, time). With C_w the covariance of
// the positives' differences (shrunk towards its mean variance by `shrinkage`, mixing the two
// kinds of positives with `patient_weight`) and C_t the covariance of all ECGs' features, the
// basis solves C_t v = lambda C_w v and keeps the `dim` directions of largest lambda, each scaled
// so that v' C_w v = 1: within-heart changes become unit-variance noise, identity directions
// stand out. The embedding is basis' (features - mean), L2-normalised; optionally model zero's
// own features sit beside it (so that at share 1 the block is model zero exactly), and optionally
// the size block: model zero normalises each lead's median beat to shape alone, so the block can
// add each lead's amplitude (kZeroSizeFeatures values: log of the median beat's peak-to-peak in mV,
// centred and scaled by fixed population figures, 0 for a flat or missing lead), which carries the
// voltage a cardiologist reads for hypertrophy, low voltage or lost R waves; and optionally the
// wave block (kZeroWaveFeatures values: each lead's R and S/Q extremes, net QRS area, ST level
// and T wave in mV on a compressed scale, the frontal QRS and T axes, a QRS width), the few
// numbers a reader of the ECG looks at, which a linear read-out with few labels finds more easily
// than in 840 beat samples.
//
// Buffers (checkpoint keys, do not rename): "mean" [842], "basis" [842, dim]. Before Fit they
// are the identity-like map (mean 0, the first dim unit axes). The block reads the model-rate
// input at 100 Hz (ModelConfig::Validate requires it) and computes model zero's features itself,
// so the embedder needs no extra input. Not thread-safe while fitting; forward only reads.
// Errors: Error::InvalidArgument for inputs of the wrong shape or too few rows to fit.
#pragma once

#include <torch/torch.h>

#include <cstdint>
#include <vector>

#include "learning/dataset.h"

namespace ecg::learning {

class EcgModelImpl;

constexpr int64_t kZeroSizeFeatures = 12;
constexpr int64_t kZeroWaveFeatures = 12 * 5 + 4 + 1;

// Running sums for Fit, so that the fit holds 3 matrices of 842 x 842 whatever the archive's size.
class ZeroBlockStatistics {
 public:
  ZeroBlockStatistics();
  // features [N, 842] of N ECGs; view_differences [P, 842] odd-beat minus even-beat features of
  // one ECG; patient_differences [Q, 842] between a patient's consecutive ECGs (Q may be 0).
  void Add(const torch::Tensor& features, const torch::Tensor& view_differences,
           const torch::Tensor& patient_differences);
  int64_t ecgs() const { return ecgs_; }
  int64_t views() const { return views_; }
  int64_t patient_pairs() const { return patient_pairs_; }

 private:
  friend class ZeroBlockImpl;
  int64_t ecgs_ = 0, views_ = 0, patient_pairs_ = 0;
  torch::Tensor sum_, outer_, view_outer_, patient_outer_;  // double
};

class ZeroBlockImpl : public torch::nn::Module {
 public:
  // model_zero_share > 0: model zero's own features come first, with that share of the squared
  // norm, and the whitened ones after them (ModelConfig::zero_block_model_zero_share); size_share
  // > 0: the size block next, with that share (ModelConfig::zero_block_size_share); wave_share > 0:
  // the wave block last, with that share (ModelConfig::zero_block_wave_share).
  ZeroBlockImpl(int64_t dim, double model_zero_share, double size_share = 0.0,
                double wave_share = 0.0);
  // signals [B, 12, T] and peaks [B, K] at 100 Hz -> [B, output dim], L2-normalised rows.
  torch::Tensor forward(const torch::Tensor& signals_100hz_mV, const torch::Tensor& peaks_100hz);
  // model zero features [B, 842] -> the whitened part alone, [B, dim], L2-normalised rows.
  torch::Tensor Whiten(const torch::Tensor& features) const;
  // Needs at least 2 ECGs and 1 view difference.
  void Fit(const ZeroBlockStatistics& statistics, double shrinkage, double patient_weight);
  void CopyFrom(const ZeroBlockImpl& other);

 private:
  double model_zero_share_, size_share_, wave_share_;
  torch::Tensor mean_, basis_;
};
TORCH_MODULE(ZeroBlock);

// Model zero's features of a model-rate batch at 100 Hz, from all beats or from the odd (parity
// 1) or even (parity 0) R peaks only; the rhythm features always use all peaks.
torch::Tensor ZeroFeatures(const torch::Tensor& signals_100hz_mV, const torch::Tensor& peaks_100hz,
                           int parity = -1);

// Each lead's amplitude from median beats [B, 12, S] in mV -> [B, kZeroSizeFeatures], values in
// [-1, 1] (log peak-to-peak over fixed population figures, clamped; 0 for a flat lead).
torch::Tensor SizeFeatures(const torch::Tensor& beats_mV);

// The wave block from median beats [B, 12, 70] in mV at 100 Hz (learning/beats.h: R at 250 ms,
// PR level 0) -> [B, kZeroWaveFeatures]: for each lead (lead-major) the largest and the smallest
// value from 60 ms before to 80 ms after R, their mean (the net QRS area over 140 ms), the ST
// level (mean of 80 to 120 ms after R) and the T wave (the value of largest magnitude from 160 to
// 420 ms after R), each as asinh(x / 0.1 mV) / 3; then the frontal QRS and T axes as (cos, sin)
// of the hexaxial angle from leads I and aVF (net areas; 0, 0 below 20 uV or when
// either lead is flat), and the QRS width
// where the spatial slope stays above 15% of its peak, as (width - 100 ms) / 50 ms clamped to
// [-2, 2]. All divided by sqrt(kZeroWaveFeatures / 4) so that a typical block has a length near 1.
// A flat or missing lead gives zeros. Fixed figures, no fitted statistics.
torch::Tensor WaveFeatures(const torch::Tensor& beats_mV);

// Fits the model's zero block (when config.zero_block_dim > 0) on the centred windows of up to
// max_ecgs ECGs of the given patients (each patient's ECGs in order, patients in the given order).
void FitZeroBlock(EcgModelImpl& model, EcgDataset& data, const std::vector<size_t>& patients,
                  size_t max_ecgs = 50000);

}  // namespace ecg::learning
