#include "learning/encoder.h"

#include <algorithm>
#include <cmath>

#include "learning/beats.h"

namespace ecg::learning {
namespace {

namespace F = torch::nn::functional;

torch::nn::Conv1d Conv(int64_t in, int64_t out, int64_t kernel, int64_t stride = 1,
                       int64_t dilation = 1) {
  return torch::nn::Conv1d(torch::nn::Conv1dOptions(in, out, kernel)
                               .stride(stride)
                               .dilation(dilation)
                               .padding(dilation * (kernel / 2)));
}

torch::nn::GroupNorm Norm(int64_t channels) {
  return torch::nn::GroupNorm(std::min<int64_t>(8, channels), channels);
}

int64_t StageChannels(int64_t width, int64_t block) {
  return width * std::min<int64_t>(4, int64_t{1} << (block / 2));
}

}  // namespace

ResidualBlockImpl::ResidualBlockImpl(int64_t in, int64_t out, int64_t kernel, int64_t stride,
                                     int64_t dilation) {
  conv1_ = register_module("conv1", Conv(in, out, kernel, stride, dilation));
  norm1_ = register_module("norm1", Norm(out));
  conv2_ = register_module("conv2", Conv(out, out, kernel, 1, dilation));
  norm2_ = register_module("norm2", Norm(out));
  if (in != out || stride != 1) {
    shortcut_ = register_module("shortcut", Conv(in, out, 1, stride));
  }
}

torch::Tensor ResidualBlockImpl::forward(const torch::Tensor& x) {
  auto y = torch::relu(norm1_(conv1_(x)));
  y = norm2_(conv2_(y));
  auto skip = shortcut_ ? shortcut_(x) : x;
  if (skip.size(2) != y.size(2)) skip = skip.narrow(2, 0, y.size(2));
  return torch::relu(y + skip);
}

EcgEncoderImpl::EcgEncoderImpl(const ModelConfig& config) : config_(config) {
  stem_ = register_module("stem", Conv(kLeadCount, config.width, config.kernel_size));
  int64_t channels = config.width;
  for (int64_t i = 0; i < config.depth; ++i) {
    const int64_t out = StageChannels(config.width, i);
    blocks_->push_back(ResidualBlock(channels, out, config.kernel_size, 2, 1));
    channels = out;
  }
  register_module("blocks", blocks_);
  feature_channels_ = channels;
  int64_t pooled = 2 * channels;
  if (config.beat_branch) {
    const int64_t beat_samples = BeatSamples(config.input_rate_hz);
    beat_ = register_module(
        "beat", torch::nn::Sequential(Conv(kLeadCount, config.width, 5), torch::nn::ReLU(),
                                      ResidualBlock(config.width, config.width, 5, 2, 1),
                                      ResidualBlock(config.width, config.width, 5, 2, 1),
                                      torch::nn::Flatten()));
    const int64_t reduced = (((beat_samples + 1) / 2) + 1) / 2;
    beat_raw_ = register_module("beat_raw",
                                torch::nn::Linear(kLeadCount * beat_samples, config.embedding_dim));
    pooled += config.width * reduced + config.embedding_dim;
  }
  if (config.learned_dim() > 0) {
    head_ = register_module("head", torch::nn::Linear(pooled, config.learned_dim()));
  }
  if (config.beat_block_dim > 0) {
    beat_block_ =
        register_module("beat_block", BeatBlock(config.input_rate_hz, config.beat_block_dim));
  }
  if (config.zero_block_dim > 0) {
    zero_block_ = register_module(
        "zero_block", ZeroBlock(config.zero_block_dim, config.zero_block_model_zero_share,
                                config.zero_block_size_share, config.zero_block_wave_share));
  }
}

torch::Tensor EcgEncoderImpl::Combine(const torch::Tensor& learned, const torch::Tensor& beats,
                                      const ModelInput& input) {
  if (!learned.defined()) return zero_block_(input.signals_mV, input.peaks);
  auto embedding = F::normalize(learned, F::NormalizeFuncOptions().dim(1));
  if (beat_block_) {
    const double w = config_.beat_block_weight;
    return torch::cat({std::sqrt(1.0 - w) * embedding, std::sqrt(w) * beat_block_(beats)}, 1);
  }
  if (zero_block_) {
    const double w = config_.zero_block_weight;
    return torch::cat(
        {std::sqrt(1.0 - w) * embedding, std::sqrt(w) * zero_block_(input.signals_mV, input.peaks)},
        1);
  }
  return embedding;
}

torch::Tensor EcgEncoderImpl::Embed(const ModelInput& input) {
  if (config_.learned_dim() == 0) return zero_block_(input.signals_mV, input.peaks);
  return forward(input).embedding;
}

EncoderOutput EcgEncoderImpl::forward(const ModelInput& input) {
  auto x = torch::relu(stem_(input.signals_mV));
  for (auto& block : *blocks_) x = block->as<ResidualBlock>()->forward(x);
  std::vector<torch::Tensor> parts = {x.mean(2), std::get<0>(x.max(2))};
  torch::Tensor beats;
  if (config_.beat_branch || beat_block_) {
    beats = MedianBeats(input.signals_mV, input.peaks, config_.input_rate_hz);
  }
  if (config_.beat_branch) {
    parts.push_back(beat_->forward(beats));
    parts.push_back(beat_raw_(beats.flatten(1)));
  }
  auto learned = head_ ? head_(torch::cat(parts, 1)) : torch::Tensor();
  return {Combine(learned, beats, input), x};
}

MaskedDecoderImpl::MaskedDecoderImpl(int64_t feature_channels, int64_t width, int64_t kernel) {
  net_ =
      register_module("net", torch::nn::Sequential(Conv(feature_channels, width, kernel),
                                                   torch::nn::ReLU(), Conv(width, width, kernel),
                                                   torch::nn::ReLU(), Conv(width, kLeadCount, 1)));
}

torch::Tensor MaskedDecoderImpl::forward(const torch::Tensor& features, int64_t length) {
  auto up = F::interpolate(features, F::InterpolateFuncOptions()
                                         .size(std::vector<int64_t>{length})
                                         .mode(torch::kLinear)
                                         .align_corners(false));
  return net_->forward(up);
}

LeadDecoderImpl::LeadDecoderImpl(const ModelConfig& config) {
  const int64_t n_in = static_cast<int64_t>(config.reconstruction_input_leads.size());
  in_ = register_module("input", Conv(n_in, config.lead_decoder_width, 7));
  for (int64_t i = 0; i < config.lead_decoder_depth; ++i) {
    blocks_->push_back(ResidualBlock(config.lead_decoder_width, config.lead_decoder_width, 5, 1,
                                     int64_t{1} << std::min<int64_t>(i, 6)));
  }
  register_module("blocks", blocks_);
  out_ = register_module("out", Conv(config.lead_decoder_width, kLeadCount, 1));
}

torch::Tensor LeadDecoderImpl::forward(const torch::Tensor& input_leads) {
  auto x = torch::relu(in_(input_leads));
  for (auto& block : *blocks_) x = block->as<ResidualBlock>()->forward(x);
  return out_(x);
}

LongitudinalHeadImpl::LongitudinalHeadImpl(int64_t embedding_dim) {
  gap_ = register_module("gap", torch::nn::Sequential(torch::nn::Linear(2 * embedding_dim, 64),
                                                      torch::nn::ReLU(), torch::nn::Linear(64, 1)));
  order_ = register_module(
      "order", torch::nn::Linear(torch::nn::LinearOptions(embedding_dim, 1).bias(false)));
}

LongitudinalPrediction LongitudinalHeadImpl::forward(const torch::Tensor& a,
                                                     const torch::Tensor& b) {
  auto symmetric = torch::cat({(b - a).abs(), a * b}, 1);
  return {gap_->forward(symmetric).squeeze(1), order_(b - a).squeeze(1)};
}

EcgModelImpl::EcgModelImpl(const ModelConfig& config) : config_(config) {
  config.Validate();
  encoder = register_module("encoder", EcgEncoder(config));
  projection = register_module(
      "projection",
      torch::nn::Sequential(torch::nn::Linear(config.embedding_dim, config.embedding_dim),
                            torch::nn::ReLU(),
                            torch::nn::Linear(config.embedding_dim, config.projection_dim)));
  masked_decoder =
      register_module("masked_decoder",
                      MaskedDecoder(encoder->feature_channels(), config.width, config.kernel_size));
  lead_decoder = register_module("lead_decoder", LeadDecoder(config));
  longitudinal = register_module("longitudinal", LongitudinalHead(config.embedding_dim));
  std::vector<int64_t> index;
  for (Lead lead : config.reconstruction_input_leads) {
    index.push_back(static_cast<int64_t>(LeadIndex(lead)));
  }
  input_lead_index_ = register_buffer("input_lead_index", torch::tensor(index, torch::kLong));
}

ModelInput EcgModelImpl::Prepare(const torch::Tensor& signals_mV,
                                 const torch::Tensor& peaks) const {
  const int64_t factor = config_.decimation();
  auto x = factor == 1 ? signals_mV : F::avg_pool1d(signals_mV, F::AvgPool1dFuncOptions(factor));
  auto p = torch::where(peaks >= 0, torch::div(peaks, factor, "floor"), peaks);
  return {x, p};
}

torch::Tensor EcgModelImpl::Project(const torch::Tensor& embedding) {
  return F::normalize(projection->forward(embedding), F::NormalizeFuncOptions().dim(1));
}

torch::Tensor EcgModelImpl::ReconstructLeads(const torch::Tensor& signals_mV) {
  return lead_decoder->forward(signals_mV.index_select(1, input_lead_index_));
}

}  // namespace ecg::learning
