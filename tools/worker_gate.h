// The promotion gate of a training run: decides from label-free held-out metrics
// (learning/evaluation.h) whether a newly trained model replaces the active one.
//
// The rule (issue 17): a trained model becomes active only when it BEATS THE REFERENCE on the
// same held-out patients, the reference being the active model, or model zero
// (learning/model_zero.h) when model zero is active or no model is active at all (what a fresh
// installation serves). Gate metrics: fingerprint_top1 and same_patient_recall10 (higher is
// better) and lead_rmse_mv (lower is better). "Beats" means:
//   - not worse on any gate metric the reference has: new >= reference + margin (top-1, recall),
//     new <= reference * (1 - margin) (RMSE); margins default to 0 and cannot be negative, so no
//     tolerance ever lets a worse model through;
//   - and strictly better (beyond the margin, or by any amount with margin 0) on at least one.
// Model zero reconstructs no lead (its lead_rmse_mv is null): against it only top-1 and recall
// are compared, and the new model's RMSE is recorded, not judged. A metric the reference has but
// the new model lacks fails the gate; a null reference metric is skipped; a gate that compared
// nothing refuses. `force_promotion` (tests, explicit operator override; never the demo) promotes
// whatever the comparison says and the reason says so. The reason lists every comparison with
// both values, so an administrator sees why (GET /ecg/training/runs).
//
// Pure functions of their inputs, thread-safe. Errors: GateOptions::FromJson throws
// Error::InvalidArgument naming the key ("gate.top1_margin must be a number >= 0"; the removed
// tolerance keys are refused with that explanation).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace ecg::tools {

struct GateOptions {
  double top1_margin = 0;        // absolute improvement demanded on fingerprint_top1 (0..1), >= 0
  double recall_margin = 0;      // absolute improvement demanded on same_patient_recall10, >= 0
  double rmse_margin = 0;        // relative improvement demanded on lead_rmse_mv (0.05: 5%), >= 0
  bool force_promotion = false;  // promote whatever the comparison says (tests, overrides)

  // Keys top1_margin, recall_margin, rmse_margin, force_promotion; missing keys keep their
  // defaults, unknown keys (and the removed *_tolerance keys) are errors.
  static GateOptions FromJson(const nlohmann::json& json);
  nlohmann::json ToJson() const;
};

struct GateDecision {
  bool promote = false;
  std::string reason;  // the decision, the reference and one clause per comparison, no PHI
};

// candidate/reference: the "model"-style metric objects of EvaluateModel (keys
// fingerprint_top1, same_patient_recall10, lead_rmse_mv; values numbers or null).
// reference_name says what the reference is, e.g. "model zero (active, model 1)".
GateDecision CompareWithReference(const nlohmann::json& candidate, const nlohmann::json& reference,
                                  const std::string& reference_name, const GateOptions& options);

}  // namespace ecg::tools
