#include "waveform/dicom/dicom_time.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

#include "waveform/civil_time.h"
#include "waveform/dicom/text.h"

namespace ecg::dicom {

namespace {

constexpr int64_t kMsPerDay = 86400000;

// Reads `width` digits at *pos; false (and nothing read) when absent or not digits.
bool ReadDigits(std::string_view s, size_t* pos, size_t width, int* out) {
  if (*pos + width > s.size()) return false;
  int value = 0;
  for (size_t i = 0; i < width; ++i) {
    const char c = s[*pos + i];
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    value = value * 10 + (c - '0');
  }
  *pos += width;
  *out = value;
  return true;
}

// Reads ".FFFFFF" as milliseconds.
int ReadFractionMs(std::string_view s, size_t* pos) {
  if (*pos >= s.size() || s[*pos] != '.') return 0;
  ++*pos;
  int ms = 0;
  int digits = 0;
  while (*pos < s.size() && std::isdigit(static_cast<unsigned char>(s[*pos]))) {
    if (digits < 3) ms = ms * 10 + (s[*pos] - '0');
    ++digits;
    ++*pos;
  }
  for (; digits < 3; ++digits) ms *= 10;
  return ms;
}

// HHMMSS.FFF with optional minutes and seconds; also accepts the old "HH:MM:SS" form.
std::optional<int64_t> TimeOfDayMs(std::string_view tm, size_t* pos) {
  int h = 0, m = 0, s = 0;
  if (!ReadDigits(tm, pos, 2, &h)) return std::nullopt;
  if (*pos < tm.size() && tm[*pos] == ':') ++*pos;
  if (ReadDigits(tm, pos, 2, &m)) {
    if (*pos < tm.size() && tm[*pos] == ':') ++*pos;
    if (ReadDigits(tm, pos, 2, &s))
      s = s * 1000 + ReadFractionMs(tm, pos);
    else
      s = 0;
  }
  if (h > 23 || m > 59 || s > 60999) return std::nullopt;
  return (h * 3600 + m * 60) * int64_t{1000} + s;
}

std::optional<int64_t> DateMs(std::string_view da, size_t* pos, bool partial) {
  int y = 0, mo = 1, d = 1;
  if (!ReadDigits(da, pos, 4, &y)) return std::nullopt;
  if (!ReadDigits(da, pos, 2, &mo) && !partial) return std::nullopt;
  if (!ReadDigits(da, pos, 2, &d) && !partial) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return std::nullopt;
  return CivilToMs(y, mo, d);
}

}  // namespace

std::optional<int> ParseUtcOffset(std::string_view text) {
  text = TrimPadding(text);
  if (text.size() != 5 || (text[0] != '+' && text[0] != '-')) return std::nullopt;
  size_t pos = 1;
  int hh = 0, mm = 0;
  if (!ReadDigits(text, &pos, 2, &hh) || !ReadDigits(text, &pos, 2, &mm)) return std::nullopt;
  if (hh > 14 || mm > 59) return std::nullopt;
  const int minutes = hh * 60 + mm;
  return text[0] == '-' ? -minutes : minutes;
}

std::optional<CivilTime> ParseDateTime(std::string_view dt) {
  dt = TrimPadding(dt);
  CivilTime out;
  const size_t sign = dt.find_first_of("+-");
  if (sign != std::string_view::npos) {
    out.utc_offset_minutes = ParseUtcOffset(dt.substr(sign));
    if (!out.utc_offset_minutes) return std::nullopt;
    dt = dt.substr(0, sign);
  }
  size_t pos = 0;
  const auto date = DateMs(dt, &pos, /*partial=*/true);
  if (!date) return std::nullopt;
  out.ms_since_epoch = *date;
  if (pos < dt.size()) {
    const auto time = TimeOfDayMs(dt, &pos);
    if (!time || pos != dt.size()) return std::nullopt;
    out.ms_since_epoch += *time;
  }
  return out;
}

std::optional<int64_t> ParseDateAndTime(std::string_view da, std::string_view tm) {
  da = TrimPadding(da);
  tm = TrimPadding(tm);
  size_t pos = 0;
  if (da.size() == 10 && da[4] == '.' && da[7] == '.') {  // ACR-NEMA "YYYY.MM.DD"
    const std::string compact =
        std::string(da.substr(0, 4)) + std::string(da.substr(5, 2)) + std::string(da.substr(8, 2));
    return ParseDateAndTime(compact, tm);
  }
  const auto date = DateMs(da, &pos, /*partial=*/false);
  if (!date || pos != da.size()) return std::nullopt;
  if (tm.empty()) return date;
  pos = 0;
  const auto time = TimeOfDayMs(tm, &pos);
  if (!time || pos != tm.size()) return std::nullopt;
  return *date + *time;
}

std::string FormatDate(int64_t ms) { return FormatCivilDate(ms); }

std::string FormatTime(int64_t ms) {
  int64_t of_day = ms % kMsPerDay;
  if (of_day < 0) of_day += kMsPerDay;
  const int h = static_cast<int>(of_day / 3600000);
  const int m = static_cast<int>(of_day / 60000 % 60);
  const int s = static_cast<int>(of_day / 1000 % 60);
  const int f = static_cast<int>(of_day % 1000);
  char buffer[16];
  std::snprintf(buffer, sizeof(buffer), "%02d%02d%02d.%03d", h, m, s, f);
  return buffer;
}

std::string FormatDateTime(int64_t ms) {
  return FormatDate(ms) + FormatTime(ms);
}

std::string FormatUtcOffset(int minutes) {
  const int magnitude = std::abs(minutes);
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "%c%02d%02d", minutes < 0 ? '-' : '+', magnitude / 60,
                magnitude % 60);
  return buffer;
}

}  // namespace ecg::dicom
