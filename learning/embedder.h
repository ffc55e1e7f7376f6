// Embedder: turns ECGs into embeddings with a trained model, or with model zero (the fixed
// embedding of learning/model_zero.h, Embedder::ModelZero()), on the CPU (the plugin's path).
//
// Construction loads a model directory (learning/model_dir.h), puts the model in eval() mode and
// sets LibTorch's intra-op CPU threads to options.cpu_threads (a process-wide setting: the plugin
// keeps it low so as not to starve Orthanc). Inputs are canonical EcgSignals (500 Hz, microvolts);
// the centre config.window_s is used.
//
// Thread safety: after construction, Embed and EmbedBatch may be called concurrently from several
// threads; each call runs under its own NoGradGuard and only reads the model. The Embedder owns its
// model; it is movable, not copyable. Errors: those of LoadModelDir on construction;
// Error::InvalidArgument for a signal that is not at 500 Hz.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "learning/dataset.h"
#include "learning/encoder.h"
#include "waveform/ecg_signal.h"

namespace ecg::learning {

struct EmbedderOptions {
  int cpu_threads = 1;                            // LibTorch intra-op threads (process-wide)
  std::optional<int64_t> expected_embedding_dim;  // refuse a model of another size
};

class Embedder {
 public:
  Embedder(const std::string& model_dir, const EmbedderOptions& options = {});
  // Wraps an in-memory model (e.g. right after training); switches it to eval() mode.
  explicit Embedder(EcgModel model);
  // Model zero: no weights; dimension() is kModelZeroDimension, config() its input settings.
  static Embedder ModelZero();
  bool is_model_zero() const { return model_.is_empty(); }

  int64_t dimension() const { return config_.embedding_dim; }
  const ModelConfig& config() const { return config_; }

  // valid_samples: nullopt means the whole signal.
  std::vector<float> Embed(const EcgSignal& signal,
                           std::optional<size_t> valid_samples = std::nullopt) const;
  // [N, dimension] float, rows L2-normalised, in input order.
  torch::Tensor EmbedBatch(const std::vector<const EcgSignal*>& signals) const;

 private:
  Embedder() = default;
  torch::Tensor Run(const EcgBatch& batch) const;

  EcgModel model_{nullptr};  // empty: model zero
  ModelConfig config_;
};

}  // namespace ecg::learning
