#include "plugin/ingest/ingest_queue.h"

#include <algorithm>

#include "waveform/error.h"

namespace ecg::plugin {

IngestQueue::IngestQueue(size_t capacity) : capacity_(capacity) {
  if (capacity == 0) throw Error::InvalidArgument("IngestQueue: capacity must be at least 1");
}

bool IngestQueue::Push(IngestTask task) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return closed_ || tasks_.size() < capacity_; });
  if (closed_) return false;
  outstanding_.insert(task.seq);
  tasks_.push_back(std::move(task));
  changed_.notify_all();
  return true;
}

std::vector<IngestTask> IngestQueue::PopUpTo(size_t max_tasks) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return closed_ || !tasks_.empty(); });
  std::vector<IngestTask> batch;
  if (closed_) return batch;
  const size_t count = std::min(std::max<size_t>(max_tasks, 1), tasks_.size());
  for (size_t i = 0; i < count; ++i) {
    batch.push_back(std::move(tasks_.front()));
    tasks_.pop_front();
  }
  in_progress_ += count;
  changed_.notify_all();
  return batch;
}

void IngestQueue::Done(const IngestTask& task) {
  std::lock_guard<std::mutex> lock(mutex_);
  outstanding_.erase(outstanding_.find(task.seq));
  --in_progress_;
  changed_.notify_all();
}

void IngestQueue::Hold(int64_t seq) {
  std::lock_guard<std::mutex> lock(mutex_);
  outstanding_.insert(seq);
}

void IngestQueue::Release(int64_t seq) {
  std::lock_guard<std::mutex> lock(mutex_);
  outstanding_.erase(outstanding_.find(seq));
}

int64_t IngestQueue::Watermark(int64_t read_seq) const {
  std::lock_guard<std::mutex> lock(mutex_);
  if (outstanding_.empty()) return read_seq;
  return std::min(read_seq, *outstanding_.begin() - 1);
}

bool IngestQueue::WaitIdle() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return closed_ || (tasks_.empty() && in_progress_ == 0); });
  return !closed_;
}

size_t IngestQueue::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return tasks_.size();
}

size_t IngestQueue::in_progress() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return in_progress_;
}

void IngestQueue::Close() {
  std::lock_guard<std::mutex> lock(mutex_);
  closed_ = true;
  changed_.notify_all();
}

}  // namespace ecg::plugin
