// ClusteredVectors: deterministic synthetic embeddings for the index tests and benchmark.
//
// Vectors are drawn around `clusters` random centres (unit scale) with Gaussian noise of
// relative scale `noise` (1.0: as much noise as centre), so nearest neighbours are mostly
// within a cluster but not trivially so. ECG i belongs to patient i / ecgs_per_patient and was
// acquired at day i (seconds since the epoch); patients are spread over clusters. Same seed,
// same vectors. Row-major, `dimension` floats per vector, not normalised.
#pragma once

#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include "storage/index_core.h"

namespace ecg::testing {

struct ClusteredVectors {
  std::vector<IndexedEcg> ecgs;
  std::vector<float> embeddings;
};

inline std::vector<float> ClusterCentres(size_t clusters, int dimension, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> gauss;
  std::vector<float> centres(clusters * dimension);
  for (float& x : centres) x = gauss(rng) / std::sqrt(float(dimension));
  return centres;
}

// Draws `count` vectors around the centres; the first ECG key is first_key.
inline ClusteredVectors MakeClusteredVectors(size_t count, int dimension,
                                             const std::vector<float>& centres, float noise,
                                             uint32_t seed, int64_t first_key = 0,
                                             int ecgs_per_patient = 4) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> gauss;
  const size_t clusters = centres.size() / dimension;
  ClusteredVectors out;
  out.ecgs.reserve(count);
  out.embeddings.resize(count * dimension);
  const float scale = noise / std::sqrt(float(dimension));
  for (size_t i = 0; i < count; ++i) {
    const int64_t key = first_key + static_cast<int64_t>(i);
    const size_t cluster = rng() % clusters;
    for (int j = 0; j < dimension; ++j) {
      out.embeddings[i * dimension + j] = centres[cluster * dimension + j] + scale * gauss(rng);
    }
    out.ecgs.push_back({key, key / ecgs_per_patient, key * 86400});
  }
  return out;
}

}  // namespace ecg::testing
