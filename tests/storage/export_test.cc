#include <gtest/gtest.h>

#include "tests/storage/store_fixture.h"
#include "tests/support/test_env.h"

namespace ecg::testing {
namespace {

using ExportTest = StoreTest;

TEST_F(ExportTest, EveryEcgIsStreamedInKeyOrderWithItsKeysAndSignal) {
  IngestedEcg unknown_time = TestEcg(2, 0);
  unknown_time.metadata.acquisition_time_ms.reset();
  const std::vector<UpsertResult> r =
      store_->UpsertEcgs({TestEcg(1, 0), TestEcg(1, 1), unknown_time});
  std::vector<ExportedEcg> seen;
  ExportOptions options;
  options.batch_rows = 2;  // more than one page
  EXPECT_EQ(store_->ExportForTraining([&](const ExportedEcg& e) { seen.push_back(e); }, options),
            3u);
  ASSERT_EQ(seen.size(), 3u);
  EXPECT_EQ(seen[0].keys.ecg_key, r[0].ecg_key);
  EXPECT_EQ(seen[1].keys.patient_key, r[0].patient_key);
  EXPECT_EQ(seen[2].keys.patient_key, r[2].patient_key);
  EXPECT_EQ(seen[1].keys.acquisition_time_ms, TestEcg(1, 1).metadata.acquisition_time_ms);
  EXPECT_EQ(seen[2].keys.acquisition_time_ms, kUnknownTime);
  EXPECT_EQ(seen[1].signal.data_uV(), TestEcg(1, 1).signal.data_uV());
}

TEST_F(ExportTest, AnEcgWhoseStoredSignalIsDamagedIsLeftOutAndTheOthersFollow) {
  const std::vector<UpsertResult> r =
      store_->UpsertEcgs({TestEcg(1, 0), TestEcg(1, 1), TestEcg(2, 0)});
  Sql("UPDATE signals SET signal = substring(signal FROM 1 FOR 100) WHERE ecg_key = " +
      std::to_string(r[1].ecg_key));
  std::vector<int64_t> keys;
  ExportOptions options;
  options.batch_rows = 2;  // the damaged row ends the first page
  EXPECT_EQ(store_->ExportForTraining([&](const ExportedEcg& e) { keys.push_back(e.keys.ecg_key); },
                                      options),
            2u);
  EXPECT_EQ(keys, (std::vector<int64_t>{r[0].ecg_key, r[2].ecg_key}));
}

TEST_F(ExportTest, AnIncrementalExportStartsAfterTheGivenKey) {
  const std::vector<UpsertResult> r = store_->UpsertEcgs({TestEcg(1, 0), TestEcg(1, 1)});
  ExportOptions options;
  options.after_ecg_key = r[0].ecg_key;
  std::vector<int64_t> keys;
  store_->ExportForTraining([&](const ExportedEcg& e) { keys.push_back(e.keys.ecg_key); }, options);
  EXPECT_EQ(keys, std::vector<int64_t>{r[1].ecg_key});
}

TEST_F(ExportTest, TheArchiveFileHoldsEveryEcgForTheTrainer) {
  const std::vector<UpsertResult> r =
      store_->UpsertEcgs({TestEcg(1, 0), TestEcg(3, 0), TestEcg(3, 1)});
  TempDir dir;
  EXPECT_EQ(store_->ExportToArchive(dir.File("train.ecga")), 3u);
  EcgArchiveReader reader(dir.File("train.ecga"));
  ASSERT_EQ(reader.size(), 3u);
  EXPECT_EQ(reader.sample_rate_hz(), 500u);
  EXPECT_EQ(reader.samples_per_lead(), 5000u);
  const ArchiveRecord record = reader.Read(2);
  EXPECT_EQ(record.keys.ecg_key, r[2].ecg_key);
  EXPECT_EQ(record.keys.patient_key, r[1].patient_key);
  EXPECT_EQ(record.valid_samples, 5000u);
  EXPECT_EQ(record.signal.data_uV(), TestEcg(3, 1).signal.data_uV());
}

TEST_F(ExportTest, AnEmptyStoreExportsAnEmptyArchive) {
  TempDir dir;
  EXPECT_EQ(store_->ExportToArchive(dir.File("empty.ecga")), 0u);
  EXPECT_EQ(EcgArchiveReader(dir.File("empty.ecga")).size(), 0u);
}

}  // namespace
}  // namespace ecg::testing
