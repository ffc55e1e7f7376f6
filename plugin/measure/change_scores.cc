#include "plugin/measure/change_scores.h"

#include <spdlog/spdlog.h>

#include "waveform/error.h"

namespace ecg::plugin {

std::optional<int64_t> GapMs(const EcgRow& a, const EcgRow& b) {
  if (!a.acquisition_time_ms || !b.acquisition_time_ms) return std::nullopt;
  return *b.acquisition_time_ms - *a.acquisition_time_ms;
}

namespace {

std::optional<int64_t> PairGapMs(const EmbeddingPair& pair) {
  if (!pair.earlier_acquisition_time_ms || !pair.later_acquisition_time_ms) return std::nullopt;
  return *pair.later_acquisition_time_ms - *pair.earlier_acquisition_time_ms;
}

// CosineDistance, nullopt for a zero vector (an embedding of a flat signal).
std::optional<double> Distance(const std::vector<float>& a, const std::vector<float>& b) {
  try {
    return CosineDistance(a, b);
  } catch (const Error&) {
    return std::nullopt;
  }
}

}  // namespace

bool ChangeScores::MaybeRebuild(EcgStore& store, const ServedModel& served) {
  const size_t size = served.index->size();
  const bool same_model = ReferenceOf(served.model_id) != nullptr;
  const bool grown = size > built_index_size_ &&
                     size >= built_index_size_ * (1.0 + options_.growth_fraction);
  const bool stale = size != built_index_size_ &&
                     std::chrono::steady_clock::now() - built_at_ >=
                         std::chrono::duration<double>(options_.rebuild_interval_s);
  if (same_model && !grown && !stale) return false;
  const auto start = std::chrono::steady_clock::now();
  ChangeReferenceBuilder builder;
  store.ForEachConsecutivePair(served.model_id, served.index->dimension(),
                               [&](const EmbeddingPair& pair) {
                                 if (const std::optional<double> d =
                                         Distance(pair.earlier.vector, pair.later.vector)) {
                                   builder.Add(*d, PairGapMs(pair));
                                 }
                               });
  auto reference = std::make_shared<const ChangeReference>(builder.Build());
  built_index_size_ = size;
  built_at_ = std::chrono::steady_clock::now();
  spdlog::info("change reference of model {}: {} consecutive same-patient pairs ({} ms)",
               served.model_id, reference->size(),
               std::chrono::duration_cast<std::chrono::milliseconds>(built_at_ - start).count());
  std::lock_guard<std::mutex> lock(mutex_);
  model_id_ = served.model_id;
  reference_ = std::move(reference);
  return true;
}

std::shared_ptr<const ChangeReference> ChangeScores::ReferenceOf(int64_t model_id) const {
  std::lock_guard<std::mutex> lock(mutex_);
  return model_id == model_id_ ? reference_ : nullptr;
}

ChangeScore UnscoredChange(const std::string& reason, std::optional<double> distance) {
  ChangeScore score;
  score.reason = reason;
  score.distance = distance;
  return score;
}

ChangeScore ScoreChange(EcgStore& store, const ServedModel* served,
                        const ChangeReference* reference, const EcgRow& a, const EcgRow& b) {
  if (!served) return UnscoredChange("no active model");
  const int dimension = served->index->dimension();
  const std::optional<Embedding> ea = store.ReadEmbedding(served->model_id, dimension, a.ecg_key);
  const std::optional<Embedding> eb = store.ReadEmbedding(served->model_id, dimension, b.ecg_key);
  if (!ea || !eb) return UnscoredChange("not embedded yet");
  const std::optional<double> distance = Distance(ea->vector, eb->vector);
  if (!distance) return UnscoredChange("an embedding is a zero vector");
  if (!reference) return UnscoredChange("change reference not built yet", distance);
  return reference->Score(*distance, GapMs(a, b));
}

void AddConsecutiveDistances(EcgStore& store, const ServedModel& served, int64_t patient_key,
                             PairDistances* distances) {
  store.ForEachConsecutivePair(
      served.model_id, served.index->dimension(),
      [&](const EmbeddingPair& pair) {
        if (const std::optional<double> d = Distance(pair.earlier.vector, pair.later.vector)) {
          (*distances)[{pair.earlier.ecg_key, pair.later.ecg_key}] = *d;
        }
      },
      patient_key);
}

}  // namespace ecg::plugin
