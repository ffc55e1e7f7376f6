#include "storage/index_options.h"

#include "waveform/error.h"

namespace ecg {

namespace {

void Require(bool condition, const std::string& message) {
  if (!condition) throw Error::InvalidArgument(message);
}

}  // namespace

void IndexOptions::Validate() const {
  Require(exact_max_count >= 1, "IndexOptions.exact_max_count must be at least 1");
  Require(approximate_factory.rfind("IVF", 0) == 0,
          "IndexOptions.approximate_factory must build an IVF index, got '" + approximate_factory +
              "'");
  Require(default_nprobe >= 1 && default_nprobe <= SearchOptions::kMaxNprobe,
          "IndexOptions.default_nprobe must be in 1.." + std::to_string(SearchOptions::kMaxNprobe) +
              ", got " + std::to_string(default_nprobe));
  Require(training_points_per_list >= 39,
          "IndexOptions.training_points_per_list must be at least 39 (FAISS k-means)");
  Require(kmeans_iterations >= 1, "IndexOptions.kmeans_iterations must be at least 1");
  Require(blas_threshold >= 1, "IndexOptions.blas_threshold must be at least 1");
}

std::optional<SearchScope> ParseSearchScope(const std::string& text) {
  if (text == "all") return SearchScope::kAll;
  if (text == "same-patient") return SearchScope::kSamePatient;
  if (text == "other-patients") return SearchScope::kOtherPatients;
  return std::nullopt;
}

void SearchOptions::Validate() const {
  Require(k >= 1 && k <= kMaxK,
          "k must be in 1.." + std::to_string(kMaxK) + ", got " + std::to_string(k));
  Require(nprobe >= 0 && nprobe <= kMaxNprobe,
          "nprobe must be in 0.." + std::to_string(kMaxNprobe) + ", got " + std::to_string(nprobe));
  Require(scope == SearchScope::kAll || patient_key.has_value(),
          "scope same-patient or other-patients needs a patient key");
}

}  // namespace ecg
