#include "plugin/training/training_schedule.h"

#include <ctime>

namespace ecg::plugin {

int64_t TodaysSlotMs(int64_t now_ms, int slot_minute_of_day) {
  const std::time_t now = static_cast<std::time_t>(now_ms / 1000);
  std::tm local{};
  localtime_r(&now, &local);
  local.tm_hour = slot_minute_of_day / 60;
  local.tm_min = slot_minute_of_day % 60;
  local.tm_sec = 0;
  local.tm_isdst = -1;  // let mktime decide (a slot inside a DST change moves by an hour)
  return static_cast<int64_t>(std::mktime(&local)) * 1000;
}

bool ScheduledRunDue(int64_t now_ms, int slot_minute_of_day,
                     std::optional<int64_t> last_scheduled_queued_ms, int64_t window_ms) {
  const int64_t slot_ms = TodaysSlotMs(now_ms, slot_minute_of_day);
  if (now_ms < slot_ms || now_ms >= slot_ms + window_ms) return false;
  return !last_scheduled_queued_ms || *last_scheduled_queued_ms < slot_ms;
}

}  // namespace ecg::plugin
