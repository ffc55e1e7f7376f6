// Ingester: brings every DICOM ECG that Orthanc stores into the EcgStore, exactly once, off
// Orthanc's threads.
//
//   Orthanc stored-instance callback --NoteStoredInstance()--> recent notes (recent_notes.h, in
//             memory): whether the instance is a waveform and, for ECGs, the file itself
//   Orthanc change callback --WakeUp()/OnDeleted()--> reader thread
//     reader: Orthanc's change log from the persisted cursor, read at most every 50 ms during
//             a burst; NewInstance of a waveform SOP class (the hint, else the instance's
//             metadata in Orthanc) --> IngestQueue (bounded; when full the reader simply stops
//             reading: the change log is the backlog)
//     workers (config.threads, at nice 19: thread_priority.h; during a burst Orthanc's threads
//             win the cores and the workers catch up after it): take up to 32 queued tasks,
//             take each DICOM file from the notes (else fetch it from Orthanc), decode,
//             canonicalise (ingest_pipeline.h), name the parents from the file's identifiers
//             (orthanc_ids.h); measure it (waveform/ecg_measure.h) unless ECGs arrive in a
//             burst (Busy()): then it is stored unmeasured and the unmeasured-listener (the
//             background measurer, plugin/measure/measurement_backlog.h) measures it once the
//             burst is over; an undecodable ECG --> RecordIngestError (reason, Orthanc ID only);
//             the others --> UpsertEcgs, one transaction per batch, in patient order (two batches
//             then lock shared patients in the same order), not waiting for the disk flush
//             (storage/commit_wait.h); a batch the store refuses is written one ECG at a time, so
//             only the refused ECGs are recorded as errors
//     reader: saves the cursor (IngestQueue::Watermark) at most once a second and at stop,
//             after the ECGs it covers were committed: a database crash that loses the last
//             commits loses the cursor saves after them too, and the replay redoes them.
//
// Nothing is lost: at start the reader replays the change log from the saved cursor; with no
// cursor yet (first start) it backfills every instance Orthanc holds before saving one.
// RequestReindex() re-ingests every instance. PostgreSQL down: workers retry with exponential
// backoff (100 ms doubling to config.max_retry_delay_s), the queue fills, the reader pauses, and
// everything drains when the server is back. Deletions (instance, series, study, patient) are
// applied by the reader after the tasks already queued have finished, so an ECG never comes back
// after its deletion. Orthanc does not log deletions in its change log: a deletion notified
// while the plugin is stopped is not seen (docs/admin.md).
//
// Lifetime: Start() on Orthanc's OrthancStarted change (Orthanc's REST API is usable from then
// on), Stop() on OrthancStopped; Stop() joins every thread, abandons queued tasks (replayed at
// the next start) and is idempotent. Thread safety: all public methods may be called from any
// thread. Errors never escape the threads: they are logged and counted.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "plugin/ingest/arrival_rate.h"
#include "plugin/ingest/ingest_queue.h"
#include "plugin/ingest/recent_notes.h"
#include "plugin/plugin_config.h"
#include "storage/ecg_store.h"

namespace ecg::plugin {

enum class ResourceLevel { kPatient, kStudy, kSeries, kInstance };

struct IngestStats {
  size_t queued = 0;       // ECGs waiting for a worker
  size_t in_progress = 0;  // ECGs a worker is on
  int64_t read_seq = 0;    // the last Orthanc change read
  int64_t cursor = 0;      // the last change seq saved in the store (all before it handled)
  uint64_t ingested = 0;   // ECGs written since start
  uint64_t failed = 0;     // instances recorded as ingest errors since start
  bool database_ok = false;
  std::string database_error;  // the last error while the database is unavailable
  std::string last_error;      // the last ingest error or database error, empty if none
  bool backfilling = false;    // a backfill or reindex is enumerating instances
  uint64_t recoveries = 0;     // database crashes detected since start (each replayed)
  // ECG writes since start not yet made durable by a flushed cursor save (normally back to 0
  // within a second of the last write; a database crash meanwhile makes the plugin replay them).
  uint64_t unconfirmed = 0;
};

class Ingester {
 public:
  Ingester(const PluginConfig& config, std::shared_ptr<EcgStore> store);
  ~Ingester();
  Ingester(const Ingester&) = delete;
  Ingester& operator=(const Ingester&) = delete;

  void Start();
  void Stop();

  void WakeUp();
  // Called by the stored-instance callback with the SOP class Orthanc recorded and the file:
  // cheap (a note, and for an ECG a copy of its bytes while the notes hold under 64 MB of files).
  void NoteStoredInstance(const std::string& instance_id, const std::string& sop_class_uid,
                          const void* dicom, size_t dicom_size);
  void OnDeleted(ResourceLevel level, const std::string& orthanc_id);
  void RequestReindex();
  // Queues these instances for ingest (the reconciliation's "the store lacks them"): the reader
  // pushes them after the changes already read, and the cursor stays below the read position
  // until they are written.
  void IngestMissing(std::vector<std::string> instance_ids);

  IngestStats Stats() const;
  // True while ECGs arrive in a burst: at least kBurstEcgsPerSecond ECG instances stored by
  // Orthanc in the last second, or at least kBurstQueued ECGs waiting for a worker (a backfill,
  // a reindex, a backlog). Measuring then waits: measured at ingest, a burst cost Orthanc about
  // a tenth of its throughput on 2 cores (docs/benchmarks.md).
  bool Busy() const;
  static constexpr size_t kBurstEcgsPerSecond = 4;
  static constexpr size_t kBurstQueued = 8;
  // Called (on a worker thread, after the commit) when ECGs were stored without measurements
  // because of a burst. Set it before Start().
  void SetUnmeasuredListener(std::function<void()> listener) {
    unmeasured_listener_ = std::move(listener);
  }

  // True once the store is migrated and the cursor loaded (routes answer 503 before).
  bool ready() const { return ready_; }

 private:
  using Clock = std::chrono::steady_clock;
  struct Deletion {
    ResourceLevel level;
    std::string orthanc_id;
  };

  void ReaderLoop();
  void ReaderIteration();
  bool PrepareDatabase();
  void Backfill(bool clear_errors);
  void ReadNewChanges();
  void ApplyDeletions();
  // Saves the cursor (the last change whose ECGs are written) in a flushed commit, which also
  // makes the unflushed ingest commits before it durable, if the database lost no commit since
  // the cursor was loaded; otherwise RecoverFromLostCommits().
  void SaveCursor(bool force);
  // The database crashed since the last durable cursor: reload the token and the cursor and
  // replay from there (and redo an unconfirmed reindex).
  void RecoverFromLostCommits();
  void QueueMissing();
  // After the threads are joined: the reader's state is then the caller's.
  void SaveFinalCursor();
  bool IsWaveform(const std::string& instance_id);
  void WaitForWakeUp();

  // ECGs decoded by a worker and not yet written; ecgs[i] is tasks[i]'s.
  struct DecodedBatch {
    std::vector<const IngestTask*> tasks;
    std::vector<IngestedEcg> ecgs;
    bool unmeasured = false;  // some ECG was left for the background measurer
  };

  void WorkerLoop();
  // Fetches and decodes each task's ECG (recording those that cannot be), then writes the others
  // in one transaction. False when the worker gave up because the plugin is stopping.
  bool ProcessBatch(const std::vector<IngestTask>& tasks);
  // Appends the task's ECG to *batch, or records why there is none. False when stopping.
  bool FetchAndDecode(const IngestTask& task, DecodedBatch* batch);
  // The instance's file: the noted copy, else Orthanc's; nullopt if it was deleted meanwhile.
  std::optional<std::string> DicomFile(const std::string& instance_id);
  // The instance's parents: computed from its identifiers (orthanc_ids.h), else asked of Orthanc;
  // nullopt if the instance was deleted meanwhile.
  static std::optional<OrthancIds> ParentIds(const std::string& instance_id,
                                             const EcgMetadata& metadata);
  // One transaction for the whole batch; if the store refuses it, each ECG alone, so that only
  // the ECGs the store refuses are recorded as errors. False when stopping.
  bool WriteBatch(const DecodedBatch& batch);
  bool WriteEach(const DecodedBatch& batch);
  void CountIngested(const IngestTask& task);
  bool RecordFailure(const IngestTask& task, const std::string& reason);
  // Runs fn until it does not throw Error::Unavailable (or a transient Conflict), with backoff.
  // False when stopping first.
  template <typename Fn>
  bool Retry(const char* what, Fn fn);
  bool SleepUnlessStopping(std::chrono::milliseconds delay);
  void SetDatabaseState(bool ok, const std::string& error);
  void PublishMetrics();

  // Constant after construction.
  const PluginConfig config_;
  const std::shared_ptr<EcgStore> store_;

  IngestQueue queue_;
  RecentNotes<bool> is_waveform_notes_;
  RecentNotes<std::string> file_notes_;  // dropped on deletions: a deleted file must be fetched
  std::vector<std::thread> threads_;     // reader first; touched by Start/Stop only
  ArrivalRate ecg_arrivals_;             // ECG instances stored by Orthanc (thread-safe)
  std::function<void()> unmeasured_listener_;  // set before Start()
  std::atomic<bool> started_{false};
  std::atomic<bool> stopping_{false};

  // Reader state: used by the reader thread only (and by Stop() after joining it).
  bool prepared_ = false;  // the store is migrated and the cursor loaded
  int64_t read_seq_ = 0;
  int64_t saved_cursor_ = -1;
  int64_t backfill_floor_ = 0;        // no cursor below this is saved (first backfill running)
  std::string life_token_;            // the server's life token when the cursor was loaded
  bool reindex_unconfirmed_ = false;  // a reindex's writes are not yet covered by a durable cursor
  int64_t reindex_seq_ = 0;           // the read position when that reindex started
  uint64_t confirmed_writes_ = 0;     // ingested_ at the last durable cursor save
  Clock::time_point last_save_;
  Clock::time_point last_read_;  // reader thread only

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  // Guarded by mutex_:
  bool woken_ = false;
  bool reindex_requested_ = false;
  std::deque<Deletion> deletions_;
  std::deque<std::string> missing_;  // instance IDs the reconciliation found missing
  std::string database_error_;
  std::string last_error_;
  bool database_ok_ = false;

  std::atomic<int64_t> published_read_seq_{0};
  std::atomic<int64_t> published_cursor_{0};
  std::atomic<bool> backfilling_{false};
  std::atomic<bool> ready_{false};
  std::atomic<uint64_t> ingested_{0};
  std::atomic<uint64_t> failed_{0};
  std::atomic<uint64_t> recoveries_{0};
  std::atomic<uint64_t> published_confirmed_{0};  // confirmed_writes_, for Stats()
  std::atomic<uint64_t> latency_sum_ms_{0};       // since the last PublishMetrics
  std::atomic<uint64_t> latency_count_{0};
};

}  // namespace ecg::plugin
