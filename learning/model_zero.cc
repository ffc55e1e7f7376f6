#include "learning/model_zero.h"

#include <torch/torch.h>

#include <cmath>

#include "learning/beats.h"

namespace ecg::learning {
namespace {

namespace F = torch::nn::functional;

// Population figures that centre and scale the rhythm features (adult resting ECGs).
constexpr double kTypicalRr_s = 0.85;
constexpr double kRrScale_s = 0.2;
constexpr double kTypicalSdRr_s = 0.05;
constexpr double kSdRrScale_s = 0.05;
constexpr double kFeatureClamp = 3.0;
// Amplitude compression asinh(x / kCompression_mV): linear below about 0.1 mV, logarithmic above.
constexpr double kCompression_mV = 0.1;
constexpr double kFlatLeadStd = 0.02;

// [B, 2]: mean RR and SD of RR, centred and scaled; zeros without two R peaks.
torch::Tensor RhythmFeatures(const torch::Tensor& peaks) {
  const auto options = torch::TensorOptions().dtype(torch::kFloat);
  if (peaks.size(1) < 2) return torch::zeros({peaks.size(0), kModelZeroRhythmFeatures}, options);
  auto first = peaks.slice(1, 0, -1), second = peaks.slice(1, 1);
  auto valid = ((first >= 0) & (second >= 0)).to(torch::kFloat);
  auto rr_s = (second - first).to(torch::kFloat) / static_cast<double>(kModelSourceRate_hz);
  auto count = valid.sum(1);
  auto safe_count = count.clamp_min(1.0);
  auto mean = (rr_s * valid).sum(1) / safe_count;
  auto sd = (((rr_s - mean.unsqueeze(1)).pow(2) * valid).sum(1) / safe_count).sqrt();
  auto features =
      torch::stack({(mean - kTypicalRr_s) / kRrScale_s, (sd - kTypicalSdRr_s) / kSdRrScale_s}, 1)
          .clamp(-kFeatureClamp, kFeatureClamp);
  return torch::where((count > 0).unsqueeze(1), features, torch::zeros_like(features));
}

// Each lead's samples minus their mean, over their standard deviation (at least kFlatLeadStd, so
// a flat or missing lead stays at zero instead of amplifying rounding noise).
torch::Tensor PerLeadZ(const torch::Tensor& beats) {
  auto centred = beats - beats.mean(2, true);
  return centred / centred.pow(2).mean(2, true).sqrt().clamp_min(kFlatLeadStd);
}

}  // namespace

ModelConfig ModelZeroInputConfig() {
  ModelConfig config;
  config.input_rate_hz = kModelZeroRate_hz;
  config.window_s = 10.0;
  config.max_beats = kModelZeroMaxBeats;
  config.embedding_dim = kModelZeroDimension;
  return config;
}

torch::Tensor MedianBeats100Hz(const torch::Tensor& signals_mV, const torch::Tensor& peaks) {
  const int64_t factor = kModelSourceRate_hz / kModelZeroRate_hz;
  auto x = F::avg_pool1d(signals_mV, F::AvgPool1dFuncOptions(factor));
  auto p = torch::where(peaks >= 0, torch::div(peaks, factor, "floor"), peaks);
  return MedianBeats(x, p, kModelZeroRate_hz);
}

torch::Tensor ModelZeroFromBeats(const torch::Tensor& beats_100hz_mV, const torch::Tensor& peaks) {
  torch::NoGradGuard no_grad;
  auto beats = PerLeadZ(torch::asinh(beats_100hz_mV.to(torch::kFloat) / kCompression_mV));
  auto beat_block = F::normalize(beats.flatten(1), F::NormalizeFuncOptions().dim(1));
  const double w = kModelZeroRhythmWeight;
  auto rhythm = RhythmFeatures(peaks) / kFeatureClamp;
  auto embedding = torch::cat({beat_block * std::sqrt(1.0 - w), rhythm * std::sqrt(w)}, 1);
  // A row of zeros (no beat, no rhythm) becomes the first unit axis: every row is unit-norm.
  auto empty = embedding.abs().sum(1) == 0;
  embedding.select(1, 0).masked_fill_(empty, 1.0);
  return F::normalize(embedding, F::NormalizeFuncOptions().dim(1));
}

torch::Tensor ModelZeroEmbed(const torch::Tensor& signals_mV, const torch::Tensor& peaks) {
  torch::NoGradGuard no_grad;
  return ModelZeroFromBeats(MedianBeats100Hz(signals_mV.to(torch::kFloat), peaks), peaks);
}

nlohmann::json ModelZeroDescription() {
  return {{"kind", kModelZeroKind},
          {"version", kModelZeroVersion},
          {"embedding_dim", kModelZeroDimension},
          {"rate_hz", kModelZeroRate_hz},
          {"rhythm_weight", kModelZeroRhythmWeight},
          {"description",
           "12-lead median beat (250 ms before to 450 ms after R, 100 Hz, PR-level corrected), "
           "asinh(mV / 0.1) z-normalised per lead, L2-normalised; RR mean and SD (5% of the "
           "squared norm); no training"}};
}

}  // namespace ecg::learning
