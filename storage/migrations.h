// Schema migrations: the numbered, forward-only SQL files sql/NNNN_name.sql, compiled into the
// binary (cmake/EmbedSql.cmake) and applied in version order.
//
// ApplyMigrations() runs each missing migration in its own transaction together with its row in
// schema_migrations (version, name, applied_at), under a transaction-level advisory lock, so a
// failed migration leaves nothing behind and concurrent migrators (several Orthanc servers
// starting at once) apply each version exactly once. Applying twice is a no-op.
//
// Errors: pqxx exceptions pass through (callers run these inside ConnectionPool, which maps them
// to ecg::Error). Thread safety: stateless; one connection per caller.
#pragma once

#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace ecg {

struct Migration {
  int version;
  std::string name;  // the file name without .sql, e.g. "0001_initial"
  std::string sql;
};

// Every migration of this build, ascending versions. Defined in the generated source.
const std::vector<Migration>& EmbeddedMigrations();

// Applies what is missing; returns the versions applied now (ascending; empty when up to date).
std::vector<int> ApplyMigrations(pqxx::connection& connection);

// Versions recorded in schema_migrations, ascending (empty on a database never migrated).
std::vector<int> AppliedMigrationVersions(pqxx::connection& connection);

}  // namespace ecg
