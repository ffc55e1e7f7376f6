#include "tools/worker_embed.h"

#include <algorithm>
#include <chrono>

#include "learning/dataset.h"
#include "waveform/ecg_archive.h"

namespace ecg::tools {
namespace {

constexpr size_t kForwardBatch = 64;
constexpr size_t kWriteBatch = 512;

// Embeds the records on the device; appends one Embedding per record.
void EmbedBatch(learning::EcgModel& model, const torch::Device& device,
                const std::vector<ArchiveRecord>& records, std::vector<Embedding>* out) {
  torch::NoGradGuard no_grad;
  const learning::ModelConfig& config = model->config();
  std::vector<learning::PreparedEcg> prepared;
  prepared.reserve(records.size());
  for (const ArchiveRecord& r : records) {
    prepared.push_back(learning::PrepareRecord(r, config));
  }
  learning::EcgBatch batch = learning::StackBatch(prepared, config);
  torch::Tensor vectors =
      model->Embed(model->Prepare(batch.signals_mV.to(device), batch.peaks.to(device)))
          .to(torch::kCPU, torch::kFloat)
          .contiguous();
  const auto dim = vectors.size(1);
  for (size_t i = 0; i < records.size(); ++i) {
    const float* row = vectors[static_cast<int64_t>(i)].data_ptr<float>();
    out->push_back({records[i].keys.ecg_key, 0, std::vector<float>(row, row + dim)});
  }
}

}  // namespace

nlohmann::json EmbedSummary::ToJson() const {
  return {{"ecgs", ecgs},
          {"written", written},
          {"seconds", seconds},
          {"ecg_per_s", ecgs / std::max(1e-9, seconds)}};
}

EmbedSummary EmbedIntoStore(EcgStore& store, int64_t model_id, learning::EcgModel& model,
                            const torch::Device& device, const std::vector<std::string>& archives,
                            const std::function<void(int64_t)>& on_progress) {
  const auto start = std::chrono::steady_clock::now();
  model->to(device);
  model->eval();
  EmbedSummary summary;
  std::vector<ArchiveRecord> records;
  std::vector<Embedding> pending;
  auto flush_records = [&] {
    if (records.empty()) return;
    EmbedBatch(model, device, records, &pending);
    summary.ecgs += static_cast<int64_t>(records.size());
    records.clear();
  };
  auto flush_embeddings = [&] {
    if (pending.empty()) return;
    summary.written += static_cast<int64_t>(store.WriteEmbeddings(model_id, pending));
    pending.clear();
    on_progress(summary.ecgs);
  };
  for (const std::string& path : archives) {
    EcgArchiveReader reader(path);
    for (uint64_t i = 0; i < reader.size(); ++i) {
      records.push_back(reader.Read(i));
      if (records.size() == kForwardBatch) flush_records();
      if (pending.size() >= kWriteBatch) flush_embeddings();
    }
  }
  flush_records();
  flush_embeddings();
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return summary;
}

}  // namespace ecg::tools
