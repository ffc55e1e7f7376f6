// ChangeScores: the learned change score of the compare and timeline routes (issue 18,
// docs/measurements.md "The change percentile"): the distance between two ECGs' embeddings under
// the served model, as a percentile among this archive's consecutive same-patient pairs in the
// same time-gap bin (storage/change_reference.h).
//
// The reference (every consecutive same-patient pair's distance, one pass over the store:
// EcgStore::ForEachConsecutivePair) is built by the search service's background thread when it
// is idle (plugin/search/search_service.h): for a newly served model, when the model's index grew
// by growth_fraction since the last build, and every rebuild_interval_s while its size changed
// (deletions, replacements). It is held in memory (8 bytes per pair) and replaced whole.
//
// Thread safety: MaybeRebuild from one thread; ReferenceOf and the free functions from any.
// Errors: MaybeRebuild and the scoring functions throw what the store throws.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <map>
#include <utility>

#include "plugin/search/search_model.h"
#include "storage/change_reference.h"
#include "storage/ecg_store.h"

namespace ecg::plugin {

struct ChangeScoresOptions {
  // Rebuild when the served index grew by this fraction since the last build.
  double growth_fraction = 0.1;
  // Rebuild at least this often while the index size changed (deletions, replacements).
  double rebuild_interval_s = 1800;
};

class ChangeScores {
 public:
  explicit ChangeScores(ChangeScoresOptions options = {}) : options_(options) {}

  // Rebuilds the reference of `served` when due (see above). Returns true when it rebuilt.
  bool MaybeRebuild(EcgStore& store, const ServedModel& served);
  // The reference of model_id; nullptr while none is built for it.
  std::shared_ptr<const ChangeReference> ReferenceOf(int64_t model_id) const;

 private:
  const ChangeScoresOptions options_;
  // Used by the rebuilding thread only.
  size_t built_index_size_ = 0;
  std::chrono::steady_clock::time_point built_at_{};
  mutable std::mutex mutex_;
  int64_t model_id_ = 0;  // guarded by mutex_, with reference_
  std::shared_ptr<const ChangeReference> reference_;
};

// The time between two ECGs' acquisitions; nullopt when either is unknown.
std::optional<int64_t> GapMs(const EcgRow& a, const EcgRow& b);

// A ChangeScore with no percentile and this reason (and the distance, when known).
ChangeScore UnscoredChange(const std::string& reason, std::optional<double> distance = {});

// The change between two ECGs under the served model. Without a percentile (and a reason) when
// served is null ("no active model"), either ECG has no embedding yet ("not embedded yet"), no
// reference is built yet ("change reference not built yet") or it has too few pairs.
ChangeScore ScoreChange(EcgStore& store, const ServedModel* served,
                        const ChangeReference* reference, const EcgRow& a, const EcgRow& b);

// (earlier ECG key, later ECG key) of a consecutive pair -> its distance.
using PairDistances = std::map<std::pair<int64_t, int64_t>, double>;

// Adds the distances of a store patient's consecutive embedded ECG pairs under the served model
// to *distances (one query).
void AddConsecutiveDistances(EcgStore& store, const ServedModel& served, int64_t patient_key,
                             PairDistances* distances);

}  // namespace ecg::plugin
