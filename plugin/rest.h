// rest: the one place where plugin routes meet Orthanc's REST machinery.
//
// A route handler is a plain function RestAnswer(const RestRequest&) that parses, calls one layer
// and returns JSON; it just throws on failure. Serve() (DICOMweb's "Protect" idea) runs it and
// turns what it throws into an HTTP status with a JSON body {"error": message, "code": name}:
//   NotFound 404, InvalidArgument 400, Conflict 409, Unavailable 503, Corruption (a body or file
//   the request named is malformed) and Unsupported 422, DataLoss (the store's own rows are
//   damaged) and anything else 500
// and logs 5xx answers (the administrator's signal that something on the server is wrong). No
// exception crosses into Orthanc. The handler runs on a thread with a large stack
// (plugin/large_stack.h): Orthanc's HTTP threads have too little for LibTorch. Routes are registered with
// OrthancPluginRegisterRestCallbackNoLock (no global lock): handlers must be thread-safe.
// Orthanc's authentication has already been applied when a handler runs.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <orthanc/OrthancCPlugin.h>
#include <nlohmann/json.hpp>

#include "waveform/error.h"

namespace ecg::plugin {

struct RestRequest {
  std::vector<std::string> groups;           // the route's regex groups (IDs), in order
  std::map<std::string, std::string> query;  // GET arguments
  std::string body;

  std::optional<std::string> Query(const std::string& name) const;
  // An integer query argument in [low, high], fallback when absent; Error::InvalidArgument
  // (a 400 naming the argument) otherwise.
  int64_t QueryInt(const std::string& name, int64_t fallback, int64_t low, int64_t high) const;
};

struct RestAnswer {
  uint16_t status = 200;
  std::string body;
  std::string mime_type = "application/json";

  static RestAnswer Json(const nlohmann::json& value, uint16_t status = 200);
};

using RestHandler = RestAnswer (*)(const RestRequest&);

uint16_t HttpStatusFor(ErrorCode code);

// Checks the method, builds the RestRequest, runs the handler, sends its answer or error.
// Always returns OrthancPluginErrorCode_Success (the answer carries the status).
OrthancPluginErrorCode Serve(OrthancPluginRestOutput* output,
                             const OrthancPluginHttpRequest* request,
                             OrthancPluginHttpMethod method, RestHandler handler);

// The C callback of one route: Endpoint<HandleStatus, OrthancPluginHttpMethod_Get>.
template <RestHandler handler, OrthancPluginHttpMethod method>
OrthancPluginErrorCode Endpoint(OrthancPluginRestOutput* output, const char* /*url*/,
                                const OrthancPluginHttpRequest* request) {
  return Serve(output, request, method, handler);
}

// One entry of a route table: Orthanc's URI regex and its callback (an Endpoint<...>).
struct Route {
  const char* pattern;
  OrthancPluginRestCallback callback;
};

constexpr OrthancPluginHttpMethod kGet = OrthancPluginHttpMethod_Get;
constexpr OrthancPluginHttpMethod kPost = OrthancPluginHttpMethod_Post;

// Registers every route of a table with OrthancPluginRegisterRestCallbackNoLock.
void RegisterRouteTable(const Route* routes, size_t count);
template <size_t N>
void RegisterRouteTable(const Route (&routes)[N]) {
  RegisterRouteTable(routes, N);
}

// Throws Error::InvalidArgument unless id has the shape of an Orthanc ID (5 groups of 8
// hexadecimal digits joined by '-'); `what` names it in the message.
void RequireOrthancId(const std::string& id, const std::string& what);

}  // namespace ecg::plugin
