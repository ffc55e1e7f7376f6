#include "plugin/training/training_job.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "plugin/orthanc_api.h"
#include "waveform/error.h"

namespace ecg::plugin {
namespace {

using nlohmann::json;

struct TrainingJob {
  std::shared_ptr<EcgStore> store;
  int64_t run_id = 0;
  std::mutex mutex;
  float progress = 0;
  std::string content = "{}";
  std::string last_error;
};

TrainingJob* Job(void* job) {
  return static_cast<TrainingJob*>(job);
}

json ContentOf(const TrainingRun& run) {
  json details = json::parse(run.progress_json, nullptr, /*allow_exceptions=*/false);
  return {
      {"RunId", run.run_id},       {"Status", RunStatusName(run.status)},
      {"Phase", run.phase},        {"Device", run.device},
      {"EcgCount", run.ecg_count}, {"Progress", details.is_discarded() ? json::object() : details},
      {"Reason", run.reason}};
}

void Finalize(void* job) {
  delete Job(job);
}

float GetProgress(void* job) {
  std::lock_guard<std::mutex> lock(Job(job)->mutex);
  return Job(job)->progress;
}

const char* GetContent(void* job) {
  std::lock_guard<std::mutex> lock(Job(job)->mutex);
  return Job(job)->content.c_str();
}

const char* GetSerialized(void*) {
  return nullptr;  // not kept across restarts
}

OrthancPluginJobStepStatus Step(void* opaque) {
  TrainingJob* job = Job(opaque);
  try {
    const std::optional<TrainingRun> run = job->store->FindRun(job->run_id);
    if (!run) return OrthancPluginJobStepStatus_Failure;
    {
      std::lock_guard<std::mutex> lock(job->mutex);
      job->content = ContentOf(*run).dump();
      job->progress = static_cast<float>(run->progress_percent / 100.0);
    }
    if (run->status == RunStatus::kSucceeded) {
      std::lock_guard<std::mutex> lock(job->mutex);
      job->progress = 1;
      return OrthancPluginJobStepStatus_Success;
    }
    if (run->status != RunStatus::kQueued && run->status != RunStatus::kRunning) {
      return OrthancPluginJobStepStatus_Failure;
    }
    job->last_error.clear();
  } catch (const std::exception& e) {
    if (job->last_error != e.what())
      spdlog::warn("training job, run {}: {}", job->run_id, e.what());
    job->last_error = e.what();
  }
  std::this_thread::sleep_for(std::chrono::seconds(1));
  return OrthancPluginJobStepStatus_Continue;
}

OrthancPluginErrorCode Stop(void* opaque, OrthancPluginJobStopReason reason) {
  TrainingJob* job = Job(opaque);
  if (reason != OrthancPluginJobStopReason_Canceled) return OrthancPluginErrorCode_Success;
  try {
    if (job->store->RequestCancel(job->run_id)) {
      spdlog::info("training run {}: cancel requested from its Orthanc job", job->run_id);
    }
  } catch (const std::exception& e) {
    spdlog::error("training run {}: cannot request its cancellation: {}", job->run_id, e.what());
  }
  return OrthancPluginErrorCode_Success;
}

OrthancPluginErrorCode Reset(void*) {
  return OrthancPluginErrorCode_Success;
}

}  // namespace

std::string SubmitTrainingJob(std::shared_ptr<EcgStore> store, int64_t run_id) {
  auto* job = new TrainingJob;
  job->store = std::move(store);
  job->run_id = run_id;
  job->content = json({{"RunId", run_id}, {"Status", "queued"}}).dump();
  OrthancPluginContext* context = orthanc::Context();
  OrthancPluginJob* handle =
      OrthancPluginCreateJob(context, job, Finalize, kTrainingJobType, GetProgress, GetContent,
                             GetSerialized, Step, Stop, Reset);
  if (handle == nullptr) {
    delete job;
    throw Error::Unavailable("Orthanc refused to create the job of training run " +
                             std::to_string(run_id));
  }
  char* id = OrthancPluginSubmitJob(context, handle, 0);
  if (id == nullptr) {
    OrthancPluginFreeJob(context, handle);
    throw Error::Unavailable("Orthanc refused the job of training run " + std::to_string(run_id));
  }
  std::string job_id = id;
  OrthancPluginFreeString(context, id);
  return job_id;
}

}  // namespace ecg::plugin
