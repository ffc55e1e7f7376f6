// web_assets: the clinician's page (web/, docs/clinician.md) served by the plugin from bytes
// compiled into libOrthancEcg.so (cmake/EmbedWebAssets.cmake generates EmbeddedWebAssets() at
// build time), so it needs no file on disk, no CDN and no internet.
//
//   GET /ecg/app/index.html?ecg={orthancInstanceId} | ?patient={orthancPatientId}   the page
//   GET /ecg/app/NAME   the asset NAME with its MIME type (MimeTypeFor), "Cache-Control: no-cache"
//                       and an ETag of its bytes (WebAssetETag): a browser revalidates its copy and
//                       gets 304 with no body while the plugin is the same build;
//                       404 {"error", "code": "NotFound"} for a name that is not embedded
//   GET /ecg/app, /ecg/app/   a tiny page that moves the browser on to index.html beside it,
//                       keeping the query (Orthanc drops the trailing slash before plugins see the
//                       URI, so no relative HTTP redirect is right for both; this keeps a reverse
//                       proxy's prefix, which an absolute one would lose)
// Other methods answer 405. Orthanc's authentication applies as to every route. The page itself
// puts nothing in URLs but Orthanc IDs.
//
// RegisterWebAssets() also hands web/explorer.js to OrthancPluginExtendOrthancExplorer: an "ECG"
// button on Orthanc Explorer's patient, study, series and instance pages that opens the page.
// Call it once from OrthancPluginInitialize (RegisterRoutes does). Handlers only read constant
// data: thread-safe.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ecg::plugin {

struct WebAsset {
  const char* path;           // relative to web/, e.g. "app.js", "views/paper.js"
  const unsigned char* data;  // size bytes, followed by one '\0' (not counted)
  size_t size;
};

// Every file of web/ (generated at build time), sorted by path.
const std::vector<WebAsset>& EmbeddedWebAssets();

// The embedded asset at path, if any.
std::optional<WebAsset> FindWebAsset(std::string_view path);

// The asset's ETag: a quoted 64-bit FNV-1a hash of its bytes, e.g. "\"0123456789abcdef\"".
std::string WebAssetETag(const WebAsset& asset);

// The Content-Type for a file name by its extension (text types in UTF-8);
// application/octet-stream for an unknown one.
std::string MimeTypeFor(std::string_view path);

void RegisterWebAssets();

}  // namespace ecg::plugin
