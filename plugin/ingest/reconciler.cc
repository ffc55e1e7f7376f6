#include "plugin/ingest/reconciler.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "plugin/ingest/orthanc_changes.h"
#include "plugin/orthanc_api.h"
#include "plugin/thread_name.h"
#include "plugin/thread_priority.h"
#include "waveform/dicom/sop_class.h"
#include "waveform/error.h"

namespace ecg::plugin {
namespace {

// How often the loop looks whether the ingester recovered from a database crash.
constexpr std::chrono::seconds kRecoveryPoll{1};
// After a failed run (the database or Orthanc unavailable), the next try.
constexpr std::chrono::seconds kRetryAfterFailure{60};
// Missing ECGs handed to the ingester at once.
constexpr size_t kMissingBatch = 500;

bool IsWaveformInstance(const std::string& instance_id) {
  const std::optional<std::string> sop_class = InstanceSopClass(instance_id);
  return sop_class &&
         dicom::ClassifySopClass(*sop_class) != dicom::SopClassKind::kNotWaveform;
}

}  // namespace

Reconciler::Reconciler(ReconcilerOptions options, std::shared_ptr<EcgStore> store,
                       Ingester* ingester)
    : options_(options), store_(std::move(store)), ingester_(ingester) {}

Reconciler::~Reconciler() {
  Stop();
}

void Reconciler::Start() {
  if (thread_.joinable()) return;
  if (options_.on_start) Request("start");
  thread_ = std::thread([this] { Loop(); });
}

void Reconciler::Stop() {
  if (!thread_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Reconciler::Request(const std::string& trigger) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (requested_.empty()) requested_ = trigger;
  wake_.notify_all();
}

ReconcilerStatus Reconciler::Status() const {
  ReconcilerStatus status;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    status.running = running_;
    status.running_trigger = running_trigger_;
    status.last_error = last_error_;
  }
  status.last = store_->LastReconciliation();  // may throw kUnavailable: the caller's to map
  return status;
}

void Reconciler::Loop() {
  NameCurrentThread("ecg-reconcile");
  LowerCurrentThreadPriority();
  uint64_t recoveries_seen = ingester_->Stats().recoveries;
  auto next_scheduled = std::chrono::steady_clock::now() + options_.interval;
  std::string trigger;  // the run waiting for its turn, empty if none
  std::optional<std::chrono::steady_clock::time_point> retry_at;  // after a failed run
  while (!stopping_) {
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait_for(lock, kRecoveryPoll, [&] { return stopping_ || !requested_.empty(); });
      if (stopping_) return;
      if (trigger.empty()) std::swap(trigger, requested_);
      requested_.clear();
    }
    const uint64_t recoveries = ingester_->Stats().recoveries;
    if (recoveries != recoveries_seen && ingester_->ready()) {
      trigger = "recovery";
      recoveries_seen = recoveries;
    }
    const auto now = std::chrono::steady_clock::now();
    if (trigger.empty() && retry_at && now >= *retry_at) trigger = "retry";
    if (trigger.empty() && options_.interval.count() > 0 && now >= next_scheduled) {
      trigger = "schedule";
    }
    if (trigger.empty() || !ingester_->ready()) continue;  // kept until the store is migrated
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running_ = true;
      running_trigger_ = trigger;
    }
    std::string error;
    try {
      RunOnce(trigger);
    } catch (const std::exception& e) {
      error = e.what();
      spdlog::warn("reconciliation ({}) did not finish: {}; trying again in {} s", trigger, error,
                   kRetryAfterFailure.count());
    }
    next_scheduled = std::chrono::steady_clock::now() + options_.interval;
    retry_at.reset();
    if (!error.empty()) retry_at = std::chrono::steady_clock::now() + kRetryAfterFailure;
    std::lock_guard<std::mutex> lock(mutex_);
    running_ = false;
    running_trigger_.clear();
    last_error_ = error;
    trigger.clear();
  }
}

void Reconciler::RunOnce(const std::string& trigger) {
  const auto started = std::chrono::steady_clock::now();
  ReconciliationRecord record;
  record.trigger = trigger;
  record.reconciliation_id = store_->StartReconciliation(trigger);
  try {
    // 1. The store first: an ECG written after this point is never a removal candidate.
    const std::vector<uint64_t> store_hashes = store_->OrthancInstanceIdHashes();
    record.store_instances = static_cast<int64_t>(store_hashes.size());
    std::vector<bool> seen(store_hashes.size(), false);

    // 2. Orthanc's instances: mark what the store has, hand over the ECGs it lacks.
    std::vector<std::string> missing;
    for (size_t since = 0; !stopping();) {
      const std::vector<std::string> ids = ListInstances(since, options_.orthanc_page);
      since += ids.size();
      record.orthanc_instances += static_cast<int64_t>(ids.size());
      for (const std::string& id : ids) {
        const uint64_t hash = HashOrthancId(id);
        const auto it = std::lower_bound(store_hashes.begin(), store_hashes.end(), hash);
        if (it != store_hashes.end() && *it == hash) {
          seen[it - store_hashes.begin()] = true;
        } else if (IsWaveformInstance(id)) {
          missing.push_back(id);
        }
      }
      if (missing.size() >= kMissingBatch ||
          (ids.size() < options_.orthanc_page && !missing.empty())) {
        record.added += static_cast<int64_t>(missing.size());
        ingester_->IngestMissing(std::move(missing));
        missing.clear();
      }
      if (ids.size() < options_.orthanc_page) break;
    }
    if (stopping()) throw Error::Unavailable("the plugin is stopping");

    // 3. What Orthanc did not list: asked again one by one, removed when Orthanc says unknown.
    store_->ForEachOrthancInstanceId([&](const std::string& id) {
      const uint64_t hash = HashOrthancId(id);
      const auto it = std::lower_bound(store_hashes.begin(), store_hashes.end(), hash);
      if (it == store_hashes.end() || *it != hash || seen[it - store_hashes.begin()]) return;
      seen[it - store_hashes.begin()] = true;  // an ID in both tables is asked once
      if (InstanceExists(id)) return;
      ingester_->OnDeleted(ResourceLevel::kInstance, id);
      ++record.removed;
    });
  } catch (const std::exception& e) {
    record.error = e.what();
    try {
      store_->FinishReconciliation(record);
    } catch (const std::exception&) {
      // The database is the likely cause; the record stays unfinished.
    }
    throw;
  }
  store_->FinishReconciliation(record);
  PublishMetrics(record);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  spdlog::info(
      "reconciliation ({}) in {:.1f} s: {} Orthanc instances, {} store instances, {} ECGs queued "
      "for ingest, {} removed",
      trigger, seconds, record.orthanc_instances, record.store_instances, record.added,
      record.removed);
  orthanc::SetMetric("orthanc_ecg_reconcile_duration_seconds", seconds);
}

void Reconciler::PublishMetrics(const ReconciliationRecord& record) {
  orthanc::SetMetric("orthanc_ecg_reconcile_last_success_timestamp_seconds",
                     std::chrono::duration<double>(
                         std::chrono::system_clock::now().time_since_epoch())
                         .count());
  orthanc::SetMetric("orthanc_ecg_reconcile_removed", record.removed);
  orthanc::SetMetric("orthanc_ecg_reconcile_added", record.added);
  orthanc::SetMetric("orthanc_ecg_reconcile_orthanc_instances", record.orthanc_instances);
}

}  // namespace ecg::plugin
