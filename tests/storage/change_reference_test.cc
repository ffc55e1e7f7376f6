#include "storage/change_reference.h"

#include <gtest/gtest.h>

#include "waveform/error.h"

namespace ecg::testing {
namespace {

constexpr int64_t kDay_ms = 86400000;

TEST(ChangeReferenceTest, GapsFallInTheirBinsWithLowerBoundsIncluded) {
  EXPECT_EQ(GapBinName(GapBinOf(0)), "< 1 day");
  EXPECT_EQ(GapBinName(GapBinOf(kDay_ms - 1)), "< 1 day");
  EXPECT_EQ(GapBinName(GapBinOf(kDay_ms)), "1 day-1 month");
  EXPECT_EQ(GapBinName(GapBinOf(-3 * kDay_ms)), "1 day-1 month");
  EXPECT_EQ(GapBinName(GapBinOf(30 * kDay_ms)), "1-6 months");
  EXPECT_EQ(GapBinName(GapBinOf(180 * kDay_ms)), "6 months-2 years");
  EXPECT_EQ(GapBinName(GapBinOf(730 * kDay_ms)), "> 2 years");
  EXPECT_EQ(GapBinName(GapBinOf(std::nullopt)), "any gap");
}

TEST(ChangeReferenceTest, CosineDistanceIsZeroForTheSameDirectionAndTwoForTheOpposite) {
  EXPECT_NEAR(CosineDistance({1, 2, 3}, {2, 4, 6}), 0.0, 1e-12);
  EXPECT_NEAR(CosineDistance({1, 0}, {0, 5}), 1.0, 1e-12);
  EXPECT_NEAR(CosineDistance({1, 1}, {-1, -1}), 2.0, 1e-12);
  EXPECT_THROW(CosineDistance({1, 2}, {1, 2, 3}), Error);
  EXPECT_THROW(CosineDistance({0, 0}, {1, 2}), Error);
}

TEST(ChangeReferenceTest, ThePercentileCountsTheReferencePairsOfTheSameGapBelowTheDistance) {
  ChangeReferenceBuilder builder;
  // 100 pairs 1-6 months apart with distances 0.00 .. 0.99; 50 pairs < 1 day, all at 0.9.
  for (int i = 0; i < 100; ++i) builder.Add(i / 100.0, 60 * kDay_ms);
  for (int i = 0; i < 50; ++i) builder.Add(0.9, 3600000);
  const ChangeReference reference = builder.Build();
  EXPECT_EQ(reference.size(), 150u);

  ChangeScore score = reference.Score(0.975, 90 * kDay_ms);
  ASSERT_TRUE(score.percentile.has_value());
  EXPECT_DOUBLE_EQ(*score.percentile, 98.0);
  EXPECT_EQ(score.pairs, 100u);
  EXPECT_EQ(score.gap_bin, "1-6 months");
  EXPECT_EQ(score.distance, 0.975);
  EXPECT_TRUE(score.reason.empty());

  // Equal distances are not "more change".
  EXPECT_DOUBLE_EQ(*reference.Score(0.9, 1000).percentile, 0.0);
  EXPECT_DOUBLE_EQ(*reference.Score(0.95, 1000).percentile, 100.0);
  // An unknown gap is scored against every pair: 90 of 150 are below 0.9.
  score = reference.Score(0.9, std::nullopt);
  EXPECT_EQ(score.pairs, 150u);
  EXPECT_EQ(score.gap_bin, "any gap");
  EXPECT_DOUBLE_EQ(*score.percentile, 60.0);
}

TEST(ChangeReferenceTest, TooFewPairsInTheGapGiveNoPercentileButTheirNumber) {
  ChangeReferenceBuilder builder;
  for (int i = 0; i < 19; ++i) builder.Add(0.1 * i, 1000 * kDay_ms);
  builder.Add(0.5, std::nullopt);  // counts for "any gap" only
  const ChangeReference reference = builder.Build();
  ChangeScore score = reference.Score(0.3, 800 * kDay_ms);
  EXPECT_FALSE(score.percentile.has_value());
  EXPECT_EQ(score.pairs, 19u);
  EXPECT_EQ(score.reason, "too few same-patient pairs in this gap (19)");
  EXPECT_EQ(reference.Score(0.3, 0).pairs, 0u);
  score = reference.Score(0.3, std::nullopt);
  EXPECT_EQ(score.pairs, 20u);
  EXPECT_TRUE(score.percentile.has_value());
  EXPECT_FALSE(ChangeReference().Score(0.3, std::nullopt).percentile.has_value());
}

}  // namespace
}  // namespace ecg::testing
