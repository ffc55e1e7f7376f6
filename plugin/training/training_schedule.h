// When the nightly training run is due: a pure function of the clock, the configured local time
// and the last scheduled run, so that the plugin queues one run per day, and not a second one
// when Orthanc restarts after the day's run was queued.
//
// The day's slot is today's HH:MM in the server's local time zone (TZ). A run is due when the
// local time is inside [slot, slot + window) and no run with trigger "schedule" was queued at or
// after the slot. The window (1 hour by default) lets a plugin started shortly after the slot, or
// a run refused because another one was queued, still catch the day's run, without starting a
// training in the middle of the day when Orthanc is merely restarted then.
// Thread-safe (localtime_r/mktime).
#pragma once

#include <cstdint>
#include <optional>

namespace ecg::plugin {

// The start of the slot (ms since 1970, UTC) of the local day holding now_ms.
int64_t TodaysSlotMs(int64_t now_ms, int slot_minute_of_day);

bool ScheduledRunDue(int64_t now_ms, int slot_minute_of_day,
                     std::optional<int64_t> last_scheduled_queued_ms,
                     int64_t window_ms = 3600 * 1000);

}  // namespace ecg::plugin
