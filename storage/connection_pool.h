// ConnectionPool: a fixed-size pool of libpqxx connections shared by worker threads, and the one
// place where libpqxx exceptions become ecg::Error.
//
// Connections open lazily, on first use. Run(fn) borrows a connection (waiting up to
// acquire_timeout when all are busy), runs fn(pqxx::work&) in ONE transaction and commits it.
// If the connection turns out to be broken (a server restart, a dropped socket) before the commit
// was sent, the transaction is run ONCE more on a fresh connection; fn must therefore be safe to
// run twice (it only talks to the database through the transaction it is given). A failure during
// the commit itself (pqxx::in_doubt_error) is not retried: the outcome is unknown.
//
// Errors (all ecg::Error): kUnavailable when the server cannot be reached, the connection
// breaks twice, or no connection frees up within acquire_timeout; kConflict for serialization
// failures, deadlocks and unique/foreign-key violations; kInvalidArgument for other SQL errors.
// Messages name the operation (the `what` argument) and the SQLSTATE, never the connection URI
// (it may hold a password) nor any parameter value (it may be patient data). Errors that fn throws
// itself (ecg::Error or others) roll the transaction back and propagate unchanged.
//
// Thread safety: all methods may be called concurrently. A pqxx::work given to fn must not
// escape fn nor be used by another thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "storage/commit_wait.h"

namespace ecg {

struct PoolOptions {
  // libpq connection URI or key=value string. May hold a password: it is never logged.
  std::string connection_uri;
  // Connections kept open at most. More threads than this wait for a free one.
  size_t size = 4;
  // How long Run() waits for a free connection before throwing kUnavailable.
  std::chrono::milliseconds acquire_timeout{30000};
  // libpq connect_timeout, in seconds, added to the connection string (0: libpq's default).
  int connect_timeout_s = 5;
};

class ConnectionPool {
 public:
  // Connects nothing yet. REQUIRES: options.size >= 1. Throws kInvalidArgument otherwise.
  explicit ConnectionPool(PoolOptions options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Runs fn in one read-write transaction and commits it, waiting as `wait` says
  // (storage/commit_wait.h); see the contract above. `what` names the operation in error messages
  // ("upsert ECG").
  void Run(const std::string& what, const std::function<void(pqxx::work&)>& fn,
           CommitWait wait = CommitWait::kFlushed);

  // The one integer a query answers (a count), run as Run runs fn; args are its parameters.
  template <typename... Args>
  int64_t QueryInt(const std::string& what, const std::string& sql, const Args&... args) {
    int64_t value = 0;
    Run(what,
        [&](pqxx::work& txn) { value = txn.exec_params1(sql, args...)[0].template as<int64_t>(); });
    return value;
  }

  // Runs fn with a connection of its own, without opening a transaction (for statements that
  // manage their own transactions, e.g. migrations or a REPEATABLE READ export). Same retry and
  // error rules as Run; fn must be idempotent.
  void RunOnConnection(const std::string& what, const std::function<void(pqxx::connection&)>& fn);

  // Connections currently open (idle or borrowed), for /ecg/status and tests.
  size_t open_connections() const;

 private:
  std::unique_ptr<pqxx::connection> Acquire(const std::string& what);
  void Release(std::unique_ptr<pqxx::connection> connection, bool healthy);
  std::unique_ptr<pqxx::connection> Connect(const std::string& what);

  const PoolOptions options_;
  mutable std::mutex mutex_;
  std::condition_variable freed_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;  // guarded by mutex_
  size_t open_ = 0;                                      // guarded by mutex_
};

// Rethrows the exception in flight (call inside a catch block) as ecg::Error, per the contract
// above. Never returns.
[[noreturn]] void RethrowAsEcgError(const std::string& what);

}  // namespace ecg
