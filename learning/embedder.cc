#include "learning/embedder.h"

#include "learning/dataset.h"
#include "learning/device.h"
#include "learning/model_dir.h"
#include "learning/model_zero.h"

namespace ecg::learning {

Embedder::Embedder(const std::string& model_dir, const EmbedderOptions& options) {
  SetCpuThreads(options.cpu_threads);
  LoadedModel loaded = LoadModelDir(model_dir, torch::kCPU, options.expected_embedding_dim);
  model_ = loaded.model;
  config_ = loaded.config;
}

Embedder::Embedder(EcgModel model) : model_(std::move(model)), config_(model_->config()) {
  model_->eval();
}

Embedder Embedder::ModelZero() {
  Embedder embedder;
  embedder.config_ = ModelZeroInputConfig();
  return embedder;
}

std::vector<float> Embedder::Embed(const EcgSignal& signal,
                                   std::optional<size_t> valid_samples) const {
  torch::NoGradGuard no_grad;
  EcgBatch batch = StackBatch(
      {PrepareEcg(signal, valid_samples.value_or(signal.samples_per_lead()), config_)}, config_);
  torch::Tensor row = Run(batch).contiguous();
  return std::vector<float>(row.data_ptr<float>(), row.data_ptr<float>() + row.numel());
}

torch::Tensor Embedder::EmbedBatch(const std::vector<const EcgSignal*>& signals) const {
  torch::NoGradGuard no_grad;
  std::vector<PreparedEcg> prepared;
  prepared.reserve(signals.size());
  for (const EcgSignal* s : signals)
    prepared.push_back(PrepareEcg(*s, s->samples_per_lead(), config_));
  return Run(StackBatch(prepared, config_));
}

torch::Tensor Embedder::Run(const EcgBatch& batch) const {
  if (is_model_zero()) return ModelZeroEmbed(batch.signals_mV, batch.peaks);
  const std::shared_ptr<EcgModelImpl>& model = model_.ptr();
  return model->Embed(model->Prepare(batch.signals_mV, batch.peaks));
}

}  // namespace ecg::learning
