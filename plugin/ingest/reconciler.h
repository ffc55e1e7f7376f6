// Reconciler: keeps the store equal to what Orthanc holds, whatever was missed. Orthanc logs no
// deletions in its change log, so an instance, study or patient deleted while the plugin was
// stopped, not loaded or failing would otherwise stay in the store for ever (its signal, its
// embeddings, its patient's identifiers); and an ECG whose write was lost is caught here too.
//
// One reconciliation, on its own thread at the lowest CPU priority:
//   1. the store's Orthanc instance IDs (ECGs and ingest errors) are read in pages and kept as
//      sorted 64-bit hashes (8 bytes per ECG: 8 MB at a million);
//   2. Orthanc's instances are listed in pages of 10,000 IDs (IDs only, from Orthanc's index,
//      never the files): an instance whose hash the store lacks and whose SOP class (Orthanc's
//      metadata) is a waveform goes to the ingester (Ingester::IngestMissing);
//   3. the store's IDs that Orthanc did not list are each asked of Orthanc again (a deletion or
//      a listing that shifted while paging must not remove an ECG Orthanc still has) and, when
//      Orthanc answers "unknown", deleted through the ingester's deletion path (the ECG, its
//      signal, embeddings, measurements, ingest error, and the patient when it has no ECG left).
// An ECG stored while it runs is in neither list or in Orthanc's alone: it is ingested, never
// removed. Two IDs sharing a 64-bit hash (odds about 1e-7 at a million ECGs among 100 million
// instances) could hide one difference until the ID set changes.
//
// When: after every start (once the store is migrated), every `interval` (0: never on a
// schedule), on Request() (POST /ecg/reconcile), and after the ingester recovered from a
// database crash (IngestStats::recoveries grew). Each run is recorded in the store
// (reconciliations table) and its counts published as metrics.
//
// Lifetime: Start() after the ingester started, Stop() before it stops; Stop() interrupts a
// run between pages. Thread safety: all public methods from any thread.
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
#include <vector>

#include "plugin/ingest/ingester.h"
#include "storage/ecg_store.h"

namespace ecg::plugin {

struct ReconcilerOptions {
  // Time between scheduled runs; zero: only at start, on request and after a recovery.
  std::chrono::seconds interval{24 * 3600};
  // Run once after Start() (once the store is migrated).
  bool on_start = true;
  // Orthanc instance IDs per listing request.
  size_t orthanc_page = 10000;
};

struct ReconcilerStatus {
  bool running = false;
  std::string running_trigger;  // while running
  std::optional<ReconciliationRecord> last;  // the last run recorded in the store
  std::string last_error;  // the last failure to run (e.g. the database down), empty if none
};

class Reconciler {
 public:
  Reconciler(ReconcilerOptions options, std::shared_ptr<EcgStore> store, Ingester* ingester);
  ~Reconciler();
  Reconciler(const Reconciler&) = delete;
  Reconciler& operator=(const Reconciler&) = delete;

  void Start();
  void Stop();
  // Asks for a run as soon as the current one (if any) ends; trigger names who asked.
  void Request(const std::string& trigger);
  ReconcilerStatus Status() const;

 private:
  void Loop();
  // Runs one reconciliation; throws ecg::Error (recorded by the caller).
  void RunOnce(const std::string& trigger);
  void PublishMetrics(const ReconciliationRecord& record);
  bool stopping() const { return stopping_; }

  const ReconcilerOptions options_;
  const std::shared_ptr<EcgStore> store_;
  Ingester* const ingester_;

  std::thread thread_;
  std::atomic<bool> stopping_{false};
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  // Guarded by mutex_:
  std::string requested_;  // the pending request's trigger, empty if none
  bool running_ = false;
  std::string running_trigger_;
  std::string last_error_;
};

}  // namespace ecg::plugin
