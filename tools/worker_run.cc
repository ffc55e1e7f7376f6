#include "tools/worker_run.h"

#include <spdlog/spdlog.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <optional>

#include "learning/dataset.h"
#include "learning/device.h"
#include "learning/evaluation.h"
#include "learning/model_dir.h"
#include "learning/model_pack.h"
#include "learning/model_zero.h"
#include "learning/trainer.h"
#include "tools/worker_embed.h"
#include "tools/worker_evaluate.h"
#include "tools/worker_export.h"
#include "tools/worker_gate.h"
#include "tools/worker_heartbeat.h"
#include "waveform/error.h"

namespace ecg::tools {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

struct RunConfig {
  learning::TrainingConfig training;
  GateOptions gate;
};

RunConfig ResolveConfig(const WorkerOptions& o, const TrainingRun& run) {
  json merged = o.config_path.empty() ? learning::TrainingConfig{}.ToJson()
                                      : learning::ReadJsonFile(o.config_path);
  const json overrides = json::parse(run.config_json, nullptr, /*allow_exceptions=*/false);
  if (!overrides.is_object()) {
    throw Error::InvalidArgument("training run " + std::to_string(run.run_id) +
                                 ": its configuration is not a JSON object");
  }
  merged.merge_patch(overrides);
  RunConfig config;
  if (merged.contains("gate")) {
    config.gate = GateOptions::FromJson(merged["gate"]);
    merged.erase("gate");
  }
  config.training = learning::TrainingConfig::FromJson(merged);
  if (!o.device.empty()) config.training.train.device = o.device;
  return config;
}

// One run's state while it executes; each phase is one method.
class RunExecution {
 public:
  RunExecution(EcgStore& store, const TrainingRun& run, const WorkerOptions& options,
               RunHeartbeat& heartbeat)
      : store_(store),
        run_(run),
        options_(options),
        heartbeat_(heartbeat),
        run_dir_(options.work_dir + "/runs/run-" + std::to_string(run.run_id)),
        model_dir_(run_dir_ + "/model") {}

  RunOutcome Execute() {
    config_ = ResolveConfig(options_, run_);
    const torch::Device device = ResolveDevice(config_.training.train.device);
    heartbeat_.SetDevice(device.str());
    fs::remove_all(run_dir_);
    fs::create_directories(run_dir_);
    Export();
    learning::EcgDataset data(archives_);
    heartbeat_.SetEcgCount(static_cast<int64_t>(data.ecg_count()));
    Train(data);
    const GateDecision decision = Evaluate(data);
    RunOutcome outcome;
    outcome.reason = decision.reason;
    if (decision.promote) Promote(device, &outcome);
    return outcome;
  }

  const json& metrics() const { return metrics_; }
  std::optional<int64_t> saved_model_id() const { return saved_model_id_; }
  const std::string& run_dir() const { return run_dir_; }

 private:
  void Progress(const std::string& phase, double percent, json details) {
    details["pid"] = static_cast<int64_t>(getpid());
    heartbeat_.Update(phase, percent, details);
    heartbeat_.ThrowIfStopped();
  }

  void Export() {
    Progress("export", 0, json::object());
    const ExportSummary summary = ExportIncrementally(
        store_, options_.store_identity, options_.work_dir + "/data", [&](int64_t exported) {
          Progress("export", 0, {{"exported", exported}});
        });
    archives_ = summary.archives;
    metrics_["export"] = summary.ToJson();
    spdlog::info("training run {}: export: {} ECGs ({} new) in {:.1f} s", run_.run_id, summary.ecgs,
                 summary.new_ecgs, summary.seconds);
  }

  void Train(learning::EcgDataset& data) {
    Progress("train", 10, json::object());
    learning::Trainer trainer(config_.training, data, model_dir_);
    const learning::TrainResult result = trainer.Run([&](const learning::TrainProgress& p) {
      const double fraction = static_cast<double>(p.step) / std::max<int64_t>(1, p.total_steps);
      heartbeat_.Update("train", 10 + 60 * fraction,
                        {{"pid", static_cast<int64_t>(getpid())},
                         {"step", p.step},
                         {"total_steps", p.total_steps},
                         {"ecg_per_s", p.ecg_per_s},
                         {"eta_s", p.eta_s},
                         {"losses", p.losses}});
      return !heartbeat_.StopReason();
    });
    metrics_["train"] = {
        {"steps", result.steps},
        {"seconds", result.elapsed_s},
        {"ecg_per_s", result.ecg_per_s},
        {"train_losses", result.train_losses},
        {"validation_losses", result.validation_losses}};
  }

  GateDecision Evaluate(const learning::EcgDataset& data) {
    Progress("evaluate", 70, json::object());
    SetCpuThreads(config_.training.train.cpu_threads);
    const std::vector<learning::EvalEcg> set =
        LoadHeldOutSet(archives_, data, config_.training.train, options_.max_eval_ecgs);
    if (set.size() < 2) {
      throw Error::InvalidArgument("the held-out patients have " + std::to_string(set.size()) +
                                   " ECGs; evaluation needs at least 2 (more data, or a larger "
                                   "train.validation_fraction)");
    }
    learning::EvalOptions eval_options;
    eval_options.linear_probe = false;
    new_model_ = learning::LoadModelDir(model_dir_);
    const json evaluation = learning::EvaluateModel(new_model_.model, set, eval_options);
    metrics_["heldout"] = evaluation["data"];
    metrics_["model"] = evaluation["model"];
    metrics_["random"] = evaluation["random"];
    metrics_["model_zero"] = evaluation["model_zero"];
    metrics_["gate"] = config_.gate.ToJson();
    const std::optional<ModelInfo> active = store_.ActiveModel();
    metrics_["active_model_id"] = active ? json(active->model_id) : json(nullptr);
    // The reference: the active model, or model zero when it is the one served or none is
    // active (a fresh installation's plugin serves model zero).
    json reference = evaluation["model_zero"];
    json reference_model = {{"model_id", nullptr},
                            {"name", learning::kModelZeroName},
                            {"kind", learning::kModelZeroKind},
                            {"active", false}};
    std::string reference_name = "model zero (no model is active)";
    if (active) {
      reference_model = {{"model_id", active->model_id},
                         {"name", active->name},
                         {"kind", active->kind},
                         {"active", true}};
      if (active->kind == learning::kModelZeroKind) {
        reference_name =
            "the active model, model zero (model " + std::to_string(active->model_id) + ")";
      } else {
        reference = ActiveModelMetrics(*active, set, eval_options);
        reference_name = "the active model " + active->name + " (model " +
                         std::to_string(active->model_id) + ")";
      }
      metrics_["active"] = reference;
    }
    const GateDecision decision =
        CompareWithReference(metrics_["model"], reference, reference_name, config_.gate);
    metrics_["comparison"] = {
        {"reference", reference_model},           {"reference_metrics", reference},
        {"candidate_metrics", metrics_["model"]}, {"gate", config_.gate.ToJson()},
        {"promoted", decision.promote},           {"reason", decision.reason}};
    return decision;
  }

  json ActiveModelMetrics(const ModelInfo& active, const std::vector<learning::EvalEcg>& set,
                          const learning::EvalOptions& eval_options) {
    std::optional<std::string> bytes = store_.LoadModelBytes(active.model_id);
    if (!bytes)
      throw Error::NotFound("the active model " + std::to_string(active.model_id) +
                            " vanished from the store during the run");
    const std::string dir = run_dir_ + "/active";
    learning::UnpackModelDir(*bytes, dir);
    learning::LoadedModel loaded = learning::LoadModelDir(dir);
    return GateMetrics(loaded.model, set, eval_options);
  }

  void Promote(const torch::Device& device, RunOutcome* outcome) {
    Progress("embed", 80, json::object());
    saved_model_id_ =
        store_.SaveModel("run-" + std::to_string(run_.run_id), learning::PackModelDir(model_dir_),
                         new_model_.config.ToJson().dump(), metrics_.dump());
    const double total = std::max<double>(1, exported_ecgs());
    const EmbedSummary summary = EmbedIntoStore(
        store_, *saved_model_id_, new_model_.model, device, archives_, [&](int64_t done) {
          Progress("embed", 80 + 19 * done / total, {{"embedded", done}});
        });
    metrics_["embed"] = summary.ToJson();
    heartbeat_.ThrowIfStopped();
    store_.ActivateModel(*saved_model_id_);
    spdlog::info("training run {}: model {} active ({} embeddings)", run_.run_id, *saved_model_id_,
                 summary.written);
    outcome->model_id = saved_model_id_;
    outcome->promoted = true;
  }

  int64_t exported_ecgs() const { return metrics_.at("export").value("ecgs", int64_t{0}); }

  EcgStore& store_;
  const TrainingRun& run_;
  const WorkerOptions& options_;
  RunHeartbeat& heartbeat_;
  const std::string run_dir_;
  const std::string model_dir_;
  RunConfig config_;
  std::vector<std::string> archives_;
  learning::LoadedModel new_model_;
  std::optional<int64_t> saved_model_id_;
  json metrics_ = json::object();
};

RunOutcome Failure(RunStatus status, const std::string& reason) {
  RunOutcome outcome;
  outcome.status = status;
  outcome.reason = reason;
  return outcome;
}

}  // namespace

RunOutcome ExecuteRun(EcgStore& store, const TrainingRun& run, const WorkerOptions& options,
                      const std::atomic<bool>& terminate) {
  spdlog::info("training run {} claimed (trigger {})", run.run_id, run.trigger);
  RunOutcome outcome;
  std::string run_dir;
  json metrics;
  {
    RunHeartbeat heartbeat(store, run.run_id, options.heartbeat_interval, terminate);
    RunExecution execution(store, run, options, heartbeat);
    run_dir = execution.run_dir();
    try {
      outcome = execution.Execute();
    } catch (const RunStopped& stop) {
      outcome = Failure(stop.status, stop.reason);
    } catch (const std::exception& e) {
      const std::optional<RunStopped> stop = heartbeat.StopReason();
      outcome = stop ? Failure(stop->status, stop->reason)
                     : Failure(RunStatus::kFailed, std::string("failed: ") + e.what());
    }
    if (!outcome.promoted) outcome.model_id = execution.saved_model_id();
    metrics = execution.metrics();
  }
  outcome.metrics_json = metrics.dump();
  std::error_code ignored;
  fs::remove_all(run_dir, ignored);
  try {
    store.FinishRun(run.run_id, outcome);
  } catch (const Error& e) {
    spdlog::error("training run {}: could not record its end: {}", run.run_id, e.what());
  }
  spdlog::info("training run {} {}: {}", run.run_id, RunStatusName(outcome.status), outcome.reason);
  return outcome;
}

}  // namespace ecg::tools
