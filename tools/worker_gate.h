// The promotion gate of a training run: decides from label-free held-out metrics
// (learning/evaluation.h) whether a newly trained model replaces the active one.
//
// Gate metrics: fingerprint_top1 and same_patient_recall10 (higher is better), lead_rmse_mv
// (lower is better), all measured on the same held-out patients for every model compared.
//  - With an active model: promote when the new model is not worse on any gate metric that both
//    models have, within the tolerances: new >= active - tolerance (top1, recall), and
//    new <= active * (1 + rmse_tolerance) (RMSE). A metric the new model lacks while the active
//    has it fails the gate. A negative tolerance demands an improvement of that size.
//  - Without an active model: promote when the new model is not worse than the randomly
//    initialised encoder of the same shape on any gate metric (same tolerances), and strictly
//    better on at least one.
// Metrics that are null (e.g. no held-out patient with several ECGs) are skipped; a gate that
// compared nothing refuses. The decision's reason lists every comparison, so an administrator
// sees why (GET /ecg/training/runs).
//
// Pure functions of their inputs, thread-safe. Errors: GateOptions::FromJson throws
// Error::InvalidArgument naming the key ("gate.top1_tolerance must be a number").
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ecg::tools {

struct GateOptions {
  double top1_tolerance = 0.02;    // absolute, on fingerprint_top1 (0..1)
  double recall_tolerance = 0.02;  // absolute, on same_patient_recall10 (0..1)
  double rmse_tolerance = 0.05;    // relative, on lead_rmse_mv (0.05: up to 5% worse)

  // Keys top1_tolerance, recall_tolerance, rmse_tolerance; missing keys keep their defaults,
  // unknown keys are errors.
  static GateOptions FromJson(const nlohmann::json& json);
  nlohmann::json ToJson() const;
};

struct GateDecision {
  bool promote = false;
  std::string reason;  // one sentence per comparison, no PHI
};

// candidate/active/random: the "model"-style metric objects of EvaluateModel (keys
// fingerprint_top1, same_patient_recall10, lead_rmse_mv; values numbers or null).
GateDecision CompareWithActive(const nlohmann::json& candidate, const nlohmann::json& active,
                               const GateOptions& options);
GateDecision CompareWithRandom(const nlohmann::json& candidate, const nlohmann::json& random,
                               const GateOptions& options);

}  // namespace ecg::tools
