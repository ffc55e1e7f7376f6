// EcgStore: what the reconciliation with Orthanc reads and records (plugin/ingest/reconciler.h).
#include <algorithm>

#include "storage/connection_pool.h"
#include "storage/ecg_store.h"
#include "storage/sql_values.h"

namespace ecg {
namespace {

// Calls on_id for every value of `column` in `table`, in pages of page_rows, in value order
// (keyset paging on the column's unique index).
void PageThroughIds(ConnectionPool& pool, const std::string& table, const std::string& column,
                    size_t page_rows, const std::function<void(const std::string&)>& on_id) {
  std::string after;
  for (;;) {
    std::vector<std::string> page;
    pool.Run("list the store's Orthanc instance IDs", [&](pqxx::work& txn) {
      page.clear();
      for (const auto& row : txn.exec_params("SELECT " + column + " FROM " + table + " WHERE " +
                                                 column + " > $1 ORDER BY " + column + " LIMIT $2",
                                             after, static_cast<int64_t>(page_rows))) {
        page.push_back(row[0].as<std::string>());
      }
    });
    for (const std::string& id : page) on_id(id);
    if (page.size() < page_rows) return;
    after = page.back();
  }
}

ReconciliationRecord ReadRecord(const pqxx::row& r) {
  ReconciliationRecord record;
  record.reconciliation_id = r[0].as<int64_t>();
  record.trigger = r[1].as<std::string>();
  record.started_at_ms = r[2].as<int64_t>();
  if (!r[3].is_null()) record.finished_at_ms = r[3].as<int64_t>();
  record.orthanc_instances = r[4].as<int64_t>();
  record.store_instances = r[5].as<int64_t>();
  record.removed = r[6].as<int64_t>();
  record.added = r[7].as<int64_t>();
  record.error = r[8].as<std::string>();
  return record;
}

}  // namespace

uint64_t HashOrthancId(const std::string& id) {
  uint64_t hash = 14695981039346656037ull;
  for (const unsigned char c : id) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  return hash;
}

std::vector<uint64_t> EcgStore::OrthancInstanceIdHashes() {
  std::vector<uint64_t> hashes;
  ForEachOrthancInstanceId([&](const std::string& id) { hashes.push_back(HashOrthancId(id)); });
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  return hashes;
}

void EcgStore::ForEachOrthancInstanceId(const std::function<void(const std::string&)>& on_id,
                                        size_t page_rows) {
  PageThroughIds(*pool_, "ecgs", "orthanc_instance_id", page_rows, on_id);
  PageThroughIds(*pool_, "ingest_errors", "orthanc_instance_id", page_rows, on_id);
}

int64_t EcgStore::StartReconciliation(const std::string& trigger) {
  int64_t id = 0;
  pool_->Run("start a reconciliation record", [&](pqxx::work& txn) {
    id = txn.exec_params1(
                "INSERT INTO reconciliations (trigger) VALUES ($1) RETURNING reconciliation_id",
                trigger)[0]
             .as<int64_t>();
  });
  return id;
}

void EcgStore::FinishReconciliation(const ReconciliationRecord& record) {
  pool_->Run("finish a reconciliation record", [&](pqxx::work& txn) {
    txn.exec_params(
        "UPDATE reconciliations SET finished_at = now(), orthanc_instances = $2,"
        " store_instances = $3, removed = $4, added = $5, error = $6"
        " WHERE reconciliation_id = $1",
        record.reconciliation_id, record.orthanc_instances, record.store_instances,
        record.removed, record.added, record.error);
  });
}

std::optional<ReconciliationRecord> EcgStore::LastReconciliation() {
  std::optional<ReconciliationRecord> record;
  pool_->Run("read the last reconciliation", [&](pqxx::work& txn) {
    const pqxx::result r = txn.exec(
        "SELECT reconciliation_id, trigger, " + sql::TimestampToMillis("started_at") + ", " +
        sql::TimestampToMillis("finished_at") +
        ", orthanc_instances, store_instances, removed, added, error FROM reconciliations"
        " ORDER BY reconciliation_id DESC LIMIT 1");
    record = r.empty() ? std::nullopt : std::optional<ReconciliationRecord>(ReadRecord(r[0]));
  });
  return record;
}

}  // namespace ecg
