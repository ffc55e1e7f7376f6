// orthanc-ecg identity-eval --data ARCHIVES [--model MODEL_DIR] [--fraction F] [--draws N]
//                            [--seed N] [--population-k K] [--threads N]
//
// Measures the identity check's power to catch misfiled ECGs (tools/identity_eval.h) with the
// embeddings of a model (when --model is given), of model zero (learning/model_zero.h) and of the
// median-beat baseline (learning/evaluation.h), on the ECGs of archive files (*.ecgarch; a PTB-XL
// folder becomes one with `orthanc-ecg eval --data PTBXL --export-archive FILE`). Prints one JSON
// object:
//   {"model": {...} | null, "model_zero": {...}, "median_beat": {...}, "data": {...},
//    "options": {...}}
// each result holding pooled_auc, mean_draw_auc, flag_sensitivity, flag_false_alarms, positives,
// negatives.
#include <iostream>
#include <map>
#include <memory>

#include "learning/dataset.h"
#include "learning/device.h"
#include "learning/evaluation.h"
#include "learning/model_dir.h"
#include "tools/command.h"
#include "tools/identity_eval.h"

namespace ecg::tools {
namespace {

struct IdentityEvalCommandOptions {
  std::string data;
  std::string model;
  MisfilingOptions misfiling;
  int threads = 2;
};

nlohmann::json ResultJson(const torch::Tensor& embeddings, const std::vector<int64_t>& keys,
                          const MisfilingOptions& options) {
  const torch::Tensor e = embeddings.to(torch::kCPU, torch::kFloat).contiguous();
  const std::vector<float> flat(e.data_ptr<float>(), e.data_ptr<float>() + e.numel());
  const MisfilingResult r = SimulateMisfiling(flat, static_cast<int>(e.size(1)), keys, options);
  return {{"pooled_auc", r.pooled_auc},
          {"mean_draw_auc", r.mean_draw_auc},
          {"flag_sensitivity", r.flag_sensitivity},
          {"flag_false_alarms", r.flag_false_alarms},
          {"positives", r.positives},
          {"negatives", r.negatives}};
}

nlohmann::json DataJson(const std::vector<int64_t>& keys) {
  std::map<int64_t, size_t> counts;
  for (int64_t key : keys) ++counts[key];
  size_t several = 0, ecgs_of_several = 0;
  for (const auto& [key, count] : counts) {
    if (count < 2) continue;
    ++several;
    ecgs_of_several += count;
  }
  return {{"ecgs", keys.size()},
          {"patients", counts.size()},
          {"patients_with_several_ecgs", several},
          {"ecgs_of_patients_with_several", ecgs_of_several}};
}

void RunIdentityEval(const IdentityEvalCommandOptions& o) {
  SetCpuThreads(o.threads);
  const std::vector<learning::EvalEcg> set = learning::LoadEvalSet(learning::ListArchives(o.data));
  std::vector<int64_t> keys;
  for (const learning::EvalEcg& e : set) keys.push_back(e.patient_key);
  nlohmann::json out = {{"data", DataJson(keys)}, {"model", nullptr}};
  out["options"] = {{"fraction", o.misfiling.fraction},
                    {"draws", o.misfiling.draws},
                    {"seed", o.misfiling.seed},
                    {"population_k", o.misfiling.population_k}};
  if (!o.model.empty()) {
    learning::LoadedModel loaded = learning::LoadModelDir(o.model);
    out["model"] = ResultJson(learning::EmbedAll(loaded.model, set, 64), keys, o.misfiling);
  }
  out["model_zero"] = ResultJson(learning::ModelZeroEmbeddings(set, 64), keys, o.misfiling);
  out["median_beat"] = ResultJson(learning::MedianBeatEmbeddings(set), keys, o.misfiling);
  std::cout << out.dump(2) << std::endl;
}

void Setup(CLI::App& app) {
  auto options = std::make_shared<IdentityEvalCommandOptions>();
  CLI::App* cmd = app.add_subcommand(
      "identity-eval", "Measure the wrong-patient check (AUC) by moving ECGs between patients");
  cmd->add_option("--data", options->data, "archive file or folder of archives")->required();
  cmd->add_option("--model", options->model, "model directory (else the baseline only)");
  cmd->add_option("--fraction", options->misfiling.fraction,
                  "share of the ECGs of patients with several ECGs moved per draw")
      ->check(CLI::Range(0.0, 1.0));
  cmd->add_option("--draws", options->misfiling.draws, "independent draws")
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--seed", options->misfiling.seed, "seed of the draws");
  cmd->add_option("--population-k", options->misfiling.population_k,
                  "other-patient neighbours per ECG")
      ->check(CLI::Range(1, 100));
  cmd->add_option("--threads", options->threads, "LibTorch CPU threads");
  cmd->callback([options] { RunIdentityEval(*options); });
}

}  // namespace

ORTHANC_ECG_COMMAND("identity-eval", Setup);

}  // namespace ecg::tools
