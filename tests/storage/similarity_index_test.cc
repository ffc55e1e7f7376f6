// SimilarityIndex: exact and IVF search, scope filters, removal, persistence, concurrency.
#include "storage/similarity_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <set>
#include <thread>

#include "tests/storage/clustered_vectors.h"
#include "tests/support/test_env.h"
#include "waveform/error.h"

namespace ecg {
namespace {

constexpr int kDim = 32;
constexpr int64_t kModel = 7;

testing::ClusteredVectors Data(size_t count, uint32_t seed, int64_t first_key = 0) {
  static const std::vector<float> centres = testing::ClusterCentres(50, kDim, 99);
  return testing::MakeClusteredVectors(count, kDim, centres, 1.0f, seed, first_key);
}

std::vector<float> Row(const testing::ClusteredVectors& data, size_t i) {
  return {data.embeddings.begin() + i * kDim, data.embeddings.begin() + (i + 1) * kDim};
}

IndexOptions SmallIvf() {
  IndexOptions options;
  options.exact_max_count = 1000;
  options.default_nprobe = 16;
  return options;
}

std::unique_ptr<SimilarityIndex> Filled(const testing::ClusteredVectors& data,
                                        IndexOptions options = {}) {
  auto index = std::make_unique<SimilarityIndex>(kModel, kDim, options);
  index->Rebuild([&](std::vector<IndexedEcg>* ecgs, std::vector<float>* embeddings) {
    *ecgs = data.ecgs;
    *embeddings = data.embeddings;
  });
  return index;
}

std::vector<int64_t> Keys(const std::vector<Neighbor>& neighbors) {
  std::vector<int64_t> keys;
  for (const Neighbor& n : neighbors) keys.push_back(n.ecg.ecg_key);
  return keys;
}

TEST(SimilarityIndexTest, AStoredEcgIsItsOwnNearestNeighbourWithSimilarityOne) {
  auto data = Data(500, 1);
  auto index = Filled(data);
  EXPECT_FALSE(index->approximate());
  auto found = index->Search(Row(data, 42), {});
  ASSERT_EQ(found.size(), 10u);
  EXPECT_EQ(found[0].ecg.ecg_key, 42);
  EXPECT_EQ(found[0].ecg.patient_key, data.ecgs[42].patient_key);
  EXPECT_EQ(found[0].ecg.acquired_at_s, data.ecgs[42].acquired_at_s);
  EXPECT_NEAR(found[0].similarity, 1.0f, 1e-5);
  for (size_t i = 1; i < found.size(); ++i) {
    EXPECT_LE(found[i].similarity, found[i - 1].similarity);
  }
}

TEST(SimilarityIndexTest, AnIndexWithFewerEcgsThanKReturnsOnlyRealNeighbours) {
  auto data = Data(3, 2);
  auto index = Filled(data);
  SearchOptions options;
  options.k = 10;
  auto found = index->Search(Row(data, 0), options);
  EXPECT_EQ(found.size(), 3u);
  for (const Neighbor& n : found) EXPECT_GE(n.ecg.ecg_key, 0);
}

TEST(SimilarityIndexTest, TheIvfIndexReachesRecallAt10OfAtLeast95PercentAgainstExact) {
  auto data = Data(20000, 3);
  auto approximate = Filled(data, SmallIvf());
  auto exact = Filled(data, IndexOptions{.exact_max_count = 1000000});
  ASSERT_TRUE(approximate->approximate());
  ASSERT_FALSE(exact->approximate());
  auto queries = Data(100, 4, 1000000);
  size_t hits = 0;
  for (size_t q = 0; q < queries.ecgs.size(); ++q) {
    auto truth = Keys(exact->Search(Row(queries, q), {}));
    auto found = Keys(approximate->Search(Row(queries, q), {}));
    std::set<int64_t> expected(truth.begin(), truth.end());
    for (int64_t key : found) hits += expected.count(key);
  }
  EXPECT_GE(hits / 1000.0, 0.95);
}

class ScopeTest : public ::testing::TestWithParam<bool> {
 protected:
  // Parameter: whether the index is the IVF (true) or exact (false).
  void SetUp() override {
    data_ = Data(4000, 5);
    index_ = Filled(data_, GetParam() ? SmallIvf() : IndexOptions{});
    ASSERT_EQ(index_->approximate(), GetParam());
  }
  testing::ClusteredVectors data_;
  std::unique_ptr<SimilarityIndex> index_;
};

TEST_P(ScopeTest, SamePatientReturnsAllOfThePatientsEcgsAndNothingElse) {
  SearchOptions options;
  options.scope = SearchScope::kSamePatient;
  options.patient_key = data_.ecgs[100].patient_key;
  auto found = index_->Search(Row(data_, 100), options);
  ASSERT_EQ(found.size(), 4u);  // 4 ECGs per patient
  EXPECT_EQ(found[0].ecg.ecg_key, 100);
  for (const Neighbor& n : found) EXPECT_EQ(n.ecg.patient_key, *options.patient_key);
}

TEST_P(ScopeTest, SamePatientBeforeATimeReturnsOnlyThePatientsPriors) {
  SearchOptions options;
  options.scope = SearchScope::kSamePatient;
  options.patient_key = data_.ecgs[103].patient_key;
  options.before_s = data_.ecgs[103].acquired_at_s;
  auto found = Keys(index_->Search(Row(data_, 103), options));
  std::sort(found.begin(), found.end());
  EXPECT_EQ(found, (std::vector<int64_t>{100, 101, 102}));
}

TEST_P(ScopeTest, OtherPatientsNeverReturnsThePatientsOwnEcgs) {
  SearchOptions options;
  options.scope = SearchScope::kOtherPatients;
  options.patient_key = data_.ecgs[100].patient_key;
  options.k = 50;
  auto found = index_->Search(Row(data_, 100), options);
  EXPECT_EQ(found.size(), 50u);
  for (const Neighbor& n : found) EXPECT_NE(n.ecg.patient_key, *options.patient_key);
}

TEST_P(ScopeTest, BeforeATimeReturnsOnlyEarlierEcgsEvenWhenFewQualify) {
  SearchOptions options;
  options.before_s = data_.ecgs[30].acquired_at_s;  // 30 ECGs qualify out of 4000
  options.k = 20;
  auto found = index_->Search(Row(data_, 10), options);
  EXPECT_FALSE(found.empty());
  for (const Neighbor& n : found) EXPECT_LT(n.ecg.acquired_at_s, *options.before_s);
  if (!GetParam()) {
    EXPECT_EQ(found.size(), 20u);  // exact finds them wherever they are
  }
}

TEST_P(ScopeTest, TheExcludedEcgIsLeftOut) {
  SearchOptions options;
  options.exclude_ecg_key = 100;
  auto found = Keys(index_->Search(Row(data_, 100), options));
  EXPECT_EQ(found.size(), 10u);
  EXPECT_EQ(std::count(found.begin(), found.end(), 100), 0);
}

TEST_P(ScopeTest, ARemovedEcgIsNeverReturnedAgain) {
  EXPECT_TRUE(index_->Remove(100));
  EXPECT_FALSE(index_->Remove(100));
  EXPECT_FALSE(index_->Contains(100));
  EXPECT_EQ(index_->size(), 3999u);
  auto found = Keys(index_->Search(Row(data_, 100), {}));
  EXPECT_EQ(found.size(), 10u);
  EXPECT_EQ(std::count(found.begin(), found.end(), 100), 0);
  SearchOptions same;
  same.scope = SearchScope::kSamePatient;
  same.patient_key = data_.ecgs[100].patient_key;
  EXPECT_EQ(index_->Search(Row(data_, 100), same).size(), 3u);
}

INSTANTIATE_TEST_SUITE_P(ExactAndIvf, ScopeTest, ::testing::Bool());

TEST(SimilarityIndexTest, AddingAnEcgAgainReplacesItsEmbedding) {
  auto data = Data(200, 6);
  auto index = Filled(data);
  index->Add({data.ecgs[5]}, Row(data, 9));
  EXPECT_EQ(index->size(), 200u);
  auto found = index->Search(Row(data, 9), {});
  ASSERT_GE(found.size(), 2u);
  EXPECT_NEAR(found[0].similarity, 1.0f, 1e-5);
  EXPECT_NEAR(found[1].similarity, 1.0f, 1e-5);
  auto keys = Keys(found);
  EXPECT_EQ(std::count(keys.begin(), keys.end(), 5), 1);
}

TEST(SimilarityIndexTest, ParametersOutsideTheirBoundsAreRefused) {
  auto data = Data(100, 7);
  auto index = Filled(data);
  for (int k : {0, 101}) {
    SearchOptions options;
    options.k = k;
    EXPECT_THROW(index->Search(Row(data, 0), options), Error);
  }
  SearchOptions no_patient;
  no_patient.scope = SearchScope::kOtherPatients;
  EXPECT_THROW(index->Search(Row(data, 0), no_patient), Error);
  EXPECT_THROW(index->Search(std::vector<float>(kDim + 1, 1.0f), {}), Error);
  EXPECT_THROW(index->Search(std::vector<float>(kDim, 0.0f), {}), Error);
  EXPECT_THROW(index->Add({{1000, 1, 0}}, std::vector<float>(kDim, 0.0f)), Error);
  EXPECT_EQ(ParseSearchScope("other-patients"), SearchScope::kOtherPatients);
  EXPECT_FALSE(ParseSearchScope("everyone").has_value());
}

TEST(SimilarityIndexTest, TheExactIndexAsksForARebuildOnceItOutgrowsItsThreshold) {
  IndexOptions options;
  options.exact_max_count = 100;
  auto data = Data(101, 8);
  SimilarityIndex index(kModel, kDim, options);
  index.Add({data.ecgs.begin(), data.ecgs.begin() + 100},
            {data.embeddings.begin(), data.embeddings.begin() + 100 * kDim});
  EXPECT_FALSE(index.NeedsRebuild());
  index.Add({data.ecgs[100]}, Row(data, 100));
  EXPECT_TRUE(index.NeedsRebuild());
}

class PersistenceTest : public ::testing::TestWithParam<bool> {
 protected:
  testing::TempDir dir_;
};

TEST_P(PersistenceTest, ASavedIndexLoadsWithTheSameContentsAndAnswers) {
  auto data = Data(3000, 9);
  auto index = Filled(data, GetParam() ? SmallIvf() : IndexOptions{});
  index->Remove(17);
  const std::string path = dir_.File("index.faiss");
  index->Save(path);
  auto loaded = SimilarityIndex::Load(path, kModel, kDim, index->options());
  ASSERT_NE(loaded, nullptr);
  EXPECT_EQ(loaded->size(), 2999u);
  EXPECT_EQ(loaded->approximate(), GetParam());
  EXPECT_FALSE(loaded->Contains(17));
  SearchOptions same;
  same.scope = SearchScope::kSamePatient;
  same.patient_key = data.ecgs[400].patient_key;
  for (size_t q : {0, 400, 2999}) {
    EXPECT_EQ(Keys(loaded->Search(Row(data, q), {})), Keys(index->Search(Row(data, q), {})));
    EXPECT_EQ(Keys(loaded->Search(Row(data, q), same)), Keys(index->Search(Row(data, q), same)));
  }
  loaded->Add({{5000, 1, 0}}, Row(data, 1));  // still writable after loading
  EXPECT_TRUE(loaded->Contains(5000));
}

INSTANTIATE_TEST_SUITE_P(ExactAndIvf, PersistenceTest, ::testing::Bool());

TEST(SimilarityIndexFileTest, AMissingFileLoadsAsNothing) {
  testing::TempDir dir;
  EXPECT_EQ(SimilarityIndex::Load(dir.File("absent.faiss"), kModel, kDim), nullptr);
}

void ExpectLoadFails(const std::string& path, int64_t model, int dim, ErrorCode code) {
  try {
    SimilarityIndex::Load(path, model, dim);
    ADD_FAILURE() << "Load succeeded";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), code) << e.what();
  }
}

TEST(SimilarityIndexFileTest, AFileBuiltForAnotherModelOrDimensionIsAConflict) {
  testing::TempDir dir;
  const std::string path = dir.File("index.faiss");
  Filled(Data(100, 10))->Save(path);
  ExpectLoadFails(path, kModel + 1, kDim, ErrorCode::kConflict);
  ExpectLoadFails(path, kModel, kDim * 2, ErrorCode::kConflict);
}

TEST(SimilarityIndexFileTest, AFlippedByteOrATruncatedFileIsCorruption) {
  testing::TempDir dir;
  const std::string path = dir.File("index.faiss");
  Filled(Data(100, 11))->Save(path);
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  auto write = [&](const std::string& content) {
    std::ofstream(path, std::ios::binary | std::ios::trunc) << content;
  };
  std::string flipped = bytes;
  flipped[bytes.size() / 2] ^= 0x5a;
  write(flipped);
  ExpectLoadFails(path, kModel, kDim, ErrorCode::kCorruption);
  write(bytes.substr(0, bytes.size() - 10));
  ExpectLoadFails(path, kModel, kDim, ErrorCode::kCorruption);
  write("not an index at all");
  ExpectLoadFails(path, kModel, kDim, ErrorCode::kCorruption);
  write(bytes);
  EXPECT_NE(SimilarityIndex::Load(path, kModel, kDim), nullptr);
}

TEST(SimilarityIndexConcurrencyTest, SearchesRunWhileEcgsAreAdded) {
  auto data = Data(6000, 12);
  SimilarityIndex index(kModel, kDim, SmallIvf());
  index.Add({data.ecgs.begin(), data.ecgs.begin() + 2000},
            {data.embeddings.begin(), data.embeddings.begin() + 2000 * kDim});
  std::atomic<bool> adding{true};
  std::atomic<int> searches{0}, failures{0};
  std::vector<std::thread> searchers;
  for (int t = 0; t < 3; ++t) {
    searchers.emplace_back([&, t] {
      for (size_t q = t; adding || q < 50; q += 3) {
        auto found = index.Search(Row(data, q % 2000), {});
        if (found.size() != 10 || found[0].ecg.ecg_key != int64_t(q % 2000)) ++failures;
        ++searches;
      }
    });
  }
  for (size_t i = 2000; i < 6000; ++i) index.Add({data.ecgs[i]}, Row(data, i));
  adding = false;
  for (auto& thread : searchers) thread.join();
  EXPECT_EQ(failures, 0);
  EXPECT_GT(searches, 0);
  EXPECT_EQ(index.size(), 6000u);
  EXPECT_EQ(index.Search(Row(data, 5999), {})[0].ecg.ecg_key, 5999);
}

TEST(SimilarityIndexConcurrencyTest, ARebuildSwapsInTheNewIndexAndKeepsChangesMadeMeanwhile) {
  auto data = Data(5000, 13);
  auto late = Data(1, 14, 9000);
  SimilarityIndex index(kModel, kDim, SmallIvf());
  index.Add({data.ecgs.begin(), data.ecgs.begin() + 500},
            {data.embeddings.begin(), data.embeddings.begin() + 500 * kDim});
  std::atomic<bool> rebuilding{true};
  std::atomic<int> failures{0};
  std::thread searcher([&] {
    while (rebuilding) {
      if (index.Search(Row(data, 7), {}).at(0).ecg.ecg_key != 7) ++failures;
    }
  });
  index.Rebuild([&](std::vector<IndexedEcg>* ecgs, std::vector<float>* embeddings) {
    // An ECG arrives and one is deleted while the store is read.
    index.Add(late.ecgs, late.embeddings);
    index.Remove(3);
    EXPECT_THROW(index.Rebuild([](auto*, auto*) {}), Error);  // one rebuild at a time
    *ecgs = data.ecgs;
    *embeddings = data.embeddings;
  });
  rebuilding = false;
  searcher.join();
  EXPECT_EQ(failures, 0);
  EXPECT_TRUE(index.approximate());
  EXPECT_EQ(index.size(), 5000u);  // 5000 from the source, +1 arrived, -1 deleted
  EXPECT_TRUE(index.Contains(9000));
  EXPECT_FALSE(index.Contains(3));
  EXPECT_TRUE(index.Contains(4999));
  EXPECT_EQ(index.Search(late.embeddings, {})[0].ecg.ecg_key, 9000);
}

TEST(SimilarityIndexConcurrencyTest, AFailedRebuildLeavesTheCurrentIndexInPlace) {
  auto data = Data(300, 15);
  auto index = Filled(data);
  EXPECT_THROW(index->Rebuild([](std::vector<IndexedEcg>* ecgs, std::vector<float>*) {
    ecgs->push_back({1, 1, 1});  // no embedding for it
  }),
               Error);
  EXPECT_EQ(index->size(), 300u);
  EXPECT_EQ(index->Search(Row(data, 0), {})[0].ecg.ecg_key, 0);
  index->Rebuild([&](std::vector<IndexedEcg>* ecgs, std::vector<float>* embeddings) {
    *ecgs = {data.ecgs[0]};
    *embeddings = Row(data, 0);
  });
  EXPECT_EQ(index->size(), 1u);
}

}  // namespace
}  // namespace ecg
