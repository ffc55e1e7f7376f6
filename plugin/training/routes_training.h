// routes_training: the training routes (docs/admin.md), registered by RegisterRoutes.
//
//   POST /ecg/training/run                 queue a run now (body: optional JSON object of
//                                          configuration overrides, tools/worker_run.h);
//                                          202 {"run_id"}; 409 when one is queued or running
//   GET  /ecg/training/runs                runs, newest first (?limit=1..1000&offset=N)
//   POST /ecg/training/runs/{id}/cancel    ask a queued or running run to stop; 404 otherwise
//   GET  /ecg/models                       the models, newest first, and which one is active
//
// Times are milliseconds since 1970 (UTC) in fields named *_ms; metrics and progress are the
// worker's JSON objects. Handlers are thread-safe (the store and TrainingSupervisor::QueueRun);
// `services` must outlive Orthanc's REST server.
#pragma once

#include "plugin/routes.h"

namespace ecg::plugin {

void RegisterTrainingRoutes(PluginServices* services);

}  // namespace ecg::plugin
