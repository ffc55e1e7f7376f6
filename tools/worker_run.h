// A training worker's run, from claim to promotion (issue 7):
//   export   the store's ECGs into WORK_DIR/data, incrementally (tools/worker_export.h)
//   train    learning::Trainer on them, on the worker's device; heartbeats carry step, ECG/s and
//            losses; a cancel request or SIGTERM stops it
//   evaluate new model, active model, model zero and a random encoder on the same held-out
//            patients (tools/worker_evaluate.h)
//   gate     tools/worker_gate.h: the new model must beat the active model (model zero when
//            it is active or none is); metrics["comparison"] records both models' metrics, the
//            reference and the decision, and the run's reason says why, either way
//   embed    (promoted only) every exported ECG with the new model, on the device, written
//            under the new model id; then, and only then, EcgStore::ActivateModel
// The run's configuration is the worker's training configuration file (learning/trainer.h
// TrainingConfig, plus an optional "gate" object: GateOptions) merged with the run's own
// config_json (JSON merge patch: e.g. {"train": {"steps": 500}}, {"gate": {...}}); the worker's
// device option overrides train.device when set.
//
// Every outcome ends the run with EcgStore::FinishRun: succeeded (promoted or not, with the
// reason), cancelled, interrupted (SIGTERM) or failed (any error, with its message). The active
// model changes only at the very end of a promoted run; a failure before leaves it untouched.
// WORK_DIR/runs/run-<id> holds the run's model files while it runs and is removed at its end.
//
// Thread safety: one run at a time per WORK_DIR. Errors: none escape ExecuteRun (they become the
// run's failure), except when the store cannot record the outcome (then the plugin's stale-run
// check fails the run later).
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>

#include "storage/ecg_store.h"

namespace ecg::tools {

struct WorkerOptions {
  // Folder of exported data and per-run files; created if missing.
  std::string work_dir = "orthanc-ecg-worker";
  // Training configuration file; empty: the built-in defaults (learning/trainer.h).
  std::string config_path;
  // auto, cpu or cuda:N; empty: the configuration's train.device.
  std::string device;
  // Hash of the store's connection URI: ties WORK_DIR/data to one store (never the URI itself).
  std::string store_identity;
  // Held-out ECGs evaluated, at most (memory: about 240 KB each).
  size_t max_eval_ecgs = 2000;
  // Period of the run's heartbeat.
  std::chrono::milliseconds heartbeat_interval{2000};
};

// Executes a run this worker has claimed (status running) and finishes it in the store.
// terminate: set by a signal handler; the run then ends as interrupted.
RunOutcome ExecuteRun(EcgStore& store, const TrainingRun& run, const WorkerOptions& options,
                      const std::atomic<bool>& terminate);

}  // namespace ecg::tools
