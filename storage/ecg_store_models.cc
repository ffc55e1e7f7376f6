// EcgStore: models, stored as bytes with their configuration and metrics.
#include "storage/connection_pool.h"
#include "storage/ecg_store.h"
#include "storage/sql_values.h"
#include "waveform/error.h"

namespace ecg {

namespace {

constexpr int64_t kActivationLockKey = 0x4543474d4f44454c;  // "ECGMODEL"

const std::string& ModelColumns() {
  static const std::string columns =
      "model_id, name, config_json::text, metrics_json::text, octet_length(bytes), " +
      sql::TimestampToMillis("created_at") + ", active, kind FROM models";
  return columns;
}

ModelInfo ReadModel(const pqxx::row& r) {
  return {r[0].as<int64_t>(),     r[1].as<std::string>(), r[2].as<std::string>(),
          r[3].as<std::string>(), r[4].as<int64_t>(),     r[5].as<int64_t>(),
          r[6].as<bool>(),        r[7].as<std::string>()};
}

}  // namespace

int64_t EcgStore::SaveModel(const std::string& name, const std::string& bytes,
                            const std::string& config_json, const std::string& metrics_json) {
  int64_t model_id = 0;
  pool_->Run("save model", [&](pqxx::work& txn) {
    model_id = txn.exec_params1(
                      "INSERT INTO models (name, bytes, config_json, metrics_json)"
                      " VALUES ($1, $2, $3::jsonb, $4::jsonb) RETURNING model_id",
                      name, sql::Bytes(bytes), config_json, metrics_json)[0]
                   .as<int64_t>();
  });
  return model_id;
}

std::optional<std::string> EcgStore::LoadModelBytes(int64_t model_id) {
  std::optional<std::string> bytes;
  pool_->Run("load model", [&](pqxx::work& txn) {
    const pqxx::result r =
        txn.exec_params("SELECT bytes FROM models WHERE model_id = $1", model_id);
    if (!r.empty()) bytes = sql::ReadBytes(r[0][0]);
  });
  return bytes;
}

std::optional<ModelInfo> EcgStore::FindModel(int64_t model_id) {
  std::optional<ModelInfo> model;
  pool_->Run("find model", [&](pqxx::work& txn) {
    const pqxx::result r =
        txn.exec_params("SELECT " + ModelColumns() + " WHERE model_id = $1", model_id);
    if (!r.empty()) model = ReadModel(r[0]);
  });
  return model;
}

std::optional<ModelInfo> EcgStore::ActiveModel() {
  std::optional<ModelInfo> model;
  pool_->Run("find active model", [&](pqxx::work& txn) {
    const pqxx::result r = txn.exec("SELECT " + ModelColumns() + " WHERE active");
    if (!r.empty()) model = ReadModel(r[0]);
  });
  return model;
}

void EcgStore::ActivateModel(int64_t model_id) {
  pool_->Run("activate model", [&](pqxx::work& txn) {
    // Serialises activations, so that two at once do not trip the one-active index.
    txn.exec_params("SELECT pg_advisory_xact_lock($1)", kActivationLockKey);
    if (txn.exec_params("SELECT 1 FROM models WHERE model_id = $1 FOR UPDATE", model_id).empty()) {
      throw Error::NotFound("activate model: no model " + std::to_string(model_id));
    }
    txn.exec_params("UPDATE models SET active = false WHERE active AND model_id <> $1", model_id);
    txn.exec_params("UPDATE models SET active = true WHERE model_id = $1", model_id);
  });
}

int64_t EcgStore::EnsureModelZero(const std::string& name, const std::string& config_json) {
  int64_t model_id = 0;
  pool_->Run("ensure model zero", [&](pqxx::work& txn) {
    txn.exec_params("SELECT pg_advisory_xact_lock($1)", kActivationLockKey);
    txn.exec_params(
        "INSERT INTO models (name, bytes, config_json, kind) VALUES ($1, ''::bytea, $2::jsonb,"
        " 'zero') ON CONFLICT DO NOTHING",
        name, config_json);
    model_id = txn.exec1("SELECT model_id FROM models WHERE kind = 'zero'")[0].as<int64_t>();
    const pqxx::result changed = txn.exec_params(
        "UPDATE models SET config_json = $2::jsonb WHERE model_id = $1"
        " AND config_json <> $2::jsonb RETURNING model_id",
        model_id, config_json);
    if (!changed.empty()) {
      txn.exec_params("DELETE FROM embeddings WHERE model_id = $1", model_id);
    }
    if (txn.exec("SELECT 1 FROM models WHERE active").empty()) {
      txn.exec_params("UPDATE models SET active = true WHERE model_id = $1", model_id);
    }
  });
  return model_id;
}

std::vector<ModelInfo> EcgStore::ListModels() {
  std::vector<ModelInfo> models;
  pool_->Run("list models", [&](pqxx::work& txn) {
    models.clear();
    for (const auto& r : txn.exec("SELECT " + ModelColumns() + " ORDER BY model_id DESC")) {
      models.push_back(ReadModel(r));
    }
  });
  return models;
}

}  // namespace ecg
