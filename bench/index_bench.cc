// Similarity index at hospital scale: 1,000,000 embeddings of 256 floats (random clustered,
// deterministic; --quick: 20,000), on this machine's cores. For the exact flat index (BLAS
// threshold 1) and the IVF variants: build time, memory (index bytes and RSS growth), and
// single-query latency p50/p99 with recall@10 measured against exact on a sample of queries, at
// each nprobe; then the smallest nprobe reaching recall@10 >= 0.95, and the latency of scoped
// searches there. Target: p99 <= 10 ms at recall@10 >= 0.95.
#include <faiss/IndexFlat.h>

#include <unistd.h>
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "report.h"
#include "storage/similarity_index.h"
#include "tests/storage/clustered_vectors.h"

namespace {

constexpr int kDim = 256;
constexpr int kK = 10;

struct Workload {
  ecg::testing::ClusteredVectors base;
  ecg::testing::ClusteredVectors queries;
  std::vector<std::vector<int64_t>> truth;  // exact top-k keys per query
};

double ResidentMb() {
  long pages = 0, resident = 0;
  std::ifstream("/proc/self/statm") >> pages >> resident;
  return resident * double(sysconf(_SC_PAGESIZE)) / 1e6;
}

std::vector<float> Row(const ecg::testing::ClusteredVectors& data, size_t i) {
  return {data.embeddings.begin() + i * kDim, data.embeddings.begin() + (i + 1) * kDim};
}

// Exact top-k by one batched FAISS search (BLAS), on normalised copies.
std::vector<std::vector<int64_t>> Truth(const Workload& w) {
  auto normalised = [](std::vector<float> v) {
    for (size_t i = 0; i < v.size(); i += kDim) {
      double n2 = 0;
      for (int j = 0; j < kDim; ++j) n2 += double(v[i + j]) * v[i + j];
      for (int j = 0; j < kDim; ++j) v[i + j] /= std::sqrt(n2);
    }
    return v;
  };
  faiss::IndexFlatIP flat(kDim);
  flat.add(w.base.ecgs.size(), normalised(w.base.embeddings).data());
  const size_t nq = w.queries.ecgs.size();
  std::vector<float> similarities(nq * kK);
  std::vector<faiss::Index::idx_t> labels(nq * kK);
  flat.search(nq, normalised(w.queries.embeddings).data(), kK, similarities.data(), labels.data());
  std::vector<std::vector<int64_t>> truth(nq);
  for (size_t q = 0; q < nq; ++q) truth[q].assign(&labels[q * kK], &labels[(q + 1) * kK]);
  return truth;
}

struct Latency {
  double p50_ms, p99_ms, recall;
};

Latency Measure(const ecg::SimilarityIndex& index, const Workload& w, ecg::SearchOptions options,
                size_t queries) {
  std::vector<double> times;
  size_t hits = 0;
  for (size_t q = 0; q < queries; ++q) {
    if (options.scope != ecg::SearchScope::kAll) options.patient_key = w.base.ecgs[q].patient_key;
    const auto query = options.scope == ecg::SearchScope::kAll ? Row(w.queries, q) : Row(w.base, q);
    const double start = ecg::bench::NowSeconds();
    const auto found = index.Search(query, options);
    times.push_back((ecg::bench::NowSeconds() - start) * 1e3);
    std::set<int64_t> expected(w.truth[q].begin(), w.truth[q].end());
    for (const auto& n : found) hits += expected.count(n.ecg.ecg_key);
  }
  std::sort(times.begin(), times.end());
  return {times[times.size() / 2], times[std::min(times.size() - 1, times.size() * 99 / 100)],
          hits / double(queries * kK)};
}

std::unique_ptr<ecg::SimilarityIndex> Build(const std::string& name, const Workload& w,
                                            ecg::IndexOptions options) {
  const double rss_before = ResidentMb();
  const double start = ecg::bench::NowSeconds();
  auto index = std::make_unique<ecg::SimilarityIndex>(1, kDim, options);
  index->Rebuild([&](std::vector<ecg::IndexedEcg>* ecgs, std::vector<float>* embeddings) {
    *ecgs = w.base.ecgs;
    *embeddings = w.base.embeddings;
  });
  ecg::bench::Report(name + ".build", ecg::bench::NowSeconds() - start, "s");
  ecg::bench::Report(name + ".index_memory", index->MemoryBytes() / 1e6, "MB");
  ecg::bench::Report(name + ".rss_growth", ResidentMb() - rss_before, "MB");
  return index;
}

void BenchExact(const Workload& w, bool quick) {
  ecg::IndexOptions options;
  options.exact_max_count = w.base.ecgs.size();
  auto index = Build("exact_flat", w, options);
  Latency l = Measure(*index, w, {}, quick ? 50 : 60);
  ecg::bench::Report("exact_flat.recall@10", l.recall, "");
  ecg::bench::Report("exact_flat.p50", l.p50_ms, "ms");
  ecg::bench::Report("exact_flat.p99", l.p99_ms, "ms", "<= 10 ms");
}

void BenchIvf(const std::string& name, const std::string& factory, const Workload& w,
              size_t queries) {
  ecg::IndexOptions options;
  options.exact_max_count = 1000;
  options.approximate_factory = factory;
  auto index = Build(name, w, options);
  for (int nprobe : {4, 8, 16, 32, 64, 128}) {
    ecg::SearchOptions search;
    search.nprobe = nprobe;
    Latency l = Measure(*index, w, search, queries);
    const std::string at = name + ".nprobe" + std::to_string(nprobe);
    ecg::bench::Report(at + ".recall@10", l.recall, "");
    ecg::bench::Report(at + ".p50", l.p50_ms, "ms");
    ecg::bench::Report(at + ".p99", l.p99_ms, "ms");
    if (l.recall < 0.95) continue;
    ecg::bench::Report(name + ".chosen_nprobe", nprobe, "");
    ecg::bench::Report(name + ".recall@10", l.recall, "", ">= 0.95");
    ecg::bench::Report(name + ".p50", l.p50_ms, "ms");
    ecg::bench::Report(name + ".p99", l.p99_ms, "ms", "<= 10 ms");
    for (auto [scope, label] : {std::pair{ecg::SearchScope::kOtherPatients, "other_patients"},
                                std::pair{ecg::SearchScope::kSamePatient, "same_patient"}}) {
      search.scope = scope;
      Latency scoped = Measure(*index, w, search, queries);
      ecg::bench::Report(name + "." + label + ".p50", scoped.p50_ms, "ms");
      ecg::bench::Report(name + "." + label + ".p99", scoped.p99_ms, "ms", "<= 10 ms");
    }
    return;
  }
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  const bool quick = ecg::bench::QuickMode();
  const size_t count = quick ? 20000 : 1000000;
  const size_t queries = quick ? 50 : 200;
  const auto centres = ecg::testing::ClusterCentres(std::max<size_t>(20, count / 1000), kDim, 1);
  Workload w;
  double start = ecg::bench::NowSeconds();
  w.base = ecg::testing::MakeClusteredVectors(count, kDim, centres, 1.0f, 2);
  w.queries = ecg::testing::MakeClusteredVectors(queries, kDim, centres, 1.0f, 3, 1 << 30);
  w.truth = Truth(w);
  ecg::bench::Report("index.vectors", count, "");
  ecg::bench::Report("index.dimension", kDim, "");
  ecg::bench::Report("index.workload_setup", ecg::bench::NowSeconds() - start, "s");
  BenchExact(w, quick);
  BenchIvf("ivf_flat", "IVF{nlist},Flat", w, queries);
  BenchIvf("ivf_sq8", "IVF{nlist},SQ8", w, queries);
  return 0;
}
