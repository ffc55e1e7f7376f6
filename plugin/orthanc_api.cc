#include "plugin/orthanc_api.h"

#include <atomic>
#include <memory>
#include <mutex>

#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "waveform/error.h"

namespace ecg::plugin::orthanc {
namespace {

std::atomic<OrthancPluginContext*> g_context{nullptr};

// spdlog sink writing each formatted message to Orthanc's log at the matching level.
class OrthancSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    OrthancPluginContext* context = Context();
    if (context == nullptr) return;
    const std::string text = "[ecg] " + std::string(msg.payload.data(), msg.payload.size());
    if (msg.level >= spdlog::level::err) {
      OrthancPluginLogError(context, text.c_str());
    } else if (msg.level == spdlog::level::warn) {
      OrthancPluginLogWarning(context, text.c_str());
    } else {
      OrthancPluginLogInfo(context, text.c_str());
    }
  }
  void flush_() override {}
};

// Copies and frees an SDK memory buffer.
std::string TakeBuffer(OrthancPluginMemoryBuffer* buffer) {
  std::string bytes(static_cast<const char*>(buffer->data), buffer->size);
  OrthancPluginFreeMemoryBuffer(Context(), buffer);
  return bytes;
}

}  // namespace

void SetContext(OrthancPluginContext* context) {
  g_context = context;
}
OrthancPluginContext* Context() {
  return g_context;
}

void InstallLogSink() {
  auto logger = std::make_shared<spdlog::logger>("orthanc", std::make_shared<OrthancSink>());
  logger->set_level(spdlog::level::info);
  spdlog::set_default_logger(logger);
}

void RemoveLogSink() {
  spdlog::set_default_logger(spdlog::stderr_color_mt("ecg-console"));
}

std::optional<std::string> RestGet(const std::string& uri) {
  OrthancPluginMemoryBuffer buffer{};
  const OrthancPluginErrorCode code = OrthancPluginRestApiGet(Context(), &buffer, uri.c_str());
  if (code == OrthancPluginErrorCode_UnknownResource) return std::nullopt;
  if (code != OrthancPluginErrorCode_Success) {
    throw Error::Unavailable("Orthanc REST GET " + uri +
                             " failed: " + OrthancPluginGetErrorDescription(Context(), code));
  }
  return TakeBuffer(&buffer);
}

std::optional<nlohmann::json> RestGetJson(const std::string& uri) {
  std::optional<std::string> body = RestGet(uri);
  if (!body) return std::nullopt;
  try {
    return nlohmann::json::parse(*body);
  } catch (const nlohmann::json::exception& e) {
    throw Error::Corruption("Orthanc REST GET " + uri + " answered invalid JSON: " + e.what());
  }
}

std::optional<std::string> GetDicomForInstance(const std::string& instance_id) {
  OrthancPluginMemoryBuffer buffer{};
  const OrthancPluginErrorCode code =
      OrthancPluginGetDicomForInstance(Context(), &buffer, instance_id.c_str());
  if (code == OrthancPluginErrorCode_UnknownResource) return std::nullopt;
  if (code != OrthancPluginErrorCode_Success) {
    throw Error::Unavailable("reading the DICOM file of instance " + instance_id +
                             " failed: " + OrthancPluginGetErrorDescription(Context(), code));
  }
  return TakeBuffer(&buffer);
}

std::string Sha1(const std::string& text) {
  char* digest =
      OrthancPluginComputeSha1(Context(), text.data(), static_cast<uint32_t>(text.size()));
  if (digest == nullptr) throw Error::Unavailable("Orthanc could not compute a SHA-1");
  std::string result(digest);
  OrthancPluginFreeString(Context(), digest);
  return result;
}

void SetMetric(const std::string& name, double value) {
  OrthancPluginSetMetricsValue(Context(), name.c_str(), static_cast<float>(value),
                               OrthancPluginMetricsType_Default);
}

}  // namespace ecg::plugin::orthanc
