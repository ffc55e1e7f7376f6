// ArrivalRate: how many events (ECG instances stored by Orthanc) happened in about the last
// second, to tell a burst (an import, a modality sending its day's ECGs) from a trickle. The
// plugin leaves measuring to after a burst (plugin/ingest/ingester.h, Busy()) so that Orthanc
// keeps its throughput.
//
// Ten 100 ms buckets: Count() sums those younger than one second, so it answers the events of
// the last 0.9 to 1.0 s. Note() and Count() are thread-safe, O(1) and allocate nothing; the time
// is passed in (steady clock) so that tests control it.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>

namespace ecg::plugin {

class ArrivalRate {
 public:
  using Clock = std::chrono::steady_clock;

  void Note(Clock::time_point now);
  size_t Count(Clock::time_point now) const;

 private:
  static constexpr int64_t kBucket_ms = 100;
  static constexpr size_t kBuckets = 10;  // one second
  struct Bucket {
    int64_t slot = -1;  // now / 100 ms when it was filled; -1: never
    size_t events = 0;
  };
  static int64_t SlotOf(Clock::time_point t);

  mutable std::mutex mutex_;
  std::array<Bucket, kBuckets> buckets_{};  // guarded by mutex_
};

}  // namespace ecg::plugin
