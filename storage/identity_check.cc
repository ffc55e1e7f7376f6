#include "storage/identity_check.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "waveform/error.h"

namespace ecg {

namespace {

double Norm(const float* v, size_t dimension) {
  double n2 = 0;
  for (size_t i = 0; i < dimension; ++i) n2 += double(v[i]) * v[i];
  if (!(n2 > 0) || !std::isfinite(n2)) {
    throw Error::InvalidArgument("identity check: an embedding is zero or not finite");
  }
  return std::sqrt(n2);
}

double Cosine(const float* a, double norm_a, const float* b, size_t dimension) {
  double dot = 0;
  for (size_t i = 0; i < dimension; ++i) dot += double(a[i]) * b[i];
  return dot / (norm_a * Norm(b, dimension));
}

}  // namespace

std::optional<IdentityScore> ScoreIdentity(const std::vector<float>& embedding,
                                           const std::vector<float>& patient_embeddings,
                                           const std::vector<float>& other_patient_similarities,
                                           const IdentityOptions& options) {
  const size_t dimension = embedding.size();
  if (dimension == 0 || patient_embeddings.size() % dimension != 0) {
    throw Error::InvalidArgument(
        "identity check: patient embeddings (" + std::to_string(patient_embeddings.size()) +
        " floats) are not a whole number of " + std::to_string(dimension) + "-float embeddings");
  }
  IdentityScore score;
  score.same_patient_count = patient_embeddings.size() / dimension;
  score.population_count = other_patient_similarities.size();
  if (score.same_patient_count == 0 || score.population_count == 0) return std::nullopt;

  const double norm = Norm(embedding.data(), dimension);
  score.best_same_patient = -1;
  for (size_t i = 0; i < score.same_patient_count; ++i) {
    score.best_same_patient =
        std::max(score.best_same_patient,
                 Cosine(embedding.data(), norm, &patient_embeddings[i * dimension], dimension));
  }
  double sum = 0, sum2 = 0;
  for (float s : other_patient_similarities) {
    sum += s;
    sum2 += double(s) * s;
  }
  const double n = static_cast<double>(score.population_count);
  score.population_mean = sum / n;
  score.population_std =
      std::sqrt(std::max(0.0, sum2 / n - score.population_mean * score.population_mean));
  score.z = (score.best_same_patient - score.population_mean) /
            std::max(score.population_std, options.min_std);
  score.suspicious = score.z < options.z_threshold;
  return score;
}

}  // namespace ecg
