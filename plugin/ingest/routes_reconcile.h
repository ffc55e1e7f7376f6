// routes_reconcile: the reconciliation of the store with Orthanc (plugin/ingest/reconciler.h).
//
//   POST /ecg/reconcile   start a reconciliation now (or right after the one running);
//                         202 {"reconciliation": "requested"}
//
// ReconciliationStatusJson() is the "reconciliation" object of GET /ecg/status: "running",
// "running_trigger", "last" ({id, trigger, started_at_ms, finished_at_ms, orthanc_instances,
// store_instances, removed, added, error} or null) and "last_error"; "last" is null with the
// error in "last_error" while the database is down.
#pragma once

#include <nlohmann/json.hpp>

#include "plugin/routes.h"

namespace ecg::plugin {

void RegisterReconcileRoutes(PluginServices* services);
nlohmann::json ReconciliationStatusJson(PluginServices* services);

}  // namespace ecg::plugin
