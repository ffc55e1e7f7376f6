// EcgModel: the ECG encoder and the heads kept with it, as LibTorch modules.
//
// Encoder: a 1-D residual CNN over the 12 leads at config.input_rate_hz (decimated from the
// 500 Hz canonical input by an average-pool FIR inside Prepare), plus, when config.beat_branch,
// an R-aligned median-beat branch (learning/beats.h); global mean+max pooling, a linear layer, and
// L2 normalisation give the embedding (config.embedding_dim). With config.beat_block_dim > 0 the
// embedding is a hybrid: the learned part (embedding_dim - beat_block_dim dimensions) and the
// identity block (learning/beat_block.h, fitted statistics) each L2-normalised, weighted by
// sqrt(1 - beat_block_weight) and sqrt(beat_block_weight), so the whole stays unit-norm. The zero
// block (config.zero_block_dim > 0, learning/zero_block.h: model zero through a learned
// whitening) takes the beat block's place in the same way, or is the whole embedding. Heads: a
// projection head for the contrastive loss, a masked-signal decoder (from the encoder's feature
// map), a lead-reconstruction decoder (a dilated CNN from config.reconstruction_input_leads to all
// 12 leads) and a longitudinal head (log time gap and order from a pair of embeddings).
//
// Submodule names are checkpoint keys: do not rename them. Inputs are in millivolts. Like every
// torch::nn module, not thread-safe while training; in eval() mode under NoGradGuard, forward
// calls from several threads only read the parameters.
#pragma once

#include <torch/torch.h>

#include "learning/beat_block.h"
#include "learning/model_config.h"
#include "learning/zero_block.h"

namespace ecg::learning {

// A batch ready for the encoder: signals at the model rate, R peaks at the model rate.
struct ModelInput {
  torch::Tensor signals_mV;  // [B, 12, window_samples_model] float
  torch::Tensor peaks;       // [B, max_beats] int64, -1 for padding
};

struct EncoderOutput {
  torch::Tensor embedding;  // [B, embedding_dim], L2-normalised
  torch::Tensor features;   // [B, C, T'] the rhythm branch's last feature map
};

class ResidualBlockImpl : public torch::nn::Module {
 public:
  ResidualBlockImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride, int64_t dilation);
  torch::Tensor forward(const torch::Tensor& x);

 private:
  torch::nn::Conv1d conv1_{nullptr}, conv2_{nullptr}, shortcut_{nullptr};
  torch::nn::GroupNorm norm1_{nullptr}, norm2_{nullptr};
};
TORCH_MODULE(ResidualBlock);

class EcgEncoderImpl : public torch::nn::Module {
 public:
  explicit EcgEncoderImpl(const ModelConfig& config);
  EncoderOutput forward(const ModelInput& input);
  // The embedding alone (forward(input).embedding), without running the network when the
  // embedding is the zero block alone: the search path.
  torch::Tensor Embed(const ModelInput& input);
  int64_t feature_channels() const { return feature_channels_; }
  // The identity block; null when config.beat_block_dim == 0.
  BeatBlock beat_block() const { return beat_block_; }
  // The zero block; null when config.zero_block_dim == 0.
  ZeroBlock zero_block() const { return zero_block_; }

 private:
  torch::Tensor Combine(const torch::Tensor& learned, const torch::Tensor& beats,
                        const ModelInput& input);

  ModelConfig config_;
  int64_t feature_channels_ = 0;
  torch::nn::Conv1d stem_{nullptr};
  torch::nn::ModuleList blocks_;
  torch::nn::Sequential beat_{nullptr};
  torch::nn::Linear beat_raw_{nullptr};
  torch::nn::Linear head_{nullptr};
  BeatBlock beat_block_{nullptr};
  ZeroBlock zero_block_{nullptr};
};
TORCH_MODULE(EcgEncoder);

class MaskedDecoderImpl : public torch::nn::Module {
 public:
  MaskedDecoderImpl(int64_t feature_channels, int64_t width, int64_t kernel);
  // features [B, C, T'] -> signals [B, 12, length]
  torch::Tensor forward(const torch::Tensor& features, int64_t length);

 private:
  torch::nn::Sequential net_{nullptr};
};
TORCH_MODULE(MaskedDecoder);

class LeadDecoderImpl : public torch::nn::Module {
 public:
  explicit LeadDecoderImpl(const ModelConfig& config);
  // input leads [B, n_in, T] -> all 12 leads [B, 12, T]
  torch::Tensor forward(const torch::Tensor& input_leads);

 private:
  torch::nn::Conv1d in_{nullptr}, out_{nullptr};
  torch::nn::ModuleList blocks_;
};
TORCH_MODULE(LeadDecoder);

struct LongitudinalPrediction {
  torch::Tensor log_gap_days;  // [P] predicted log(1 + |t_b - t_a| in days)
  torch::Tensor order_logit;   // [P] > 0 means b was acquired after a
};

class LongitudinalHeadImpl : public torch::nn::Module {
 public:
  explicit LongitudinalHeadImpl(int64_t embedding_dim);
  LongitudinalPrediction forward(const torch::Tensor& a, const torch::Tensor& b);

 private:
  torch::nn::Sequential gap_{nullptr};
  torch::nn::Linear order_{nullptr};
};
TORCH_MODULE(LongitudinalHead);

class EcgModelImpl : public torch::nn::Module {
 public:
  explicit EcgModelImpl(const ModelConfig& config);

  const ModelConfig& config() const { return config_; }

  // signals_mV [B, 12, window_samples_source] at 500 Hz, peaks [B, K] at 500 Hz (-1 padding)
  // -> the model-rate input.
  ModelInput Prepare(const torch::Tensor& signals_mV, const torch::Tensor& peaks) const;
  EncoderOutput Encode(const ModelInput& input) { return encoder->forward(input); }
  torch::Tensor Embed(const ModelInput& input) { return encoder->Embed(input); }
  torch::Tensor Project(const torch::Tensor& embedding);  // [B, projection_dim], normalised
  // Model-rate 12-lead signals -> the 12 leads predicted from the configured input leads.
  torch::Tensor ReconstructLeads(const torch::Tensor& signals_mV);

  EcgEncoder encoder{nullptr};
  torch::nn::Sequential projection{nullptr};
  MaskedDecoder masked_decoder{nullptr};
  LeadDecoder lead_decoder{nullptr};
  LongitudinalHead longitudinal{nullptr};

 private:
  ModelConfig config_;
  torch::Tensor input_lead_index_;
};
TORCH_MODULE(EcgModel);

}  // namespace ecg::learning
