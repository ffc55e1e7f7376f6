#include "storage/connection_pool.h"

#include <spdlog/spdlog.h>

#include "waveform/error.h"

namespace ecg {

namespace {

// The first line of a libpq/libpqxx message, without a trailing quoted value (`...: "19x0"`)
// that could echo a parameter (patient data) back.
std::string SafeMessage(const char* what) {
  std::string message(what);
  message = message.substr(0, message.find('\n'));
  const size_t quoted = message.find(": \"");
  if (quoted != std::string::npos && message.back() == '"') message.resize(quoted);
  return message;
}

bool IsConnectionState(const std::string& sqlstate) {
  // 08: connection exception; 57P: operator intervention (shutdown, crash, cannot connect now);
  // 53: insufficient resources (too many connections, out of memory or disk).
  return sqlstate.rfind("08", 0) == 0 || sqlstate.rfind("57P", 0) == 0 ||
         sqlstate.rfind("53", 0) == 0;
}

bool IsConnectionFailure(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const pqxx::broken_connection&) {
    return true;
  } catch (const pqxx::sql_error& e) {
    return IsConnectionState(e.sqlstate());
  } catch (...) {
    return false;
  }
}

std::string WithConnectTimeout(const std::string& uri, int connect_timeout_s) {
  if (connect_timeout_s <= 0 || uri.find("connect_timeout") != std::string::npos) return uri;
  const std::string setting = "connect_timeout=" + std::to_string(connect_timeout_s);
  const bool is_uri = uri.rfind("postgresql://", 0) == 0 || uri.rfind("postgres://", 0) == 0;
  if (!is_uri) return uri + " " + setting;
  return uri + (uri.find('?') == std::string::npos ? "?" : "&") + setting;
}

}  // namespace

[[noreturn]] void RethrowAsEcgError(const std::string& what) {
  try {
    throw;
  } catch (const Error&) {
    throw;
  } catch (const pqxx::in_doubt_error& e) {
    throw Error::Unavailable(what + ": the connection broke during commit, outcome unknown");
  } catch (const pqxx::broken_connection& e) {
    throw Error::Unavailable(what + ": database unavailable: " + SafeMessage(e.what()));
  } catch (const pqxx::sql_error& e) {
    const std::string state = e.sqlstate();
    const std::string message = what + ": " + SafeMessage(e.what()) + " (SQLSTATE " + state + ")";
    if (IsConnectionState(state)) throw Error::Unavailable(message);
    // 23: integrity constraint violation; 40: serialization failure, deadlock.
    if (state.rfind("23", 0) == 0 || state.rfind("40", 0) == 0) throw Error::Conflict(message);
    throw Error::InvalidArgument(message);
  } catch (const pqxx::conversion_error& e) {
    throw Error::Corruption(what +
                            ": unexpected value from the database: " + SafeMessage(e.what()));
  } catch (const pqxx::pqxx_exception& e) {
    throw Error::InvalidArgument(what + ": " + SafeMessage(e.base().what()));
  }
}

ConnectionPool::ConnectionPool(PoolOptions options) : options_(std::move(options)) {
  if (options_.size == 0) throw Error::InvalidArgument("connection pool: size must be at least 1");
}

ConnectionPool::~ConnectionPool() = default;

size_t ConnectionPool::open_connections() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return open_;
}

std::unique_ptr<pqxx::connection> ConnectionPool::Connect(const std::string& what) {
  try {
    return std::make_unique<pqxx::connection>(
        WithConnectTimeout(options_.connection_uri, options_.connect_timeout_s));
  } catch (...) {
    RethrowAsEcgError(what);
  }
}

std::unique_ptr<pqxx::connection> ConnectionPool::Acquire(const std::string& what) {
  std::unique_lock<std::mutex> lock(mutex_);
  const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  for (;;) {
    if (!idle_.empty()) {
      std::unique_ptr<pqxx::connection> connection = std::move(idle_.back());
      idle_.pop_back();
      return connection;
    }
    if (open_ < options_.size) {
      ++open_;
      lock.unlock();
      try {
        return Connect(what);
      } catch (...) {
        lock.lock();
        --open_;
        freed_.notify_one();
        throw;
      }
    }
    if (freed_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.size) {
      throw Error::Unavailable(what + ": no free database connection within " +
                               std::to_string(options_.acquire_timeout.count()) + " ms");
    }
  }
}

void ConnectionPool::Release(std::unique_ptr<pqxx::connection> connection, bool healthy) {
  std::vector<std::unique_ptr<pqxx::connection>> stale;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (healthy && connection->is_open()) {
      idle_.push_back(std::move(connection));
    } else {
      --open_;
      // One broken connection usually means the server restarted: the idle ones are dead too.
      open_ -= idle_.size();
      stale.swap(idle_);
    }
  }
  freed_.notify_all();
  // stale and connection close here, outside the lock.
}

void ConnectionPool::RunOnConnection(const std::string& what,
                                     const std::function<void(pqxx::connection&)>& fn) {
  for (int attempt = 0;; ++attempt) {
    std::unique_ptr<pqxx::connection> connection = Acquire(what);
    try {
      fn(*connection);
      Release(std::move(connection), true);
      return;
    } catch (...) {
      const std::exception_ptr error = std::current_exception();
      const bool connection_failed = IsConnectionFailure(error);
      Release(std::move(connection), !connection_failed);
      if (connection_failed && attempt == 0) {
        spdlog::warn("storage: {}: database connection lost, retrying once on a new connection",
                     what);
        continue;
      }
      RethrowAsEcgError(what);
    }
  }
}

void ConnectionPool::Run(const std::string& what, const std::function<void(pqxx::work&)>& fn,
                         CommitWait wait) {
  RunOnConnection(what, [&](pqxx::connection& connection) {
    pqxx::work txn(connection);
    // LOCAL: the setting ends with the transaction, the pooled connection keeps the default.
    if (wait == CommitWait::kBeforeFlush) txn.exec("SET LOCAL synchronous_commit TO OFF");
    fn(txn);
    txn.commit();
  });
}

}  // namespace ecg
