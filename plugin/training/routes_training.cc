#include "plugin/training/routes_training.h"

#include <cstdint>

#include "plugin/ecg_json.h"
#include "plugin/orthanc_api.h"
#include "plugin/rest.h"

namespace ecg::plugin {
namespace {

using nlohmann::json;

PluginServices* g_services = nullptr;

json ParsedOrNull(const std::string& text) {
  json value = json::parse(text, nullptr, /*allow_exceptions=*/false);
  return value.is_discarded() ? json(nullptr) : value;
}

json RunJson(const TrainingRun& run) {
  return {{"run_id", run.run_id},
          {"status", RunStatusName(run.status)},
          {"trigger", run.trigger},
          {"worker", run.worker},
          {"device", run.device},
          {"phase", run.phase},
          {"progress_percent", run.progress_percent},
          {"progress", ParsedOrNull(run.progress_json)},
          {"cancel_requested", run.cancel_requested},
          {"queued_at_ms", run.queued_at_ms},
          {"started_at_ms", Optional(run.started_at_ms)},
          {"heartbeat_at_ms", Optional(run.heartbeat_at_ms)},
          {"finished_at_ms", Optional(run.finished_at_ms)},
          {"ecg_count", run.ecg_count},
          {"metrics", ParsedOrNull(run.metrics_json)},
          {"promoted", run.promoted},
          {"reason", run.reason},
          {"model_id", Optional(run.model_id)},
          {"config", ParsedOrNull(run.config_json)}};
}

json ModelJson(const ModelInfo& model) {
  return {{"model_id", model.model_id},
          {"name", model.name},
          {"kind", model.kind},
          {"active", model.active},
          {"size_bytes", model.size_bytes},
          {"created_at_ms", model.created_at_ms},
          {"config", ParsedOrNull(model.config_json)},
          {"metrics", ParsedOrNull(model.metrics_json)}};
}

RestAnswer HandleQueueRun(const RestRequest& request) {
  std::string overrides = "{}";
  if (!request.body.empty()) {
    const json body = json::parse(request.body, nullptr, /*allow_exceptions=*/false);
    if (!body.is_object()) {
      throw Error::InvalidArgument("the body must be empty or a JSON object of overrides");
    }
    overrides = body.dump();
  }
  const int64_t run_id = g_services->training->QueueRun("rest", overrides);
  return RestAnswer::Json({{"run_id", run_id}, {"status", "queued"}}, 202);
}

RestAnswer HandleRuns(const RestRequest& request) {
  const int64_t limit = request.QueryInt("limit", 100, 1, 1000);
  const int64_t offset = request.QueryInt("offset", 0, 0, INT32_MAX);
  json runs = json::array();
  for (const TrainingRun& run : g_services->store->ListRuns(limit, offset)) {
    runs.push_back(RunJson(run));
  }
  return RestAnswer::Json({{"runs", runs}});
}

RestAnswer HandleCancel(const RestRequest& request) {
  const std::string& id = request.groups.at(0);
  if (id.empty() || id.size() > 18 || id.find_first_not_of("0123456789") != std::string::npos) {
    throw Error::InvalidArgument("the run ID must be a positive integer");
  }
  const int64_t run_id = std::stoll(id);
  if (!g_services->store->RequestCancel(run_id)) {
    throw Error::NotFound("training run " + id + " is not queued or running");
  }
  g_services->training->WakeUp();
  return RestAnswer::Json({{"run_id", run_id}, {"cancel_requested", true}});
}

RestAnswer HandleModels(const RestRequest&) {
  json models = json::array();
  json active = nullptr;
  for (const ModelInfo& model : g_services->store->ListModels()) {
    if (model.active) active = model.model_id;
    models.push_back(ModelJson(model));
  }
  return RestAnswer::Json({{"active_model_id", active}, {"models", models}});
}

const Route kTrainingRoutes[] = {
    {"/ecg/training/run", Endpoint<HandleQueueRun, kPost>},
    {"/ecg/training/runs", Endpoint<HandleRuns, kGet>},
    {"/ecg/training/runs/([^/]+)/cancel", Endpoint<HandleCancel, kPost>},
    {"/ecg/models", Endpoint<HandleModels, kGet>},
};

}  // namespace

void RegisterTrainingRoutes(PluginServices* services) {
  g_services = services;
  RegisterRouteTable(kTrainingRoutes);
}

}  // namespace ecg::plugin
