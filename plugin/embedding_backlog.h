// EmbeddingBacklog: embeds the stored ECGs that have no embedding yet for the served model,
// writes the embeddings to the store and adds them to the model's index, one batch per call.
//
// The store is asked for the lowest keys without an embedding (EcgStore::EcgsWithoutEmbedding);
// their signals are loaded, embedded together (one LibTorch forward pass), written with
// WriteEmbeddings and added to the index. An ECG deleted meanwhile is simply skipped. An ECG that
// cannot be embedded (its signal does not load or the model refuses it) is logged by key and
// remembered, so that it does not block the ones after it; it is retried when the plugin
// restarts.
//
// Not thread-safe: one thread (the search service's) calls it. Errors: Error::Unavailable from the
// store propagates (the caller retries later); nothing else escapes.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>

#include "plugin/search_model.h"
#include "storage/ecg_store.h"

namespace ecg::plugin {

class EmbeddingBacklog {
 public:
  EmbeddingBacklog(EcgStore& store, const ServedModel& served) : store_(store), served_(served) {}

  // Embeds at most `batch` ECGs; returns how many were added to the index (0: nothing pending).
  size_t EmbedBatch(size_t batch);
  // Keys skipped because they could not be embedded.
  size_t failed() const { return failed_.size(); }

 private:
  std::vector<int64_t> PendingKeys(size_t batch);
  void EmbedOneByOne(const std::vector<EcgRow>& rows, const std::vector<EcgSignal>& signals,
                     std::vector<Embedding>* embeddings);

  EcgStore& store_;
  const ServedModel& served_;
  std::set<int64_t> failed_;
};

}  // namespace ecg::plugin
