#include <gtest/gtest.h>

#include <algorithm>

#include "tests/storage/store_fixture.h"

namespace ecg::testing {
namespace {

class EmbeddingsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    std::vector<IngestedEcg> ecgs;
    for (int i = 0; i < 40; ++i) ecgs.push_back(TestEcg(i % 7, i, 1, /*samples_per_lead=*/50));
    for (const UpsertResult& r : store_->UpsertEcgs(ecgs)) results_.push_back(r);
    model_ = store_->SaveModel("encoder-1", std::string("\0\1\2torch", 8), R"({"dim": 4})", "{}");
  }

  static std::vector<float> VectorOf(int64_t key) {
    return {static_cast<float>(key), 0.5f, -1.25f, 1e-7f * static_cast<float>(key)};
  }

  std::vector<UpsertResult> results_;
  int64_t model_ = 0;
};

TEST_F(EmbeddingsTest, ADamagedEmbeddingIsLeftOutAndDeletedSoThatItIsComputedAgain) {
  std::vector<Embedding> embeddings;
  for (const UpsertResult& r : results_) embeddings.push_back({r.ecg_key, 0, VectorOf(r.ecg_key)});
  store_->WriteEmbeddings(model_, embeddings);
  const int64_t read_whole = results_[3].ecg_key;
  const int64_t read_alone = results_[7].ecg_key;
  for (const int64_t key : {read_whole, read_alone}) {
    Sql("UPDATE embeddings SET vector = substring(vector FROM 1 FOR 3) WHERE ecg_key = " +
        std::to_string(key));
  }
  EXPECT_FALSE(store_->ReadEmbedding(model_, 4, read_alone).has_value());
  std::vector<int64_t> keys;
  EXPECT_EQ(store_->ReadEmbeddings(model_, 4,
                                   [&](const std::vector<Embedding>& batch) {
                                     for (const Embedding& e : batch) keys.push_back(e.ecg_key);
                                   }),
            38u);
  EXPECT_EQ(std::count(keys.begin(), keys.end(), read_whole), 0);
  EXPECT_EQ(store_->CountEmbeddings(model_), 38);
  EXPECT_EQ(store_->EcgsWithoutEmbedding(model_, 10).ecg_keys,
            (std::vector<int64_t>{read_whole, read_alone}));
}

TEST_F(EmbeddingsTest, AnEmbeddingOfAnotherDimensionThanItsModelsIsDeletedWhenRead) {
  const int64_t key = results_[0].ecg_key;
  store_->WriteEmbeddings(model_, {{key, 0, VectorOf(key)}});
  Sql("UPDATE embeddings SET dimension = 1, vector = substring(vector FROM 1 FOR 4)");
  EXPECT_FALSE(store_->ReadEmbedding(model_, 4, key).has_value());
  EXPECT_EQ(store_->CountEmbeddings(model_), 0);
}

TEST_F(EmbeddingsTest, ABulkWriteIsReadBackInKeyOrderBatchByBatch) {
  std::vector<Embedding> embeddings;
  for (const UpsertResult& r : results_) embeddings.push_back({r.ecg_key, 0, VectorOf(r.ecg_key)});
  EXPECT_EQ(store_->WriteEmbeddings(model_, embeddings), 40u);
  std::vector<Embedding> read;
  size_t batches = 0;
  EXPECT_EQ(store_->ReadEmbeddings(
                model_, 4,
                [&](const std::vector<Embedding>& batch) {
                  ++batches;
                  read.insert(read.end(), batch.begin(), batch.end());
                },
                0, 16),
            40u);
  EXPECT_EQ(batches, 3u);
  ASSERT_EQ(read.size(), 40u);
  for (size_t i = 0; i < read.size(); ++i) {
    EXPECT_EQ(read[i].ecg_key, results_[i].ecg_key);
    EXPECT_EQ(read[i].patient_key, results_[i].patient_key);
    EXPECT_EQ(read[i].vector, VectorOf(results_[i].ecg_key));
  }
  EXPECT_EQ(store_->CountEmbeddings(model_), 40);
}

TEST_F(EmbeddingsTest, WritingAgainOverwritesAndDeletedEcgsAreSkipped) {
  store_->WriteEmbeddings(model_, {{results_[0].ecg_key, 0, {1, 2, 3, 4}}});
  store_->DeleteByOrthancInstance("inst-1-1");  // results_[1]
  EXPECT_EQ(store_->WriteEmbeddings(model_, {{results_[0].ecg_key, 0, {5, 6, 7, 8}},
                                             {results_[1].ecg_key, 0, {1, 1, 1, 1}}}),
            1u);
  EXPECT_EQ(store_->ReadEmbedding(model_, 4, results_[0].ecg_key)->vector,
            (std::vector<float>{5, 6, 7, 8}));
  EXPECT_FALSE(store_->ReadEmbedding(model_, 4, results_[1].ecg_key).has_value());
}

TEST_F(EmbeddingsTest, EcgsWithoutAnEmbeddingAreListedUntilEmbedded) {
  store_->WriteEmbeddings(model_, {{results_[0].ecg_key, 0, VectorOf(0)}});
  const PendingEmbeddings missing = store_->EcgsWithoutEmbedding(model_, 5);
  ASSERT_EQ(missing.ecg_keys.size(), 5u);
  EXPECT_EQ(missing.ecg_keys[0], results_[1].ecg_key);
  EXPECT_EQ(missing.checked_through, results_[5].ecg_key);  // the limit stopped the scan there
  const int64_t other = store_->SaveModel("encoder-2", "x", "{}", "{}");
  EXPECT_EQ(store_->EcgsWithoutEmbedding(other, 1000).ecg_keys.size(), 40u);
}

TEST_F(EmbeddingsTest, APollAfterAKeyListsOnlyTheEcgsAboveIt) {
  std::vector<Embedding> embeddings;
  for (size_t i = 0; i < 30; ++i) embeddings.push_back({results_[i].ecg_key, 0, VectorOf(0)});
  store_->WriteEmbeddings(model_, embeddings);
  const PendingEmbeddings missing = store_->EcgsWithoutEmbedding(model_, 100, results_[34].ecg_key);
  ASSERT_EQ(missing.ecg_keys.size(), 5u);
  EXPECT_EQ(missing.ecg_keys.front(), results_[35].ecg_key);
  EXPECT_EQ(missing.checked_through, results_[39].ecg_key);
}

TEST_F(EmbeddingsTest, WhenNothingIsPendingThePollReportsTheHighestKeyItChecked) {
  std::vector<Embedding> embeddings;
  for (const UpsertResult& r : results_) embeddings.push_back({r.ecg_key, 0, VectorOf(0)});
  store_->WriteEmbeddings(model_, embeddings);
  const PendingEmbeddings none = store_->EcgsWithoutEmbedding(model_, 10);
  EXPECT_TRUE(none.ecg_keys.empty());
  EXPECT_EQ(none.checked_through, results_.back().ecg_key);
  // Above the highest key nothing is examined: the answer keeps the caller's key.
  const int64_t beyond = results_.back().ecg_key + 50;
  EXPECT_EQ(store_->EcgsWithoutEmbedding(model_, 10, beyond).checked_through, beyond);
  // A new ECG is found by a poll after the last checked key.
  const UpsertResult added = store_->UpsertEcgs({TestEcg(3, 99, 1, 50)}).front();
  const PendingEmbeddings next = store_->EcgsWithoutEmbedding(model_, 10, none.checked_through);
  EXPECT_EQ(next.ecg_keys, std::vector<int64_t>{added.ecg_key});
  EXPECT_EQ(next.checked_through, added.ecg_key);
}

TEST_F(EmbeddingsTest, WritingForAnUnknownModelIsNotFound) {
  try {
    store_->WriteEmbeddings(model_ + 100, {{results_[0].ecg_key, 0, VectorOf(0)}});
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsNotFound()) << e.what();
  }
}

TEST_F(EmbeddingsTest, AModelIsStoredAsBytesAndOneIsActiveAtATime) {
  EXPECT_EQ(store_->LoadModelBytes(model_), std::string("\0\1\2torch", 8));
  EXPECT_FALSE(store_->ActiveModel().has_value());
  const int64_t second = store_->SaveModel("encoder-2", "weights", "{}", R"({"recall": 0.9})");
  store_->ActivateModel(model_);
  store_->ActivateModel(second);
  const std::optional<ModelInfo> active = store_->ActiveModel();
  ASSERT_TRUE(active.has_value());
  EXPECT_EQ(active->model_id, second);
  EXPECT_EQ(active->name, "encoder-2");
  EXPECT_EQ(active->size_bytes, 7);
  EXPECT_NE(active->metrics_json.find("recall"), std::string::npos);
  const std::vector<ModelInfo> models = store_->ListModels();
  ASSERT_EQ(models.size(), 2u);
  EXPECT_TRUE(models[0].active);
  EXPECT_FALSE(models[1].active);
  EXPECT_FALSE(store_->LoadModelBytes(second + 1).has_value());
  EXPECT_THROW(store_->ActivateModel(second + 1), Error);
}

}  // namespace
}  // namespace ecg::testing
