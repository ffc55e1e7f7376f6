// search_query: the similar-ECG and identity questions answered with a served model
// (plugin/search/search_model.h) and the store, for the REST routes
// (plugin/search/routes_search.cc).
//
// Deleted ECGs: the index may still hold an ECG that was deleted from the store since it was
// added (the store deletes its embedding, not the index entry). FindSimilar checks every hit
// against the store, removes the ones the store no longer has from the index, and searches again,
// so a deleted ECG is never returned and the index is cleaned as a side effect.
//
// An ECG whose embedding is not computed yet (the background embedder lags during a burst) is
// embedded on the fly from its stored signal (EmbeddingOf); the result is not written, the
// background embedder does that.
//
// Thread-safe (the store, the Embedder and the index are). Errors: Error::NotFound when the
// ECG's signal is gone, Error::InvalidArgument for bad search options, the store's errors.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "plugin/search/search_model.h"
#include "storage/identity_check.h"

namespace ecg::plugin {

struct SimilarEcg {
  EcgRow row;
  float similarity = 0;  // cosine, [-1, 1]
};

// The stored embedding of `row` for the served model, or one computed from its signal.
std::vector<float> EmbeddingOf(EcgStore& store, const ServedModel& served, const EcgRow& row);

// Best first, at most options.k, only ECGs the store still holds.
std::vector<SimilarEcg> FindSimilar(EcgStore& store, const ServedModel& served,
                                    const std::vector<float>& embedding,
                                    const SearchOptions& options);

// A patient's other ECGs compared by the identity check, at most (the most recent ones).
constexpr size_t kMaxIdentityPatientEcgs = 200;

struct IdentityCheck {
  std::optional<IdentityScore> score;  // nullopt: nothing to compare (see reason)
  std::string reason;                  // why score is nullopt
};

// How well `row` matches its patient's other ECGs against the nearest ECGs of other patients
// (population_k of them); storage/identity_check.h.
IdentityCheck CheckIdentity(EcgStore& store, const ServedModel& served, const EcgRow& row,
                            int population_k = 20);

// The same check from given embeddings: the ECG's own and its patient's other ECGs' (`compared`
// of them, row after row); the population is searched in the served index.
IdentityCheck CheckIdentityOf(EcgStore& store, const ServedModel& served, int64_t ecg_key,
                              int64_t patient_key, const std::vector<float>& embedding,
                              const std::vector<float>& patient_embeddings, size_t compared,
                              int population_k = 20);

// The answer of the identity route and the timeline's "identity" (docs/admin.md): model_id,
// score (z), suspicious, the similarities and counts, or score and suspicious null with reason.
nlohmann::json IdentityCheckJson(const IdentityCheck& check, int64_t model_id);

}  // namespace ecg::plugin
