// orthanc-ecg train --data DIR_OR_FILE --out MODEL_DIR [--config FILE] [--device auto|cpu|cuda:N]
//                    [--resume] [--steps N] [--max-minutes M] [--threads N]
//
// Trains an ECG model (learning/trainer.h) on EcgArchive files (a file, or every *.ecgarch of a
// folder) and writes the model directory MODEL_DIR. --config is a training configuration
// ({"model", "objectives", "train"}; see config/model-*.json and docs/model.md); command-line
// flags override its "train" values. --resume continues from MODEL_DIR.checkpoint. Progress lines
// go to stderr; stdout gets one JSON summary line at the end.
#include <spdlog/spdlog.h>

#include <iostream>
#include <memory>

#include "learning/dataset.h"
#include "learning/trainer.h"
#include "tools/command.h"

namespace ecg::tools {
namespace {

struct TrainCommandOptions {
  std::string data;
  std::string out;
  std::string config;
  std::string device;
  bool resume = false;
  int64_t steps = 0;
  double max_minutes = 0;
  int threads = 0;
};

void RunTrain(const TrainCommandOptions& o) {
  learning::TrainingConfig config;
  if (!o.config.empty()) config = learning::TrainingConfig::Load(o.config);
  if (!o.device.empty()) config.train.device = o.device;
  if (o.steps > 0) {
    config.train.steps = o.steps;
    config.train.epochs = 0;
  }
  if (o.max_minutes > 0) config.train.max_minutes = o.max_minutes;
  if (o.threads > 0) config.train.cpu_threads = o.threads;
  learning::EcgDataset data(learning::ListArchives(o.data));
  learning::Trainer trainer(config, data, o.out);
  if (o.resume && !trainer.Resume()) spdlog::info("no checkpoint to resume from; starting afresh");
  const learning::TrainResult result = trainer.Run();
  nlohmann::json summary = {{"model_dir", o.out},
                            {"steps", result.steps},
                            {"seconds", result.elapsed_s},
                            {"train_losses", result.train_losses},
                            {"validation_losses", result.validation_losses}};
  std::cout << summary.dump() << std::endl;
}

void Setup(CLI::App& app) {
  auto options = std::make_shared<TrainCommandOptions>();
  CLI::App* cmd = app.add_subcommand("train", "Train a self-supervised ECG model on archives");
  cmd->add_option("--data", options->data, "archive file or folder of *.ecgarch")->required();
  cmd->add_option("--out", options->out, "model directory to write")->required();
  cmd->add_option("--config", options->config, "training configuration JSON");
  cmd->add_option("--device", options->device, "auto, cpu or cuda:N");
  cmd->add_flag("--resume", options->resume, "continue from OUT.checkpoint");
  cmd->add_option("--steps", options->steps, "override train.steps");
  cmd->add_option("--max-minutes", options->max_minutes, "stop and save after this wall time");
  cmd->add_option("--threads", options->threads, "LibTorch CPU threads");
  cmd->callback([options] { RunTrain(*options); });
}

}  // namespace

ORTHANC_ECG_COMMAND("train", Setup);

}  // namespace ecg::tools
