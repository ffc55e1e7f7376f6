#include "plugin/measure/measurement_backlog.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "plugin/thread_name.h"
#include "plugin/thread_priority.h"
#include "waveform/error.h"
#include "waveform/measurements_json.h"

namespace ecg::plugin {

void MeasurementBacklog::Start() {
  std::lock_guard<std::mutex> lock(mutex_);
  if (thread_.joinable()) return;
  stop_ = false;
  thread_ = std::thread([this] { Run(); });
}

void MeasurementBacklog::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void MeasurementBacklog::Wake() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    woken_ = true;
  }
  wake_.notify_all();
}

size_t MeasurementBacklog::skipped() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return skipped_.size();
}

size_t MeasurementBacklog::MeasureBatch(int64_t after_key, int64_t* next_after) {
  *next_after = after_key;
  std::vector<EcgToMeasure> pending =
      store_->EcgsToMeasure(kMeasureVersion, options_.batch, after_key);
  if (pending.empty()) return 0;
  *next_after = pending.back().ecg_key;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    pending.erase(std::remove_if(pending.begin(), pending.end(),
                                 [&](const EcgToMeasure& e) { return skipped_.count(e.ecg_key); }),
                  pending.end());
  }
  std::vector<int64_t> keys;
  for (const EcgToMeasure& e : pending) keys.push_back(e.ecg_key);
  std::vector<std::pair<int64_t, EcgSignal>> signals;
  try {
    signals = store_->LoadSignals(keys);
  } catch (const Error& e) {
    if (e.code() != ErrorCode::kDataLoss) throw;
    for (int64_t key : keys) {  // one by one, to find the damaged ones
      try {
        if (std::optional<EcgSignal> s = store_->LoadSignal(key)) signals.emplace_back(key, *s);
      } catch (const Error& one) {
        if (one.code() != ErrorCode::kDataLoss) throw;
        spdlog::error("measurements: the signal of ECG {} does not load, skipped: {}", key,
                      one.what());
        std::lock_guard<std::mutex> lock(mutex_);
        skipped_.insert(key);
      }
    }
  }
  std::vector<StoredMeasurements> results;
  size_t next = 0;
  for (const auto& [key, signal] : signals) {
    while (next < pending.size() && pending[next].ecg_key != key) ++next;
    MeasureOptions options;
    if (next < pending.size() && pending[next].source_rate_hz > 0) {
      options.source_sample_rate_hz = pending[next].source_rate_hz;
    }
    results.push_back(
        {key, kMeasureVersion, MeasurementsToJson(MeasureEcg(signal, options)).dump()});
  }
  store_->WriteMeasurements(results);
  measured_ += static_cast<int64_t>(results.size());
  return results.size();
}

void MeasurementBacklog::Run() {
  NameCurrentThread("ecg-measure");
  RunCurrentThreadOnlyWhenIdle();
  int64_t after = 0;
  std::unique_lock<std::mutex> lock(mutex_);
  while (!stop_) {
    woken_ = false;  // a Wake() from here on ends the next idle sleep
    lock.unlock();
    const bool busy = options_.busy && options_.busy();
    bool idle = false;
    if (!busy) {
      try {
        int64_t next = after;
        idle = MeasureBatch(after, &next) == 0 && next == after;
        after = idle ? 0 : next;
      } catch (const std::exception& e) {
        spdlog::warn("measurements: background measuring paused: {}", e.what());
        idle = true;
      }
    }
    lock.lock();
    if (busy) {
      wake_.wait_for(lock, options_.busy_poll, [this] { return stop_; });
    } else if (idle) {
      wake_.wait_for(lock, options_.idle_poll, [this] { return stop_ || woken_; });
    }
  }
}

}  // namespace ecg::plugin
