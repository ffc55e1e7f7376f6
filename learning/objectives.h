// The self-supervised objectives, each weighted and switchable (weight 0 switches it off):
//  1. fingerprint: InfoNCE between the projections of two views of the same patient (two
//     different ECGs when the patient has several, else two augmented views of one ECG); the
//     other patients of the batch are negatives. Views use identity-preserving augmentations by
//     default (no heart-axis rotation, see AugmentOptions::vcg).
//  2. masked: random time segments and whole leads are zeroed; the masked decoder reconstructs
//     the masked samples from the encoder's feature map (MSE, mV^2, masked samples only).
//  3. lead: the lead decoder reconstructs the 12 leads from the input leads (MSE, mV^2); with
//     lead_highpass_hz > 0 on the prediction and the recorded leads both high-passed at that
//     frequency (HighPass below), as the evaluation's lead_rmse_mv measures them (0.5 Hz), so
//     that baseline wander, which lead I cannot predict, does not drive the decoder (the recorded
//     leads are filtered over the whole window, the prediction over what the decoder saw); with
//     lead_crop_s > 0 the decoder sees a random segment of that length of the window (one per
//     batch): a convolution needs no more than its receptive field, and the step costs less.
//  4. longitudinal: from the two embeddings of two different ECGs of one patient, predict
//     log(1 + days between them) (MSE) and which came first (logistic loss).
// All losses are means over the batch; missing leads are excluded from reconstruction losses.
// Only the fingerprint and longitudinal objectives read the pair's second ECG (batch.b) and run
// the encoder on views; masked runs it on batch.a; the lead objective runs the lead decoder alone.
// Stateless; errors only from LibTorch on malformed tensors.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "learning/augment.h"
#include "learning/dataset.h"
#include "learning/encoder.h"

namespace ecg::learning {

struct ObjectiveOptions {
  double fingerprint_weight = 1.0;
  double masked_weight = 0.5;
  double lead_weight = 1.0;
  double longitudinal_weight = 0.1;
  double temperature = 0.1;            // InfoNCE temperature
  double mask_segment_ratio = 0.3;     // masked objective: one window of this fraction per lead
  double mask_lead_probability = 0.2;  // masked objective: chance to mask a whole lead
  double lead_highpass_hz = 0;         // lead objective: high-pass cutoff of both sides, 0: off
  double lead_crop_s = 0;              // lead objective: segment the decoder sees, 0: the window
  AugmentOptions fingerprint_augment;  // views for the fingerprint objective

  // Whether an active objective reads the pair's second ECG (fingerprint, longitudinal); when
  // not, the trainer draws one ECG per patient (EcgDataset::SampleEcgs) and batch.b stays empty.
  bool NeedsPairs() const { return fingerprint_weight > 0 || longitudinal_weight > 0; }

  nlohmann::json ToJson() const;
  // Missing keys keep defaults; unknown keys are Error::InvalidArgument.
  static ObjectiveOptions FromJson(const nlohmann::json& json);
};

struct LossTerms {
  torch::Tensor total;                   // weighted sum, differentiable
  std::map<std::string, double> values;  // unweighted value of each active objective
};

// symmetric InfoNCE; a, b [P, D] L2-normalised, row i of a matches row i of b.
torch::Tensor InfoNce(const torch::Tensor& a, const torch::Tensor& b, double temperature);

// Zero-phase high-pass along the last axis: the FFT bins below cutoff_hz zeroed (with the mean,
// for any cutoff_hz > 0). Differentiable.
torch::Tensor HighPass(const torch::Tensor& x, double rate_hz, double cutoff_hz);

// Computes every objective whose weight is > 0 on one batch of patient pairs (batch.b may be
// empty, undefined tensors, when !options.NeedsPairs()).
LossTerms ComputeLosses(EcgModel& model, const PairBatch& batch, const ObjectiveOptions& options);

}  // namespace ecg::learning
