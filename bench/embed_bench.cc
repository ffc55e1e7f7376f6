// Embedding throughput on the CPU (2 LibTorch threads, as on the plugin's machines): the default
// model (random weights: the cost does not depend on them) embeds synthetic canonical 10 s ECGs in
// batches of 64, data path included (window, R peaks, decimation). Also the latency of one ECG.
// Model zero (learning/model_zero.h, what a fresh installation serves) and the zero-block model
// (config/model-zero-whitened.json) are measured the same way.
// --quick: the tiny model, a few ECGs (a smoke run; figures not meaningful).
#include <torch/torch.h>

#include <string>
#include <vector>

#include "bench/report.h"
#include "learning/device.h"
#include "learning/embedder.h"
#include "learning/trainer.h"
#include "waveform/synth.h"

namespace {

// Throughput in batches of 64 and the latency of one ECG, reported as NAME_cpu2_batch64 and
// NAME_cpu2_single.
void Measure(const ecg::learning::Embedder& embedder, const std::string& name,
             const std::vector<const ecg::EcgSignal*>& batch, bool quick) {
  embedder.EmbedBatch(batch);  // warm-up
  const int rounds = quick ? 1 : 8;
  double start = ecg::bench::NowSeconds();
  for (int r = 0; r < rounds; ++r) embedder.EmbedBatch(batch);
  ecg::bench::Report(name + "_cpu2_batch64",
                     rounds * batch.size() / (ecg::bench::NowSeconds() - start), "ECG/s",
                     quick ? "" : ">= 200");
  const int singles = quick ? 4 : 64;
  start = ecg::bench::NowSeconds();
  for (int i = 0; i < singles; ++i) embedder.Embed(*batch[static_cast<size_t>(i) % batch.size()]);
  ecg::bench::Report(name + "_cpu2_single", 1000.0 * (ecg::bench::NowSeconds() - start) / singles,
                     "ms");
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  const bool quick = ecg::bench::QuickMode();
  ecg::SetCpuThreads(2);
  torch::manual_seed(1);
  ecg::SynthOptions synth;
  synth.patients = quick ? 4 : 16;
  synth.ecgs_per_patient = 4;
  const std::vector<ecg::SyntheticEcg> cohort = ecg::SynthesiseCohort(synth);
  std::vector<const ecg::EcgSignal*> batch;
  for (size_t i = 0; i < 64; ++i) batch.push_back(&cohort[i % cohort.size()].signal);

  ecg::learning::EcgModel model(quick ? ecg::learning::ModelConfig::Tiny()
                                      : ecg::learning::ModelConfig::Default());
  Measure(ecg::learning::Embedder(model), quick ? "embed_tiny" : "embed_default", batch, quick);
  Measure(ecg::learning::Embedder::ModelZero(), "embed_model_zero", batch, quick);
  // The zero-block model of config/model-zero-whitened.json (its fitted buffers do not change
  // the cost): model zero's features, a 842 x 256 map, model zero beside it; no network run.
  const ecg::learning::TrainingConfig zero_block = ecg::learning::TrainingConfig::Load(
      std::string(ORTHANC_ECG_SOURCE_DIR) + "/config/model-zero-whitened.json");
  Measure(ecg::learning::Embedder(ecg::learning::EcgModel(zero_block.model)), "embed_zero_block",
          batch, quick);
  return 0;
}
