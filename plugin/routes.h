// routes: the plugin's REST API (docs/admin.md), one table registered at start-up.
//
//   GET  /ecg/status                                version, database, queue, counts, last error
//   GET  /ecg/patients/{orthancPatientId}/ecgs      the patient's ECGs in time order
//   GET  /ecg/ecgs/{orthancInstanceId}              one ECG's metadata
//   GET  /ecg/ecgs/{orthancInstanceId}/signal       canonical signal, uV (?format=json|csv|i16,
//                                                   i16: waveform/signal_i16.h, for drawing)
//   GET  /ecg/errors                                ingest errors (?limit=1..1000&offset=N)
//   POST /ecg/reindex                               re-ingest every instance Orthanc holds
//   POST /ecg/reconcile                             reconcile the store with Orthanc now
//
// Registered here too: the search routes (similar, search, identity) of
// plugin/search/routes_search.h, the training routes (runs, models) of
// plugin/training/routes_training.h, the measurement routes (compare, timeline) of
// plugin/measure/routes_measure.h, the reconciliation's of plugin/ingest/routes_reconcile.h, and
// the clinician's page (/ecg/app/) and the Explorer button of plugin/web/web_assets.h.
// RegisterRoutes() must be called once from OrthancPluginInitialize; `services` must outlive
// Orthanc's REST server (it is released in OrthancPluginFinalize). Handlers are thread-safe:
// they only call the store (thread-safe) and the ingester's thread-safe methods.
#pragma once

#include <memory>

#include "plugin/ingest/ingester.h"
#include "plugin/ingest/reconciler.h"
#include "plugin/measure/measurement_backlog.h"
#include "plugin/plugin_config.h"
#include "plugin/search/search_service.h"
#include "plugin/training/training_supervisor.h"
#include "storage/ecg_store.h"

namespace ecg::plugin {

struct PluginServices {
  PluginConfig config;
  std::shared_ptr<EcgStore> store;
  std::unique_ptr<Ingester> ingester;
  std::unique_ptr<Reconciler> reconciler;        // plugin/ingest/routes_reconcile.h
  std::unique_ptr<SearchService> search;         // plugin/search/routes_search.h
  std::unique_ptr<TrainingSupervisor> training;  // plugin/training/routes_training.h
  std::unique_ptr<MeasurementBacklog> measurer;  // plugin/measure/routes_measure.h
};

void RegisterRoutes(PluginServices* services);

// The stored ECG of an Orthanc instance. Throws Error::InvalidArgument for a malformed ID and
// Error::NotFound when the store has no ECG for it (both name the ID).
EcgRow RequireEcg(EcgStore& store, const std::string& orthanc_instance_id);

}  // namespace ecg::plugin
