#include "plugin/search/search_query.h"

#include <string>
#include <unordered_map>

#include "waveform/error.h"

namespace ecg::plugin {
namespace {

// Searches after removing deleted ECGs met among the hits stop once a search meets none; a few
// rounds cover any realistic deletion burst, the last round's survivors are returned anyway.
constexpr int kMaxSearchRounds = 4;

}  // namespace

std::vector<float> EmbeddingOf(EcgStore& store, const ServedModel& served, const EcgRow& row) {
  if (std::optional<Embedding> stored =
          store.ReadEmbedding(served.model_id, served.index->dimension(), row.ecg_key)) {
    return std::move(stored->vector);
  }
  std::optional<EcgSignal> signal = store.LoadSignal(row.ecg_key);
  if (!signal) throw Error::NotFound("the ECG of instance " + row.orthanc.instance + " is gone");
  return served.embedder->Embed(*signal);
}

std::vector<SimilarEcg> FindSimilar(EcgStore& store, const ServedModel& served,
                                    const std::vector<float>& embedding,
                                    const SearchOptions& options) {
  std::vector<SimilarEcg> found;
  for (int round = 0; round < kMaxSearchRounds; ++round) {
    const std::vector<Neighbor> hits = served.index->Search(embedding, options);
    std::vector<int64_t> keys;
    for (const Neighbor& hit : hits) keys.push_back(hit.ecg.ecg_key);
    std::unordered_map<int64_t, EcgRow> rows;
    for (EcgRow& row : store.FindEcgsByKeys(keys)) rows.emplace(row.ecg_key, std::move(row));
    found.clear();
    bool removed = false;
    for (const Neighbor& hit : hits) {
      auto it = rows.find(hit.ecg.ecg_key);
      if (it == rows.end()) {
        removed = served.index->Remove(hit.ecg.ecg_key) || removed;
      } else {
        found.push_back({std::move(it->second), hit.similarity});
      }
    }
    if (!removed) break;
  }
  return found;
}

IdentityCheck CheckIdentity(EcgStore& store, const ServedModel& served, const EcgRow& row,
                            int population_k) {
  const std::vector<float> embedding = EmbeddingOf(store, served, row);
  std::vector<EcgRow> timeline = store.TimelineByPatientKey(row.patient_key);
  std::vector<float> patient_embeddings;
  size_t compared = 0;
  for (auto it = timeline.rbegin(); it != timeline.rend() && compared < kMaxIdentityPatientEcgs;
       ++it) {
    if (it->ecg_key == row.ecg_key) continue;
    const std::vector<float> other = EmbeddingOf(store, served, *it);
    patient_embeddings.insert(patient_embeddings.end(), other.begin(), other.end());
    ++compared;
  }
  return CheckIdentityOf(store, served, row.ecg_key, row.patient_key, embedding, patient_embeddings,
                         compared, population_k);
}

IdentityCheck CheckIdentityOf(EcgStore& store, const ServedModel& served, int64_t ecg_key,
                              int64_t patient_key, const std::vector<float>& embedding,
                              const std::vector<float>& patient_embeddings, size_t compared,
                              int population_k) {
  if (compared == 0) return {std::nullopt, "the patient has no other ECG in the store"};
  SearchOptions options;
  options.k = population_k;
  options.scope = SearchScope::kOtherPatients;
  options.patient_key = patient_key;
  options.exclude_ecg_key = ecg_key;
  std::vector<float> population;
  for (const SimilarEcg& other : FindSimilar(store, served, embedding, options)) {
    population.push_back(other.similarity);
  }
  std::optional<IdentityScore> score = ScoreIdentity(embedding, patient_embeddings, population);
  if (!score) return {std::nullopt, "no ECG of another patient is indexed"};
  return {score, ""};
}

nlohmann::json IdentityCheckJson(const IdentityCheck& check, int64_t model_id) {
  nlohmann::json answer = {{"model_id", model_id}};
  if (!check.score) {
    answer.update({{"score", nullptr}, {"suspicious", nullptr}, {"reason", check.reason}});
    return answer;
  }
  const IdentityScore& s = *check.score;
  answer.update({{"score", s.z},
                 {"suspicious", s.suspicious},
                 {"best_same_patient_similarity", s.best_same_patient},
                 {"population_mean_similarity", s.population_mean},
                 {"population_std_similarity", s.population_std},
                 {"same_patient_count", s.same_patient_count},
                 {"population_count", s.population_count}});
  return answer;
}

}  // namespace ecg::plugin
