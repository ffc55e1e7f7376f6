#include "plugin/search/search_model.h"

#include <algorithm>
#include <filesystem>
#include <unordered_map>

#include <spdlog/spdlog.h>

#include "learning/model_pack.h"
#include "learning/model_zero.h"
#include "waveform/error.h"

namespace ecg::plugin {
namespace {

constexpr size_t kRowsPerLookup = 1000;

// The model directory's embedder, unpacking the pack from the store when the directory is
// missing or does not load.
std::shared_ptr<const learning::Embedder> LoadEmbedder(EcgStore& store, int64_t model_id,
                                                       const std::string& dir) {
  learning::EmbedderOptions options;
  options.cpu_threads = 1;
  if (std::filesystem::exists(dir)) {
    try {
      return std::make_shared<const learning::Embedder>(dir, options);
    } catch (const Error& e) {
      spdlog::warn("model {} in {} does not load ({}); unpacking it again", model_id, dir,
                   e.what());
    }
  }
  std::optional<std::string> bytes = store.LoadModelBytes(model_id);
  if (!bytes)
    throw Error::NotFound("model " + std::to_string(model_id) +
                          " is listed in the store without its model file (its bytes are missing)");
  learning::UnpackModelDir(*bytes, dir);
  return std::make_shared<const learning::Embedder>(dir, options);
}

std::shared_ptr<SimilarityIndex> OpenIndex(EcgStore& store, int64_t model_id, int dimension,
                                           const std::string& path) {
  try {
    std::unique_ptr<SimilarityIndex> loaded = SimilarityIndex::Load(path, model_id, dimension);
    const int64_t stored = store.CountEmbeddings(model_id);
    if (loaded && static_cast<int64_t>(loaded->size()) == stored) {
      spdlog::info("search index of model {} loaded: {} ECGs", model_id, loaded->size());
      return std::shared_ptr<SimilarityIndex>(std::move(loaded));
    }
    if (loaded) {
      spdlog::info("search index file of model {} holds {} ECGs, the store {}: rebuilding it",
                   model_id, loaded->size(), stored);
    } else {
      spdlog::info("no search index file for model {}: building it from the store", model_id);
    }
  } catch (const Error& e) {
    if (!e.IsCorruption() && !e.IsConflict()) throw;
    spdlog::warn("search index {} unusable ({}): rebuilding it from the store", path, e.what());
  }
  auto index = std::make_shared<SimilarityIndex>(model_id, dimension);
  index->Rebuild([&](std::vector<IndexedEcg>* ecgs, std::vector<float>* embeddings) {
    ReadIndexSource(store, model_id, dimension, ecgs, embeddings);
  });
  index->Save(path);
  spdlog::info("search index of model {} built: {} ECGs", model_id, index->size());
  return index;
}

// Appends the entries of `keys` that still exist, with their vectors taken from `by_key`.
void AppendExisting(EcgStore& store, const std::vector<int64_t>& keys,
                    const std::vector<float>& vectors, int dimension, std::vector<IndexedEcg>* ecgs,
                    std::vector<float>* embeddings) {
  std::unordered_map<int64_t, size_t> row_of;
  for (size_t i = 0; i < keys.size(); ++i) row_of[keys[i]] = i;
  for (const IndexedEcg& entry : IndexEntries(store.FindEcgsByKeys(keys))) {
    const float* vector = &vectors[row_of.at(entry.ecg_key) * dimension];
    ecgs->push_back(entry);
    embeddings->insert(embeddings->end(), vector, vector + dimension);
  }
}

}  // namespace

std::vector<IndexedEcg> IndexEntries(const std::vector<EcgRow>& rows) {
  std::vector<IndexedEcg> entries;
  entries.reserve(rows.size());
  for (const EcgRow& row : rows) {
    const int64_t acquired_at_s =
        row.acquisition_time_ms ? *row.acquisition_time_ms / 1000 : kUnknownAcquisition_s;
    entries.push_back({row.ecg_key, row.patient_key, acquired_at_s});
  }
  return entries;
}

void ReadIndexSource(EcgStore& store, int64_t model_id, int dimension,
                     std::vector<IndexedEcg>* ecgs, std::vector<float>* embeddings) {
  // The store must not be called from inside ReadEmbeddings' callback: read, then look up.
  std::vector<int64_t> keys;
  std::vector<float> vectors;
  store.ReadEmbeddings(model_id, dimension, [&](const std::vector<Embedding>& batch) {
    for (const Embedding& embedding : batch) {
      keys.push_back(embedding.ecg_key);
      vectors.insert(vectors.end(), embedding.vector.begin(), embedding.vector.end());
    }
  });
  for (size_t begin = 0; begin < keys.size(); begin += kRowsPerLookup) {
    const size_t end = std::min(keys.size(), begin + kRowsPerLookup);
    AppendExisting(
        store, std::vector<int64_t>(keys.begin() + begin, keys.begin() + end),
        std::vector<float>(vectors.begin() + begin * dimension, vectors.begin() + end * dimension),
        dimension, ecgs, embeddings);
  }
}

std::shared_ptr<ServedModel> LoadServedModel(EcgStore& store, const ModelInfo& info,
                                             const std::string& data_directory) {
  const std::string id = std::to_string(info.model_id);
  auto served = std::make_shared<ServedModel>();
  served->model_id = info.model_id;
  served->name = info.name;
  served->kind = info.kind;
  served->index_path = data_directory + "/index-" + id + ".faiss";
  std::filesystem::create_directories(data_directory + "/models");
  served->embedder =
      info.kind == learning::kModelZeroKind
          ? std::make_shared<const learning::Embedder>(learning::Embedder::ModelZero())
          : LoadEmbedder(store, info.model_id, data_directory + "/models/" + id);
  served->index = OpenIndex(store, info.model_id, static_cast<int>(served->embedder->dimension()),
                            served->index_path);
  return served;
}

}  // namespace ecg::plugin
