// EcgStore: stored identity checks (sql/0005_identity_checks.sql).
#include "storage/connection_pool.h"
#include "storage/ecg_store.h"
#include "storage/sql_values.h"

namespace ecg {
namespace {

// The score's field as SQL text, "" (NULL through NULLIF) without a score.
template <typename T>
std::string Scored(const std::optional<IdentityScore>& score, T IdentityScore::*field) {
  return score ? pqxx::to_string((*score).*field) : std::string();
}

// Rows of (ecg_key, patient_key, patient's embedded ECGs).
std::vector<IdentityToCheck> ToCheck(const pqxx::result& rows) {
  std::vector<IdentityToCheck> out;
  for (const auto& row : rows) {
    out.push_back({row[0].as<int64_t>(), row[1].as<int64_t>(), row[2].as<int64_t>()});
  }
  return out;
}

}  // namespace

std::vector<IdentityToCheck> EcgStore::EcgsToCheckIdentity(int64_t model_id, size_t limit,
                                                           int refresh_days) {
  std::vector<IdentityToCheck> out;
  pool_->Run("ECGs to check identity", [&](pqxx::work& txn) {
    const pqxx::result r = sql::ExecPrepared(
        txn, "ecgs_to_check_identity",
        "WITH counts AS (SELECT patient_key, count(*) AS n FROM embeddings"
        "                WHERE model_id = $1 GROUP BY patient_key)"
        " SELECT m.ecg_key, m.patient_key, c.n FROM embeddings m"
        " JOIN counts c ON c.patient_key = m.patient_key"
        " LEFT JOIN identity_checks i ON i.model_id = m.model_id AND i.ecg_key = m.ecg_key"
        " WHERE m.model_id = $1 AND (i.ecg_key IS NULL OR i.patient_embedded <> c.n"
        "                            OR i.checked_at < now() - make_interval(days => $3))"
        " ORDER BY m.patient_key, m.ecg_key LIMIT $2",
        model_id, static_cast<int64_t>(limit), refresh_days);
    out = ToCheck(r);
  });
  return out;
}

std::vector<IdentityToCheck> EcgStore::EcgsToCheckIdentityOf(
    int64_t model_id, const std::vector<int64_t>& patient_keys, size_t limit, int refresh_days) {
  std::vector<IdentityToCheck> out;
  if (patient_keys.empty()) return out;
  pool_->Run("ECGs of new patients to check identity", [&](pqxx::work& txn) {
    const pqxx::result r = sql::ExecPrepared(
        txn, "ecgs_to_check_identity_of",
        "WITH m AS (SELECT x.ecg_key, x.patient_key FROM ecgs e"
        "           JOIN embeddings x ON x.model_id = $1 AND x.ecg_key = e.ecg_key"
        "           WHERE e.patient_key = ANY($4::bigint[])"
        "             AND x.patient_key = ANY($4::bigint[])),"
        " counts AS (SELECT patient_key, count(*) AS n FROM m GROUP BY patient_key)"
        " SELECT m.ecg_key, m.patient_key, c.n FROM m JOIN counts c USING (patient_key)"
        " LEFT JOIN identity_checks i ON i.model_id = $1 AND i.ecg_key = m.ecg_key"
        " WHERE i.ecg_key IS NULL OR i.patient_embedded <> c.n"
        "       OR i.checked_at < now() - make_interval(days => $3)"
        " ORDER BY m.patient_key, m.ecg_key LIMIT $2",
        model_id, static_cast<int64_t>(limit), refresh_days, sql::BigintArray(patient_keys));
    out = ToCheck(r);
  });
  return out;
}

size_t EcgStore::WriteIdentityChecks(int64_t model_id,
                                     const std::vector<StoredIdentityCheck>& checks) {
  size_t written = 0;
  pool_->Run("write identity checks", [&](pqxx::work& txn) {
    written = 0;
    for (const StoredIdentityCheck& c : checks) {
      const std::optional<IdentityScore>& s = c.score;
      written += txn.exec_params(
                        "INSERT INTO identity_checks (model_id, ecg_key, patient_key,"
                        " patient_embedded, z, suspicious, best_same_patient, population_mean,"
                        " population_std, same_patient_count, population_count, reason)"
                        " SELECT $1, e.ecg_key, e.patient_key, $3, NULLIF($4, '')::float8,"
                        " NULLIF($5, '')::boolean, NULLIF($6, '')::float8,"
                        " NULLIF($7, '')::float8, NULLIF($8, '')::float8, $9, $10, $11"
                        " FROM ecgs e WHERE e.ecg_key = $2"
                        " ON CONFLICT (model_id, ecg_key) DO UPDATE SET"
                        " patient_key = EXCLUDED.patient_key,"
                        " patient_embedded = EXCLUDED.patient_embedded, z = EXCLUDED.z,"
                        " suspicious = EXCLUDED.suspicious,"
                        " best_same_patient = EXCLUDED.best_same_patient,"
                        " population_mean = EXCLUDED.population_mean,"
                        " population_std = EXCLUDED.population_std,"
                        " same_patient_count = EXCLUDED.same_patient_count,"
                        " population_count = EXCLUDED.population_count,"
                        " reason = EXCLUDED.reason, checked_at = now()",
                        model_id, c.ecg_key, c.patient_embedded, Scored(s, &IdentityScore::z),
                        Scored(s, &IdentityScore::suspicious),
                        Scored(s, &IdentityScore::best_same_patient),
                        Scored(s, &IdentityScore::population_mean),
                        Scored(s, &IdentityScore::population_std),
                        s ? static_cast<int64_t>(s->same_patient_count) : 0,
                        s ? static_cast<int64_t>(s->population_count) : 0, c.reason)
                     .affected_rows();
    }
  });
  return written;
}

std::vector<StoredIdentityCheck> EcgStore::ReadIdentityChecks(
    int64_t model_id, const std::vector<int64_t>& ecg_keys) {
  std::vector<StoredIdentityCheck> out;
  if (ecg_keys.empty()) return out;
  pool_->Run("read identity checks", [&](pqxx::work& txn) {
    out.clear();
    const pqxx::result r = txn.exec_params(
        "SELECT ecg_key, patient_key, patient_embedded, z, suspicious, best_same_patient,"
        " population_mean, population_std, same_patient_count, population_count, reason"
        " FROM identity_checks WHERE model_id = $1 AND ecg_key = ANY($2::bigint[])"
        " ORDER BY ecg_key",
        model_id, sql::BigintArray(ecg_keys));
    for (const auto& row : r) {
      StoredIdentityCheck c;
      c.ecg_key = row[0].as<int64_t>();
      c.patient_key = row[1].as<int64_t>();
      c.patient_embedded = row[2].as<int64_t>();
      if (!row[3].is_null()) {
        IdentityScore& s = c.score.emplace();
        s.z = row[3].as<double>();
        s.suspicious = row[4].as<bool>();
        s.best_same_patient = row[5].as<double>();
        s.population_mean = row[6].as<double>();
        s.population_std = row[7].as<double>();
        s.same_patient_count = row[8].as<size_t>();
        s.population_count = row[9].as<size_t>();
      }
      c.reason = row[10].as<std::string>();
      out.push_back(std::move(c));
    }
  });
  return out;
}

int64_t EcgStore::CountIdentityChecks(int64_t model_id) {
  return pool_->QueryInt("count identity checks",
                         "SELECT count(*) FROM identity_checks WHERE model_id = $1", model_id);
}

}  // namespace ecg
