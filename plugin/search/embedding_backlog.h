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
// What a poll costs: a sweep over every ECG runs when the backlog is made (plugin start, model
// change) and again every kSweepInterval; in between, a poll asks only for the keys above the
// highest key checked so far less kReorderWindowKeys, so its cost grows with the new rows, not
// with the store. The window catches an ECG whose writing transaction committed after one with
// a higher key had been seen (keys are drawn at insert, two ingest workers write concurrently,
// each at most 32 ECGs per transaction); the periodic sweep catches anything slower still.
//
// Not thread-safe: one thread (the search service's) calls it. Errors: Error::Unavailable from the
// store propagates (the caller retries later); nothing else escapes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>

#include "plugin/search/search_model.h"
#include "storage/ecg_store.h"

namespace ecg::plugin {

class EmbeddingBacklog {
 public:
  EmbeddingBacklog(EcgStore& store, const ServedModel& served) : store_(store), served_(served) {}

  // Embeds at most `batch` ECGs; returns how many were added to the index (0: nothing pending).
  // Appends the patient keys of the ECGs embedded to *patients when given.
  size_t EmbedBatch(size_t batch, std::vector<int64_t>* patients = nullptr);
  // Keys skipped because they could not be embedded.
  size_t failed() const { return failed_.size(); }

  // Keys below the highest one checked that a poll looks at again.
  static constexpr int64_t kReorderWindowKeys = 1024;
  // How often every ECG is checked again.
  static constexpr std::chrono::seconds kSweepInterval{300};

 private:
  using Clock = std::chrono::steady_clock;

  std::vector<int64_t> PendingKeys(size_t batch);
  // The row's signal; nullopt when it was deleted meanwhile or is damaged (logged, remembered).
  std::optional<EcgSignal> LoadSignal(const EcgRow& row);
  // The signals of `rows` in one query (one per row when one is damaged, to find it); the rows
  // without a signal (deleted meanwhile, damaged) are removed from `rows`.
  void LoadSignals(std::vector<EcgRow>* rows, std::vector<EcgSignal>* signals);
  void EmbedOneByOne(const std::vector<EcgRow>& rows, const std::vector<EcgSignal>& signals,
                     std::vector<Embedding>* embeddings);

  EcgStore& store_;
  const ServedModel& served_;
  std::set<int64_t> failed_;
  int64_t checked_through_ = 0;  // every visible key up to here was checked once
  bool sweeping_ = true;         // a sweep over every key is under way
  int64_t sweep_after_ = 0;      // the sweep's position
  Clock::time_point next_sweep_ = Clock::now() + kSweepInterval;
};

}  // namespace ecg::plugin
