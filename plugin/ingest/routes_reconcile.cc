#include "plugin/ingest/routes_reconcile.h"

#include "plugin/rest.h"
#include "waveform/error.h"

namespace ecg::plugin {
namespace {

using nlohmann::json;

PluginServices* g_services = nullptr;

json OptionalMillis(const std::optional<int64_t>& ms) {
  return ms ? json(*ms) : json(nullptr);
}

json RecordJson(const ReconciliationRecord& record) {
  return {{"id", record.reconciliation_id},
          {"trigger", record.trigger},
          {"started_at_ms", record.started_at_ms},
          {"finished_at_ms", OptionalMillis(record.finished_at_ms)},
          {"orthanc_instances", record.orthanc_instances},
          {"store_instances", record.store_instances},
          {"removed", record.removed},
          {"added", record.added},
          {"error", record.error.empty() ? json(nullptr) : json(record.error)}};
}

RestAnswer HandleReconcile(const RestRequest&) {
  g_services->reconciler->Request("rest");
  return RestAnswer::Json({{"reconciliation", "requested"}}, 202);
}

const Route kReconcileRoutes[] = {
    {"/ecg/reconcile", Endpoint<HandleReconcile, kPost>},
};

}  // namespace

void RegisterReconcileRoutes(PluginServices* services) {
  g_services = services;
  RegisterRouteTable(kReconcileRoutes);
}

json ReconciliationStatusJson(PluginServices* services) {
  json answer;
  try {
    const ReconcilerStatus status = services->reconciler->Status();
    answer["running"] = status.running;
    answer["running_trigger"] =
        status.running ? json(status.running_trigger) : json(nullptr);
    answer["last"] = status.last ? RecordJson(*status.last) : json(nullptr);
    answer["last_error"] = status.last_error.empty() ? json(nullptr) : json(status.last_error);
  } catch (const Error& e) {
    answer = {{"running", nullptr}, {"last", nullptr}, {"last_error", e.what()}};
  }
  return answer;
}

}  // namespace ecg::plugin
