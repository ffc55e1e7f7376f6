#include "plugin/rest.h"

#include <cctype>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "plugin/large_stack.h"
#include "plugin/orthanc_api.h"

namespace ecg::plugin {
namespace {

const char* MethodName(OrthancPluginHttpMethod method) {
  switch (method) {
    case OrthancPluginHttpMethod_Get:
      return "GET";
    case OrthancPluginHttpMethod_Post:
      return "POST";
    case OrthancPluginHttpMethod_Put:
      return "PUT";
    case OrthancPluginHttpMethod_Delete:
      return "DELETE";
    default:
      return "?";
  }
}

RestRequest ToRestRequest(const OrthancPluginHttpRequest* request) {
  RestRequest parsed;
  for (uint32_t i = 0; i < request->groupsCount; ++i) parsed.groups.push_back(request->groups[i]);
  for (uint32_t i = 0; i < request->getCount; ++i) {
    parsed.query[request->getKeys[i]] = request->getValues[i];
  }
  if (request->body != nullptr) {
    parsed.body.assign(static_cast<const char*>(request->body), request->bodySize);
  }
  return parsed;
}

void Send(OrthancPluginRestOutput* output, const RestAnswer& answer) {
  OrthancPluginContext* context = orthanc::Context();
  if (answer.status == 200) {
    OrthancPluginAnswerBuffer(context, output, answer.body.data(),
                              static_cast<uint32_t>(answer.body.size()), answer.mime_type.c_str());
    return;
  }
  OrthancPluginSetHttpHeader(context, output, "Content-Type", answer.mime_type.c_str());
  OrthancPluginSendHttpStatus(context, output, answer.status, answer.body.data(),
                              static_cast<uint32_t>(answer.body.size()));
}

RestAnswer ErrorAnswer(uint16_t status, const std::string& code, const std::string& message) {
  return RestAnswer::Json({{"error", message}, {"code", code}}, status);
}

}  // namespace

std::optional<std::string> RestRequest::Query(const std::string& name) const {
  auto it = query.find(name);
  if (it == query.end()) return std::nullopt;
  return it->second;
}

int64_t RestRequest::QueryInt(const std::string& name, int64_t fallback, int64_t low,
                              int64_t high) const {
  const std::optional<std::string> text = Query(name);
  if (!text) return fallback;
  char* end = nullptr;
  const long long value = std::strtoll(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || value < low || value > high) {
    throw Error::InvalidArgument("query argument " + name + " must be an integer from " +
                                 std::to_string(low) + " to " + std::to_string(high));
  }
  return value;
}

RestAnswer RestAnswer::Json(const nlohmann::json& value, uint16_t status) {
  return {status, value.dump(2), "application/json"};
}

uint16_t HttpStatusFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kNotFound:
      return 404;
    case ErrorCode::kInvalidArgument:
      return 400;
    case ErrorCode::kConflict:
      return 409;
    case ErrorCode::kUnavailable:
      return 503;
    case ErrorCode::kCorruption:
    case ErrorCode::kUnsupported:
      return 422;
    case ErrorCode::kDataLoss:
      return 500;
  }
  return 500;
}

OrthancPluginErrorCode Serve(OrthancPluginRestOutput* output,
                             const OrthancPluginHttpRequest* request,
                             OrthancPluginHttpMethod method, RestHandler handler) {
  if (request->method != method) {
    OrthancPluginSendMethodNotAllowed(orthanc::Context(), output, MethodName(method));
    return OrthancPluginErrorCode_Success;
  }
  RestAnswer answer;
  try {
    // Orthanc's HTTP threads have small stacks; the layers below need more (large_stack.h).
    RunOnLargeStack([&] { answer = handler(ToRestRequest(request)); });
  } catch (const Error& e) {
    answer = ErrorAnswer(HttpStatusFor(e.code()), std::string(ErrorCodeName(e.code())), e.what());
  } catch (const std::exception& e) {
    answer = ErrorAnswer(500, "Internal", e.what());
  } catch (...) {
    answer = ErrorAnswer(500, "Internal", "unknown exception");
  }
  if (answer.status >= 500) spdlog::error("REST answer {}: {}", answer.status, answer.body);
  try {
    Send(output, answer);
  } catch (...) {
    return OrthancPluginErrorCode_InternalError;
  }
  return OrthancPluginErrorCode_Success;
}

void RequireOrthancId(const std::string& id, const std::string& what) {
  bool valid = id.size() == 44;
  for (size_t i = 0; valid && i < id.size(); ++i) {
    valid = (i % 9 == 8) ? id[i] == '-' : std::isxdigit(static_cast<unsigned char>(id[i])) != 0;
  }
  if (!valid) {
    throw Error::InvalidArgument(what + " is not an Orthanc ID (5 groups of 8 hex digits)");
  }
}

void RegisterRouteTable(const Route* routes, size_t count) {
  for (size_t i = 0; i < count; ++i) {
    OrthancPluginRegisterRestCallbackNoLock(orthanc::Context(), routes[i].pattern,
                                            routes[i].callback);
  }
}

}  // namespace ecg::plugin
