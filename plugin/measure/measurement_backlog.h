// MeasurementBacklog: measures, in the background at the lowest priority, the stored ECGs that
// have no product measurements of the current method version (kMeasureVersion): those stored
// before the upgrade that added measuring (sql/0003_measurements.sql), all of them again when
// the method's version changes, and those ingested during a burst, which the ingest workers leave
// unmeasured so as not to slow Orthanc (plugin/ingest/ingester.h, Busy()); the others are
// measured at ingest (plugin/ingest/ingest_pipeline.h) and never wait here.
//
// It does not work during a burst either (options.busy, checked before each batch, every
// `busy_poll`): even at idle priority its reads and writes cost PostgreSQL, at normal priority,
// CPU that Orthanc wants. Wake() (the ingest workers, after storing unmeasured ECGs) ends an idle
// sleep, so that a burst's ECGs are measured within about a second of its end.
//
// One thread, started by Start() (after the store is migrated) and joined by Stop(). It asks the
// store for the lowest keys to measure above the last one done (EcgStore::EcgsToMeasure), loads
// their signals in one query, measures them (waveform/ecg_measure.h, about 1.3 ms each) and
// writes the results in one transaction (EcgStore::WriteMeasurements), batch after batch; with
// nothing left it sleeps `idle_poll` and starts again from key 0 (so an ECG replaced meanwhile is
// found too). An ECG whose signal cannot be loaded is logged by key and skipped until the plugin
// restarts. A store that is down is retried after `idle_poll`. Stats() is thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "storage/ecg_store.h"

namespace ecg::plugin {

struct MeasurementBacklogOptions {
  size_t batch = 64;                           // ECGs per store round trip
  std::chrono::milliseconds idle_poll{30000};  // sleep when nothing is pending, or on errors
  std::function<bool()> busy;                // true: wait (ECGs arriving in a burst); may be empty
  std::chrono::milliseconds busy_poll{500};  // how often busy() is asked while it holds
};

class MeasurementBacklog {
 public:
  MeasurementBacklog(MeasurementBacklogOptions options, std::shared_ptr<EcgStore> store)
      : options_(options), store_(std::move(store)) {}
  ~MeasurementBacklog() { Stop(); }
  MeasurementBacklog(const MeasurementBacklog&) = delete;
  MeasurementBacklog& operator=(const MeasurementBacklog&) = delete;

  void Start();
  void Stop();
  // Ends an idle sleep: ECGs were stored unmeasured. Thread-safe, cheap.
  void Wake();

  // Measures one batch now, on the caller's thread; returns the ECGs measured (0: none pending
  // above `after_key`). *next_after: the highest key looked at. For Start()'s thread and tests.
  size_t MeasureBatch(int64_t after_key, int64_t* next_after);

  // ECGs measured by this backlog since start, and skipped (signal not loadable).
  int64_t measured() const { return measured_; }
  size_t skipped() const;

 private:
  void Run();

  const MeasurementBacklogOptions options_;
  std::shared_ptr<EcgStore> store_;
  std::atomic<int64_t> measured_{0};

  mutable std::mutex mutex_;
  // Protected by mutex_.
  bool stop_ = false;
  bool woken_ = false;
  std::set<int64_t> skipped_;
  std::condition_variable wake_;
  std::thread thread_;
};

}  // namespace ecg::plugin
