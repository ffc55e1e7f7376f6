// EcgStore: ingest errors, the ingest cursor and the server's life token.
#include "storage/connection_pool.h"
#include "storage/ecg_store.h"
#include "storage/sql_values.h"

namespace ecg {
namespace {

void UpsertCursor(pqxx::work& txn, int64_t change_seq, const std::string& name) {
  txn.exec_params(
      "INSERT INTO ingest_cursor (name, change_seq) VALUES ($1, $2) ON CONFLICT (name)"
      " DO UPDATE SET change_seq = EXCLUDED.change_seq, updated_at = now()",
      name, change_seq);
}

}  // namespace

void EcgStore::RecordIngestError(const std::string& orthanc_instance_id,
                                 const std::string& reason) {
  pool_->Run("record ingest error", [&](pqxx::work& txn) {
    txn.exec_params(
        "INSERT INTO ingest_errors (orthanc_instance_id, reason) VALUES ($1, $2)"
        " ON CONFLICT (orthanc_instance_id) DO UPDATE SET reason = EXCLUDED.reason,"
        " last_seen = now(), attempts = ingest_errors.attempts + 1",
        orthanc_instance_id, reason);
  });
}

void EcgStore::ClearIngestError(const std::string& orthanc_instance_id) {
  pool_->Run("clear ingest error", [&](pqxx::work& txn) {
    txn.exec_params("DELETE FROM ingest_errors WHERE orthanc_instance_id = $1",
                    orthanc_instance_id);
  });
}

std::vector<IngestError> EcgStore::ListIngestErrors(size_t limit, size_t offset) {
  std::vector<IngestError> errors;
  pool_->Run("list ingest errors", [&](pqxx::work& txn) {
    errors.clear();
    for (const auto& r : txn.exec_params(
             "SELECT orthanc_instance_id, reason, " + sql::TimestampToMillis("first_seen") + ", " +
                 sql::TimestampToMillis("last_seen") +
                 ", attempts FROM ingest_errors"
                 " ORDER BY last_seen DESC, orthanc_instance_id LIMIT $1 OFFSET $2",
             static_cast<int64_t>(limit), static_cast<int64_t>(offset))) {
      errors.push_back({r[0].as<std::string>(), r[1].as<std::string>(), r[2].as<int64_t>(),
                        r[3].as<int64_t>(), r[4].as<int64_t>()});
    }
  });
  return errors;
}

int64_t EcgStore::CountIngestErrors() {
  return pool_->QueryInt("count ingest errors", "SELECT count(*) FROM ingest_errors");
}

std::optional<int64_t> EcgStore::LoadCursor(const std::string& name) {
  std::optional<int64_t> seq;
  pool_->Run("load ingest cursor", [&](pqxx::work& txn) {
    const pqxx::result r =
        txn.exec_params("SELECT change_seq FROM ingest_cursor WHERE name = $1", name);
    seq = r.empty() ? std::nullopt : std::optional<int64_t>(r[0][0].as<int64_t>());
  });
  return seq;
}

void EcgStore::SaveCursor(int64_t change_seq, const std::string& name) {
  pool_->Run("save ingest cursor", [&](pqxx::work& txn) {
    txn.exec("SET LOCAL synchronous_commit TO ON");
    UpsertCursor(txn, change_seq, name);
  });
}

std::string EcgStore::ServerLifeToken() {
  std::string token;
  pool_->Run("read the server's life token", [&](pqxx::work& txn) {
    txn.exec("INSERT INTO server_life (id, token) VALUES (1, gen_random_uuid()::text)"
             " ON CONFLICT (id) DO NOTHING");
    token = txn.exec1("SELECT token FROM server_life WHERE id = 1")[0].as<std::string>();
  });
  return token;
}

bool EcgStore::SaveCursorIfServerLife(int64_t change_seq, const std::string& token,
                                      const std::string& name) {
  bool saved = false;
  // Waits for the flush, whatever the server's or the role's default: that flush is what makes
  // the earlier unflushed ingest commits durable.
  pool_->Run("save ingest cursor", [&](pqxx::work& txn) {
    txn.exec("SET LOCAL synchronous_commit TO ON");
    const pqxx::result r = txn.exec("SELECT token FROM server_life WHERE id = 1");
    saved = !r.empty() && r[0][0].as<std::string>() == token;
    if (saved) UpsertCursor(txn, change_seq, name);
  });
  return saved;
}

}  // namespace ecg
