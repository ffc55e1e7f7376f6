// PostgresServer: a private PostgreSQL 15 cluster for integration tests and benchmarks.
//
// The constructor runs initdb in a fresh directory under $TMPDIR (owned by the `postgres` user:
// initdb and postgres refuse to run as root, so both run through `runuser -u postgres --`),
// then starts the server on 127.0.0.1 and a free port, with its unix socket in that directory,
// trust authentication, superuser `postgres`. The destructor stops the server (immediate mode)
// and removes the directory; if the process dies without unwinding (abort, killed by a timeout),
// a detached watchdog shell does the same within a second. Stop()/Start()/Restart() simulate
// outages: data survives, the port stays the same, clients' connections break.
//
//   ecg::testing::PostgresServer& pg = ecg::testing::PostgresServer::Shared();  // one per process
//   std::string uri = pg.CreateDatabase();  // a fresh, empty database: its libpq URI
//
// Shared() starts one server per process on first use (about 2 s) and stops it at exit; tests
// that Stop() it must Start() it again before they end. Tests that want an outage without
// disturbing others use their own PostgresServer.
// Available() is false when the PostgreSQL 15 binaries or the postgres user are missing: tests
// then GTEST_SKIP().
//
// Errors: std::runtime_error with the failing command and the tail of the server log.
// Thread safety: none; use from the test's main thread.
#pragma once

#include <sys/types.h>

#include <string>

namespace ecg::testing {

struct PostgresServerOptions {
  // fsync, full_page_writes and synchronous_commit on: what production runs (benchmarks). Off by
  // default, which makes tests several times faster and loses nothing unless the machine crashes.
  bool durable = false;
  // Extra settings passed to postgres as -c NAME=VALUE, e.g. {"shared_buffers=256MB"}.
  std::string extra_settings;  // space-separated NAME=VALUE pairs
};

class PostgresServer {
 public:
  static bool Available();
  static PostgresServer& Shared();

  explicit PostgresServer(PostgresServerOptions options = {});
  ~PostgresServer();
  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  // The postmaster's process ID (its backends are its children); 0 when not running.
  pid_t pid() const;
  const std::string& directory() const { return directory_; }
  bool running() const { return running_; }

  // "postgresql://postgres@127.0.0.1:PORT/DATABASE".
  std::string Uri(const std::string& database = "postgres") const;
  // Creates a database named PREFIX_N (N counts up per server) and returns its URI.
  std::string CreateDatabase(const std::string& prefix = "test");

  // Fast shutdown (waits for it); Start() brings the same cluster back on the same port.
  void Stop();
  void Start();
  void Restart();
  // A crash: immediate shutdown (no checkpoint; unflushed WAL is lost, crash recovery at the next
  // Start()).
  void CrashImmediate();
  // A harder crash: SIGKILL to the postmaster and every backend at once.
  void KillAll();

  // Runs SQL through psql on DATABASE, returns its unaligned, tuples-only output (trailing
  // newline removed). Throws on error.
  std::string Psql(const std::string& database, const std::string& sql) const;
  // The same on the database of a URI that CreateDatabase returned.
  std::string PsqlOnUri(const std::string& uri, const std::string& sql) const {
    return Psql(uri.substr(uri.rfind('/') + 1), sql);
  }

 private:
  std::string RunAsPostgres(const std::string& command) const;
  void StartWatchdog() const;
  std::string LogTail() const;

  PostgresServerOptions options_;
  std::string directory_;  // owned by postgres: data/, the socket, server.log
  int port_ = 0;
  bool running_ = false;
  int databases_created_ = 0;
};

}  // namespace ecg::testing
