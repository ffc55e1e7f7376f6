// ServedModel: what the plugin searches with, one trained model and its index, swapped as a unit.
//
// LoadServedModel(store, info, data_directory) makes a model of the store ready to serve:
//   0. model zero (kind "zero", learning/model_zero.h) has no bytes: its Embedder is
//      Embedder::ModelZero() and steps 1-2 are skipped;
//   1. the model pack (learning/model_pack.h) is unpacked into DATA/models/<model_id>, unless a
//      loadable directory is already there (a damaged one is unpacked again);
//   2. an Embedder loads it on the CPU with one LibTorch thread (the plugin must not starve
//      Orthanc);
//   3. the index is loaded from DATA/index-<model_id>.faiss, or rebuilt from the store's
//      embeddings of that model when the file is missing, damaged or built for another model or
//      dimension (SimilarityIndex::Load's contract), or when its ECG count differs from the
//      store's embedding count (additions after its last save, deletions while Orthanc was
//      down), then saved.
// ECGs without an acquisition time are indexed with kUnknownAcquisition_s, so a search "before
// a date" never returns them.
//
// Ownership: a ServedModel is shared (shared_ptr) between the search service and the requests
// that use it; it stays alive until the last request holding it has finished. Thread safety:
// Embedder and SimilarityIndex are both safe for concurrent use. Errors: Error::NotFound (the
// model has no bytes), those of UnpackModelDir / the Embedder (Corruption, InvalidArgument) and
// of the store (Unavailable).
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "learning/embedder.h"
#include "storage/ecg_store.h"
#include "storage/similarity_index.h"

namespace ecg::plugin {

constexpr int64_t kUnknownAcquisition_s = std::numeric_limits<int64_t>::max();

struct ServedModel {
  int64_t model_id = 0;
  std::string name;
  std::string kind;        // ModelInfo::kind: "learned" or "zero"
  std::string index_path;  // DATA/index-<model_id>.faiss
  std::shared_ptr<const learning::Embedder> embedder;
  std::shared_ptr<SimilarityIndex> index;
};

std::shared_ptr<ServedModel> LoadServedModel(EcgStore& store, const ModelInfo& info,
                                             const std::string& data_directory);

// The index entries (keys, patient, acquisition second) of these store rows.
std::vector<IndexedEcg> IndexEntries(const std::vector<EcgRow>& rows);

// Every embedding of the model in the store with its index entry, for SimilarityIndex::Rebuild.
// Embeddings whose ECG vanished between the two reads are left out, and so are those the store
// finds damaged or of another dimension (EcgStore::ReadEmbeddings).
void ReadIndexSource(EcgStore& store, int64_t model_id, int dimension,
                     std::vector<IndexedEcg>* ecgs, std::vector<float>* embeddings);

}  // namespace ecg::plugin
