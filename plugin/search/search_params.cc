#include "plugin/search/search_params.h"

#include <cctype>

#include "waveform/civil_time.h"
#include "waveform/error.h"

namespace ecg::plugin {
namespace {

bool AllDigits(const std::string& text) {
  for (char c : text) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return !text.empty();
}

// "YYYYMMDD" from either accepted form; empty when it has neither shape.
std::string CompactDate(const std::string& text) {
  if (text.size() == 8 && AllDigits(text)) return text;
  if (text.size() == 10 && text[4] == '-' && text[7] == '-') {
    const std::string compact = text.substr(0, 4) + text.substr(5, 2) + text.substr(8, 2);
    if (AllDigits(compact)) return compact;
  }
  return "";
}

}  // namespace

int64_t ParseBeforeDate(const std::string& text) {
  const std::string compact = CompactDate(text);
  const Error bad = Error::InvalidArgument(
      "query argument before must be a date, YYYYMMDD or "
      "YYYY-MM-DD (got \"" +
      text.substr(0, 40) + "\")");
  if (compact.empty()) throw bad;
  const int year = std::stoi(compact.substr(0, 4));
  const int month = std::stoi(compact.substr(4, 2));
  const int day = std::stoi(compact.substr(6, 2));
  if (month < 1 || month > 12 || day < 1 || day > 31) throw bad;
  const int64_t ms = CivilToMs(year, month, day);
  if (FormatCivilDate(ms) != compact) throw bad;  // e.g. 20230231, normalised to March
  return ms / 1000;
}

SearchOptions ParseSearchParams(const RestRequest& request) {
  SearchOptions options;
  options.k = static_cast<int>(request.QueryInt("k", 10, 1, SearchOptions::kMaxK));
  if (std::optional<std::string> scope = request.Query("scope")) {
    std::optional<SearchScope> parsed = ParseSearchScope(*scope);
    if (!parsed) {
      throw Error::InvalidArgument(
          "query argument scope must be all, same-patient or other-patients");
    }
    options.scope = *parsed;
  }
  if (std::optional<std::string> before = request.Query("before")) {
    options.before_s = ParseBeforeDate(*before);
  }
  return options;
}

}  // namespace ecg::plugin
