// IndexCore: one FAISS index plus its side table; the unsynchronised heart of SimilarityIndex.
//
// Vectors live at positions 0..positions()-1 in the order they were added; FAISS's label of a
// vector is its position (sequential ids, no IndexIDMap: the side table below is the id map,
// kept beside the scope filters' columns). Per position the side table holds the store's ECG
// key, patient key, acquisition time and a live flag. Removal clears the live flag (a
// tombstone): FAISS 1.7.3 cannot remove from every index kind without renumbering, and the
// storage comes back at the next rebuild.
//
// The FAISS index is exact (IndexFlatIP) or approximate (an IndexIVF from a factory string);
// vectors are L2-normalised on the way in, so inner products are cosines.
//
// Thread safety: const methods may run concurrently with each other; anything else needs
// exclusive access (SimilarityIndex's mutex). Errors: Error::InvalidArgument for bad input,
// Error::Corruption for an unreadable payload, FAISS exceptions wrapped as Error::Unavailable.
#pragma once

#include <faiss/Index.h>

#include <cstdint>
#include <memory>
#include <unordered_map>
#include <vector>

#include "storage/index_options.h"

namespace faiss {
struct IndexIVF;
struct IOReader;
struct IOWriter;
}  // namespace faiss

namespace ecg {

// What the scope filters need to know about an indexed ECG.
struct IndexedEcg {
  int64_t ecg_key = 0;        // the store's ECG key: the label searches return
  int64_t patient_key = 0;    // the store's patient key
  int64_t acquired_at_s = 0;  // acquisition time, seconds since the Unix epoch, UTC
};

struct Neighbor {
  IndexedEcg ecg;
  float similarity = 0;  // cosine, [-1, 1]
};

class IndexCore {
 public:
  // Builds exact when ecgs.size() <= options.exact_max_count, else trains and fills an IVF.
  // embeddings: size ecgs.size() * dimension, row-major. Keys must be distinct.
  static std::unique_ptr<IndexCore> Build(int dimension, const IndexOptions& options,
                                          const std::vector<IndexedEcg>& ecgs,
                                          const float* embeddings);
  // Reads what Serialize wrote; Error::Corruption if it does not fit `dimension`.
  static std::unique_ptr<IndexCore> Deserialize(int dimension, faiss::IOReader* in);
  ~IndexCore();

  // An ECG already present is replaced (old position tombstoned).
  void Add(const std::vector<IndexedEcg>& ecgs, const float* embeddings);
  bool Remove(int64_t ecg_key);
  bool Contains(int64_t ecg_key) const { return position_of_.count(ecg_key) != 0; }
  std::vector<Neighbor> Search(const float* query, const SearchOptions& options,
                               int default_nprobe) const;
  void Serialize(faiss::IOWriter* out) const;

  size_t live_count() const { return position_of_.size(); }
  size_t positions() const { return ecg_keys_.size(); }
  bool approximate() const { return ivf_ != nullptr; }
  // Bytes of vectors, lists and side table (not allocator slack).
  size_t MemoryBytes() const;
  // True when the kind no longer fits the count or tombstones exceed 10% of positions.
  bool NeedsRebuild(const IndexOptions& options) const;

 private:
  class ScopeFilter;

  IndexCore(int dimension, std::unique_ptr<faiss::Index> index);
  void Train(const IndexOptions& options, size_t count, const float* embeddings);
  std::vector<float> Normalized(const float* vectors, size_t count) const;
  void AppendSideTable(const std::vector<IndexedEcg>& ecgs);
  IndexedEcg EcgAt(int64_t position) const;
  void RebuildLookups();
  std::vector<Neighbor> SearchSamePatient(const float* query, const SearchOptions& options) const;
  std::vector<Neighbor> SearchFiltered(const float* query, const SearchOptions& options,
                                       int default_nprobe) const;

  int dimension_;
  std::unique_ptr<faiss::Index> index_;
  faiss::IndexIVF* ivf_ = nullptr;  // index_ viewed as IVF, or nullptr when exact
  size_t trained_count_ = 0;        // vectors the IVF was built with (list count fits this)
  // Side table, by position.
  std::vector<int64_t> ecg_keys_;
  std::vector<int64_t> patient_keys_;
  std::vector<int64_t> acquired_at_s_;
  std::vector<uint8_t> live_;
  // Derived from the side table (rebuilt on load).
  std::unordered_map<int64_t, int64_t> position_of_;  // live ECG key -> position
  std::unordered_map<int64_t, std::vector<int64_t>> positions_of_patient_;
};

}  // namespace ecg
