#include "plugin/ingest/arrival_rate.h"

namespace ecg::plugin {

int64_t ArrivalRate::SlotOf(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count() /
         kBucket_ms;
}

void ArrivalRate::Note(Clock::time_point now) {
  const int64_t slot = SlotOf(now);
  std::lock_guard<std::mutex> lock(mutex_);
  Bucket& bucket = buckets_[static_cast<size_t>(slot) % kBuckets];
  if (bucket.slot != slot) bucket = Bucket{slot, 0};
  ++bucket.events;
}

size_t ArrivalRate::Count(Clock::time_point now) const {
  const int64_t slot = SlotOf(now);
  std::lock_guard<std::mutex> lock(mutex_);
  size_t events = 0;
  for (const Bucket& bucket : buckets_) {
    if (bucket.slot > slot - static_cast<int64_t>(kBuckets) && bucket.slot <= slot) {
      events += bucket.events;
    }
  }
  return events;
}

}  // namespace ecg::plugin
