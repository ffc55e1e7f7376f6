#include "storage/connection_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/storage/store_fixture.h"
#include "waveform/error.h"

namespace ecg::testing {
namespace {

class ConnectionPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PostgresServer::Available()) GTEST_SKIP() << "PostgreSQL 15 server binaries not found";
    uri_ = PostgresServer::Shared().CreateDatabase("pool");
  }
  std::string uri_;
};

TEST_F(ConnectionPoolTest, ManyThreadsShareAFewConnections) {
  PoolOptions options;
  options.connection_uri = uri_;
  options.size = 2;
  ConnectionPool pool(options);
  std::atomic<int64_t> sum{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        pool.Run("add", [&](pqxx::work& txn) {
          sum += txn.exec_params1("SELECT $1::bigint + 1", t)[0].as<int64_t>();
        });
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(sum.load(), 20 * (0 + 1 + 2 + 3 + 4 + 5 + 6 + 7 + 8));
  EXPECT_LE(pool.open_connections(), 2u);
}

TEST_F(ConnectionPoolTest, AnUnreachableServerIsUnavailableAndThePasswordStaysSecret) {
  PoolOptions options;
  options.connection_uri = "postgresql://postgres:s3cret-pw@127.0.0.1:1/none";
  ConnectionPool pool(options);
  try {
    pool.Run("probe", [](pqxx::work& txn) { txn.exec("SELECT 1"); });
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsUnavailable()) << e.what();
    EXPECT_EQ(std::string(e.what()).find("s3cret-pw"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("probe"), std::string::npos) << e.what();
  }
  EXPECT_EQ(pool.open_connections(), 0u);
}

TEST_F(ConnectionPoolTest, WaitingTooLongForAConnectionIsUnavailable) {
  PoolOptions options;
  options.connection_uri = uri_;
  options.size = 1;
  options.acquire_timeout = std::chrono::milliseconds(100);
  ConnectionPool pool(options);
  std::atomic<bool> holding{false};
  std::thread holder([&] {
    pool.Run("hold", [&](pqxx::work& txn) {
      holding = true;
      txn.exec("SELECT pg_sleep(0.5)");
    });
  });
  while (!holding) std::this_thread::yield();
  try {
    pool.Run("wait", [](pqxx::work& txn) { txn.exec("SELECT 1"); });
    ADD_FAILURE() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsUnavailable()) << e.what();
  }
  holder.join();
}

TEST_F(ConnectionPoolTest, AnSqlErrorRollsBackAndNamesTheOperationButNotTheValues) {
  PoolOptions options;
  options.connection_uri = uri_;
  ConnectionPool pool(options);
  pool.Run("create", [](pqxx::work& txn) { txn.exec("CREATE TABLE t (d date)"); });
  try {
    pool.Run("insert date", [](pqxx::work& txn) {
      txn.exec("INSERT INTO t VALUES ('2020-01-01')");
      txn.exec_params("INSERT INTO t VALUES ($1::date)", "PATIENT-SECRET");
    });
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsInvalidArgument()) << e.what();
    EXPECT_NE(std::string(e.what()).find("insert date"), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find("PATIENT-SECRET"), std::string::npos) << e.what();
  }
  int64_t rows = -1;
  pool.Run("count",
           [&](pqxx::work& txn) { rows = txn.exec1("SELECT count(*) FROM t")[0].as<int64_t>(); });
  EXPECT_EQ(rows, 0);
}

TEST_F(ConnectionPoolTest, ACommitBeforeFlushSkipsTheFlushForThatTransactionOnly) {
  PoolOptions options;
  options.connection_uri = uri_;
  options.size = 1;  // both transactions on the same connection
  ConnectionPool pool(options);
  auto setting = [](pqxx::work& txn) {
    return txn.exec1("SHOW synchronous_commit")[0].as<std::string>();
  };
  std::string during, after;
  // The test server runs with synchronous_commit off: make "on" this connection's own setting.
  pool.RunOnConnection("session setting", [](pqxx::connection& connection) {
    pqxx::nontransaction(connection).exec("SET synchronous_commit TO ON");
  });
  pool.Run("create", [](pqxx::work& txn) { txn.exec("CREATE TABLE t (i int)"); });
  pool.Run(
      "insert",
      [&](pqxx::work& txn) {
        during = setting(txn);
        txn.exec("INSERT INTO t VALUES (1)");
      },
      CommitWait::kBeforeFlush);
  int64_t rows = -1;
  pool.Run("read", [&](pqxx::work& txn) {
    after = setting(txn);
    rows = txn.exec1("SELECT count(*) FROM t")[0].as<int64_t>();
  });
  EXPECT_EQ(during, "off");
  EXPECT_EQ(after, "on");
  EXPECT_EQ(rows, 1);
}

TEST_F(ConnectionPoolTest, ErrorsThrownByTheCallerPassThroughUnchanged) {
  PoolOptions options;
  options.connection_uri = uri_;
  ConnectionPool pool(options);
  try {
    pool.Run("caller", [](pqxx::work&) { throw Error::NotFound("no such thing"); });
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsNotFound());
  }
}

}  // namespace
}  // namespace ecg::testing
