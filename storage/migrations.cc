#include "storage/migrations.h"

#include <spdlog/spdlog.h>

namespace ecg {

namespace {

// pg_advisory_xact_lock key shared by every migrator of this schema ("ECGMIGR" in ASCII).
constexpr int64_t kMigrationLockKey = 0x4543474d494752;

constexpr const char* kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL,"
    " applied_at TIMESTAMPTZ NOT NULL DEFAULT now())";

bool IsApplied(pqxx::work& txn, int version) {
  return !txn.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", version).empty();
}

}  // namespace

std::vector<int> ApplyMigrations(pqxx::connection& connection) {
  std::vector<int> applied;
  for (const Migration& migration : EmbeddedMigrations()) {
    pqxx::work txn(connection, "migrate");
    txn.exec_params("SELECT pg_advisory_xact_lock($1)", kMigrationLockKey);
    txn.exec(kCreateVersionTable);
    if (IsApplied(txn, migration.version)) continue;  // the work rolls back, nothing was done
    txn.exec(migration.sql);
    txn.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)",
                    migration.version, migration.name);
    txn.commit();
    spdlog::info("storage: applied migration {}", migration.name);
    applied.push_back(migration.version);
  }
  return applied;
}

std::vector<int> AppliedMigrationVersions(pqxx::connection& connection) {
  pqxx::work txn(connection, "migration versions");
  std::vector<int> versions;
  if (txn.exec("SELECT to_regclass('schema_migrations') IS NOT NULL")[0][0].as<bool>()) {
    for (const auto& row : txn.exec("SELECT version FROM schema_migrations ORDER BY version")) {
      versions.push_back(row[0].as<int>());
    }
  }
  return versions;
}

}  // namespace ecg
