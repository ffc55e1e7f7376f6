#include "tools/worker_heartbeat.h"

#include <spdlog/spdlog.h>

#include "waveform/error.h"

namespace ecg::tools {

RunHeartbeat::RunHeartbeat(EcgStore& store, int64_t run_id, std::chrono::milliseconds interval,
                           const std::atomic<bool>& terminate)
    : store_(store), run_id_(run_id), interval_(interval), terminate_(terminate) {
  progress_.phase = "start";
  thread_ = std::thread([this] { Loop(); });
}

RunHeartbeat::~RunHeartbeat() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void RunHeartbeat::Update(const std::string& phase, double percent, const nlohmann::json& details) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    progress_.phase = phase;
    progress_.percent = percent;
    progress_.progress_json = details.dump();
    dirty_ = true;
  }
  wake_.notify_all();
}

void RunHeartbeat::SetDevice(const std::string& device) {
  std::lock_guard<std::mutex> lock(mutex_);
  progress_.device = device;
  dirty_ = true;
}

void RunHeartbeat::SetEcgCount(int64_t ecg_count) {
  std::lock_guard<std::mutex> lock(mutex_);
  progress_.ecg_count = ecg_count;
  dirty_ = true;
}

std::optional<RunStopped> RunHeartbeat::StopReason() const {
  if (terminate_) {
    return RunStopped{RunStatus::kInterrupted, "the worker was asked to terminate (signal)"};
  }
  if (lost_) {
    return RunStopped{RunStatus::kFailed,
                      "the run is no longer running in the store (failed as stale or "
                      "interrupted meanwhile)"};
  }
  if (cancel_requested_) return RunStopped{RunStatus::kCancelled, "cancelled by request"};
  return std::nullopt;
}

void RunHeartbeat::ThrowIfStopped() const {
  if (std::optional<RunStopped> stop = StopReason()) throw *stop;
}

void RunHeartbeat::Loop() {
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, interval_, [this] { return stopping_ || dirty_; });
    if (stopping_) break;
    lock.unlock();
    SendOnce();
    lock.lock();
  }
}

void RunHeartbeat::SendOnce() {
  RunProgress progress;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    progress = progress_;
    dirty_ = false;
  }
  try {
    const TrainingRun run = store_.Heartbeat(run_id_, progress);
    if (run.cancel_requested) cancel_requested_ = true;
  } catch (const Error& e) {
    if (e.code() == ErrorCode::kConflict) {
      lost_ = true;
    } else {
      spdlog::warn("training run {}: heartbeat failed, will retry: {}", run_id_, e.what());
    }
  }
}

}  // namespace ecg::tools
