#include "storage/similarity_index.h"

#include <faiss/utils/distances.h>

#include "storage/index_file.h"
#include "waveform/error.h"

namespace ecg {

namespace {

// FAISS keeps the BLAS threshold in a global; every index of the process shares it.
void ApplyGlobalOptions(const IndexOptions& options) {
  faiss::distance_compute_blas_threshold = options.blas_threshold;
}

}  // namespace

SimilarityIndex::SimilarityIndex(int64_t model_id, int dimension, IndexOptions options)
    : model_id_(model_id), dimension_(dimension), options_(std::move(options)) {
  options_.Validate();
  ApplyGlobalOptions(options_);
  core_ = IndexCore::Build(dimension_, options_, {}, nullptr);
}

SimilarityIndex::~SimilarityIndex() = default;

std::unique_ptr<SimilarityIndex> SimilarityIndex::Load(const std::string& path, int64_t model_id,
                                                       int dimension, IndexOptions options) {
  auto index = std::make_unique<SimilarityIndex>(model_id, dimension, std::move(options));
  auto header = ReadIndexFile(path, [&](const IndexFileHeader& found, faiss::IOReader* in) {
    if (found.model_id != model_id || found.dimension != static_cast<uint32_t>(dimension)) {
      throw Error::Conflict("index file " + path + " was built for model " +
                            std::to_string(found.model_id) + " (" +
                            std::to_string(found.dimension) + " dims), not model " +
                            std::to_string(model_id) + " (" + std::to_string(dimension) + " dims)");
    }
    index->core_ = IndexCore::Deserialize(dimension, in);
    if (index->core_->live_count() != found.count) {
      throw Error::Corruption("index file " + path + ": header count does not match contents");
    }
  });
  if (!header) return nullptr;
  return index;
}

void SimilarityIndex::Save(const std::string& path) const {
  auto lock = ReaderLock();
  IndexFileHeader header{model_id_, static_cast<uint32_t>(dimension_), core_->live_count()};
  WriteIndexFile(path, header, [&](faiss::IOWriter* out) { core_->Serialize(out); });
}

std::shared_lock<std::shared_mutex> SimilarityIndex::ReaderLock() const {
  { std::lock_guard pass(turnstile_); }
  return std::shared_lock(mutex_);
}

std::unique_lock<std::shared_mutex> SimilarityIndex::WriterLock() const {
  std::lock_guard hold(turnstile_);
  return std::unique_lock(mutex_);
}

void SimilarityIndex::CheckEmbeddings(size_t count, size_t floats) const {
  if (floats != count * dimension_) {
    throw Error::InvalidArgument("expected " + std::to_string(count) + " embeddings of " +
                                 std::to_string(dimension_) + " floats, got " +
                                 std::to_string(floats) + " floats");
  }
}

void SimilarityIndex::Add(const std::vector<IndexedEcg>& ecgs,
                          const std::vector<float>& embeddings) {
  CheckEmbeddings(ecgs.size(), embeddings.size());
  auto lock = WriterLock();
  core_->Add(ecgs, embeddings.data());
  if (!rebuilding_) return;
  for (size_t i = 0; i < ecgs.size(); ++i) {
    const float* row = embeddings.data() + i * dimension_;
    changes_during_rebuild_.push_back({false, ecgs[i], {row, row + dimension_}});
  }
}

bool SimilarityIndex::Remove(int64_t ecg_key) {
  auto lock = WriterLock();
  if (rebuilding_) changes_during_rebuild_.push_back({true, {ecg_key, 0, 0}, {}});
  return core_->Remove(ecg_key);
}

bool SimilarityIndex::Contains(int64_t ecg_key) const {
  auto lock = ReaderLock();
  return core_->Contains(ecg_key);
}

std::vector<Neighbor> SimilarityIndex::Search(const std::vector<float>& query,
                                              const SearchOptions& options) const {
  CheckEmbeddings(1, query.size());
  auto lock = ReaderLock();
  return core_->Search(query.data(), options, options_.default_nprobe);
}

void SimilarityIndex::Rebuild(const RebuildSource& source) {
  {
    auto lock = WriterLock();
    if (rebuilding_) throw Error::Conflict("the similarity index is already being rebuilt");
    rebuilding_ = true;
  }
  std::shared_ptr<IndexCore> fresh;
  try {
    std::vector<IndexedEcg> ecgs;
    std::vector<float> embeddings;
    source(&ecgs, &embeddings);
    CheckEmbeddings(ecgs.size(), embeddings.size());
    fresh = IndexCore::Build(dimension_, options_, ecgs, embeddings.data());
  } catch (...) {
    auto lock = WriterLock();
    rebuilding_ = false;
    changes_during_rebuild_.clear();
    throw;
  }
  auto lock = WriterLock();
  for (const Change& change : changes_during_rebuild_) {
    if (change.removal) {
      fresh->Remove(change.ecg.ecg_key);
    } else {
      fresh->Add({change.ecg}, change.embedding.data());
    }
  }
  changes_during_rebuild_.clear();
  rebuilding_ = false;
  core_.swap(fresh);  // the old core is freed after the lock is released
}

size_t SimilarityIndex::size() const {
  auto lock = ReaderLock();
  return core_->live_count();
}

bool SimilarityIndex::approximate() const {
  auto lock = ReaderLock();
  return core_->approximate();
}

size_t SimilarityIndex::MemoryBytes() const {
  auto lock = ReaderLock();
  return core_->MemoryBytes();
}

bool SimilarityIndex::NeedsRebuild() const {
  auto lock = ReaderLock();
  return core_->NeedsRebuild(options_);
}

}  // namespace ecg
