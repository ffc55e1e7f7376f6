#include "waveform/civil_time.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace ecg {

int64_t CivilToMs(int year, int month, int day, int hour, int minute, double second) {
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  return static_cast<int64_t>(timegm(&tm)) * 1000 + std::llround(second * 1000);
}

std::string FormatCivilDate(int64_t ms) {
  const int64_t floor_seconds = ms / 1000 - (ms % 1000 < 0 ? 1 : 0);
  const std::time_t seconds = static_cast<std::time_t>(floor_seconds);
  std::tm tm{};
  gmtime_r(&seconds, &tm);
  char text[16];
  std::snprintf(text, sizeof(text), "%04d%02d%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
  return text;
}

}  // namespace ecg
