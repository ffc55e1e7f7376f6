// SearchService: the plugin's similar-ECG search, following the store's active model.
//
// One background thread, at nice 19 (plugin/thread_priority.h) under Linux's SCHED_IDLE policy,
// below the ingest workers (nice 19 too), so that Orthanc and the ingest path win the cores and
// the embedder catches up after a burst:
//   - every options.model_check_interval_s (or at once after CheckModelNow()) it reads
//     EcgStore::ActiveModel(); at its first check (and whenever no model is active) it
//     registers model zero (EcgStore::EnsureModelZero, learning/model_zero.h), which is activated
//     when no model is active (a fresh installation: search works from the first ECG, before any
//     training) and whose embeddings are dropped when this build's formula differs from the
//     stored one; when the active id differs from the served one it
//     loads the new model and its index (plugin/search/search_model.h), embeds the ECGs that have
//     no embedding for it yet, and only then swaps model and index together: requests are served by
//     the old pair until that moment, never by a mix;
//   - in between it embeds new ECGs (plugin/search/embedding_backlog.h) batch after batch, polling
//     the store every options.poll_interval_s when nothing is pending (stretched to 10x the poll's
//     own duration, at most 1 s); a poll reads only the keys above the last one checked, so its
//     cost grows with the new ECGs, not with the store;
//   - the model is loaded and every embedding computed in this thread with one LibTorch thread
//     (plugin/search/search_model.h) and, at its start, OpenBLAS is set to one thread for the
//     process
//     (its worker pool is Orthanc's main thread's, at normal priority, and took about half of
//     the embedding's matrix products), so the work stays in this thread
//     (tests/plugin/search_service_test.cc checks every thread that spends CPU time embedding);
//   - when nothing is pending it stores the identity checks that are missing or stale,
//     options.identity_batch at a time (plugin/search/identity_backlog.h: the new embeddings'
//     patients, and a full look every 10 minutes);
//   - it rebuilds the index when SimilarityIndex::NeedsRebuild() says so, and saves it to the
//     data directory after changes (at most every options.save_interval_s, and at Stop()).
// A second thread (ecg-changes, same priorities) rebuilds the served model's change reference when
// due (plugin/measure/change_scores.h: a new model, the index grew by 10%, or every 30 minutes
// while it changed), looking every 5 s: the rebuild is one pass over the model's embeddings
// (about 13 s at 1,000,000 ECGs, bench/change_reference_bench.cc), during which the embedder
// keeps embedding new uploads.
// Deleted ECGs: the store deletes their embeddings; the index is cleaned lazily, by the request
// that meets a key the store no longer has (plugin/search/search_query.h).
//
// Lifetime: Start() on OrthancStarted, Stop() on OrthancStopped (joins the thread, saves the
// index; idempotent). Thread safety: every public method may be called from any thread.
// Current() returns the served model (nullptr while there is none), which a request keeps
// alive for as long as it uses it. Errors never escape the thread: they are logged, kept in
// Status().last_error, and retried at the next iteration.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "plugin/measure/change_scores.h"
#include "plugin/search/search_model.h"
#include "storage/ecg_store.h"

namespace ecg::plugin {

struct SearchServiceOptions {
  // Where the model directories and index files live (the plugin's DataDirectory).
  std::string data_directory;
  // How often the active model is checked. Lower: a new model is picked up sooner.
  double model_check_interval_s = 2.0;
  // Pause between polls for new ECGs when nothing is pending. Lower: ECGs searchable sooner,
  // one more cheap query per poll.
  double poll_interval_s = 0.25;
  // ECGs embedded per forward pass (memory: about 240 KB of signal per ECG).
  size_t embed_batch = 32;
  // Shortest pause between two saves of the index file while ECGs keep arriving.
  double save_interval_s = 30.0;
  // Identity checks computed and stored per iteration (each one index search).
  size_t identity_batch = 64;
};

struct SearchStatus {
  std::string state;  // "no model", "loading model N", "ready", "stopped"
  std::optional<int64_t> model_id;
  std::string model_name;
  std::string model_kind;  // "learned" or "zero"
  size_t index_size = 0;
  bool approximate = false;
  size_t embedding_failures = 0;  // ECGs skipped because they cannot be embedded
  std::string last_error;         // empty when the last iteration succeeded
};

class SearchService {
 public:
  SearchService(SearchServiceOptions options, std::shared_ptr<EcgStore> store);
  ~SearchService();
  SearchService(const SearchService&) = delete;
  SearchService& operator=(const SearchService&) = delete;

  void Start();
  void Stop();
  // Checks the active model at the next iteration instead of waiting for the interval (the
  // training side calls it when it sees a run finish).
  void CheckModelNow();

  std::shared_ptr<const ServedModel> Current() const;
  SearchStatus Status() const;
  // The change reference of model_id (plugin/measure/change_scores.h); nullptr while none is built.
  std::shared_ptr<const ChangeReference> ChangeReferenceOf(int64_t model_id) const {
    return change_scores_.ReferenceOf(model_id);
  }

 private:
  using Clock = std::chrono::steady_clock;

  void Loop();
  void Iteration();
  void ChangeReferenceLoop();
  void FollowActiveModel();
  void SwitchTo(const ModelInfo& info);
  // Embeds one batch for the served model; true when a full batch was found (more may wait).
  bool EmbedPending();
  void MaintainIndex(bool force_save);
  void Wait(std::chrono::milliseconds delay);
  void SetState(const std::string& state);
  void SetError(const std::string& error);

  // Constant after construction.
  const SearchServiceOptions options_;
  const std::shared_ptr<EcgStore> store_;

  std::thread thread_;            // touched by Start/Stop only
  std::thread reference_thread_;  // the change reference's; touched by Start/Stop only
  std::atomic<bool> stopping_{false};

  // Loop state: used by the thread only.
  std::unique_ptr<class EmbeddingBacklog> backlog_;
  std::unique_ptr<class IdentityBacklog> identity_;  // with backlog_, for the same served model
  bool model_zero_ensured_ = false;  // EcgStore::EnsureModelZero succeeded since the start
  Clock::time_point next_model_check_{};
  Clock::time_point last_save_{};
  bool index_dirty_ = false;
  std::chrono::milliseconds poll_delay_{0};
  ChangeScores change_scores_;  // rebuilt by reference_thread_, read by requests (its own lock)

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  // Guarded by mutex_:
  std::shared_ptr<const ServedModel> current_;
  bool check_model_now_ = false;
  SearchStatus status_;
};

}  // namespace ecg::plugin
