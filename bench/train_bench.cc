// Nightly training cost on the CPU (2 LibTorch threads, the worker's setting on a server without a
// GPU), data path included (archive read, window, R peaks, median beats):
//  - the zero-block model (config/model-zero-whitened.json: no gradient step, one pass over the
//    training ECGs and two 842 x 842 eigen-decompositions, timed alone) fitted on synthetic
//    archives of two sizes, 4x apart: ECG/s for each and their ratio (1.0 = a cost linear in the
//    archive; above 1 while the fixed cost of the decompositions still weighs);
//  - the learned CNN of config/model-ptbxl-cpu.json: training ECG/s over a few optimiser steps
//    (each step reads 2 views of 32 patients' ECGs; the run's validation losses and the writing
//    of the model are inside the timing, the fit of the split is not);
//  - the CPU time per ECG of both on one LibTorch thread (4 CNN steps), from the large archive
//    and from its copy in the format of before (version 1, no stored R peaks: detected at every
//    read), "_r_peaks_detected_v1": the gain of keeping them in the file; least of 3 rounds;
//  - a profile of the fit on one thread (CPU time of the thread, so other processes on the shared
//    machine count little): ms per ECG of the archive read, the R peak detection (now done once,
//    at export), the window and of model zero's features (three sets of median beats).
// --quick: small archives, one step (a smoke run; figures not meaningful).
#include <torch/torch.h>

#include <ctime>
#include <string>

#include "bench/report.h"
#include "learning/device.h"
#include "learning/encoder.h"
#include "learning/synthetic_data.h"
#include "learning/trainer.h"
#include "learning/zero_block.h"
#include "tests/support/test_env.h"
#include "waveform/measurements.h"

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

TrainingConfig OneThread(TrainingConfig c) {
  c.train.cpu_threads = 1;
  return c;
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

// CPU seconds of the whole process.
double ProcessSeconds() {
  timespec t{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// CPU ms per ECG of the zero-block fit (the trainer's construction) and of the CNN's training
// run on one LibTorch thread (no thread waits on another), from an archive with stored R peaks
// and from its version 1 copy (R peaks detected at every read), taken in turn `rounds` times:
// the least of each (what other processes on the shared machine did not inflate).
void CpuCostPerEcg(const std::string& stored, const std::string& detected, double fitted_ecgs,
                   int rounds, const ecg::testing::TempDir& dir) {
  const TrainingConfig cnn = OneThread(CnnConfig(4));
  const double trained_ecgs = 2.0 * static_cast<double>(cnn.train.batch_patients * cnn.train.steps);
  struct Least {
    double fit = 1e30, cnn = 1e30;
  } least[2];
  for (int round = 0; round < rounds; ++round) {
    for (int v = 0; v < 2; ++v) {
      ecg::learning::EcgDataset data({v == 0 ? stored : detected});
      const std::string out = dir.File("1t-" + std::to_string(round) + std::to_string(v));
      double start = ProcessSeconds();
      ecg::learning::Trainer fit(OneThread(ZeroBlockConfig()), data, out + "-zero");
      least[v].fit = std::min(least[v].fit, ProcessSeconds() - start);
      ecg::learning::Trainer trainer(cnn, data, out + "-cnn");
      start = ProcessSeconds();
      trainer.Run();
      least[v].cnn = std::min(least[v].cnn, ProcessSeconds() - start);
    }
  }
  const char* labels[2] = {"r_peaks_stored", "r_peaks_detected_v1"};
  for (int v = 0; v < 2; ++v) {
    ecg::bench::Report(std::string("train_zero_block_fit_cpu_1thread_") + labels[v],
                       1000.0 * least[v].fit / fitted_ecgs, "ms/ECG");
    ecg::bench::Report(std::string("train_cnn_cpu_1thread_") + labels[v],
                       1000.0 * least[v].cnn / trained_ecgs, "ms/ECG");
  }
  ecg::SetCpuThreads(2);
}

// CPU seconds of the calling thread (the profile runs LibTorch on this thread alone, so waiting
// threads and other processes on the shared machine do not count).
double ThreadSeconds() {
  timespec t{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
  return static_cast<double>(t.tv_sec) + 1e-9 * static_cast<double>(t.tv_nsec);
}

// Where the zero-block fit's time goes per ECG, on one thread: reading the archive record,
// detecting its R peaks, the rest of PrepareEcg (window, mV), and model zero's features of the
// batch (decimation, median beats of all, odd and even beats: three MedianBeats calls).
void ProfileFit(const std::string& archive, const TrainingConfig& config) {
  const int threads = torch::get_num_threads();
  torch::set_num_threads(1);
  ecg::EcgArchiveReader reader(archive);
  ecg::learning::EcgModel model(config.model);
  const size_t n = std::min<size_t>(reader.size(), 256);
  double read = 0, peaks = 0, prepare = 0, features = 0;
  std::vector<ecg::learning::PreparedEcg> batch;
  for (size_t i = 0; i < n; ++i) {
    double t = ThreadSeconds();
    ecg::ArchiveRecord record = reader.Read(i);
    read += ThreadSeconds() - t;
    t = ThreadSeconds();
    const std::vector<size_t> detected = ecg::DetectRPeaks(record.signal);
    peaks += ThreadSeconds() - t;
    t = ThreadSeconds();
    batch.push_back(ecg::learning::PrepareEcg(record.signal, record.valid_samples, config.model,
                                              std::nullopt, &detected));
    prepare += ThreadSeconds() - t;
    if (batch.size() == 64 || i + 1 == n) {
      t = ThreadSeconds();
      ecg::learning::EcgBatch stacked = ecg::learning::StackBatch(batch, config.model);
      ecg::learning::ModelInput input = model->Prepare(stacked.signals_mV, stacked.peaks);
      for (int parity = -1; parity <= 1; ++parity) {
        ecg::learning::ZeroFeatures(input.signals_mV, input.peaks, parity);
      }
      features += ThreadSeconds() - t;
      batch.clear();
    }
  }
  const double per_ms = 1000.0 / static_cast<double>(n);
  ecg::bench::Report("train_profile_archive_read_1thread", read * per_ms, "ms/ECG");
  ecg::bench::Report("train_profile_r_peaks_1thread", peaks * per_ms, "ms/ECG");
  ecg::bench::Report("train_profile_prepare_window_1thread", prepare * per_ms, "ms/ECG");
  ecg::bench::Report("train_profile_model_zero_features_1thread", features * per_ms, "ms/ECG");
  torch::set_num_threads(threads);
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
  // The same ECGs in the format of before (version 1): R peaks detected at every read.
  ecg::testing::WriteSyntheticArchive(dir.File("large-v1.ecgarch"), 4 * small_patients, per_patient,
                                      2, ecg::ArchiveRPeaks::kNone);
  const double small_ecgs = static_cast<double>(small_patients * per_patient);

  ProfileFit(dir.File("large.ecgarch"), ZeroBlockConfig());

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

  CpuCostPerEcg(dir.File("large.ecgarch"), dir.File("large-v1.ecgarch"), fitted * 4 * small_ecgs,
                quick ? 1 : 3, dir);

  const int64_t steps = quick ? 1 : 8;
  const TrainingConfig cnn = CnnConfig(steps);
  const double ecgs = 2.0 * static_cast<double>(cnn.train.batch_patients * steps);
  // One untimed step first: LibTorch's first step allocates and picks kernels.
  Train(CnnConfig(1), dir.File("small.ecgarch"), dir.File("cnn-warm"));
  const double seconds = Train(cnn, dir.File("large.ecgarch"), dir.File("cnn")).run;
  ecg::bench::Report("train_cnn_ptbxl_cpu_cpu2", ecgs / seconds, "ECG/s");
  return 0;
}
