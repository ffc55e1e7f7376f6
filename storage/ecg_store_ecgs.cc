// EcgStore: upsert, delete and read ECGs and their signals.
#include <nlohmann/json.hpp>

#include <cstring>

#include "storage/connection_pool.h"
#include "storage/ecg_store.h"
#include "storage/signal_codec.h"
#include "storage/sql_values.h"
#include "waveform/error.h"

namespace ecg {

namespace {

// An IngestedEcg turned into what the statements send: encoded blobs, JSON, the content hash.
struct PreparedEcg {
  const IngestedEcg* ecg;
  std::string signal_blob;
  std::string median_blob;  // empty: none
  std::string measurements_json;
  std::string statements_json;
  std::string birth_date_iso;
  int64_t content_hash;
};

// FNV-1a over 8-byte words, then the last bytes one by one: each step is a bijection of the
// hash, so a change in one word always changes the result; an eighth of the steps of byte-wise
// FNV-1a over a signal blob.
uint64_t Fnv1aWords(uint64_t hash, const std::string& bytes) {
  constexpr uint64_t kPrime = 0x100000001b3ull;
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    hash = (hash ^ word) * kPrime;
  }
  for (; i < bytes.size(); ++i) hash = (hash ^ static_cast<unsigned char>(bytes[i])) * kPrime;
  return hash;
}

// Everything stored about the ECG except Orthanc's IDs (which follow the UIDs anyway).
int64_t ContentHash(const PreparedEcg& p) {
  const EcgMetadata& m = p.ecg->metadata;
  const nlohmann::json fields = {m.sop_class_uid,
                                 m.study_instance_uid,
                                 m.series_instance_uid,
                                 m.patient_id,
                                 m.issuer_of_patient_id,
                                 m.birth_date,
                                 m.sex,
                                 sql::OptionalText(m.patient_age_years),
                                 sql::OptionalText(m.acquisition_time_ms),
                                 sql::OptionalText(m.utc_offset_minutes),
                                 m.acquisition_time_source,
                                 m.manufacturer,
                                 m.model,
                                 sql::OptionalText(m.low_frequency_filter_hz),
                                 sql::OptionalText(m.high_frequency_filter_hz),
                                 sql::OptionalText(m.notch_filter_hz),
                                 p.measurements_json,
                                 p.statements_json,
                                 p.ecg->source_rate_hz};
  uint64_t hash = 0xcbf29ce484222325ull;
  hash = Fnv1aWords(hash, fields.dump());
  hash = Fnv1aWords(hash, p.signal_blob);
  hash = Fnv1aWords(hash, p.median_blob);
  return static_cast<int64_t>(hash);
}

PreparedEcg Prepare(const IngestedEcg& ecg, int zstd_level) {
  if (ecg.metadata.sop_instance_uid.empty()) {
    throw Error::InvalidArgument("upsert ECG: instance " + ecg.orthanc.instance +
                                 " has no SOPInstanceUID");
  }
  PreparedEcg p{&ecg, EncodeSignal(ecg.signal, zstd_level), "", "", "", "", 0};
  if (ecg.median_beat) p.median_blob = EncodeSignal(*ecg.median_beat, zstd_level);
  p.measurements_json = sql::MeasurementsJson(ecg.metadata.measurements);
  p.statements_json = sql::StatementsJson(ecg.metadata.statements);
  p.birth_date_iso = sql::DicomDateToIso(ecg.metadata.birth_date);
  p.content_hash = ContentHash(p);
  return p;
}

// The patient upsert, as a statement or a WITH query over parameters $1..$5.
const std::string& UpsertPatientSql() {
  static const std::string sql =
      "INSERT INTO patients (patient_id, issuer_of_patient_id, orthanc_patient_id,"
      " birth_date, sex) VALUES ($1, $2, $3, NULLIF($4, '')::date, $5)"
      " ON CONFLICT (patient_id, issuer_of_patient_id) DO UPDATE SET"
      " orthanc_patient_id = EXCLUDED.orthanc_patient_id,"
      " birth_date = COALESCE(EXCLUDED.birth_date, patients.birth_date),"
      " sex = CASE WHEN EXCLUDED.sex = '' THEN patients.sex ELSE EXCLUDED.sex END"
      " RETURNING patient_key";
  return sql;
}

constexpr const char* kEcgColumns =
    "patient_key, sop_instance_uid, orthanc_instance_id, orthanc_series_id, orthanc_study_id,"
    " orthanc_patient_id, study_instance_uid, series_instance_uid, sop_class_uid, acquired_at,"
    " utc_offset_minutes, acquisition_time_source, patient_age_years, source_rate_hz,"
    " duration_ms, lead_mask, manufacturer, model, low_frequency_filter_hz,"
    " high_frequency_filter_hz, notch_filter_hz, device_measurements, statements, content_hash";

// The values of kEcgColumns after patient_key, each '$' standing for the next parameter (in the
// order ExecWithEcgValues() sends them).
const std::string& EcgValuesTemplate() {
  static const std::string values =
      "$, $, $, $, $, $, $, $, " + sql::MillisToTimestamp("$") +
      ", NULLIF($, '')::integer, $, NULLIF($, '')::integer, $, $, $, $, $,"
      " NULLIF($, '')::float8, NULLIF($, '')::float8, NULLIF($, '')::float8, $::jsonb, $::jsonb,"
      " $";
  return values;
}

// `text` with its '$' numbered from $first on; *next: the number after the last.
std::string NumberParameters(const std::string& text, int first, int* next) {
  std::string numbered;
  for (char c : text) {
    numbered += c;
    if (c == '$') numbered += std::to_string(first++);
  }
  *next = first;
  return numbered;
}

// Runs a prepared statement whose parameters are `leading...`, the ECG's values in the order of
// EcgValuesTemplate(), its signal, its median beat ('' for none), and the product's measurements'
// version and JSON ('' for none).
template <typename... Leading>
pqxx::result ExecWithEcgValues(pqxx::work& txn, const std::string& name, const std::string& sql,
                               const PreparedEcg& p, const Leading&... leading) {
  const EcgMetadata& m = p.ecg->metadata;
  const EcgSignal& s = p.ecg->signal;
  const double source_rate_hz =
      p.ecg->source_rate_hz > 0 ? p.ecg->source_rate_hz : s.sample_rate_hz();
  return sql::ExecPrepared(
      txn, name, sql, leading..., m.sop_instance_uid, p.ecg->orthanc.instance,
      p.ecg->orthanc.series, p.ecg->orthanc.study, p.ecg->orthanc.patient, m.study_instance_uid,
      m.series_instance_uid, m.sop_class_uid, sql::OptionalText(m.acquisition_time_ms),
      sql::OptionalText(m.utc_offset_minutes), m.acquisition_time_source,
      sql::OptionalText(m.patient_age_years), source_rate_hz, s.duration_ms(),
      static_cast<int64_t>(s.mask().Pack()), m.manufacturer, m.model,
      sql::OptionalText(m.low_frequency_filter_hz), sql::OptionalText(m.high_frequency_filter_hz),
      sql::OptionalText(m.notch_filter_hz), p.measurements_json, p.statements_json, p.content_hash,
      sql::Bytes(p.signal_blob), sql::Bytes(p.median_blob), p.ecg->product_measurements_version,
      p.ecg->product_measurements_json);
}

// Inserts the ECG row, its signal and its measurements (when given) unless a row has its
// SOPInstanceUID; WITH query pieces over
// `patient` (a patient_key) and `existing` (what may stand in the way), values from $first on.
std::string InsertEcgAndSignalSql(const std::string& patient, const std::string& existing,
                                  int first) {
  int signal = 0;
  const std::string values = NumberParameters(EcgValuesTemplate(), first, &signal);
  return "ecg AS (INSERT INTO ecgs (" + std::string(kEcgColumns) + ") SELECT " + patient + ", " +
         values + " WHERE NOT EXISTS (" + existing +
         ") ON CONFLICT (sop_instance_uid) DO NOTHING RETURNING ecg_key, patient_key),"
         " signal AS (INSERT INTO signals (ecg_key, patient_key, signal, median_beat)"
         " SELECT ecg_key, patient_key, $" +
         std::to_string(signal) + ", NULLIF($" + std::to_string(signal + 1) +
         ", ''::bytea) FROM ecg),"
         " measured AS (INSERT INTO ecg_measurements (ecg_key, version, measurements)"
         " SELECT ecg_key, $" +
         std::to_string(signal + 2) + "::integer, NULLIF($" + std::to_string(signal + 3) +
         "::text, '')::jsonb FROM ecg WHERE $" + std::to_string(signal + 3) + "::text <> '')";
}

// The usual case in one round trip: upserts the patient and, unless a row already has the
// SOPInstanceUID (then locked), inserts the ECG and its signal. Answers the patient_key, the new
// ecg_key (or NULL) and the standing row's ecg_key and content_hash (or NULLs).
const std::string& UpsertPatientAndInsertSql() {
  static const std::string sql =
      "WITH patient AS (" + UpsertPatientSql() +
      "), existing AS (SELECT ecg_key, content_hash FROM ecgs WHERE sop_instance_uid = $6"
      " FOR UPDATE), " +
      InsertEcgAndSignalSql("(SELECT patient_key FROM patient)", "SELECT 1 FROM existing", 6) +
      " SELECT (SELECT patient_key FROM patient), (SELECT ecg_key FROM ecg),"
      " (SELECT ecg_key FROM existing), (SELECT content_hash FROM existing)";
  return sql;
}

// Inserts the ECG and its signal for patient $1 unless a row has its SOPInstanceUID: the new
// ecg_key, or no row.
const std::string& InsertSql() {
  static const std::string sql =
      "WITH " +
      InsertEcgAndSignalSql("$1::bigint", "SELECT 1 FROM ecgs WHERE sop_instance_uid = $2", 2) +
      " SELECT ecg_key FROM ecg";
  return sql;
}

std::optional<int64_t> InsertEcg(pqxx::work& txn, const PreparedEcg& p, int64_t patient_key) {
  const pqxx::result r = ExecWithEcgValues(txn, "insert_ecg", InsertSql(), p, patient_key);
  if (r.empty()) return std::nullopt;
  return r[0][0].as<int64_t>();
}

// The row that holds an ECG's SOPInstanceUID.
struct StandingRow {
  int64_t ecg_key;
  int64_t content_hash;
};

std::optional<StandingRow> ReadStandingRow(const pqxx::field& ecg_key,
                                           const pqxx::field& content_hash) {
  if (ecg_key.is_null()) return std::nullopt;
  return StandingRow{ecg_key.as<int64_t>(), content_hash.as<int64_t>()};
}

std::optional<StandingRow> LockStandingRow(pqxx::work& txn, const PreparedEcg& p) {
  const pqxx::result r = sql::ExecPrepared(
      txn, "lock_ecg_by_sop",
      "SELECT ecg_key, content_hash FROM ecgs WHERE sop_instance_uid = $1 FOR UPDATE",
      p.ecg->metadata.sop_instance_uid);
  if (r.empty()) return std::nullopt;
  return ReadStandingRow(r[0][0], r[0][1]);
}

// The ECG was not inserted: its SOPInstanceUID is held by `standing` (locked), or by an upsert
// that committed since (`standing` empty). An unchanged ECG keeps its row (Orthanc's IDs
// updated); a changed one replaces it.
UpsertResult UpsertOver(pqxx::work& txn, const PreparedEcg& p, int64_t patient_key,
                        std::optional<StandingRow> standing) {
  // Twice at most: a concurrent upsert of the same SOPInstanceUID may insert between our look-up
  // and our insert; the second look-up then sees (and locks) its row.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (attempt > 0 || !standing) standing = LockStandingRow(txn, p);
    UpsertOutcome outcome = UpsertOutcome::kCreated;
    if (standing) {
      if (standing->content_hash == p.content_hash) {
        txn.exec_params(
            "UPDATE ecgs SET orthanc_instance_id = $2, orthanc_series_id = $3,"
            " orthanc_study_id = $4, orthanc_patient_id = $5 WHERE ecg_key = $1 AND"
            " (orthanc_instance_id, orthanc_series_id, orthanc_study_id, orthanc_patient_id)"
            " IS DISTINCT FROM ($2, $3, $4, $5)",
            standing->ecg_key, p.ecg->orthanc.instance, p.ecg->orthanc.series, p.ecg->orthanc.study,
            p.ecg->orthanc.patient);
        return {standing->ecg_key, patient_key, UpsertOutcome::kUnchanged};
      }
      txn.exec_params("DELETE FROM ecgs WHERE ecg_key = $1", standing->ecg_key);
      outcome = UpsertOutcome::kReplaced;
    }
    if (const std::optional<int64_t> ecg_key = InsertEcg(txn, p, patient_key)) {
      return {*ecg_key, patient_key, outcome};
    }
  }
  throw Error::Conflict("upsert ECG: instance " + p.ecg->orthanc.instance +
                        " is being written concurrently");
}

UpsertResult UpsertOne(pqxx::work& txn, const PreparedEcg& p) {
  const EcgMetadata& m = p.ecg->metadata;
  const pqxx::row r = ExecWithEcgValues(
      txn, "upsert_patient_and_insert_ecg", UpsertPatientAndInsertSql(), p, m.patient_id,
      m.issuer_of_patient_id, p.ecg->orthanc.patient, p.birth_date_iso, m.sex)[0];
  const int64_t patient_key = r[0].as<int64_t>();
  if (!r[1].is_null()) return {r[1].as<int64_t>(), patient_key, UpsertOutcome::kCreated};
  return UpsertOver(txn, p, patient_key, ReadStandingRow(r[2], r[3]));
}

// The columns ReadRow() expects, from ecgs e JOIN patients p.
const std::string& RowColumns() {
  static const std::string columns =
      "e.ecg_key, e.patient_key, e.orthanc_instance_id, e.orthanc_series_id,"
      " e.orthanc_study_id, e.orthanc_patient_id, e.sop_instance_uid, e.study_instance_uid,"
      " e.series_instance_uid, e.sop_class_uid, " +
      sql::TimestampToMillis("e.acquired_at") +
      ", e.utc_offset_minutes, e.acquisition_time_source, p.sex, e.patient_age_years,"
      " e.source_rate_hz, e.duration_ms, e.lead_mask, e.manufacturer, e.model,"
      " e.low_frequency_filter_hz, e.high_frequency_filter_hz, e.notch_filter_hz,"
      " e.device_measurements::text, e.statements::text, " +
      sql::TimestampToMillis("e.ingested_at") +
      ", COALESCE(pm.measurements::text, ''), COALESCE(pm.version, 0)"
      " FROM ecgs e JOIN patients p ON p.patient_key = e.patient_key"
      " LEFT JOIN ecg_measurements pm ON pm.ecg_key = e.ecg_key";
  return columns;
}

EcgRow ReadRow(const pqxx::row& r) {
  EcgRow row;
  row.ecg_key = r[0].as<int64_t>();
  row.patient_key = r[1].as<int64_t>();
  row.orthanc = {r[2].as<std::string>(), r[3].as<std::string>(), r[4].as<std::string>(),
                 r[5].as<std::string>()};
  row.sop_instance_uid = r[6].as<std::string>();
  row.study_instance_uid = r[7].as<std::string>();
  row.series_instance_uid = r[8].as<std::string>();
  row.sop_class_uid = r[9].as<std::string>();
  row.acquisition_time_ms = sql::ReadOptional<int64_t>(r[10]);
  row.utc_offset_minutes = sql::ReadOptional<int>(r[11]);
  row.acquisition_time_source = r[12].as<std::string>();
  row.sex = r[13].as<std::string>();
  row.patient_age_years = sql::ReadOptional<int>(r[14]);
  row.source_rate_hz = r[15].as<double>();
  row.duration_ms = r[16].as<double>();
  row.lead_mask = LeadMask::Unpack(r[17].as<uint32_t>());
  row.manufacturer = r[18].as<std::string>();
  row.model = r[19].as<std::string>();
  row.low_frequency_filter_hz = sql::ReadOptional<double>(r[20]);
  row.high_frequency_filter_hz = sql::ReadOptional<double>(r[21]);
  row.notch_filter_hz = sql::ReadOptional<double>(r[22]);
  row.measurements = sql::ParseMeasurementsJson(r[23].as<std::string>());
  row.statements = sql::ParseStatementsJson(r[24].as<std::string>());
  row.ingested_at_ms = r[25].as<int64_t>();
  row.product_measurements_json = r[26].as<std::string>();
  row.product_measurements_version = r[27].as<int>();
  return row;
}

std::vector<EcgRow> ReadRows(const pqxx::result& result) {
  std::vector<EcgRow> rows;
  rows.reserve(result.size());
  for (const auto& r : result) rows.push_back(ReadRow(r));
  return rows;
}

// Which Orthanc level a delete names. The column names are constants, never input.
const char* OrthancColumn(int level) {
  static const char* kColumns[] = {"orthanc_instance_id", "orthanc_series_id", "orthanc_study_id",
                                   "orthanc_patient_id"};
  return kColumns[level];
}

}  // namespace

UpsertResult EcgStore::UpsertEcg(const IngestedEcg& ecg) {
  return UpsertEcgs({ecg}).front();
}

std::vector<UpsertResult> EcgStore::UpsertEcgs(const std::vector<IngestedEcg>& ecgs,
                                               CommitWait wait) {
  std::vector<PreparedEcg> prepared;
  prepared.reserve(ecgs.size());
  for (const IngestedEcg& ecg : ecgs) prepared.push_back(Prepare(ecg, options_.zstd_level));
  std::vector<UpsertResult> results;
  pool_->Run(
      "upsert ECGs",
      [&](pqxx::work& txn) {
        results.clear();  // a retry after a broken connection starts over
        for (const PreparedEcg& p : prepared) results.push_back(UpsertOne(txn, p));
      },
      wait);
  return results;
}

namespace {

size_t DeleteAtLevel(ConnectionPool& pool, int level, const std::string& orthanc_id) {
  size_t deleted = 0;
  pool.Run(std::string("delete ECGs by ") + OrthancColumn(level), [&](pqxx::work& txn) {
    std::vector<int64_t> patient_keys;
    for (const auto& row : txn.exec_params(std::string("DELETE FROM ecgs WHERE ") +
                                               OrthancColumn(level) + " = $1 RETURNING patient_key",
                                           orthanc_id)) {
      patient_keys.push_back(row[0].as<int64_t>());
    }
    deleted = patient_keys.size();
    if (level == 3) {
      txn.exec_params("DELETE FROM patients WHERE orthanc_patient_id = $1", orthanc_id);
    }
    txn.exec_params(
        "DELETE FROM patients p WHERE p.patient_key = ANY($1::bigint[])"
        " AND NOT EXISTS (SELECT 1 FROM ecgs e WHERE e.patient_key = p.patient_key)",
        sql::BigintArray(patient_keys));
  });
  return deleted;
}

}  // namespace

size_t EcgStore::DeleteByOrthancInstance(const std::string& id) {
  return DeleteAtLevel(*pool_, 0, id);
}
size_t EcgStore::DeleteByOrthancSeries(const std::string& id) {
  return DeleteAtLevel(*pool_, 1, id);
}
size_t EcgStore::DeleteByOrthancStudy(const std::string& id) {
  return DeleteAtLevel(*pool_, 2, id);
}
size_t EcgStore::DeleteByOrthancPatient(const std::string& id) {
  return DeleteAtLevel(*pool_, 3, id);
}

std::optional<EcgRow> EcgStore::FindEcgByOrthancId(const std::string& orthanc_instance_id) {
  std::vector<EcgRow> rows;
  pool_->Run("find ECG", [&](pqxx::work& txn) {
    rows = ReadRows(txn.exec_params("SELECT " + RowColumns() + " WHERE e.orthanc_instance_id = $1",
                                    orthanc_instance_id));
  });
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::optional<EcgRow> EcgStore::FindEcgByKey(int64_t ecg_key) {
  std::vector<EcgRow> rows = FindEcgsByKeys({ecg_key});
  if (rows.empty()) return std::nullopt;
  return std::move(rows.front());
}

std::vector<EcgRow> EcgStore::FindEcgsByKeys(const std::vector<int64_t>& ecg_keys) {
  std::vector<EcgRow> rows;
  if (ecg_keys.empty()) return rows;
  pool_->Run("find ECGs by key", [&](pqxx::work& txn) {
    rows = ReadRows(sql::ExecPrepared(
        txn, "find_ecgs_by_keys",
        "SELECT " + RowColumns() +
            " JOIN unnest($1::bigint[]) WITH ORDINALITY AS k(key, n) ON k.key = e.ecg_key"
            " ORDER BY k.n",
        sql::BigintArray(ecg_keys)));
  });
  return rows;
}

std::vector<EcgRow> EcgStore::Timeline(const std::string& orthanc_patient_id) {
  std::vector<EcgRow> rows;
  pool_->Run("read timeline", [&](pqxx::work& txn) {
    rows = ReadRows(sql::ExecPrepared(
        txn, "timeline",
        "SELECT " + RowColumns() +
            " WHERE e.patient_key IN (SELECT patient_key FROM patients"
            " WHERE orthanc_patient_id = $1) ORDER BY e.acquired_at NULLS LAST, e.ecg_key",
        orthanc_patient_id));
  });
  return rows;
}

std::vector<EcgRow> EcgStore::TimelineByPatientKey(int64_t patient_key) {
  std::vector<EcgRow> rows;
  pool_->Run("read timeline", [&](pqxx::work& txn) {
    rows = ReadRows(txn.exec_params("SELECT " + RowColumns() +
                                        " WHERE e.patient_key = $1"
                                        " ORDER BY e.acquired_at NULLS LAST, e.ecg_key",
                                    patient_key));
  });
  return rows;
}

namespace {

std::optional<EcgSignal> LoadBlob(ConnectionPool& pool, const char* column, int64_t ecg_key) {
  std::optional<std::string> blob;
  pool.Run("load signal", [&](pqxx::work& txn) {
    const pqxx::result r = txn.exec_params(
        std::string("SELECT ") + column + " FROM signals WHERE ecg_key = $1", ecg_key);
    if (!r.empty() && !r[0][0].is_null()) blob = sql::ReadBytes(r[0][0]);
  });
  if (!blob) return std::nullopt;
  return sql::DecodeStoredSignal(*blob, column, ecg_key);
}

}  // namespace

std::optional<EcgSignal> EcgStore::LoadSignal(int64_t ecg_key) {
  return LoadBlob(*pool_, "signal", ecg_key);
}

std::optional<EcgSignal> EcgStore::LoadMedianBeat(int64_t ecg_key) {
  return LoadBlob(*pool_, "median_beat", ecg_key);
}

std::vector<std::pair<int64_t, EcgSignal>> EcgStore::LoadSignals(
    const std::vector<int64_t>& ecg_keys) {
  std::vector<std::pair<int64_t, std::string>> blobs;
  if (ecg_keys.empty()) return {};
  pool_->Run("load signals", [&](pqxx::work& txn) {
    blobs.clear();
    for (const pqxx::row& r : sql::ExecPrepared(
             txn, "load_signals",
             "SELECT s.ecg_key, s.signal FROM unnest($1::bigint[]) WITH ORDINALITY AS k(key, n)"
             " JOIN signals s ON s.ecg_key = k.key ORDER BY k.n",
             sql::BigintArray(ecg_keys))) {
      blobs.emplace_back(r[0].as<int64_t>(), sql::ReadBytes(r[1]));
    }
  });
  std::vector<std::pair<int64_t, EcgSignal>> signals;
  for (const auto& [key, blob] : blobs) {
    signals.emplace_back(key, sql::DecodeStoredSignal(blob, "signal", key));
  }
  return signals;
}

}  // namespace ecg
