// DICOM dates and times (DA, TM, DT) to and from milliseconds since 1970-01-01.
//
// Values are read as civil (wall-clock) times; ParseDateTime also returns the UTC offset a DT
// value carries ("&ZZXX" suffix). Partial values are accepted as the standard allows (a DT of
// "2013" is 2013-01-01 00:00). Anything else malformed yields nullopt. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ecg::dicom {

struct CivilTime {
  int64_t ms_since_epoch = 0;             // the wall-clock time read as if it were UTC
  std::optional<int> utc_offset_minutes;  // from a DT suffix "+0100", when present
};

std::optional<CivilTime> ParseDateTime(std::string_view dt);
// A DA plus an optional TM (empty TM = midnight).
std::optional<int64_t> ParseDateAndTime(std::string_view da, std::string_view tm);
// "+0100" / "-0530" -> minutes.
std::optional<int> ParseUtcOffset(std::string_view text);

// Formatting for writers: "YYYYMMDD", "HHMMSS.FFF", "YYYYMMDDHHMMSS.FFF", "+HHMM".
std::string FormatDate(int64_t ms_since_epoch);
std::string FormatTime(int64_t ms_since_epoch);
std::string FormatDateTime(int64_t ms_since_epoch);
std::string FormatUtcOffset(int minutes);

}  // namespace ecg::dicom
