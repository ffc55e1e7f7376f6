// orthanc_api: the plugin's thin C++ layer over Orthanc's C plugin SDK (OrthancCPlugin.h).
//
// SetContext() is called once in OrthancPluginInitialize, before anything else here, and the
// context stays valid until OrthancPluginFinalize. The functions then wrap the SDK calls the
// plugin needs with C++ types: memory buffers are copied into std::string and freed at once.
// InstallLogSink() routes spdlog (the log of every layer) to Orthanc's log.
//
// Errors: RestGet* return nullopt when Orthanc answers "unknown resource" (404: the instance was
// deleted meanwhile) and throw Error::Unavailable for any other failure, naming the URI.
// Thread safety: every function may be called from any thread (the SDK calls are thread-safe),
// except SetContext/InstallLogSink/RemoveLogSink (start-up and shut-down only).
#pragma once

#include <optional>
#include <string>

#include <orthanc/OrthancCPlugin.h>
#include <nlohmann/json.hpp>

namespace ecg::plugin::orthanc {

void SetContext(OrthancPluginContext* context);
OrthancPluginContext* Context();

// Makes spdlog's default logger write to Orthanc's log (info, warning, error levels).
void InstallLogSink();
// Back to spdlog's console logger (the context must not be used after finalisation).
void RemoveLogSink();

// GET through Orthanc's own REST API, in process (no HTTP, no authentication).
std::optional<std::string> RestGet(const std::string& uri);
std::optional<nlohmann::json> RestGetJson(const std::string& uri);

// The DICOM file of an instance as Orthanc stored it; nullopt if the instance is gone.
std::optional<std::string> GetDicomForInstance(const std::string& instance_id);

// Orthanc's own SHA-1 of `text` (Toolbox::ComputeSHA1: 40 hex digits in five dash-separated
// groups of 8, the form of Orthanc's resource IDs). Throws Error::Unavailable if Orthanc fails.
std::string Sha1(const std::string& text);

// Publishes a metric in Orthanc's Prometheus endpoint (/tools/metrics-prometheus).
void SetMetric(const std::string& name, double value);

}  // namespace ecg::plugin::orthanc
