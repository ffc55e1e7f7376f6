// Identity check: does an ECG look like its own patient's other ECGs, or like someone else's?
//
// Catches ECGs filed under the wrong patient. Compares the ECG's best cosine similarity to its
// patient's other ECGs with the similarities of its nearest ECGs of *other* patients (the
// population it would match by chance, from SimilarityIndex::Search with scope
// kOtherPatients):
//   z = (best same-patient cosine - mean of the other-patient cosines) / their standard deviation
// (the deviation floored at IdentityOptions::min_std). A well-filed ECG resembles its own
// patient more than strangers (z well above 0); a misfiled one matches its "own" patient no
// better than strangers (z around or below 0). The flag is z < IdentityOptions::z_threshold.
//
// Pure functions, thread-safe. Vectors of any norm (normalised inside), `dimension` floats each,
// row-major. Throws Error::InvalidArgument on sizes that do not fit or zero vectors.
#pragma once

#include <cstddef>
#include <optional>
#include <vector>

namespace ecg {

struct IdentityOptions {
  // z below this flags the ECG. Lower: fewer false alarms, more misfilings missed.
  double z_threshold = 0.0;
  // Floor of the population's standard deviation, so a tight population does not inflate z.
  double min_std = 0.01;
};

struct IdentityScore {
  double best_same_patient = 0;  // highest cosine to the patient's other ECGs
  double population_mean = 0;    // mean cosine of the nearest other-patient ECGs
  double population_std = 0;     // their standard deviation (before the floor)
  double z = 0;                  // see the header comment
  bool suspicious = false;       // z < z_threshold
  size_t same_patient_count = 0;
  size_t population_count = 0;
};

// Returns nullopt when there is nothing to compare: no other ECG of the patient, or no
// other-patient similarity.
std::optional<IdentityScore> ScoreIdentity(const std::vector<float>& embedding,
                                           const std::vector<float>& patient_embeddings,
                                           const std::vector<float>& other_patient_similarities,
                                           const IdentityOptions& options = {});

}  // namespace ecg
