// RunHeartbeat: keeps a claimed training run alive in the store while the worker works on it.
//
// A background thread sends the latest progress (phase, percent, details JSON, device, ECG
// count) with EcgStore::Heartbeat every `interval`, and at once after each Update(), so the
// run's heartbeat stays fresh during long phases (evaluation, a slow export) and the plugin's
// stale-run check (EcgStore::FailStaleRuns) fires only when the worker process is gone.
// StopReason() tells the worker's main thread whether to stop: the run's cancel_requested
// (an administrator cancelled it), the run no longer running in the store (failed as stale,
// interrupted by a restarted plugin) or the process asked to terminate (SIGTERM).
//
// Thread safety: Update, StopReason and ThrowIfStopped may be called from any thread. The
// destructor joins the thread. Errors of the heartbeat (database unreachable) are logged and
// retried at the next interval; they never escape the thread.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>

#include "storage/ecg_store.h"

namespace ecg::tools {

// Why a run must stop before its end; status is the run's final status (kCancelled,
// kInterrupted).
struct RunStopped {
  RunStatus status = RunStatus::kCancelled;
  std::string reason;
};

class RunHeartbeat {
 public:
  // terminate: set by the process's signal handler; outlives this object.
  RunHeartbeat(EcgStore& store, int64_t run_id, std::chrono::milliseconds interval,
               const std::atomic<bool>& terminate);
  ~RunHeartbeat();
  RunHeartbeat(const RunHeartbeat&) = delete;
  RunHeartbeat& operator=(const RunHeartbeat&) = delete;

  void Update(const std::string& phase, double percent, const nlohmann::json& details);
  void SetDevice(const std::string& device);
  void SetEcgCount(int64_t ecg_count);

  std::optional<RunStopped> StopReason() const;
  // Throws the StopReason when there is one.
  void ThrowIfStopped() const;

 private:
  void Loop();
  void SendOnce();

  EcgStore& store_;
  const int64_t run_id_;
  const std::chrono::milliseconds interval_;
  const std::atomic<bool>& terminate_;
  std::atomic<bool> cancel_requested_{false};
  std::atomic<bool> lost_{false};

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  RunProgress progress_;
  bool dirty_ = true;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ecg::tools
