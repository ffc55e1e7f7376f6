// EcgStore: the product's measurements of each ECG (sql/0003_measurements.sql).
#include "storage/connection_pool.h"
#include "storage/ecg_store.h"
#include "storage/sql_values.h"

namespace ecg {

std::vector<EcgToMeasure> EcgStore::EcgsToMeasure(int version, size_t limit,
                                                  int64_t after_ecg_key) {
  std::vector<EcgToMeasure> out;
  pool_->Run("ECGs to measure", [&](pqxx::work& txn) {
    out.clear();
    const pqxx::result r =
        sql::ExecPrepared(txn, "ecgs_to_measure",
                          "SELECT e.ecg_key, e.source_rate_hz FROM ecgs e"
                          " LEFT JOIN ecg_measurements m ON m.ecg_key = e.ecg_key"
                          " WHERE e.ecg_key > $1 AND (m.ecg_key IS NULL OR m.version < $2)"
                          " ORDER BY e.ecg_key LIMIT $3",
                          after_ecg_key, version, static_cast<int64_t>(limit));
    for (const auto& row : r) out.push_back({row[0].as<int64_t>(), row[1].as<double>()});
  });
  return out;
}

size_t EcgStore::WriteMeasurements(const std::vector<StoredMeasurements>& measurements) {
  if (measurements.empty()) return 0;
  std::vector<int64_t> keys, versions;
  std::string objects = "[";
  for (const StoredMeasurements& m : measurements) {
    keys.push_back(m.ecg_key);
    versions.push_back(m.version);
    if (objects.size() > 1) objects += ",";
    objects += m.json;
  }
  objects += "]";
  size_t written = 0;
  pool_->Run("write measurements", [&](pqxx::work& txn) {
    // Row n of the unnest takes element n - 1 of the JSON array.
    written =
        txn.exec_params(
               "INSERT INTO ecg_measurements (ecg_key, version, measurements)"
               " SELECT e.ecg_key, k.version, $3::jsonb -> (k.n - 1)::int"
               " FROM unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY AS k(key, version, n)"
               " JOIN ecgs e ON e.ecg_key = k.key"
               " ON CONFLICT (ecg_key) DO UPDATE SET version = EXCLUDED.version,"
               " measurements = EXCLUDED.measurements, measured_at = now()",
               sql::BigintArray(keys), sql::BigintArray(versions), objects)
            .affected_rows();
  });
  return written;
}

int64_t EcgStore::CountMeasured(int version) {
  return pool_->QueryInt("count measured",
                         "SELECT count(*) FROM ecg_measurements WHERE version >= $1", version);
}

}  // namespace ecg
