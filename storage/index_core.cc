#include "storage/index_core.h"

#include <faiss/IndexFlat.h>
#include <faiss/IndexIVF.h>
#include <faiss/impl/FaissException.h>
#include <faiss/impl/IDSelector.h>
#include <faiss/impl/io.h>
#include <faiss/index_factory.h>
#include <faiss/index_io.h>
#include <faiss/utils/distances.h>

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <optional>

#include "waveform/error.h"

namespace ecg {

using idx_t = faiss::Index::idx_t;

// Admits the positions a search may return: live, in scope, before the time, not excluded.
class IndexCore::ScopeFilter : public faiss::IDSelector {
 public:
  ScopeFilter(const IndexCore& core, const SearchOptions& options)
      : core_(core), options_(options) {}
  bool is_member(idx_t position) const override {
    if (!core_.live_[position]) return false;
    if (options_.exclude_ecg_key && core_.ecg_keys_[position] == *options_.exclude_ecg_key) {
      return false;
    }
    if (options_.before_s && core_.acquired_at_s_[position] >= *options_.before_s) return false;
    const bool same =
        options_.patient_key && core_.patient_keys_[position] == *options_.patient_key;
    switch (options_.scope) {
      case SearchScope::kAll:
        return true;
      case SearchScope::kSamePatient:
        return same;
      case SearchScope::kOtherPatients:
        return !same;
    }
    return false;
  }

 private:
  const IndexCore& core_;
  const SearchOptions& options_;
};

namespace {

// Runs a FAISS call, rethrowing its exceptions as ours.
template <typename F>
auto Faiss(const char* what, F&& call) {
  try {
    return call();
  } catch (const faiss::FaissException& e) {
    throw Error::Unavailable(std::string("FAISS failed to ") + what + ": " + e.what());
  }
}

// Runs FAISS's OpenMP regions on the calling thread only while it lives. Single queries gain
// nothing from a team, and on a busy 2-core machine a team's spin-waiting made each small
// search tens of times slower; concurrent callers give the parallelism instead.
class OneOmpThread {
 public:
  OneOmpThread() : previous_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~OneOmpThread() { omp_set_num_threads(previous_); }
  OneOmpThread(const OneOmpThread&) = delete;
  OneOmpThread& operator=(const OneOmpThread&) = delete;

 private:
  int previous_;
};

// Below this many vectors an addition runs on the calling thread alone (see OneOmpThread).
constexpr size_t kSmallBatch = 1024;

// About 4 * sqrt(count) lists, a power of two, with at least 39 training points each.
size_t ListCount(size_t count) {
  const double wanted = 4.0 * std::sqrt(static_cast<double>(count));
  size_t lists = 1;
  while (lists * 2 <= wanted * 1.5 && (lists * 2) * 39 <= count) lists *= 2;
  return lists;
}

std::string ExpandFactory(std::string factory, size_t lists) {
  const std::string placeholder = "{nlist}";
  auto at = factory.find(placeholder);
  if (at != std::string::npos) factory.replace(at, placeholder.size(), std::to_string(lists));
  return factory;
}

template <typename T>
void WriteArray(faiss::IOWriter* out, const std::vector<T>& values) {
  (*out)(values.data(), sizeof(T), values.size());
}

template <typename T>
void ReadArray(faiss::IOReader* in, std::vector<T>* values, size_t count) {
  values->resize(count);
  (*in)(values->data(), sizeof(T), count);
}

}  // namespace

IndexCore::IndexCore(int dimension, std::unique_ptr<faiss::Index> index)
    : dimension_(dimension), index_(std::move(index)) {
  ivf_ = dynamic_cast<faiss::IndexIVF*>(index_.get());
}

IndexCore::~IndexCore() = default;

std::unique_ptr<IndexCore> IndexCore::Build(int dimension, const IndexOptions& options,
                                            const std::vector<IndexedEcg>& ecgs,
                                            const float* embeddings) {
  if (dimension < 1) throw Error::InvalidArgument("index dimension must be positive");
  if (ecgs.size() <= options.exact_max_count) {
    std::unique_ptr<IndexCore> core(
        new IndexCore(dimension, std::make_unique<faiss::IndexFlatIP>(dimension)));
    core->Add(ecgs, embeddings);
    return core;
  }
  const size_t lists = ListCount(ecgs.size());
  const std::string factory = ExpandFactory(options.approximate_factory, lists);
  std::unique_ptr<faiss::Index> index(Faiss("build the index", [&] {
    return faiss::index_factory(dimension, factory.c_str(), faiss::METRIC_INNER_PRODUCT);
  }));
  std::unique_ptr<IndexCore> core(new IndexCore(dimension, std::move(index)));
  if (!core->ivf_) {
    throw Error::InvalidArgument("approximate_factory '" + factory + "' does not build an IVF");
  }
  core->Train(options, ecgs.size(), embeddings);
  core->Add(ecgs, embeddings);
  core->trained_count_ = ecgs.size();
  return core;
}

void IndexCore::Train(const IndexOptions& options, size_t count, const float* embeddings) {
  const size_t lists = ivf_->nlist;
  const size_t samples = std::min(count, lists * options.training_points_per_list);
  const size_t stride = count / samples;
  std::vector<float> sample(samples * dimension_);
  for (size_t i = 0; i < samples; ++i) {
    std::copy_n(embeddings + i * stride * dimension_, dimension_, &sample[i * dimension_]);
  }
  sample = Normalized(sample.data(), samples);
  ivf_->cp.niter = options.kmeans_iterations;
  ivf_->cp.seed = options.kmeans_seed;
  ivf_->cp.spherical = true;
  ivf_->cp.max_points_per_centroid = static_cast<int>(options.training_points_per_list);
  Faiss("train the IVF", [&] {
    ivf_->train(static_cast<idx_t>(samples), sample.data());
    ivf_->make_direct_map(true);  // reconstruct() for same-patient search
    return 0;
  });
}

std::vector<float> IndexCore::Normalized(const float* vectors, size_t count) const {
  std::vector<float> out(vectors, vectors + count * dimension_);
  for (size_t i = 0; i < count; ++i) {
    float* row = &out[i * dimension_];
    double norm2 = 0;
    for (int j = 0; j < dimension_; ++j) norm2 += double(row[j]) * row[j];
    if (!(norm2 > 0) || !std::isfinite(norm2)) {
      throw Error::InvalidArgument("embedding " + std::to_string(i) +
                                   " is zero or not finite; it cannot be indexed or searched");
    }
    const float scale = static_cast<float>(1.0 / std::sqrt(norm2));
    for (int j = 0; j < dimension_; ++j) row[j] *= scale;
  }
  return out;
}

void IndexCore::Add(const std::vector<IndexedEcg>& ecgs, const float* embeddings) {
  if (ecgs.empty()) return;
  std::vector<float> unit = Normalized(embeddings, ecgs.size());
  std::optional<OneOmpThread> one_thread;
  if (ecgs.size() < kSmallBatch) one_thread.emplace();
  Faiss("add vectors", [&] {
    index_->add(static_cast<idx_t>(ecgs.size()), unit.data());
    return 0;
  });
  AppendSideTable(ecgs);
}

void IndexCore::AppendSideTable(const std::vector<IndexedEcg>& ecgs) {
  for (const IndexedEcg& ecg : ecgs) {
    Remove(ecg.ecg_key);
    const int64_t position = static_cast<int64_t>(ecg_keys_.size());
    ecg_keys_.push_back(ecg.ecg_key);
    patient_keys_.push_back(ecg.patient_key);
    acquired_at_s_.push_back(ecg.acquired_at_s);
    live_.push_back(1);
    position_of_[ecg.ecg_key] = position;
    positions_of_patient_[ecg.patient_key].push_back(position);
  }
}

bool IndexCore::Remove(int64_t ecg_key) {
  auto found = position_of_.find(ecg_key);
  if (found == position_of_.end()) return false;
  live_[found->second] = 0;
  position_of_.erase(found);
  return true;
}

IndexedEcg IndexCore::EcgAt(int64_t position) const {
  return {ecg_keys_[position], patient_keys_[position], acquired_at_s_[position]};
}

std::vector<Neighbor> IndexCore::Search(const float* query, const SearchOptions& options,
                                        int default_nprobe) const {
  options.Validate();
  OneOmpThread one_thread;
  const std::vector<float> unit = Normalized(query, 1);
  if (options.scope == SearchScope::kSamePatient) return SearchSamePatient(unit.data(), options);
  return SearchFiltered(unit.data(), options, default_nprobe);
}

std::vector<Neighbor> IndexCore::SearchSamePatient(const float* query,
                                                   const SearchOptions& options) const {
  std::vector<Neighbor> found;
  auto patient = positions_of_patient_.find(*options.patient_key);
  if (patient == positions_of_patient_.end()) return found;
  ScopeFilter filter(*this, options);
  std::vector<float> vector(dimension_);
  for (int64_t position : patient->second) {
    if (!filter.is_member(position)) continue;
    Faiss("reconstruct a vector", [&] {
      index_->reconstruct(position, vector.data());
      return 0;
    });
    found.push_back({EcgAt(position), faiss::fvec_inner_product(query, vector.data(), dimension_)});
  }
  std::sort(found.begin(), found.end(),
            [](const Neighbor& a, const Neighbor& b) { return a.similarity > b.similarity; });
  if (found.size() > static_cast<size_t>(options.k)) found.resize(options.k);
  return found;
}

std::vector<Neighbor> IndexCore::SearchFiltered(const float* query, const SearchOptions& options,
                                                int default_nprobe) const {
  ScopeFilter filter(*this, options);
  const idx_t total = static_cast<idx_t>(positions());
  // One FAISS search of k results, keeping those the filter admits (-1 padding dropped).
  auto run = [&](idx_t k, const faiss::SearchParameters* params) {
    std::vector<float> similarities(k);
    std::vector<idx_t> positions(k);
    Faiss("search", [&] {
      index_->search(1, query, k, similarities.data(), positions.data(), params);
      return 0;
    });
    std::vector<Neighbor> found;
    for (idx_t i = 0; i < k && found.size() < static_cast<size_t>(options.k); ++i) {
      if (positions[i] < 0 || !filter.is_member(positions[i])) continue;
      found.push_back({EcgAt(positions[i]), similarities[i]});
    }
    return found;
  };
  if (total == 0) return {};
  const idx_t k = std::min<idx_t>(options.k, total);
  if (ivf_) {
    faiss::SearchParametersIVF params;
    params.nprobe = options.nprobe > 0 ? options.nprobe : default_nprobe;
    params.sel = &filter;
    return run(k, &params);
  }
  // Exact: an unfiltered search goes through BLAS (fast); FAISS's filtered one is scalar, so
  // it runs only when the oversampled unfiltered results fall short.
  const idx_t oversampled = std::min<idx_t>(2 * options.k + 16, total);
  std::vector<Neighbor> found = run(oversampled, nullptr);
  if (found.size() == static_cast<size_t>(options.k) || oversampled == total) return found;
  faiss::SearchParameters params;
  params.sel = &filter;
  return run(k, &params);
}

size_t IndexCore::MemoryBytes() const {
  const size_t n = positions();
  size_t bytes = n * (3 * sizeof(int64_t) + 1) + position_of_.size() * 2 * sizeof(int64_t);
  if (!ivf_) return bytes + n * dimension_ * sizeof(float);
  // codes, their ids, the direct map, the centroids
  return bytes + n * (ivf_->code_size + 2 * sizeof(idx_t)) + ivf_->nlist * dimension_ * 4;
}

bool IndexCore::NeedsRebuild(const IndexOptions& options) const {
  const size_t n = positions();
  if (!ivf_ && live_count() > options.exact_max_count) return true;
  if (ivf_ && n > 4 * trained_count_) return true;
  return n - live_count() > n / 10;
}

void IndexCore::Serialize(faiss::IOWriter* out) const {
  const uint64_t counts[2] = {positions(), trained_count_};
  (*out)(counts, sizeof(uint64_t), 2);
  WriteArray(out, ecg_keys_);
  WriteArray(out, patient_keys_);
  WriteArray(out, acquired_at_s_);
  WriteArray(out, live_);
  Faiss("serialise the index", [&] {
    faiss::write_index(index_.get(), out);
    return 0;
  });
}

std::unique_ptr<IndexCore> IndexCore::Deserialize(int dimension, faiss::IOReader* in) {
  uint64_t counts[2];
  (*in)(counts, sizeof(uint64_t), 2);
  std::unique_ptr<faiss::Index> index;
  std::vector<int64_t> keys, patients, times;
  std::vector<uint8_t> live;
  ReadArray(in, &keys, counts[0]);
  ReadArray(in, &patients, counts[0]);
  ReadArray(in, &times, counts[0]);
  ReadArray(in, &live, counts[0]);
  try {
    index.reset(faiss::read_index(in));
  } catch (const faiss::FaissException& e) {
    throw Error::Corruption(std::string("index file: FAISS cannot read its index: ") + e.what());
  }
  std::unique_ptr<IndexCore> core(new IndexCore(dimension, std::move(index)));
  const bool flat = dynamic_cast<faiss::IndexFlatIP*>(core->index_.get()) != nullptr;
  if (core->index_->d != dimension || core->index_->ntotal != static_cast<idx_t>(counts[0]) ||
      core->index_->metric_type != faiss::METRIC_INNER_PRODUCT || !(flat || core->ivf_)) {
    throw Error::Corruption("index file: the FAISS index does not match its side table");
  }
  core->trained_count_ = counts[1];
  core->ecg_keys_ = std::move(keys);
  core->patient_keys_ = std::move(patients);
  core->acquired_at_s_ = std::move(times);
  core->live_ = std::move(live);
  core->RebuildLookups();
  return core;
}

void IndexCore::RebuildLookups() {
  for (size_t position = 0; position < positions(); ++position) {
    positions_of_patient_[patient_keys_[position]].push_back(position);
    if (live_[position]) position_of_[ecg_keys_[position]] = position;
  }
}

}  // namespace ecg
