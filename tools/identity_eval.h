// identity_eval: how well the identity check (storage/identity_check.h) catches misfiled ECGs,
// measured by simulation on real data, as the search issue asks.
//
// Each draw moves `fraction` of the ECGs of patients with several ECGs (at least one) to another
// patient drawn at random, indexes every ECG under its (new) patient in a SimilarityIndex, and
// scores every ECG that has at least one other ECG under its patient, as the plugin's identity
// route does: its best cosine to those ECGs against its population_k nearest ECGs of other
// patients. The moved ECGs are the positives, the others the negatives; the AUC is that of -z
// (a higher value is more suspicious), ties counting one half. Reported: the AUC of all draws
// pooled, the mean of the per-draw AUCs, and the flag's sensitivity and false-alarm rate at the
// default threshold (z < 0).
//
// Deterministic for a seed. Pure function of its inputs, thread-compatible. Errors:
// Error::InvalidArgument for sizes that do not fit or data without any patient of several ECGs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace ecg::tools {

struct MisfilingOptions {
  double fraction = 0.05;  // share of the ECGs of patients with several ECGs moved per draw
  int draws = 50;          // independent draws, pooled
  uint64_t seed = 1;
  int population_k = 20;  // other-patient neighbours, as the plugin's identity route
};

struct MisfilingResult {
  double pooled_auc = 0;
  double mean_draw_auc = 0;
  double flag_sensitivity = 0;   // moved ECGs flagged (z < 0)
  double flag_false_alarms = 0;  // unmoved ECGs flagged
  size_t positives = 0;          // moved ECGs scored, over all draws
  size_t negatives = 0;          // unmoved ECGs scored, over all draws
};

// embeddings: patient_keys.size() rows of `dimension` floats, row-major.
MisfilingResult SimulateMisfiling(const std::vector<float>& embeddings, int dimension,
                                  const std::vector<int64_t>& patient_keys,
                                  const MisfilingOptions& options);

// Mann-Whitney AUC of scores (higher = positive), ties counting one half; 0.5 when a class is
// empty.
double Auc(const std::vector<double>& positive_scores, const std::vector<double>& negative_scores);

}  // namespace ecg::tools
