// Embedding throughput on the CPU (2 LibTorch threads, as on the plugin's machines): the default
// model (random weights: the cost does not depend on them) embeds synthetic canonical 10 s ECGs in
// batches of 64, data path included (window, R peaks, decimation). Also the latency of one ECG.
// Model zero (learning/model_zero.h, what a fresh installation serves) is measured the same way.
// --quick: the tiny model, a few ECGs (a smoke run; figures not meaningful).
#include <torch/torch.h>

#include "bench/report.h"
#include "learning/device.h"
#include "learning/embedder.h"
#include "waveform/synth.h"

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  const bool quick = ecg::bench::QuickMode();
  ecg::SetCpuThreads(2);
  torch::manual_seed(1);
  ecg::learning::EcgModel model(quick ? ecg::learning::ModelConfig::Tiny()
                                      : ecg::learning::ModelConfig::Default());
  ecg::learning::Embedder embedder(model);

  ecg::SynthOptions synth;
  synth.patients = quick ? 4 : 16;
  synth.ecgs_per_patient = 4;
  const std::vector<ecg::SyntheticEcg> cohort = ecg::SynthesiseCohort(synth);
  std::vector<const ecg::EcgSignal*> batch;
  for (size_t i = 0; i < 64; ++i) batch.push_back(&cohort[i % cohort.size()].signal);

  embedder.EmbedBatch(batch);  // warm-up
  const int rounds = quick ? 1 : 8;
  double start = ecg::bench::NowSeconds();
  for (int r = 0; r < rounds; ++r) embedder.EmbedBatch(batch);
  const double batched = rounds * batch.size() / (ecg::bench::NowSeconds() - start);
  ecg::bench::Report(quick ? "embed_tiny_cpu2_batch64" : "embed_default_cpu2_batch64", batched,
                     "ECG/s", quick ? "" : ">= 200");

  const int singles = quick ? 4 : 64;
  start = ecg::bench::NowSeconds();
  for (int i = 0; i < singles; ++i) embedder.Embed(*batch[static_cast<size_t>(i) % batch.size()]);
  const double latency_ms = 1000.0 * (ecg::bench::NowSeconds() - start) / singles;
  ecg::bench::Report(quick ? "embed_tiny_cpu2_single" : "embed_default_cpu2_single", latency_ms,
                     "ms");

  const ecg::learning::Embedder zero = ecg::learning::Embedder::ModelZero();
  zero.EmbedBatch(batch);  // warm-up
  start = ecg::bench::NowSeconds();
  for (int r = 0; r < rounds; ++r) zero.EmbedBatch(batch);
  ecg::bench::Report("embed_model_zero_cpu2_batch64",
                     rounds * batch.size() / (ecg::bench::NowSeconds() - start), "ECG/s",
                     quick ? "" : ">= 200");
  start = ecg::bench::NowSeconds();
  for (int i = 0; i < singles; ++i) zero.Embed(*batch[static_cast<size_t>(i) % batch.size()]);
  ecg::bench::Report("embed_model_zero_cpu2_single",
                     1000.0 * (ecg::bench::NowSeconds() - start) / singles, "ms");
  return 0;
}
