// PluginConfig: the plugin's settings, read once at start-up from the "Ecg" section of Orthanc's
// configuration (docs/admin.md lists every key).
//
//   "Ecg": { "Enable": true, "ConnectionUri": "postgresql://orthanc@127.0.0.1:5432/ecg",
//            "DataDirectory": "/var/lib/orthanc/ecg", "Threads": 2 }
//
// ParsePluginConfig() returns nullopt when the section is missing or "Enable" is false (the
// plugin then loads and does nothing). Any other key that is present must have the right type and
// range; otherwise it throws Error::InvalidArgument whose message names the key ("Ecg.Threads
// must be an integer from 1 to 16"). Keys it does not know are returned in unknown_keys so that
// the caller can warn about them. The "Training" object is checked key by key as well (an
// unknown key inside it is an error naming it).
// Pure function of its input; thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace ecg::plugin {

// "Training": the nightly training (docs/admin.md, plugin/training/training_supervisor.h).
struct TrainingSettings {
  // Local time of the daily run, minutes after midnight; nullopt: "disabled" (runs only when
  // POST /ecg/training/run asks).
  std::optional<int> schedule_minute = 2 * 60;
  // true: the plugin starts the worker process itself ("local"); false: an `orthanc-ecg
  // worker` elsewhere claims the runs ("external").
  bool local_worker = true;
  // LibTorch device of the local worker: "auto", "cpu" or "cuda:N".
  std::string device = "auto";
  // Training configuration file of the local worker; empty: the built-in defaults.
  std::string config_file;
  // The `orthanc-ecg` executable the local worker runs (searched on PATH without a '/').
  std::string worker_path = "orthanc-ecg";
  // A running run whose worker has not sent a heartbeat for this long is marked failed.
  double heartbeat_timeout_s = 120;
};

struct PluginConfig {
  // libpq URI of the store. Required. May hold a password: never logged.
  std::string connection_uri;
  // Where the plugin keeps its files (indexes, models cache). Created if missing.
  std::string data_directory = "/var/lib/orthanc/ecg";
  // Ingest worker threads (fetch, decode, canonicalise, write). Each costs up to one core while
  // a burst is ingested; Orthanc itself needs the rest.
  size_t threads = 2;
  // ECGs waiting for a worker, at most. When full, the change-log reader pauses: nothing is lost,
  // the cursor catches up later.
  size_t queue_size = 1000;
  // Changes read from Orthanc's change log per request.
  size_t changes_batch = 200;
  // Longest pause between two attempts to reach PostgreSQL while it is down (backoff doubles
  // from 100 ms up to this).
  double max_retry_delay_s = 10.0;
  // Period of the change-log poll when no change notification arrives (a safety net; new
  // instances wake the reader at once).
  double poll_interval_s = 1.0;
  // Hours between two reconciliations of the store with Orthanc's instances
  // (plugin/ingest/reconciler.h);
  // one also runs after every start and on POST /ecg/reconcile. 0: only those.
  double reconcile_interval_h = 24;
  // Reconcile after every start (once the store is migrated).
  bool reconcile_on_start = true;
  // "Training" settings.
  TrainingSettings training;
  // Keys of the section this version does not know (reported as warnings, not errors).
  std::vector<std::string> unknown_keys;
};

// `orthanc_configuration` is Orthanc's whole configuration (OrthancPluginGetConfiguration).
std::optional<PluginConfig> ParsePluginConfig(const nlohmann::json& orthanc_configuration);

}  // namespace ecg::plugin
