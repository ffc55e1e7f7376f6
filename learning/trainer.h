// Trainer: self-supervised training of an EcgModel on an EcgDataset.
//
// A TrainingConfig (JSON: {"model": ModelConfig, "objectives": ObjectiveOptions, "train":
// TrainOptions}, every key optional) fixes the run. Each step draws batch_patients distinct
// training patients (learning/dataset.h), computes the objectives (learning/objectives.h) and
// takes an AdamW step (one ECG per patient instead of a pair when no active objective needs pairs,
// ObjectiveOptions::NeedsPairs: e.g. the lead decoder trained alone beside a zero block, where
// the encoder is not run at all). Randomness (patients, windows, augmentations, masks) is re-seeded from
// (seed, step) at every step, so a CPU run is deterministic and a resumed run continues exactly as
// an uninterrupted one would. CUDA when the device says so; on CUDA, mixed precision (bf16
// autocast) when train.mixed_precision. When the model has an identity block
// (ModelConfig::beat_block_dim) or a zero block (zero_block_dim), construction fits it on the
// training patients' ECGs.
//
// Checkpoints (model + optimizer + step) go to OUT_DIR.checkpoint every checkpoint_every steps;
// Resume() continues from there. Run() ends by writing the model directory OUT_DIR
// (learning/model_dir.h) and removing the checkpoint. A progress line (steps/s, ECG/s, losses,
// ETA) is logged every log_every steps and passed to the callback, which may cancel the run.
//
// Not thread-safe: one Trainer per thread; it sets LibTorch's global CPU thread count.
// Errors: Error::InvalidArgument for bad options or a training split without patients,
// Error::Unavailable for I/O failures, Error::Conflict when cancelled by the callback.
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <string>

#include "learning/dataset.h"
#include "learning/encoder.h"
#include "learning/model_config.h"
#include "learning/objectives.h"

namespace ecg::learning {

struct TrainOptions {
  int64_t steps = 2000;              // optimiser steps (ignored when epochs > 0); 0: none, the
                                     // fitted blocks only (a zero-block model)
  int64_t epochs = 0;                // > 0: steps = epochs * train patients / batch_patients
  int64_t batch_patients = 64;       // patients (pairs) per step
  double learning_rate = 1e-3;       // AdamW
  std::string lr_schedule = "constant";  // "constant", or "cosine": from learning_rate down to 0
                                         // at the last step (half a cosine over the steps)
  double weight_decay = 1e-4;        // AdamW
  uint64_t seed = 1;                 // everything random derives from it
  std::string device = "auto";       // auto, cpu or cuda:N (learning/device.h)
  int cpu_threads = 2;               // LibTorch intra-op threads on CPU
  double validation_fraction = 0.1;  // patients held out for validation losses
  int64_t validation_batches = 4;    // batches for Evaluate()
  int64_t log_every = 25;            // steps between progress lines
  int64_t checkpoint_every = 250;    // steps between checkpoints (0: never)
  bool mixed_precision = true;       // bf16 autocast on CUDA only
  double max_minutes = 0;            // > 0: stop (and save) after this wall time

  nlohmann::json ToJson() const;
  static TrainOptions FromJson(const nlohmann::json& json);
};

struct TrainingConfig {
  ModelConfig model;
  ObjectiveOptions objectives;
  TrainOptions train;

  nlohmann::json ToJson() const;
  static TrainingConfig FromJson(const nlohmann::json& json);
  static TrainingConfig Load(const std::string& path);
};

struct TrainProgress {
  int64_t step = 0;
  int64_t total_steps = 0;
  double elapsed_s = 0;
  double steps_per_s = 0;
  double ecg_per_s = 0;
  double eta_s = 0;
  std::map<std::string, double> losses;  // means since the previous progress line
};

// Return false to cancel the run.
using ProgressCallback = std::function<bool(const TrainProgress&)>;

struct TrainResult {
  int64_t steps = 0;
  double elapsed_s = 0;
  std::map<std::string, double> train_losses;       // means over the last progress interval
  std::map<std::string, double> validation_losses;  // Evaluate() at the end
  double ecg_per_s = 0;                             // ECGs read per second of training
};

class Trainer {
 public:
  Trainer(const TrainingConfig& config, EcgDataset& data, std::string out_dir);

  // Loads OUT_DIR.checkpoint when present; returns whether it did.
  bool Resume();
  std::map<std::string, double> TrainStep();
  // Mean losses over validation batches (fixed draws), without gradients.
  std::map<std::string, double> Evaluate();
  TrainResult Run(const ProgressCallback& callback = {});

  int64_t step() const { return step_; }
  int64_t total_steps() const { return total_steps_; }
  EcgModel& model() { return model_; }
  std::string checkpoint_dir() const { return out_dir_ + ".checkpoint"; }

 private:
  void SaveCheckpoint();
  PairBatch ToDevice(PairBatch batch) const;
  // Pairs, or single ECGs (batch.b empty) when the objectives need no pairs.
  PairBatch Sample(const std::vector<size_t>& patients, std::mt19937_64& rng);
  int64_t EcgsPerStep() const;
  double LearningRate(int64_t step) const;

  TrainingConfig config_;
  EcgDataset& data_;
  std::string out_dir_;
  torch::Device device_;
  PatientSplit split_;
  EcgModel model_{nullptr};
  std::unique_ptr<torch::optim::AdamW> optimizer_;
  int64_t step_ = 0;
  int64_t total_steps_ = 0;
};

}  // namespace ecg::learning
