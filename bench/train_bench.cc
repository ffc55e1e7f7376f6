// Nightly training cost on the CPU (2 LibTorch threads, the worker's setting on a server without a
// GPU), data path included (archive read, window, R peaks, median beats):
//  - the zero-block model (config/model-zero-whitened.json: no gradient step, one pass over the
//    training ECGs and two 842 x 842 eigen-decompositions, timed alone) fitted on synthetic
//    archives of two sizes, 4x apart: ECG/s for each and their ratio (1.0 = a cost linear in the
//    archive; above 1 while the fixed cost of the decompositions still weighs);
//  - the learned CNN of config/model-ptbxl-cpu.json: training ECG/s over a few optimiser steps
//    (each step reads 2 views of 32 patients' ECGs; the run's validation losses and the writing
//    of the model are inside the timing, the fit of the split is not).
// --quick: small archives, one step (a smoke run; figures not meaningful).
#include <torch/torch.h>

#include <string>

#include "bench/report.h"
#include "learning/device.h"
#include "learning/synthetic_data.h"
#include "learning/trainer.h"
#include "tests/support/test_env.h"

namespace {

using ecg::learning::TrainingConfig;

// The shipped configurations, on the bench's CPU threads.
TrainingConfig Shipped(const std::string& name, int64_t steps) {
  TrainingConfig c =
      TrainingConfig::Load(std::string(ORTHANC_ECG_SOURCE_DIR) + "/config/" + name + ".json");
  c.train.steps = steps;
  c.train.device = "cpu";
  c.train.cpu_threads = 2;
  c.train.max_minutes = 0;
  c.train.log_every = 1000;
  c.train.checkpoint_every = 0;
  return c;
}

TrainingConfig ZeroBlockConfig() {
  return Shipped("model-zero-whitened", 0);
}
TrainingConfig CnnConfig(int64_t steps) {
  return Shipped("model-ptbxl-cpu", steps);
}

struct TrainSeconds {
  double fit = 0;  // the trainer's construction: the split and the fitted blocks
  double run = 0;  // the optimiser steps, the validation losses and writing the model
};

TrainSeconds Train(const TrainingConfig& config, const std::string& archive,
                   const std::string& out) {
  ecg::learning::EcgDataset data({archive});
  TrainSeconds seconds;
  double start = ecg::bench::NowSeconds();
  ecg::learning::Trainer trainer(config, data, out);
  seconds.fit = ecg::bench::NowSeconds() - start;
  start = ecg::bench::NowSeconds();
  trainer.Run();
  seconds.run = ecg::bench::NowSeconds() - start;
  return seconds;
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  const bool quick = ecg::bench::QuickMode();
  ecg::SetCpuThreads(2);
  torch::manual_seed(1);
  ecg::testing::TempDir dir;
  const size_t small_patients = quick ? 8 : 128, per_patient = 4;
  ecg::testing::WriteSyntheticArchive(dir.File("small.ecgarch"), small_patients, per_patient, 1);
  ecg::testing::WriteSyntheticArchive(dir.File("large.ecgarch"), 4 * small_patients, per_patient,
                                      2);
  const double small_ecgs = static_cast<double>(small_patients * per_patient);

  // Validation patients are left out of the fit: count the ECGs of the fitted patients only.
  const double fitted = 1.0 - ZeroBlockConfig().train.validation_fraction;
  const double small_rate =
      fitted * small_ecgs /
      Train(ZeroBlockConfig(), dir.File("small.ecgarch"), dir.File("zero-small")).fit;
  const double large_rate =
      fitted * 4 * small_ecgs /
      Train(ZeroBlockConfig(), dir.File("large.ecgarch"), dir.File("zero-large")).fit;
  const std::string size = std::to_string(static_cast<int>(small_ecgs));
  const std::string large = std::to_string(static_cast<int>(4 * small_ecgs));
  ecg::bench::Report("train_zero_block_fit_cpu2_" + size + "_ecgs", small_rate, "ECG/s");
  ecg::bench::Report("train_zero_block_fit_cpu2_" + large + "_ecgs", large_rate, "ECG/s");
  ecg::bench::Report("train_zero_block_fit_rate_ratio_4x_archive", large_rate / small_rate, "x",
                     quick ? "" : "~1 (linear)");

  const int64_t steps = quick ? 1 : 8;
  const TrainingConfig cnn = CnnConfig(steps);
  // One untimed step first: LibTorch's first step allocates and picks kernels.
  Train(CnnConfig(1), dir.File("small.ecgarch"), dir.File("cnn-warm"));
  const double seconds = Train(cnn, dir.File("large.ecgarch"), dir.File("cnn")).run;
  ecg::bench::Report("train_cnn_ptbxl_cpu_cpu2", 2.0 * cnn.train.batch_patients * steps / seconds,
                     "ECG/s");
  return 0;
}
