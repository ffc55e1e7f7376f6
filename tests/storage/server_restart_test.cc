#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "tests/storage/store_fixture.h"

namespace ecg::testing {
namespace {

// These tests stop and start a server of their own, so that the shared one stays up.
class ServerRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PostgresServer::Available()) GTEST_SKIP() << "PostgreSQL 15 server binaries not found";
    server_ = std::make_unique<PostgresServer>();
    StoreOptions options;
    options.connection_uri = server_->CreateDatabase("restart");
    options.migrate = true;
    options.pool_size = 2;
    store_ = std::make_unique<EcgStore>(options);
  }

  std::unique_ptr<PostgresServer> server_;
  std::unique_ptr<EcgStore> store_;
};

TEST_F(ServerRestartTest, TheFirstCallAfterARestartSucceedsOnAFreshConnection) {
  store_->UpsertEcg(TestEcg(1, 0));
  server_->Restart();
  EXPECT_EQ(store_->CountEcgs(), 1);
  EXPECT_EQ(store_->UpsertEcg(TestEcg(1, 1)).outcome, UpsertOutcome::kCreated);
}

TEST_F(ServerRestartTest, WhileTheServerIsDownCallsFailAsUnavailable) {
  store_->Ping();
  server_->Stop();
  try {
    store_->UpsertEcg(TestEcg(1, 0));
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsUnavailable()) << e.what();
  }
  server_->Start();
  store_->Ping();
}

TEST_F(ServerRestartTest, ARestartInTheMiddleOfBatchesLeavesNoPartialRowsNorDuplicates) {
  constexpr int kBatches = 20, kPerBatch = 10;
  std::atomic<int> done{0}, failures{0};
  std::atomic<bool> stopping{false};
  std::thread writer([&] {
    for (int b = 0; b < kBatches; ++b) {
      while (b == 5 && !stopping) std::this_thread::yield();  // the outage hits batches 5 on
      std::vector<IngestedEcg> batch;
      for (int i = 0; i < kPerBatch; ++i) batch.push_back(TestEcg(b % 5, b * kPerBatch + i));
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
      for (;;) {  // what an ingest worker does: retry the whole batch until the server is back
        try {
          store_->UpsertEcgs(batch);
          break;
        } catch (const Error& e) {
          ASSERT_TRUE(e.IsUnavailable()) << e.what();
          ASSERT_LT(std::chrono::steady_clock::now(), deadline);
          ++failures;
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
      }
      ++done;
    }
  });
  while (done < 5) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  stopping = true;
  server_->Stop();
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  server_->Start();
  writer.join();
  EXPECT_GT(failures.load(), 0) << "the outage was not seen: the test did not test anything";
  EXPECT_EQ(store_->CountEcgs(), kBatches * kPerBatch);
  EXPECT_EQ(store_->CountPatients(), 5);
  EXPECT_EQ(server_->Psql("restart_1",
                          "SELECT count(*) FROM ecgs e LEFT JOIN signals s USING (ecg_key)"
                          " WHERE s.ecg_key IS NULL"),
            "0");
  EXPECT_EQ(server_->Psql("restart_1", "SELECT count(*) FROM signals"),
            std::to_string(kBatches * kPerBatch));
}

}  // namespace
}  // namespace ecg::testing
