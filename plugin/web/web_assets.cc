#include "plugin/web/web_assets.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstring>

#include <orthanc/OrthancCPlugin.h>
#include <spdlog/spdlog.h>

#include "plugin/orthanc_api.h"

namespace ecg::plugin {
namespace {

constexpr const char* kExplorerScript = "explorer.js";

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

void SendNotFound(OrthancPluginRestOutput* output) {
  OrthancPluginContext* context = orthanc::Context();
  // The name is not echoed: it came from the URL and is not ours to reflect into a page.
  const std::string body =
      R"({"error": "no such file of the clinician's page", "code": "NotFound"})";
  OrthancPluginSetHttpHeader(context, output, "Content-Type", "application/json");
  OrthancPluginSendHttpStatus(context, output, 404, body.data(),
                              static_cast<uint32_t>(body.size()));
}

bool RefuseOtherMethods(OrthancPluginRestOutput* output, const OrthancPluginHttpRequest* request) {
  if (request->method == OrthancPluginHttpMethod_Get) return false;
  OrthancPluginSendMethodNotAllowed(orthanc::Context(), output, "GET");
  return true;
}

// Orthanc hands plugins the URI without its trailing slash, so "/ecg/app" and "/ecg/app/" reach
// the same callback and no relative redirect can be right for both. This page sends the browser
// on to index.html next to itself, keeping the query (Orthanc IDs) and any proxy prefix.
constexpr const char* kEntryPage =
    "<!doctype html><meta charset=\"utf-8\"><title>ECG</title>"
    "<script>var p=location.pathname;"
    "location.replace(p+(p.endsWith('/')?'':'/')+'index.html'+location.search);</script>"
    "<noscript>The ECG page needs JavaScript: open <a href=\"app/index.html\">index.html</a>."
    "</noscript>";

OrthancPluginErrorCode ServeEntry(OrthancPluginRestOutput* output, const char* /*url*/,
                                  const OrthancPluginHttpRequest* request) {
  try {
    if (RefuseOtherMethods(output, request)) return OrthancPluginErrorCode_Success;
    OrthancPluginContext* context = orthanc::Context();
    OrthancPluginSetHttpHeader(context, output, "Cache-Control", "no-cache");
    OrthancPluginAnswerBuffer(context, output, kEntryPage,
                              static_cast<uint32_t>(std::strlen(kEntryPage)),
                              "text/html; charset=utf-8");
    return OrthancPluginErrorCode_Success;
  } catch (...) {
    return OrthancPluginErrorCode_InternalError;
  }
}

// The request's If-None-Match header, or "" (Orthanc hands header names in lower case).
std::string_view IfNoneMatch(const OrthancPluginHttpRequest* request) {
  for (uint32_t i = 0; i < request->headersCount; ++i) {
    if (std::strcmp(request->headersKeys[i], "if-none-match") == 0)
      return request->headersValues[i];
  }
  return {};
}

OrthancPluginErrorCode ServeAsset(OrthancPluginRestOutput* output, const char* /*url*/,
                                  const OrthancPluginHttpRequest* request) {
  try {
    if (RefuseOtherMethods(output, request)) return OrthancPluginErrorCode_Success;
    const std::string path = request->groupsCount > 0 ? request->groups[0] : "";
    const std::optional<WebAsset> asset = FindWebAsset(path);
    if (!asset) {
      SendNotFound(output);
      return OrthancPluginErrorCode_Success;
    }
    OrthancPluginContext* context = orthanc::Context();
    const std::string etag = WebAssetETag(*asset);
    OrthancPluginSetHttpHeader(context, output, "Cache-Control", "no-cache");
    OrthancPluginSetHttpHeader(context, output, "ETag", etag.c_str());
    OrthancPluginSetHttpHeader(context, output, "X-Content-Type-Options", "nosniff");
    if (IfNoneMatch(request) == etag) {  // the browser's copy is this one: no body
      OrthancPluginSendHttpStatusCode(context, output, 304);
      return OrthancPluginErrorCode_Success;
    }
    OrthancPluginAnswerBuffer(context, output, asset->data, static_cast<uint32_t>(asset->size),
                              MimeTypeFor(path).c_str());
    return OrthancPluginErrorCode_Success;
  } catch (...) {
    return OrthancPluginErrorCode_InternalError;
  }
}

}  // namespace

std::optional<WebAsset> FindWebAsset(std::string_view path) {
  const std::vector<WebAsset>& assets = EmbeddedWebAssets();
  auto it = std::lower_bound(assets.begin(), assets.end(), path,
                             [](const WebAsset& a, std::string_view p) { return a.path < p; });
  if (it == assets.end() || it->path != path) return std::nullopt;
  return *it;
}

std::string WebAssetETag(const WebAsset& asset) {
  uint64_t hash = 14695981039346656037ull;  // FNV-1a, 64 bits
  for (size_t i = 0; i < asset.size; ++i) {
    hash = (hash ^ asset.data[i]) * 1099511628211ull;
  }
  char text[24];
  std::snprintf(text, sizeof(text), "\"%016llx\"", static_cast<unsigned long long>(hash));
  return text;
}

std::string MimeTypeFor(std::string_view path) {
  static const std::pair<const char*, const char*> kTypes[] = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".txt", "text/plain; charset=utf-8"},
  };
  for (const auto& [extension, type] : kTypes) {
    if (EndsWith(path, extension)) return type;
  }
  return "application/octet-stream";
}

void RegisterWebAssets() {
  OrthancPluginContext* context = orthanc::Context();
  OrthancPluginRegisterRestCallbackNoLock(context, "/ecg/app", ServeEntry);
  OrthancPluginRegisterRestCallbackNoLock(context, "/ecg/app/(.*)", ServeAsset);
  if (const std::optional<WebAsset> script = FindWebAsset(kExplorerScript)) {
    // The asset is followed by a '\0' (cmake/EmbedWebAssets.cmake): a C string as it stands.
    OrthancPluginExtendOrthancExplorer(context, reinterpret_cast<const char*>(script->data));
  } else {
    spdlog::warn("web/{} is not embedded: no ECG button in Orthanc Explorer", kExplorerScript);
  }
}

}  // namespace ecg::plugin
