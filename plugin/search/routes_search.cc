#include "plugin/search/routes_search.h"

#include "plugin/ecg_json.h"
#include "plugin/ingest/ingest_pipeline.h"
#include "plugin/orthanc_api.h"
#include "plugin/rest.h"
#include "plugin/search/search_params.h"
#include "plugin/search/search_query.h"

namespace ecg::plugin {
namespace {

using nlohmann::json;

PluginServices* g_services = nullptr;

EcgStore& Store() {
  return *g_services->store;
}

std::shared_ptr<const ServedModel> RequireModel() {
  std::shared_ptr<const ServedModel> served = g_services->search->Current();
  if (!served) {
    throw Error::Unavailable(
        "similar-ECG search is not available yet: no model is served yet (model zero, which needs "
        "no training, is registered and loaded when the plugin starts); see GET /ecg/status");
  }
  return served;
}

json NeighbourJson(const SimilarEcg& found) {
  const json row = EcgRowJson(found.row);
  return {{"similarity", found.similarity},
          {"ecg_key", found.row.ecg_key},
          {"orthanc", row["orthanc"]},
          {"acquisition_time_ms", row["acquisition_time_ms"]},
          {"acquisition_time", row["acquisition_time"]}};
}

json SimilarJson(const ServedModel& served, const std::vector<SimilarEcg>& found) {
  json list = json::array();
  for (const SimilarEcg& ecg : found) list.push_back(NeighbourJson(ecg));
  return {{"model_id", served.model_id},
          {"model_name", served.name},
          {"model_kind", served.kind},
          {"similar", list}};
}

RestAnswer HandleSimilar(const RestRequest& request) {
  SearchOptions options = ParseSearchParams(request);
  const std::shared_ptr<const ServedModel> served = RequireModel();
  const EcgRow row = RequireEcg(Store(), request.groups.at(0));
  options.patient_key = row.patient_key;
  options.exclude_ecg_key = row.ecg_key;
  const std::vector<float> embedding = EmbeddingOf(Store(), *served, row);
  json answer = SimilarJson(*served, FindSimilar(Store(), *served, embedding, options));
  answer["query"] = {{"instance", row.orthanc.instance}, {"ecg_key", row.ecg_key}};
  return RestAnswer::Json(answer);
}

// Orthanc 1.10 hands plugins the query arguments of GET requests only: a POST searches with
// the defaults (k = 10, every ECG).
RestAnswer HandleSearch(const RestRequest& request) {
  const SearchOptions options;
  if (request.body.size() > kMaxSearchBodyBytes) {
    return RestAnswer::Json({{"error", "the body (" + std::to_string(request.body.size()) +
                                           " bytes) exceeds the limit of " +
                                           std::to_string(kMaxSearchBodyBytes) + " bytes"},
                             {"code", "PayloadTooLarge"}},
                            413);
  }
  if (request.body.empty()) throw Error::InvalidArgument("the body must be a DICOM ECG file");
  const std::shared_ptr<const ServedModel> served = RequireModel();
  const IngestedEcg ecg = DecodeForStore(request.body, /*measure=*/false);
  const std::vector<float> embedding = served->embedder->Embed(ecg.signal);
  return RestAnswer::Json(SimilarJson(*served, FindSimilar(Store(), *served, embedding, options)));
}

RestAnswer HandleIdentity(const RestRequest& request) {
  const std::shared_ptr<const ServedModel> served = RequireModel();
  const EcgRow row = RequireEcg(Store(), request.groups.at(0));
  json answer = IdentityCheckJson(CheckIdentity(Store(), *served, row), served->model_id);
  answer["instance"] = row.orthanc.instance;
  return RestAnswer::Json(answer);
}

const Route kSearchRoutes[] = {
    {"/ecg/ecgs/([^/]+)/similar", Endpoint<HandleSimilar, kGet>},
    {"/ecg/search", Endpoint<HandleSearch, kPost>},
    {"/ecg/ecgs/([^/]+)/identity", Endpoint<HandleIdentity, kGet>},
};

}  // namespace

void RegisterSearchRoutes(PluginServices* services) {
  g_services = services;
  RegisterRouteTable(kSearchRoutes);
}

json SearchStatusJson(PluginServices* services) {
  const SearchStatus status = services->search->Status();
  json out = {{"state", status.state},
              {"model_id", Optional(status.model_id)},
              {"model_name", status.model_id ? json(status.model_name) : json(nullptr)},
              {"model_kind", status.model_id ? json(status.model_kind) : json(nullptr)},
              {"index_size", status.index_size},
              {"index_kind", status.approximate ? "approximate" : "exact"},
              {"embeddings_pending", nullptr},
              {"identity_checks_pending", nullptr},
              {"embedding_failures", status.embedding_failures},
              {"last_error", status.last_error.empty() ? json(nullptr) : json(status.last_error)}};
  if (!status.model_id) return out;
  try {
    const int64_t embedded = services->store->CountEmbeddings(*status.model_id);
    out["embeddings_pending"] = std::max<int64_t>(0, services->store->CountEcgs() - embedded);
    // Embedded ECGs without an identity check yet (plugin/search/identity_backlog.h); a stale
    // check (its patient changed since) counts as checked until it is made again.
    out["identity_checks_pending"] =
        std::max<int64_t>(0, embedded - services->store->CountIdentityChecks(*status.model_id));
  } catch (const Error&) {
    // the database is down: "database" in the status says so; pending stays null
  }
  return out;
}

}  // namespace ecg::plugin
