#include "plugin/plugin_config.h"

#include <set>
#include <type_traits>

#include "waveform/error.h"

namespace ecg::plugin {
namespace {

using nlohmann::json;

constexpr const char* kSection = "Ecg";

[[noreturn]] void Bad(const std::string& key, const std::string& expectation) {
  throw Error::InvalidArgument(std::string(kSection) + "." + key + " must be " + expectation);
}

bool ReadBool(const json& section, const std::string& key, bool fallback) {
  if (!section.contains(key)) return fallback;
  if (!section[key].is_boolean()) Bad(key, "true or false");
  return section[key].get<bool>();
}

std::string ReadString(const json& section, const std::string& key, const std::string& fallback) {
  if (!section.contains(key)) return fallback;
  const json& value = section[key];
  if (!value.is_string() || value.get<std::string>().empty()) Bad(key, "a non-empty string");
  return value.get<std::string>();
}

// A number in [low, high]; integers only when T is integral.
template <typename T>
T ReadNumber(const json& section, const std::string& key, T fallback, T low, T high,
             const std::string& what) {
  if (!section.contains(key)) return fallback;
  const json& value = section[key];
  const std::string range = what + " from " + std::to_string(low) + " to " + std::to_string(high);
  const bool typed = std::is_integral_v<T> ? value.is_number_integer() : value.is_number();
  if (!typed) Bad(key, range);
  const double n = value.get<double>();
  if (!(n >= static_cast<double>(low) && n <= static_cast<double>(high))) Bad(key, range);
  return static_cast<T>(n);
}

size_t ReadCount(const json& section, const std::string& key, size_t fallback, size_t low,
                 size_t high) {
  return ReadNumber<size_t>(section, key, fallback, low, high, "an integer");
}

double ReadSeconds(const json& section, const std::string& key, double fallback, double low,
                   double high) {
  return ReadNumber<double>(section, key, fallback, low, high, "a number of seconds");
}

}  // namespace

std::optional<PluginConfig> ParsePluginConfig(const json& orthanc_configuration) {
  if (!orthanc_configuration.is_object() || !orthanc_configuration.contains(kSection)) {
    return std::nullopt;
  }
  const json& section = orthanc_configuration[kSection];
  if (!section.is_object()) {
    throw Error::InvalidArgument(std::string(kSection) + " must be a JSON object");
  }
  if (!ReadBool(section, "Enable", true)) return std::nullopt;

  PluginConfig config;
  if (!section.contains("ConnectionUri")) Bad("ConnectionUri", "set (a libpq URI)");
  config.connection_uri = ReadString(section, "ConnectionUri", "");
  config.data_directory = ReadString(section, "DataDirectory", config.data_directory);
  config.threads = ReadCount(section, "Threads", config.threads, 1, 16);
  config.queue_size = ReadCount(section, "QueueSize", config.queue_size, 1, 1000000);
  config.changes_batch = ReadCount(section, "ChangesBatch", config.changes_batch, 1, 10000);
  config.max_retry_delay_s =
      ReadSeconds(section, "MaxRetryDelaySeconds", config.max_retry_delay_s, 0.1, 600);
  config.poll_interval_s =
      ReadSeconds(section, "PollIntervalSeconds", config.poll_interval_s, 0.05, 600);

  static const std::set<std::string> kKnown = {
      "Enable",    "ConnectionUri", "DataDirectory",        "Threads",
      "QueueSize", "ChangesBatch",  "MaxRetryDelaySeconds", "PollIntervalSeconds"};
  for (const auto& item : section.items()) {
    if (kKnown.count(item.key()) == 0) config.unknown_keys.push_back(item.key());
  }
  return config;
}

}  // namespace ecg::plugin
