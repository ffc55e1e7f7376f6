// Evaluation protocol of the learning issue, comparing a trained model with a randomly initialised
// encoder of the same shape, with model zero (learning/model_zero.h: the fixed embedding served
// before any training) and with the classic median-beat embedding (z-scored over the evaluated
// set itself, so it peeks at the set's statistics: a reference, not something a server can use).
//
// Metrics (all on the given set, which should hold patients the model was not trained on):
//  - fingerprint_top1/top5: gallery = each patient's earliest ECG (all patients), probes = the
//    later ECGs of patients with several; correct when the patient's gallery ECG ranks first /
//    within the first five by cosine similarity.
//  - same_patient_recall10: for each ECG of a patient with several, the fraction of the patient's
//    other ECGs (at most 10) found among its 10 nearest other ECGs; mean over those ECGs.
//  - diagnostic_precision10: for each labelled ECG, the fraction of its 10 nearest labelled ECGs
//    sharing at least one PTB-XL diagnostic superclass with it.
//  - lead_rmse_mv (mean over the leads that are not decoder inputs: the 11 other than I by
//    default), lead_rmse_mv_per_lead, lead_pearson: the lead decoder's prediction vs the recorded
//    leads at the model rate, both high-passed at 0.5 Hz (zero-phase, FFT). null for model_zero and
//    median_beat.
//  - linear_auc {"1","10","100"}: logistic regression per superclass (NORM, MI, STTC, CD, HYP) on
//    standardised embeddings, trained on 1/10/100% of the labelled ECGs of a patient-disjoint 70%
//    part, macro AUC on the other 30% (1% and 10% averaged over several draws).
// The random encoder has the model's shape and random weights; an identity block keeps the model's
// fitted statistics (they are not learned), so "model" vs "random" shows what training adds.
// Values that cannot be computed (no labels, no repeated patients) are null.
//
// Deterministic for a seed. Not thread-safe (uses LibTorch's global generator). Errors:
// Error::InvalidArgument for an empty set or a signal that is not at 500 Hz.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "learning/encoder.h"
#include "waveform/ecg_archive.h"

namespace ecg::learning {

constexpr std::array<const char*, 5> kSuperclasses = {"NORM", "MI", "STTC", "CD", "HYP"};

struct EvalEcg {
  EcgSignal signal;  // canonical, 500 Hz
  size_t valid_samples = 0;
  int64_t patient_key = 0;
  int64_t acquisition_time_ms = kUnknownTime;
  std::optional<std::array<bool, 5>> superclasses;  // in kSuperclasses order; nullopt: unlabelled
  // R peaks stored with an archive record (waveform/ecg_archive.h); nullopt: detected when read.
  std::optional<std::vector<size_t>> r_peaks;
};

struct EvalOptions {
  uint64_t seed = 1;        // random encoder, probe split and draws
  int64_t batch_size = 64;  // ECGs per forward pass
  double probe_train_fraction = 0.7;
  int probe_repeats = 5;     // draws for the 1% and 10% label fractions
  bool linear_probe = true;  // skip it for label-free gates
  // The probe's L2 penalty on its weights, added to the mean loss (docs/model.md: AUC@10% moves by
  // about 0.02 over 0.001..1).
  double probe_l2 = 1e-2;
};

// Every ECG of the archives (or only those of the patients `keep` accepts), unlabelled.
std::vector<EvalEcg> LoadEvalSet(const std::vector<std::string>& archive_paths,
                                 const std::function<bool(int64_t patient_key)>& keep = {});

// [N, D] L2-normalised embeddings of the model (eval mode, no gradients, CPU).
torch::Tensor EmbedAll(EcgModel& model, const std::vector<EvalEcg>& set, int64_t batch_size);
// [N, 12 * beat samples at 100 Hz]: median beats, z-scored per feature over the set, normalised.
torch::Tensor MedianBeatEmbeddings(const std::vector<EvalEcg>& set);
// [N, kModelZeroDimension]: model zero's embeddings (learning/model_zero.h), no statistics of the
// set involved.
torch::Tensor ModelZeroEmbeddings(const std::vector<EvalEcg>& set, int64_t batch_size);
// Model zero's metrics (RetrievalAndProbeMetrics; its lead keys are null: it reconstructs no lead).
nlohmann::json ModelZeroMetrics(const std::vector<EvalEcg>& set, const EvalOptions& options);

// {"fingerprint_top1", ...} for one embedding matrix (the lead keys are left out).
nlohmann::json RetrievalAndProbeMetrics(const torch::Tensor& embeddings,
                                        const std::vector<EvalEcg>& set,
                                        const EvalOptions& options);
// {"lead_rmse_mv", "lead_rmse_mv_per_lead", "lead_pearson"} for a model's lead decoder.
nlohmann::json LeadMetrics(EcgModel& model, const std::vector<EvalEcg>& set, int64_t batch_size);

// {"model_zero": {...}, "median_beat": {...}, "data": {...}}
nlohmann::json EvaluateModelZero(const std::vector<EvalEcg>& set, const EvalOptions& options = {});
// {"model": {...}, "random": {...}, "model_zero": {...}, "median_beat": {...}, "data": {...}}
nlohmann::json EvaluateModel(EcgModel& model, const std::vector<EvalEcg>& set,
                             const EvalOptions& options = {});

}  // namespace ecg::learning
