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
// The search routes (similar, search, identity) are in plugin/routes_search.h, registered here.
// The training routes (runs, models) are in plugin/routes_training.h, registered here too.
// The measurement routes (compare, timeline) are in plugin/routes_measure.h, also registered here.
// The clinician's page (/ecg/app/) and the Explorer button are plugin/web_assets.h's, also here.
// RegisterRoutes() must be called once from OrthancPluginInitialize; `services` must outlive
// Orthanc's REST server (it is released in OrthancPluginFinalize). Handlers are thread-safe:
// they only call the store (thread-safe) and the ingester's thread-safe methods.
#pragma once

#include <memory>

#include "plugin/ingester.h"
#include "plugin/measurement_backlog.h"
#include "plugin/plugin_config.h"
#include "plugin/reconciler.h"
#include "plugin/search_service.h"
#include "plugin/training_supervisor.h"
#include "storage/ecg_store.h"

namespace ecg::plugin {

struct PluginServices {
  PluginConfig config;
  std::shared_ptr<EcgStore> store;
  std::unique_ptr<Ingester> ingester;
  std::unique_ptr<Reconciler> reconciler;        // plugin/routes_reconcile.h
  std::unique_ptr<SearchService> search;         // plugin/routes_search.h
  std::unique_ptr<TrainingSupervisor> training;  // plugin/routes_training.h
  std::unique_ptr<MeasurementBacklog> measurer;  // plugin/routes_measure.h
};

void RegisterRoutes(PluginServices* services);

// The stored ECG of an Orthanc instance. Throws Error::InvalidArgument for a malformed ID and
// Error::NotFound when the store has no ECG for it (both name the ID).
EcgRow RequireEcg(EcgStore& store, const std::string& orthanc_instance_id);

}  // namespace ecg::plugin
