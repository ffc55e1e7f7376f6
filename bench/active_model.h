// Benchmark helpers for an Orthanc whose plugin serves a model: put a model in the store as the
// training worker would, and wait until the plugin serves it.
//
// OpenMigratedStore opens the store at `uri` and migrates it. SaveActiveModel builds a model of
// the default shape (the tiny one under --quick) with fixed untrained weights (seed 1: the cost
// of embedding does not depend on the weights), writes its model directory under `dir`, stores
// the packed directory and makes it the active model; returns its id. WaitForServedModel polls
// GET /ecg/status every 100 ms until the plugin's search part reports that model "ready"; false
// after `timeout_s`.
//
// Header-only, for bench/*_bench.cc (each benchmark is one translation unit plus report.cc).
// Errors: those of the store (ecg::Error) and of SaveModelDir. Thread safety: none needed; call
// from the benchmark's main thread (WaitForServedModel uses orthanc.http(), that thread's client).
#pragma once

#include <torch/torch.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <thread>

#include <nlohmann/json.hpp>

#include "learning/model_dir.h"
#include "learning/model_pack.h"
#include "report.h"
#include "storage/ecg_store.h"
#include "support/orthanc_server.h"

namespace ecg::bench {

inline std::unique_ptr<EcgStore> OpenMigratedStore(const std::string& uri) {
  StoreOptions options;
  options.connection_uri = uri;
  options.migrate = true;
  return std::make_unique<EcgStore>(options);
}

inline int64_t SaveActiveModel(EcgStore& store, const std::string& dir) {
  const learning::ModelConfig config =
      QuickMode() ? learning::ModelConfig::Tiny() : learning::ModelConfig::Default();
  torch::manual_seed(1);
  learning::EcgModel model(config);
  learning::SaveModelDir(dir, model, nlohmann::json::object(), nlohmann::json::object());
  const int64_t id =
      store.SaveModel("bench", learning::PackModelDir(dir), config.ToJson().dump(), "{}");
  store.ActivateModel(id);
  return id;
}

inline bool WaitForServedModel(testing::OrthancServer& orthanc, int64_t model_id,
                               double timeout_s = 120) {
  const double deadline = NowSeconds() + timeout_s;
  while (NowSeconds() < deadline) {
    const auto status = orthanc.http().Get("/ecg/status");
    if (status.status == 200) {
      const auto search = nlohmann::json::parse(status.body)["search"];
      if (search["model_id"] == model_id && search["state"] == "ready") return true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

}  // namespace ecg::bench
