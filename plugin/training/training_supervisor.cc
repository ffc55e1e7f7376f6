#include "plugin/training/training_supervisor.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>

#include "plugin/orthanc_api.h"
#include "plugin/thread_name.h"
#include "plugin/thread_priority.h"
#include "plugin/training/training_job.h"
#include "plugin/training/training_schedule.h"
#include "waveform/error.h"

namespace ecg::plugin {
namespace {

using Clock = std::chrono::steady_clock;

constexpr auto kTick = std::chrono::seconds(1);
constexpr auto kStaleCheckEvery = std::chrono::seconds(10);
constexpr auto kScheduleCheckEvery = std::chrono::seconds(30);
constexpr auto kRespawnBackoff = std::chrono::seconds(30);
constexpr size_t kRunsScannedForSchedule = 100;

std::string LocalWorkerName() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string("local@") + host;
}

bool IsOpen(const TrainingRun& run) {
  return run.status == RunStatus::kQueued || run.status == RunStatus::kRunning;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

TrainingSupervisor::TrainingSupervisor(TrainingSupervisorOptions options,
                                       std::shared_ptr<EcgStore> store)
    : options_(std::move(options)), store_(std::move(store)), local_name_(LocalWorkerName()) {}

TrainingSupervisor::~TrainingSupervisor() {
  Stop();
}

void TrainingSupervisor::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void TrainingSupervisor::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void TrainingSupervisor::WakeUp() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

int64_t TrainingSupervisor::QueueRun(const std::string& trigger, const std::string& config_json) {
  const int64_t run_id = store_->QueueRun(trigger, config_json);
  spdlog::info("training run {} queued (trigger {})", run_id, trigger);
  WakeUp();
  return run_id;
}

void TrainingSupervisor::Loop() {
  NameCurrentThread("ecg-training");
  LowerCurrentThreadPriority();
  if (options_.settings.local_worker) {
    try {
      for (int64_t run_id :
           store_->InterruptRunsOf(local_name_, "Orthanc stopped during the run (local worker)")) {
        spdlog::warn("training run {} marked interrupted: Orthanc stopped during it", run_id);
      }
    } catch (const std::exception& e) {
      LogOnce(std::string("cannot mark interrupted runs: ") + e.what());
    }
  }
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    Tick();
    lock.lock();
    wake_.wait_for(lock, kTick, [this] { return stopping_ || woken_; });
    woken_ = false;
  }
  lock.unlock();
  worker_.Terminate(std::chrono::seconds(10));
}

void TrainingSupervisor::Tick() {
  try {
    if (Clock::now() >= next_stale_check_) {
      next_stale_check_ = Clock::now() + kStaleCheckEvery;
      const auto timeout =
          std::chrono::seconds(static_cast<int64_t>(options_.settings.heartbeat_timeout_s));
      for (int64_t run_id : store_->FailStaleRuns(timeout)) {
        spdlog::warn("training run {} failed: no heartbeat from its worker", run_id);
      }
    }
    if (options_.settings.schedule_minute && Clock::now() >= next_schedule_check_) {
      next_schedule_check_ = Clock::now() + kScheduleCheckEvery;
      CheckSchedule();
    }
    std::vector<TrainingRun> newest_runs = store_->ListRuns(1);
    std::optional<TrainingRun> newest;
    if (!newest_runs.empty()) newest = std::move(newest_runs.front());
    if (options_.settings.local_worker) SuperviseLocalWorker(newest);
    FollowRun(newest);
    PublishMetrics(newest);
    last_logged_.clear();
  } catch (const std::exception& e) {
    LogOnce(std::string("training supervisor: ") + e.what());
  }
}

void TrainingSupervisor::CheckSchedule() {
  std::optional<int64_t> last_scheduled_ms;
  for (const TrainingRun& run : store_->ListRuns(kRunsScannedForSchedule)) {
    if (run.trigger == "schedule") {
      last_scheduled_ms = run.queued_at_ms;
      break;
    }
  }
  if (!ScheduledRunDue(NowMs(), *options_.settings.schedule_minute, last_scheduled_ms)) return;
  try {
    QueueRun("schedule", "{}");
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kConflict) throw;
    LogOnce(std::string("scheduled training run not queued: ") + e.what());
  }
}

void TrainingSupervisor::SuperviseLocalWorker(const std::optional<TrainingRun>& newest) {
  if (worker_.running()) {
    const pid_t pid = worker_.pid();
    const std::optional<WorkerExit> exit = worker_.Poll();
    if (!exit) return;
    if (!exit->clean) {
      spdlog::warn("the local training worker (pid {}) {}", pid, exit->description);
      next_spawn_ = Clock::now() + kRespawnBackoff;
    }
    for (const TrainingRun& run : store_->ListRuns(5)) {
      if (run.status != RunStatus::kRunning || run.worker != local_name_) continue;
      RunOutcome outcome;
      outcome.status = RunStatus::kFailed;
      outcome.reason = "the local worker process (pid " + std::to_string(pid) + ") " +
                       exit->description + " during the run";
      store_->FinishRun(run.run_id, outcome);
    }
    return;
  }
  if (!newest || newest->status != RunStatus::kQueued || newest->cancel_requested) return;
  if (Clock::now() < next_spawn_) return;
  next_spawn_ = Clock::now() + kRespawnBackoff;  // until the start below succeeds
  const std::string training_dir = options_.data_directory + "/training";
  std::filesystem::create_directories(training_dir);
  WorkerLaunch launch;
  launch.executable = options_.settings.worker_path;
  launch.connection_uri = options_.connection_uri;
  launch.name = local_name_;
  launch.work_dir = training_dir;
  launch.device = options_.settings.device;
  launch.config_file = options_.settings.config_file;
  launch.log_path = training_dir + "/worker.log";
  worker_.Start(launch);
  next_spawn_ = {};
  spdlog::info("training run {}: local worker started (pid {}, log {})", newest->run_id,
               worker_.pid(), launch.log_path);
}

void TrainingSupervisor::FollowRun(const std::optional<TrainingRun>& newest) {
  if (newest && IsOpen(*newest)) {
    open_run_id_ = newest->run_id;
    if (job_run_id_ != newest->run_id) {
      job_run_id_ = newest->run_id;
      const std::string job_id = SubmitTrainingJob(store_, newest->run_id);
      spdlog::info("training run {}: Orthanc job {}", newest->run_id, job_id);
    }
    return;
  }
  if (open_run_id_) {
    open_run_id_.reset();
    if (options_.on_run_finished) options_.on_run_finished();
  }
}

void TrainingSupervisor::PublishMetrics(const std::optional<TrainingRun>& newest) {
  const bool running = newest && newest->status == RunStatus::kRunning;
  const bool queued = newest && newest->status == RunStatus::kQueued;
  orthanc::SetMetric("orthanc_ecg_training_running", running ? 1 : 0);
  orthanc::SetMetric("orthanc_ecg_training_queued", queued ? 1 : 0);
  orthanc::SetMetric("orthanc_ecg_training_progress_percent",
                     running ? newest->progress_percent : 0);
  orthanc::SetMetric("orthanc_ecg_training_last_run_failed",
                     newest && newest->status == RunStatus::kFailed ? 1 : 0);
  const std::optional<ModelInfo> active = store_->ActiveModel();
  orthanc::SetMetric("orthanc_ecg_training_active_model_id",
                     active ? static_cast<double>(active->model_id) : 0);
}

void TrainingSupervisor::LogOnce(const std::string& message) {
  if (message == last_logged_) return;
  last_logged_ = message;
  spdlog::error("{}", message);
}

}  // namespace ecg::plugin
