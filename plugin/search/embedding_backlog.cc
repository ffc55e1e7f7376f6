#include "plugin/search/embedding_backlog.h"

#include <algorithm>
#include <iterator>

#include <spdlog/spdlog.h>

#include "waveform/error.h"

namespace ecg::plugin {
namespace {

std::vector<float> Row(const torch::Tensor& matrix, int64_t row) {
  const torch::Tensor r = matrix[row].contiguous().to(torch::kFloat);
  return std::vector<float>(r.data_ptr<float>(), r.data_ptr<float>() + r.numel());
}

}  // namespace

std::vector<int64_t> EmbeddingBacklog::PendingKeys(size_t batch) {
  if (!sweeping_ && Clock::now() >= next_sweep_) {
    sweeping_ = true;
    sweep_after_ = 0;
  }
  const int64_t after =
      sweeping_ ? sweep_after_ : std::max<int64_t>(0, checked_through_ - kReorderWindowKeys);
  // Failed keys above `after` come back in every answer: ask for that many more.
  const auto failed_above =
      static_cast<size_t>(std::distance(failed_.upper_bound(after), failed_.end()));
  const PendingEmbeddings pending =
      store_.EcgsWithoutEmbedding(served_.model_id, batch + failed_above, after);
  std::vector<int64_t> keys;
  int64_t checked = pending.checked_through;
  for (int64_t key : pending.ecg_keys) {
    if (keys.size() == batch) {
      checked = keys.back();  // the keys after it wait for the next call
      break;
    }
    if (failed_.count(key) == 0) keys.push_back(key);
  }
  checked_through_ = std::max(checked_through_, checked);
  if (sweeping_) {
    sweep_after_ = checked;
    if (pending.ecg_keys.size() < batch + failed_above) {  // the sweep reached the last key
      sweeping_ = false;
      next_sweep_ = Clock::now() + kSweepInterval;
    }
  }
  return keys;
}

void EmbeddingBacklog::EmbedOneByOne(const std::vector<EcgRow>& rows,
                                     const std::vector<EcgSignal>& signals,
                                     std::vector<Embedding>* embeddings) {
  for (size_t i = 0; i < rows.size(); ++i) {
    try {
      embeddings->push_back(
          {rows[i].ecg_key, rows[i].patient_key, served_.embedder->Embed(signals[i])});
    } catch (const std::exception& e) {
      spdlog::warn("ECG {} (instance {}) cannot be embedded with model {}: {}", rows[i].ecg_key,
                   rows[i].orthanc.instance, served_.model_id, e.what());
      failed_.insert(rows[i].ecg_key);
    }
  }
}

std::optional<EcgSignal> EmbeddingBacklog::LoadSignal(const EcgRow& row) {
  try {
    return store_.LoadSignal(row.ecg_key);
  } catch (const Error& e) {
    if (!e.IsDataLoss()) throw;
    spdlog::error("ECG {} (instance {}) cannot be embedded: {}", row.ecg_key, row.orthanc.instance,
                  e.what());
    failed_.insert(row.ecg_key);
    return std::nullopt;
  }
}

void EmbeddingBacklog::LoadSignals(std::vector<EcgRow>* rows, std::vector<EcgSignal>* signals) {
  std::vector<int64_t> keys;
  for (const EcgRow& row : *rows) keys.push_back(row.ecg_key);
  std::vector<std::pair<int64_t, EcgSignal>> loaded;
  try {
    loaded = store_.LoadSignals(keys);
  } catch (const Error& e) {
    if (!e.IsDataLoss()) throw;
    for (const EcgRow& row : *rows) {  // find the damaged one
      if (std::optional<EcgSignal> signal = LoadSignal(row)) {
        loaded.emplace_back(row.ecg_key, std::move(*signal));
      }
    }
  }
  std::vector<EcgRow> kept;  // both lists follow the order of `rows`: keep those with a signal
  size_t next = 0;
  for (EcgRow& row : *rows) {
    if (next == loaded.size() || loaded[next].first != row.ecg_key) continue;
    kept.push_back(std::move(row));
    signals->push_back(std::move(loaded[next++].second));
  }
  *rows = std::move(kept);
}

size_t EmbeddingBacklog::EmbedBatch(size_t batch, std::vector<int64_t>* patients) {
  const std::vector<int64_t> keys = PendingKeys(batch);
  if (keys.empty()) return 0;
  std::vector<EcgRow> rows = store_.FindEcgsByKeys(keys);
  std::vector<EcgSignal> signals;
  LoadSignals(&rows, &signals);
  std::vector<Embedding> embeddings;
  try {
    std::vector<const EcgSignal*> inputs;
    for (const EcgSignal& signal : signals) inputs.push_back(&signal);
    const torch::Tensor matrix = served_.embedder->EmbedBatch(inputs);
    for (size_t i = 0; i < rows.size(); ++i) {
      embeddings.push_back({rows[i].ecg_key, rows[i].patient_key, Row(matrix, int64_t(i))});
    }
  } catch (const std::exception&) {
    embeddings.clear();
    EmbedOneByOne(rows, signals, &embeddings);  // find and skip the ECG that fails
  }
  if (!embeddings.empty()) store_.WriteEmbeddings(served_.model_id, embeddings);

  std::vector<EcgRow> embedded_rows;
  std::vector<float> vectors;
  size_t next = 0;
  for (const EcgRow& row : rows) {
    if (next == embeddings.size() || embeddings[next].ecg_key != row.ecg_key) continue;
    embedded_rows.push_back(row);
    if (patients) patients->push_back(row.patient_key);
    vectors.insert(vectors.end(), embeddings[next].vector.begin(), embeddings[next].vector.end());
    ++next;
  }
  if (!embedded_rows.empty()) served_.index->Add(IndexEntries(embedded_rows), vectors);
  return keys.size();
}

}  // namespace ecg::plugin
