// EcgStore: construction, schema and counts. The other methods live in ecg_store_*.cc, one file
// per area (ECGs, ingest bookkeeping, embeddings, models, training runs, export).
#include "storage/ecg_store.h"

#include "storage/connection_pool.h"
#include "storage/migrations.h"
#include "waveform/error.h"

namespace ecg {

EcgStore::EcgStore(StoreOptions options) : options_(std::move(options)) {
  PoolOptions pool;
  pool.connection_uri = options_.connection_uri;
  pool.size = options_.pool_size;
  pool.acquire_timeout = options_.acquire_timeout;
  pool_ = std::make_unique<ConnectionPool>(std::move(pool));
  if (options_.migrate) Migrate();
}

EcgStore::~EcgStore() = default;

std::vector<int> EcgStore::Migrate() {
  std::vector<int> applied;
  pool_->RunOnConnection("migrate schema", [&](pqxx::connection& connection) {
    applied = ApplyMigrations(connection);
  });
  return applied;
}

std::vector<int> EcgStore::AppliedMigrations() {
  std::vector<int> versions;
  pool_->RunOnConnection("read schema version", [&](pqxx::connection& connection) {
    versions = AppliedMigrationVersions(connection);
  });
  return versions;
}

std::vector<int> EcgStore::KnownMigrations() {
  std::vector<int> versions;
  for (const Migration& migration : EmbeddedMigrations()) versions.push_back(migration.version);
  return versions;
}

void EcgStore::Ping() {
  pool_->Run("ping", [](pqxx::work& txn) { txn.exec("SELECT 1"); });
}

int64_t EcgStore::CountEcgs() {
  return pool_->QueryInt("count ECGs", "SELECT count(*) FROM ecgs");
}

int64_t EcgStore::CountPatients() {
  return pool_->QueryInt("count patients", "SELECT count(*) FROM patients");
}

}  // namespace ecg
