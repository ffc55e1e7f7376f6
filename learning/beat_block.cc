#include "learning/beat_block.h"

#include <algorithm>

#include "learning/beats.h"
#include "learning/encoder.h"
#include "waveform/error.h"
#include "waveform/lead.h"

namespace ecg::learning {

namespace F = torch::nn::functional;

BeatBlockImpl::BeatBlockImpl(int64_t rate_hz, int64_t dim) {
  const int64_t features = kLeadCount * BeatSamples(rate_hz);
  mean_ = register_buffer("mean", torch::zeros({features}));
  inv_std_ = register_buffer("inv_std", torch::ones({features}));
  basis_ = register_buffer("basis", torch::eye(features, dim));
}

torch::Tensor BeatBlockImpl::forward(const torch::Tensor& beats) {
  auto z = (beats.flatten(1) - mean_) * inv_std_;
  return F::normalize(torch::matmul(z, basis_), F::NormalizeFuncOptions().dim(1));
}

void BeatBlockImpl::Fit(const torch::Tensor& features) {
  if (features.dim() != 2 || features.size(1) != mean_.size(0) || features.size(0) < 2) {
    throw Error::InvalidArgument("beat block: fit needs [N >= 2, " + std::to_string(mean_.size(0)) +
                                 "] features");
  }
  torch::NoGradGuard no_grad;
  auto x = features.to(torch::kCPU, torch::kFloat);
  auto mean = x.mean(0);
  auto inv_std = 1.0 / x.std(0).clamp_min(1e-6);
  auto z = (x - mean) * inv_std;
  auto vh =
      std::get<2>(torch::linalg::svd(z, /*full_matrices=*/false, c10::nullopt));  // [min(N, F), F]
  const int64_t dim = basis_.size(1);
  const int64_t rank = std::min<int64_t>(dim, vh.size(0));
  auto basis = torch::zeros_like(basis_, torch::kCPU);
  basis.narrow(1, 0, rank).copy_(vh.narrow(0, 0, rank).t());
  mean_.copy_(mean);
  inv_std_.copy_(inv_std);
  basis_.copy_(basis);
}

void BeatBlockImpl::CopyFrom(const BeatBlockImpl& other) {
  torch::NoGradGuard no_grad;
  mean_.copy_(other.mean_);
  inv_std_.copy_(other.inv_std_);
  basis_.copy_(other.basis_);
}

void FitBeatBlock(EcgModelImpl& model, EcgDataset& data, const std::vector<size_t>& patients,
                  size_t max_ecgs) {
  const ModelConfig& config = model.config();
  if (config.beat_block_dim == 0) return;
  std::vector<PreparedEcg> prepared;
  for (size_t p : patients) {
    for (size_t ecg : data.patient_ecgs(p)) {
      if (prepared.size() < max_ecgs) prepared.push_back(data.Load(ecg, config));
    }
  }
  std::vector<torch::Tensor> features;
  for (size_t from = 0; from < prepared.size(); from += 64) {
    const auto to = std::min(prepared.size(), from + 64);
    EcgBatch batch = StackBatch({prepared.begin() + from, prepared.begin() + to}, config);
    ModelInput input = model.Prepare(batch.signals_mV, batch.peaks);
    features.push_back(MedianBeats(input.signals_mV, input.peaks, config.input_rate_hz).flatten(1));
  }
  if (features.empty()) throw Error::InvalidArgument("beat block: no ECG to fit on");
  model.encoder->beat_block()->Fit(torch::cat(features, 0));
}

}  // namespace ecg::learning
