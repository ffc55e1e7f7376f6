#include <gtest/gtest.h>

#include "tests/storage/store_fixture.h"

namespace ecg::testing {
namespace {

class ConsecutivePairsTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped()) return;
    model_ = store_->SaveModel("encoder-1", "bytes", R"({"dim": 2})", "{}");
  }

  // Upserts the ECG and writes its embedding (x, 1) unless embed is false; returns its key.
  int64_t Add(IngestedEcg ecg, float x, bool embed = true) {
    const int64_t key = store_->UpsertEcg(ecg).ecg_key;
    if (embed) store_->WriteEmbeddings(model_, {{key, 0, {x, 1.0f}}});
    return key;
  }

  // "earlier>later" per pair, by the embeddings' first component.
  std::vector<std::string> Pairs(std::optional<int64_t> patient_key = std::nullopt,
                                 size_t patients_per_page = 256) {
    std::vector<std::string> pairs;
    store_->ForEachConsecutivePair(
        model_, 2,
        [&](const EmbeddingPair& p) {
          pairs.push_back(std::to_string(static_cast<int>(p.earlier.vector[0])) + ">" +
                          std::to_string(static_cast<int>(p.later.vector[0])));
        },
        patient_key, patients_per_page);
    return pairs;
  }

  int64_t model_ = 0;
};

TEST_F(ConsecutivePairsTest, EachPatientsTimelineGivesItsConsecutivePairsInTimeOrder) {
  Add(TestEcg(1, 5, 1, 50), 15);
  Add(TestEcg(1, 2, 1, 50), 12);
  Add(TestEcg(2, 1, 1, 50), 21);
  Add(TestEcg(1, 9, 1, 50), 19);
  IngestedEcg unknown_time = TestEcg(1, 0, 1, 50);
  unknown_time.metadata.acquisition_time_ms.reset();
  Add(unknown_time, 10);  // last in the timeline
  Add(TestEcg(2, 4, 1, 50), 24);
  Add(TestEcg(3, 1, 1, 50), 31);  // a single ECG: no pair

  const std::vector<std::string> expected = {"12>15", "15>19", "19>10", "21>24"};
  EXPECT_EQ(Pairs(), expected);
  EXPECT_EQ(Pairs(std::nullopt, 1), expected);  // one patient per page: the same stream

  std::vector<EmbeddingPair> pairs;
  store_->ForEachConsecutivePair(model_, 2, [&](const EmbeddingPair& p) { pairs.push_back(p); });
  ASSERT_EQ(pairs.size(), 4u);
  EXPECT_EQ(pairs[0].earlier_acquisition_time_ms, TestEcg(1, 2).metadata.acquisition_time_ms);
  EXPECT_EQ(pairs[0].later_acquisition_time_ms, TestEcg(1, 5).metadata.acquisition_time_ms);
  EXPECT_FALSE(pairs[2].later_acquisition_time_ms.has_value());
  EXPECT_EQ(pairs[3].patient_key, store_->Timeline("opatient-2").front().patient_key);
  EXPECT_EQ(Pairs(pairs[3].patient_key), (std::vector<std::string>{"21>24"}));
}

TEST_F(ConsecutivePairsTest, AnEcgWithoutEmbeddingBreaksThePairsAroundIt) {
  Add(TestEcg(1, 1, 1, 50), 11);
  Add(TestEcg(1, 2, 1, 50), 12, /*embed=*/false);
  Add(TestEcg(1, 3, 1, 50), 13);
  Add(TestEcg(1, 4, 1, 50), 14);
  EXPECT_EQ(Pairs(), (std::vector<std::string>{"13>14"}));
  EXPECT_TRUE(store_->ForEachConsecutivePair(model_ + 1, 2, [](const EmbeddingPair&) {}) == 0);
}

}  // namespace
}  // namespace ecg::testing
