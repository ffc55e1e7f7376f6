// Civil (wall-clock) dates and times to and from milliseconds since 1970-01-01, read as UTC.
// The convention of EcgMetadata::acquisition_time_ms: a time without a zone is stored as if it
// were UTC. Proleptic Gregorian calendar through the C library (timegm/gmtime_r). Pure,
// thread-safe; no validation beyond what the C library normalises (month 13 = next January).
#pragma once

#include <cstdint>
#include <string>

namespace ecg {

int64_t CivilToMs(int year, int month, int day, int hour = 0, int minute = 0, double second = 0);

// "YYYYMMDD" (the DICOM DA form) of the day holding ms.
std::string FormatCivilDate(int64_t ms);

}  // namespace ecg
