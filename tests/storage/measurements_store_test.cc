// The product's measurements in the store (sql/0003_measurements.sql): written with the ECG,
// read with its row, found and written by the background measurer, gone with the ECG.
#include <gtest/gtest.h>

#include "tests/storage/store_fixture.h"

namespace ecg::testing {
namespace {

using MeasurementsStoreTest = StoreTest;

IngestedEcg Measured(IngestedEcg ecg, const std::string& json, int version = 1) {
  ecg.product_measurements_json = json;
  ecg.product_measurements_version = version;
  return ecg;
}

TEST_F(MeasurementsStoreTest, MeasurementsWrittenWithTheEcgAreReadWithItsRow) {
  const UpsertResult r = store_->UpsertEcg(Measured(TestEcg(1, 0), R"({"qrs_ms": 92})"));
  const std::optional<EcgRow> row = store_->FindEcgByKey(r.ecg_key);
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->product_measurements_json, R"({"qrs_ms": 92})");
  EXPECT_EQ(row->product_measurements_version, 1);
  EXPECT_EQ(store_->CountMeasured(1), 1);
  EXPECT_TRUE(store_->EcgsToMeasure(1, 10).empty());
}

TEST_F(MeasurementsStoreTest, EcgsWithoutOrWithOlderMeasurementsAreToMeasureInKeyOrder) {
  const UpsertResult a = store_->UpsertEcg(TestEcg(1, 0));
  const UpsertResult b = store_->UpsertEcg(Measured(TestEcg(1, 1), "{}", /*version=*/1));
  const UpsertResult c = store_->UpsertEcg(Measured(TestEcg(2, 0), "{}", /*version=*/2));
  EXPECT_EQ(store_->FindEcgByKey(a.ecg_key)->product_measurements_json, "");
  std::vector<EcgToMeasure> pending = store_->EcgsToMeasure(2, 10);
  ASSERT_EQ(pending.size(), 2u);
  EXPECT_EQ(pending[0].ecg_key, a.ecg_key);
  EXPECT_EQ(pending[1].ecg_key, b.ecg_key);
  EXPECT_GT(pending[0].source_rate_hz, 0);
  EXPECT_EQ(store_->EcgsToMeasure(2, 1).size(), 1u);
  EXPECT_EQ(store_->EcgsToMeasure(2, 10, a.ecg_key).size(), 1u);
  EXPECT_EQ(store_->CountMeasured(2), 1);
  EXPECT_EQ(store_->WriteMeasurements({{a.ecg_key, 2, R"({"a": 1})"},
                                       {b.ecg_key, 2, R"({"b": 2})"},
                                       {c.ecg_key + 1000, 2, "{}"}}),
            2u);
  EXPECT_TRUE(store_->EcgsToMeasure(2, 10).empty());
  EXPECT_EQ(store_->CountMeasured(2), 3);
  EXPECT_EQ(store_->FindEcgByKey(b.ecg_key)->product_measurements_json, R"({"b": 2})");
}

TEST_F(MeasurementsStoreTest, MeasurementsGoWithTheirEcgAndAReplacedEcgBringsItsOwn) {
  store_->UpsertEcg(Measured(TestEcg(1, 0, /*seed=*/1), R"({"qrs_ms": 90})"));
  IngestedEcg changed = Measured(TestEcg(1, 0, /*seed=*/2), R"({"qrs_ms": 130})");
  const UpsertResult replaced = store_->UpsertEcg(changed);
  EXPECT_EQ(replaced.outcome, UpsertOutcome::kReplaced);
  EXPECT_EQ(store_->FindEcgByKey(replaced.ecg_key)->product_measurements_json,
            R"({"qrs_ms": 130})");
  EXPECT_EQ(Sql("SELECT count(*) FROM ecg_measurements"), "1");
  store_->DeleteByOrthancInstance("inst-1-0");
  EXPECT_EQ(Sql("SELECT count(*) FROM ecg_measurements"), "0");
}

}  // namespace
}  // namespace ecg::testing
