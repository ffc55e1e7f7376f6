// Held-out evaluation of a training run: the ECGs of the patients the trainer held out
// (EcgDataset::SplitPatients with the run's validation_fraction and seed: patient-disjoint from
// the training patients, and stable as data grows), and the label-free gate metrics of a model on
// them (learning/evaluation.h: fingerprint_top1/top5, same_patient_recall10, lead RMSE).
//
// Memory: the set holds full signals (about 240 KB per 10 s ECG), so it is capped at max_ecgs,
// taking whole patients in split order. CPU only, LibTorch's thread count as set by the caller.
// Not thread-safe (archive readers, LibTorch's global generator). Errors: those of the archive
// reader and learning/evaluation.h.
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "learning/dataset.h"
#include "learning/encoder.h"
#include "learning/evaluation.h"
#include "learning/trainer.h"

namespace ecg::tools {

std::vector<learning::EvalEcg> LoadHeldOutSet(const std::vector<std::string>& archives,
                                              const learning::EcgDataset& data,
                                              const learning::TrainOptions& train, size_t max_ecgs);

// {"fingerprint_top1", ..., "lead_rmse_mv", ...} of one model on the set (no linear probe).
nlohmann::json GateMetrics(learning::EcgModel& model, const std::vector<learning::EvalEcg>& set,
                           const learning::EvalOptions& options);

}  // namespace ecg::tools
