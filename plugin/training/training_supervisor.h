// TrainingSupervisor: the plugin's side of the nightly training (issue 7, docs/admin.md).
//
// One background thread at the lowest CPU priority (plugin/thread_priority.h), ticking every
// second (or at once after WakeUp()):
//   - schedule: queues a run with trigger "schedule" when plugin/training/training_schedule.h says
//     the day's slot is due (the last scheduled run is read from the store, so a restart does not
//     queue a second run the same day);
//   - stale runs: EcgStore::FailStaleRuns(HeartbeatTimeoutSeconds) every 10 s;
//   - local worker (Worker "local"): starts `orthanc-ecg worker --once` (plugin/
//     training_worker_process.h, name "local@<host>") when a run is queued and none runs; when
//     it ends with a non-zero status or a signal while its run is still running, that run is
//     marked failed with the exit description at once; after a failed start or an unclean exit
//     the next start waits 30 s. At Start(), runs left running by this
//     host's local worker (Orthanc stopped during a run) are marked interrupted;
//   - jobs: submits an Orthanc job (plugin/training/training_job.h) for each run it sees queued or
//     running, whoever queued it;
//   - metrics orthanc_ecg_training_{running, queued, progress_percent, active_model_id,
//     last_run_failed};
//   - when a run it saw open ends, calls on_run_finished (the search service checks the active
//     model at once).
// Worker "external": no process is started; runs are only queued and checked for staleness.
//
// Lifetime: Start() on OrthancStarted, Stop() on OrthancStopped (terminates the local worker:
// SIGTERM, then SIGKILL after 10 s; joins; idempotent). Thread safety: QueueRun, WakeUp and
// Stop may be called from any thread. Errors inside the thread are logged (once per distinct
// message) and retried at the next tick; QueueRun throws the store's errors (kConflict: a run is
// already queued or running).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "plugin/plugin_config.h"
#include "plugin/training/training_worker_process.h"
#include "storage/ecg_store.h"

namespace ecg::plugin {

struct TrainingSupervisorOptions {
  TrainingSettings settings;
  std::string connection_uri;  // given to the local worker; never logged
  std::string data_directory;  // the local worker's folder is DataDirectory/training
  std::function<void()> on_run_finished;
};

class TrainingSupervisor {
 public:
  TrainingSupervisor(TrainingSupervisorOptions options, std::shared_ptr<EcgStore> store);
  ~TrainingSupervisor();
  TrainingSupervisor(const TrainingSupervisor&) = delete;
  TrainingSupervisor& operator=(const TrainingSupervisor&) = delete;

  void Start();
  void Stop();
  void WakeUp();

  // Queues a run (config_json: a JSON object of overrides, see tools/worker_run.h) and wakes
  // the thread. Returns the run id.
  int64_t QueueRun(const std::string& trigger, const std::string& config_json);

  // "local@<host>": the worker name of this host's local worker.
  const std::string& local_worker_name() const { return local_name_; }

 private:
  void Loop();
  void Tick();
  void CheckSchedule();
  void SuperviseLocalWorker(const std::optional<TrainingRun>& newest);
  void FollowRun(const std::optional<TrainingRun>& newest);
  void PublishMetrics(const std::optional<TrainingRun>& newest);
  void LogOnce(const std::string& message);

  const TrainingSupervisorOptions options_;
  const std::shared_ptr<EcgStore> store_;
  const std::string local_name_;
  LocalWorkerProcess worker_;
  std::optional<int64_t> job_run_id_;   // the run whose job was submitted last
  std::optional<int64_t> open_run_id_;  // the run last seen queued or running
  std::chrono::steady_clock::time_point next_stale_check_{};
  std::chrono::steady_clock::time_point next_schedule_check_{};
  std::chrono::steady_clock::time_point next_spawn_{};  // backoff after a failed worker
  std::string last_logged_;

  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool woken_ = false;
  std::thread thread_;
};

}  // namespace ecg::plugin
