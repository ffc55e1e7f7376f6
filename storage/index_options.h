// Options of the similarity index (storage/similarity_index.h): build-time IndexOptions, fixed
// when an index is built or loaded, and per-query SearchOptions, owned by the caller.
//
// Similarities are cosines in [-1, 1] (inner products of L2-normalised vectors). Times are
// seconds since the Unix epoch, UTC. Keys are the store's int64 keys. Validate() throws
// Error::InvalidArgument naming the field that is out of range; SimilarityIndex calls it.
// Plain values, no state: thread-compatible.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace ecg {

struct IndexOptions {
  // --- affect behaviour ---
  // Up to this many vectors the index is exact (flat inner product through BLAS); above it,
  // approximate. Exact single-query latency grows with the count (memory bound: about 1 KB read
  // per 256-dim vector; 9 ms at 20k on the busy 2-core machines, see docs/search.md) while the
  // IVF stays well under a millisecond.
  size_t exact_max_count = 20000;
  // FAISS factory string of the approximate index. It must build an IVF index (IDSelector
  // filters and removal work on IVF in FAISS 1.7.3, not on HNSW). "{nlist}" is replaced by the
  // list count chosen from the number of vectors (about 4 * sqrt(count), a power of two).
  std::string approximate_factory = "IVF{nlist},Flat";

  // --- affect performance ---
  // Inverted lists probed per query when SearchOptions::nprobe is 0: recall against speed.
  // 32 of 4096 lists gave recall@10 >= 0.95 on the benchmark's clustered vectors.
  int default_nprobe = 32;
  // k-means training sample per list (FAISS wants at least 39) and iterations: build time
  // against list quality.
  size_t training_points_per_list = 40;
  int kmeans_iterations = 10;
  // Seed of the k-means initialisation, so rebuilds from the same vectors are identical.
  int kmeans_seed = 1234;
  // Passed to faiss::distance_compute_blas_threshold: queries from this batch size up go through
  // BLAS. 1 makes single-query exact search several times faster on Debian's generic FAISS.
  int blas_threshold = 1;

  void Validate() const;
};

// Which ECGs a search may return.
enum class SearchScope {
  kAll,            // every ECG
  kSamePatient,    // only ECGs of SearchOptions::patient_key (exact, whatever the index kind)
  kOtherPatients,  // only ECGs of other patients than SearchOptions::patient_key
};

// Parses "all", "same-patient", "other-patients"; nullopt for anything else.
std::optional<SearchScope> ParseSearchScope(const std::string& text);

struct SearchOptions {
  // Neighbours wanted, 1..100. Fewer come back when fewer ECGs pass the filters.
  int k = 10;
  SearchScope scope = SearchScope::kAll;
  // REQUIRES for kSamePatient and kOtherPatients: the patient the scope refers to.
  std::optional<int64_t> patient_key;
  // Only ECGs acquired strictly before this time (seconds since the epoch, UTC).
  std::optional<int64_t> before_s;
  // Leave this ECG out (the query ECG itself when it is stored).
  std::optional<int64_t> exclude_ecg_key;
  // Inverted lists to probe (approximate index only); 0 uses IndexOptions::default_nprobe.
  // More lists: higher recall, proportionally slower.
  int nprobe = 0;

  static constexpr int kMaxK = 100;
  static constexpr int kMaxNprobe = 65536;
  void Validate() const;
};

}  // namespace ecg
