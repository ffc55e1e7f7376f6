#include "plugin/plugin_config.h"

#include <algorithm>
#include <cctype>
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

std::string ReadTrainingString(const json& training, const std::string& key,
                               const std::string& fallback) {
  if (!training.contains(key)) return fallback;
  const json& value = training[key];
  if (!value.is_string() || value.get<std::string>().empty()) {
    Bad("Training." + key, "a non-empty string");
  }
  return value.get<std::string>();
}

// "HH:MM" (00:00 to 23:59) -> minutes after midnight; "disabled" -> nullopt.
std::optional<int> ReadSchedule(const json& training) {
  const std::string text = ReadTrainingString(training, "Schedule", "02:00");
  if (text == "disabled") return std::nullopt;
  const bool shaped = text.size() == 5 && text[2] == ':' && std::isdigit(text[0]) &&
                      std::isdigit(text[1]) && std::isdigit(text[3]) && std::isdigit(text[4]);
  const int hours = shaped ? std::stoi(text.substr(0, 2)) : -1;
  const int minutes = shaped ? std::stoi(text.substr(3, 2)) : -1;
  if (hours < 0 || hours > 23 || minutes < 0 || minutes > 59) {
    Bad("Training.Schedule", "a local time \"HH:MM\" (00:00 to 23:59) or \"disabled\"");
  }
  return hours * 60 + minutes;
}

bool IsDevice(const std::string& device) {
  if (device == "auto" || device == "cpu") return true;
  if (device.rfind("cuda:", 0) != 0 || device.size() == 5 || device.size() > 8) return false;
  return std::all_of(device.begin() + 5, device.end(), [](char c) { return std::isdigit(c); });
}

TrainingSettings ReadTraining(const json& section) {
  TrainingSettings settings;
  if (!section.contains("Training")) return settings;
  const json& training = section["Training"];
  if (!training.is_object()) Bad("Training", "a JSON object");
  static const std::set<std::string> kKnown = {"Schedule", "Worker",     "Device",
                                               "Config",   "WorkerPath", "HeartbeatTimeoutSeconds"};
  for (const auto& item : training.items()) {
    if (kKnown.count(item.key()) == 0) {
      Bad("Training",
          "an object with the keys Schedule, Worker, Device, Config, WorkerPath and "
          "HeartbeatTimeoutSeconds only (found \"" +
              item.key() + "\")");
    }
  }
  settings.schedule_minute = ReadSchedule(training);
  const std::string worker = ReadTrainingString(training, "Worker", "local");
  if (worker != "local" && worker != "external")
    Bad("Training.Worker", "\"local\" or \"external\"");
  settings.local_worker = worker == "local";
  settings.device = ReadTrainingString(training, "Device", settings.device);
  if (!IsDevice(settings.device)) Bad("Training.Device", "\"auto\", \"cpu\" or \"cuda:N\"");
  settings.config_file = ReadTrainingString(training, "Config", settings.config_file);
  settings.worker_path = ReadTrainingString(training, "WorkerPath", settings.worker_path);
  if (training.contains("HeartbeatTimeoutSeconds")) {
    const json& timeout = training["HeartbeatTimeoutSeconds"];
    if (!timeout.is_number() || timeout.get<double>() < 10 || timeout.get<double>() > 86400) {
      Bad("Training.HeartbeatTimeoutSeconds", "a number of seconds from 10 to 86400");
    }
    settings.heartbeat_timeout_s = timeout.get<double>();
  }
  return settings;
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
  config.reconcile_interval_h = ReadNumber<double>(section, "ReconcileIntervalHours",
                                                   config.reconcile_interval_h, 0, 24 * 366,
                                                   "a number of hours");
  config.reconcile_on_start = ReadBool(section, "ReconcileOnStart", config.reconcile_on_start);
  config.training = ReadTraining(section);

  static const std::set<std::string> kKnown = {
      "Enable",       "ConnectionUri",        "DataDirectory",       "Threads", "QueueSize",
      "ChangesBatch", "MaxRetryDelaySeconds", "PollIntervalSeconds", "Training",
      "ReconcileIntervalHours", "ReconcileOnStart"};
  for (const auto& item : section.items()) {
    if (kKnown.count(item.key()) == 0) config.unknown_keys.push_back(item.key());
  }
  return config;
}

}  // namespace ecg::plugin
