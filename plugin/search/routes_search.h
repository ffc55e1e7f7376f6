// routes_search: the similar-ECG search routes (docs/admin.md), registered by RegisterRoutes.
//
//   GET  /ecg/ecgs/{orthancInstanceId}/similar?k=&scope=&before=   the nearest stored ECGs
//   POST /ecg/search              (body: a DICOM ECG)              the same for an unstored ECG
//   GET  /ecg/ecgs/{orthancInstanceId}/identity                    wrong-patient check
//
// Each answers 503 with a message while no model is served (only until model zero is loaded at
// start, plugin/search/search_service.h), 400 for a bad argument
// (plugin/search/search_params.h), 404 for an unknown ECG, 413 for a body over kMaxSearchBodyBytes
// and
// 422 with the decoder's message for a body that is not a DICOM ECG. Answers carry the model id,
// name and kind ("learned" or "zero") they were computed with. SearchStatusJson is the "search"
// part of GET /ecg/status. Handlers are thread-safe (plugin/search/search_query.h); `services` must
// outlive Orthanc's REST server.
#pragma once

#include <cstddef>

#include <nlohmann/json.hpp>

#include "plugin/routes.h"

namespace ecg::plugin {

constexpr size_t kMaxSearchBodyBytes = 64 << 20;

void RegisterSearchRoutes(PluginServices* services);

// {"state", "model_id", "model_name", "index_size", "index_kind": "exact"|"approximate",
//  "embeddings_pending", "embedding_failures", "last_error"}; null model fields without a model.
nlohmann::json SearchStatusJson(PluginServices* services);

}  // namespace ecg::plugin
