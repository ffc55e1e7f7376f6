// IngestQueue: the bounded queue between the change-log reader and the ingest workers, and the
// bookkeeping that says how far the persisted cursor may advance.
//
// Every task carries the sequence number of the Orthanc change that produced it. A task is
// "outstanding" from Push() until Done(); Watermark(read_seq) is the highest seq s such that every
// change up to s has been fully handled: read_seq when nothing is outstanding, else the smallest
// outstanding seq minus one. Hold(seq) keeps the watermark below seq without a task (a backfill
// still enumerating instances). A task whose worker gave up (shut-down) is simply never Done():
// the watermark stays below it and the change is replayed at the next start.
//
// Workers take tasks in batches: PopUpTo(n) waits for one task and takes up to n of those queued
// (fewer, larger store transactions when a burst has queued several).
//
// Thread safety: all methods may be called from any thread. Push() blocks while the queue is
// full and PopUpTo() while it is empty; Close() wakes both (Push then returns false, PopUpTo an
// empty batch).
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace ecg::plugin {

struct IngestTask {
  int64_t seq = 0;          // the change that produced it (a backfill: the seq it started at)
  std::string instance_id;  // Orthanc ID
  std::chrono::steady_clock::time_point seen_at;  // when the plugin learnt of the instance
  bool clear_error = false;  // a re-ingest (reindex): forget an earlier ingest error on success
};

class IngestQueue {
 public:
  // REQUIRES: capacity >= 1.
  explicit IngestQueue(size_t capacity);
  IngestQueue(const IngestQueue&) = delete;
  IngestQueue& operator=(const IngestQueue&) = delete;

  bool Push(IngestTask task);
  // The oldest tasks, at least one and at most max_tasks (REQUIRES: >= 1); empty once closed.
  std::vector<IngestTask> PopUpTo(size_t max_tasks);
  // REQUIRES: task came from PopUpTo() and Done() was not called for it yet.
  void Done(const IngestTask& task);

  void Hold(int64_t seq);
  // REQUIRES: a matching Hold(seq).
  void Release(int64_t seq);

  int64_t Watermark(int64_t read_seq) const;
  // Blocks until no task is queued or in progress; false if closed meanwhile.
  bool WaitIdle();

  size_t queued() const;
  size_t in_progress() const;
  void Close();

 private:
  const size_t capacity_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  // Guarded by mutex_:
  std::deque<IngestTask> tasks_;
  std::multiset<int64_t> outstanding_;  // seqs of queued and in-progress tasks, and holds
  size_t in_progress_ = 0;
  bool closed_ = false;
};

}  // namespace ecg::plugin
