// SimilarityIndex: the FAISS index of one model's ECG embeddings, searched by cosine similarity.
//
// Labels are the store's ECG keys; each ECG also carries its patient key and acquisition time so
// that searches can be scoped (all / same patient / other patients, before a time, excluding
// one ECG); see storage/index_options.h. Vectors of any norm go in; they are L2-normalised, so
// similarities are cosines. Below IndexOptions::exact_max_count vectors the index is exact (flat
// inner product through BLAS), above it an IVF tuned for recall@10 >= 0.95 (docs/search.md).
// Same-patient searches are always exact over the patient's ECGs.
//
// Concurrency: every method may be called from any thread. Searches share a reader lock and run
// in parallel; Add and Remove take the writer lock briefly (one IVF assignment per vector).
// Rebuild builds the new FAISS index aside, without the lock, while searches and additions go on
// against the current one; additions and removals made meanwhile are logged and replayed onto
// the new index, which is then published by swapping a shared_ptr under the writer lock.
//
// Removal is a tombstone: the ECG is never returned again, its storage comes back at the next
// rebuild (NeedsRebuild() says when one is due: the exact index outgrew its threshold, the IVF
// outgrew its lists, or tombstones passed 10%). The caller rebuilds from the store's embeddings.
//
// Persistence: Save() writes one file (storage/index_file.h) recording the model id, dimension,
// count and a checksum; Load() returns nullptr when the file is missing and throws
// Error::Corruption when it is damaged and Error::Conflict when it was built for another model or
// dimension: in each case the caller rebuilds from the store.
//
// Errors: Error::InvalidArgument for bad arguments (wrong sizes, zero vectors, k out of range),
// Error::Conflict for a second concurrent Rebuild, Error::Unavailable for I/O and FAISS failures.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "storage/index_core.h"
#include "storage/index_options.h"

namespace ecg {

class SimilarityIndex {
 public:
  // An empty (exact) index for the embeddings of model `model_id` (the store's key), of `dimension`
  // floats.
  SimilarityIndex(int64_t model_id, int dimension, IndexOptions options = {});
  ~SimilarityIndex();
  SimilarityIndex(const SimilarityIndex&) = delete;
  SimilarityIndex& operator=(const SimilarityIndex&) = delete;

  // Returns nullptr when `path` does not exist. Throws Error::Corruption (damaged file) or
  // Error::Conflict (another model id or dimension); see the header comment.
  static std::unique_ptr<SimilarityIndex> Load(const std::string& path, int64_t model_id,
                                               int dimension, IndexOptions options = {});
  // Writes atomically (temporary file + rename). Searches continue meanwhile; Add waits.
  void Save(const std::string& path) const;

  // embeddings: size ecgs.size() * dimension(), row-major. An ECG already indexed is replaced.
  void Add(const std::vector<IndexedEcg>& ecgs, const std::vector<float>& embeddings);
  // Returns false when the ECG was not indexed.
  bool Remove(int64_t ecg_key);
  bool Contains(int64_t ecg_key) const;

  // query: dimension() floats. Best first, at most options.k, never the -1 padding.
  std::vector<Neighbor> Search(const std::vector<float>& query, const SearchOptions& options) const;

  // Fills *ecgs and *embeddings (row-major, dimension() floats each) with every ECG the rebuilt
  // index must hold, typically by reading the store.
  using RebuildSource =
      std::function<void(std::vector<IndexedEcg>* ecgs, std::vector<float>* embeddings)>;
  // Replaces the contents with what `source` gives (exact or IVF by its count), built aside and
  // swapped in. Changes made from the moment Rebuild starts (so also while `source` reads the
  // store) are replayed onto the new index, so nothing added meanwhile is lost.
  void Rebuild(const RebuildSource& source);

  int64_t model_id() const { return model_id_; }
  int dimension() const { return dimension_; }
  const IndexOptions& options() const { return options_; }
  size_t size() const;         // live ECGs
  bool approximate() const;    // IVF rather than exact
  size_t MemoryBytes() const;  // vectors, lists and side table
  bool NeedsRebuild() const;

 private:
  struct Change {
    bool removal = false;
    IndexedEcg ecg;
    std::vector<float> embedding;  // empty for a removal
  };
  void CheckEmbeddings(size_t count, size_t floats) const;
  std::shared_lock<std::shared_mutex> ReaderLock() const;
  std::unique_lock<std::shared_mutex> WriterLock() const;

  // Constant after construction.
  const int64_t model_id_;
  const int dimension_;
  const IndexOptions options_;

  // Readers pass through turnstile_ before taking mutex_ shared; writers hold it while they wait
  // for mutex_, so a stream of searches cannot starve additions (glibc's rwlock favours readers).
  mutable std::mutex turnstile_;
  mutable std::shared_mutex mutex_;
  // Guarded by mutex_ (shared for searches, exclusive for changes and the swap).
  std::shared_ptr<IndexCore> core_;
  bool rebuilding_ = false;
  std::vector<Change> changes_during_rebuild_;
};

}  // namespace ecg
