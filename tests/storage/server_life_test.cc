// The server's life token says whether PostgreSQL lost commits: a crash erases it, a clean
// restart keeps it, and a cursor is saved only while it holds (storage/ecg_store.h).
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/storage/store_fixture.h"

namespace ecg::testing {
namespace {

class ServerLifeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PostgresServer::Available()) GTEST_SKIP() << "PostgreSQL 15 server binaries not found";
    server_ = std::make_unique<PostgresServer>();
    StoreOptions options;
    options.connection_uri = server_->CreateDatabase("life");
    options.migrate = true;
    options.pool_size = 2;
    store_ = std::make_unique<EcgStore>(options);
  }

  std::unique_ptr<PostgresServer> server_;
  std::unique_ptr<EcgStore> store_;
};

TEST_F(ServerLifeTest, TheTokenStaysTheSameWhileTheServerRuns) {
  const std::string token = store_->ServerLifeToken();
  EXPECT_FALSE(token.empty());
  EXPECT_EQ(store_->ServerLifeToken(), token);
}

TEST_F(ServerLifeTest, ACleanRestartKeepsTheTokenAndTheCursorSaves) {
  const std::string token = store_->ServerLifeToken();
  server_->Restart();
  EXPECT_EQ(store_->ServerLifeToken(), token);
  EXPECT_TRUE(store_->SaveCursorIfServerLife(42, token));
  EXPECT_EQ(store_->LoadCursor(), 42);
}

TEST_F(ServerLifeTest, AnImmediateStopErasesTheTokenSoTheCursorIsNotSaved) {
  const std::string token = store_->ServerLifeToken();
  ASSERT_TRUE(store_->SaveCursorIfServerLife(7, token));
  server_->CrashImmediate();
  server_->Start();
  EXPECT_FALSE(store_->SaveCursorIfServerLife(9, token));
  EXPECT_EQ(store_->LoadCursor(), 7);  // the flushed save survived the crash
  const std::string next = store_->ServerLifeToken();
  EXPECT_NE(next, token);
  EXPECT_TRUE(store_->SaveCursorIfServerLife(9, next));
  EXPECT_EQ(store_->LoadCursor(), 9);
}

TEST_F(ServerLifeTest, KillingEveryServerProcessErasesTheToken) {
  const std::string token = store_->ServerLifeToken();
  server_->KillAll();
  server_->Start();
  EXPECT_FALSE(store_->SaveCursorIfServerLife(3, token));
  EXPECT_NE(store_->ServerLifeToken(), token);
}

TEST_F(ServerLifeTest, ACursorSavedInTheSameLifeMakesEarlierUnflushedWritesDurable) {
  // The test server runs with synchronous_commit off: every ECG commit here is unflushed.
  const std::string token = store_->ServerLifeToken();
  std::vector<IngestedEcg> batch;
  for (int i = 0; i < 20; ++i) batch.push_back(TestEcg(i % 4, i));
  store_->UpsertEcgs(batch, CommitWait::kBeforeFlush);
  ASSERT_TRUE(store_->SaveCursorIfServerLife(20, token));
  server_->CrashImmediate();
  server_->Start();
  EXPECT_EQ(store_->CountEcgs(), 20);
  EXPECT_EQ(store_->LoadCursor(), 20);
}

TEST_F(ServerLifeTest, TheStoreListsTheOrthancIdsOfItsEcgsAndErrorsPageByPage) {
  std::vector<IngestedEcg> batch;
  for (int i = 0; i < 7; ++i) batch.push_back(TestEcg(i % 3, i));
  store_->UpsertEcgs(batch);
  store_->RecordIngestError("0000000a-0000000a-0000000a-0000000a-0000000a", "bad file");
  std::vector<std::string> ids;
  store_->ForEachOrthancInstanceId([&](const std::string& id) { ids.push_back(id); },
                                   /*page_rows=*/3);
  ASSERT_EQ(ids.size(), 8u);
  EXPECT_EQ(ids.back(), "0000000a-0000000a-0000000a-0000000a-0000000a");
  std::set<std::string> expected;
  for (const IngestedEcg& ecg : batch) expected.insert(ecg.orthanc.instance);
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end() - 1), expected);
  const std::vector<uint64_t> hashes = store_->OrthancInstanceIdHashes();
  EXPECT_EQ(hashes.size(), 8u);
  EXPECT_TRUE(std::is_sorted(hashes.begin(), hashes.end()));
  EXPECT_TRUE(std::binary_search(hashes.begin(), hashes.end(), HashOrthancId(ids.back())));
}

TEST_F(ServerLifeTest, AReconciliationIsRecordedWithItsCounts) {
  EXPECT_FALSE(store_->LastReconciliation().has_value());
  ReconciliationRecord record;
  record.reconciliation_id = store_->StartReconciliation("rest");
  const std::optional<ReconciliationRecord> running = store_->LastReconciliation();
  ASSERT_TRUE(running.has_value());
  EXPECT_FALSE(running->finished_at_ms.has_value());
  record.orthanc_instances = 10;
  record.store_instances = 9;
  record.removed = 2;
  record.added = 3;
  store_->FinishReconciliation(record);
  const std::optional<ReconciliationRecord> last = store_->LastReconciliation();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->trigger, "rest");
  EXPECT_TRUE(last->finished_at_ms.has_value());
  EXPECT_EQ(last->orthanc_instances, 10);
  EXPECT_EQ(last->store_instances, 9);
  EXPECT_EQ(last->removed, 2);
  EXPECT_EQ(last->added, 3);
  EXPECT_TRUE(last->error.empty());
}

}  // namespace
}  // namespace ecg::testing
