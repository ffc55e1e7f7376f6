// EcgStore: embeddings per model, as float32 little-endian bytea.
#include <spdlog/spdlog.h>

#include <cstring>
#include <optional>

#include "storage/connection_pool.h"
#include "storage/ecg_store.h"
#include "storage/sql_values.h"
#include "waveform/error.h"

namespace ecg {

namespace {

static_assert(sizeof(float) == 4, "embeddings are stored as IEEE float32");

std::string VectorBytes(const std::vector<float>& vector) {
  std::string bytes(vector.size() * sizeof(float), '\0');
  std::memcpy(bytes.data(), vector.data(), bytes.size());
  return bytes;
}

// Error::DataLoss unless the row holds `dimension` floats.
Embedding ReadEmbeddingRow(const pqxx::row& r, int dimension) {
  Embedding embedding;
  embedding.ecg_key = r[0].as<int64_t>();
  embedding.patient_key = r[1].as<int64_t>();
  const std::string bytes = sql::ReadBytes(r[3]);
  const std::string what = "stored embedding of ECG " + std::to_string(embedding.ecg_key) + " has ";
  if (r[2].as<int64_t>() != dimension) {
    throw Error::DataLoss(what + "dimension " + r[2].as<std::string>() + ", not its model's " +
                          std::to_string(dimension));
  }
  if (bytes.size() != static_cast<size_t>(dimension) * sizeof(float)) {
    throw Error::DataLoss(what + std::to_string(bytes.size()) + " bytes, not " +
                          std::to_string(dimension * sizeof(float)) + " for dimension " +
                          std::to_string(dimension));
  }
  embedding.vector.resize(dimension);
  std::memcpy(embedding.vector.data(), bytes.data(), bytes.size());
  return embedding;
}

constexpr const char* kEmbeddingColumns = "ecg_key, patient_key, dimension, vector";

// Rows per INSERT statement: one round trip and one parse for this many embeddings.
constexpr size_t kRowsPerInsert = 256;

// The row as an Embedding; nullopt (logged, its key added to *damaged) when it does not decode.
std::optional<Embedding> ReadIntactRow(const pqxx::row& r, int64_t model_id, int dimension,
                                       std::vector<int64_t>* damaged) {
  try {
    return ReadEmbeddingRow(r, dimension);
  } catch (const Error& e) {
    if (!e.IsDataLoss()) throw;
    spdlog::error("{} (model {}): deleted, the embedder computes it again", e.what(), model_id);
    damaged->push_back(r[0].as<int64_t>());
    return std::nullopt;
  }
}

// Deletes the model's embeddings of these ECGs, so that they count as missing again.
void DeleteEmbeddings(ConnectionPool& pool, int64_t model_id, const std::vector<int64_t>& keys) {
  if (keys.empty()) return;
  pool.Run("delete damaged embeddings", [&](pqxx::work& txn) {
    txn.exec_params("DELETE FROM embeddings WHERE model_id = $1 AND ecg_key = ANY($2::bigint[])",
                    model_id, sql::BigintArray(keys));
  });
}

}  // namespace

size_t EcgStore::WriteEmbeddings(int64_t model_id, const std::vector<Embedding>& embeddings) {
  size_t written = 0;
  pool_->Run("write embeddings", [&](pqxx::work& txn) {
    written = 0;
    if (txn.exec_params("SELECT 1 FROM models WHERE model_id = $1", model_id).empty()) {
      throw Error::NotFound("write embeddings: no model " + std::to_string(model_id));
    }
    for (size_t begin = 0; begin < embeddings.size(); begin += kRowsPerInsert) {
      const size_t end = std::min(embeddings.size(), begin + kRowsPerInsert);
      std::vector<int64_t> keys, dimensions;
      std::string vectors;  // concatenated; split server-side by dimension
      for (size_t i = begin; i < end; ++i) {
        keys.push_back(embeddings[i].ecg_key);
        dimensions.push_back(static_cast<int64_t>(embeddings[i].vector.size()));
        vectors += VectorBytes(embeddings[i].vector);
      }
      // The vectors travel as one binary parameter: row i is the slice at the sum of the
      // previous dimensions (substring counts bytes from 1).
      const pqxx::result r = sql::ExecPrepared(
          txn, "write_embeddings",
          "WITH input AS (SELECT k.key, k.dim, k.n,"
          "  sum(k.dim) OVER (ORDER BY k.n) - k.dim AS before"
          "  FROM unnest($2::bigint[], $3::int[]) WITH ORDINALITY AS k(key, dim, n))"
          " INSERT INTO embeddings (model_id, ecg_key, patient_key, dimension, vector)"
          " SELECT $1, e.ecg_key, e.patient_key, i.dim,"
          "  substring($4::bytea FROM (i.before * 4 + 1)::int FOR i.dim * 4)"
          " FROM input i JOIN ecgs e ON e.ecg_key = i.key"
          " ON CONFLICT (model_id, ecg_key) DO UPDATE SET dimension = EXCLUDED.dimension,"
          "  vector = EXCLUDED.vector",
          model_id, sql::BigintArray(keys), sql::BigintArray(dimensions), sql::Bytes(vectors));
      written += r.affected_rows();
    }
  });
  return written;
}

size_t EcgStore::ReadEmbeddings(int64_t model_id, int dimension,
                                const std::function<void(const std::vector<Embedding>&)>& on_batch,
                                int64_t after_ecg_key, size_t batch_rows) {
  size_t read = 0;
  std::vector<int64_t> damaged;
  pool_->RunOnConnection("read embeddings", [&](pqxx::connection& connection) {
    // One snapshot for all pages; keyset pagination on the primary key keeps memory bounded.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(connection);
    read = 0;
    damaged.clear();
    int64_t after = after_ecg_key;
    for (;;) {
      const pqxx::result r = txn.exec_params(
          std::string("SELECT ") + kEmbeddingColumns +
              " FROM embeddings WHERE model_id = $1 AND ecg_key > $2 ORDER BY ecg_key LIMIT $3",
          model_id, after, static_cast<int64_t>(batch_rows));
      if (r.empty()) break;
      std::vector<Embedding> batch;
      batch.reserve(r.size());
      for (const auto& row : r) {
        after = row[0].as<int64_t>();
        if (std::optional<Embedding> embedding =
                ReadIntactRow(row, model_id, dimension, &damaged)) {
          batch.push_back(std::move(*embedding));
        }
      }
      read += batch.size();
      if (!batch.empty()) on_batch(batch);
    }
    txn.commit();
  });
  DeleteEmbeddings(*pool_, model_id, damaged);
  return read;
}

std::optional<Embedding> EcgStore::ReadEmbedding(int64_t model_id, int dimension, int64_t ecg_key) {
  std::optional<Embedding> embedding;
  std::vector<int64_t> damaged;
  pool_->Run("read embedding", [&](pqxx::work& txn) {
    damaged.clear();
    const pqxx::result r =
        txn.exec_params(std::string("SELECT ") + kEmbeddingColumns +
                            " FROM embeddings WHERE model_id = $1 AND ecg_key = $2",
                        model_id, ecg_key);
    if (!r.empty()) embedding = ReadIntactRow(r[0], model_id, dimension, &damaged);
  });
  DeleteEmbeddings(*pool_, model_id, damaged);
  return embedding;
}

std::vector<Embedding> EcgStore::ReadPatientEmbeddings(int64_t model_id, int dimension,
                                                       int64_t patient_key) {
  std::vector<Embedding> embeddings;
  std::vector<int64_t> damaged;
  pool_->Run("read patient embeddings", [&](pqxx::work& txn) {
    embeddings.clear();
    damaged.clear();
    const pqxx::result r = txn.exec_params(
        "SELECT m.ecg_key, m.patient_key, m.dimension, m.vector FROM ecgs e"
        " JOIN embeddings m ON m.model_id = $1 AND m.ecg_key = e.ecg_key"
        " WHERE e.patient_key = $2 ORDER BY m.ecg_key",
        model_id, patient_key);
    for (const auto& row : r) {
      if (std::optional<Embedding> e = ReadIntactRow(row, model_id, dimension, &damaged)) {
        embeddings.push_back(std::move(*e));
      }
    }
  });
  DeleteEmbeddings(*pool_, model_id, damaged);
  return embeddings;
}

PendingEmbeddings EcgStore::EcgsWithoutEmbedding(int64_t model_id, size_t limit,
                                                 int64_t after_ecg_key) {
  PendingEmbeddings pending;
  pool_->RunOnConnection("find ECGs without embedding", [&](pqxx::connection& connection) {
    // Both statements see the same snapshot, so no key between them goes unexamined.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(connection);
    pending = {};
    for (const auto& r : sql::ExecPrepared(
             txn, "ecgs_without_embedding",
             "SELECT e.ecg_key FROM ecgs e WHERE e.ecg_key > $3 AND NOT EXISTS (SELECT 1"
             " FROM embeddings m WHERE m.model_id = $1 AND m.ecg_key = e.ecg_key)"
             " ORDER BY e.ecg_key LIMIT $2",
             model_id, static_cast<int64_t>(limit), after_ecg_key)) {
      pending.ecg_keys.push_back(r[0].as<int64_t>());
    }
    if (limit == 0) {
      pending.checked_through = after_ecg_key;
    } else if (pending.ecg_keys.size() == limit) {
      pending.checked_through = pending.ecg_keys.back();
    } else {
      pending.checked_through =
          sql::ExecPrepared(txn, "ecgs_checked_through",
                            "SELECT greatest($1::bigint, coalesce(max(ecg_key), 0)) FROM ecgs",
                            after_ecg_key)[0][0]
              .as<int64_t>();
    }
    txn.commit();
  });
  return pending;
}

size_t EcgStore::ForEachConsecutivePair(int64_t model_id, int dimension,
                                        const std::function<void(const EmbeddingPair&)>& on_pair,
                                        std::optional<int64_t> patient_key,
                                        size_t patients_per_page) {
  if (patients_per_page == 0) {
    throw Error::InvalidArgument("consecutive pairs: patients_per_page must be at least 1");
  }
  // Every ECG of the page's patients in timeline order, with its embedding when it has one.
  const std::string rows_sql =
      "SELECT e.ecg_key, e.patient_key, m.dimension, m.vector, " +
      sql::TimestampToMillis("e.acquired_at") +
      " FROM ecgs e LEFT JOIN embeddings m ON m.model_id = $1 AND m.ecg_key = e.ecg_key"
      " WHERE e.patient_key = ANY($2::bigint[])"
      " ORDER BY e.patient_key, e.acquired_at NULLS LAST, e.ecg_key";
  size_t streamed = 0;
  bool started = false;
  std::vector<int64_t> damaged;
  pool_->RunOnConnection("stream consecutive pairs", [&](pqxx::connection& connection) {
    // A retry would stream pairs that on_pair has already seen: only the first attempt may run.
    if (started) throw Error::Unavailable("consecutive pairs: database connection lost");
    started = true;
    // One snapshot for all pages; keyset pagination on patient_key keeps memory at one page.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(connection);
    int64_t after = 0;
    for (;;) {
      std::vector<int64_t> patients;
      if (patient_key) {
        if (after > 0) break;
        patients = {*patient_key};
        after = 1;
      } else {
        for (const auto& r :
             txn.exec_params("SELECT patient_key FROM patients WHERE patient_key > $1"
                             " ORDER BY patient_key LIMIT $2",
                             after, static_cast<int64_t>(patients_per_page))) {
          patients.push_back(r[0].as<int64_t>());
        }
        if (patients.empty()) break;
        after = patients.back();
      }
      std::optional<EmbeddingPair> pair;  // `later` holds the previous row's embedding
      for (const auto& r : txn.exec_params(rows_sql, model_id, sql::BigintArray(patients))) {
        std::optional<Embedding> embedding;
        if (!r[3].is_null()) embedding = ReadIntactRow(r, model_id, dimension, &damaged);
        const int64_t patient = r[1].as<int64_t>();
        const std::optional<int64_t> time =
            r[4].is_null() ? std::nullopt : std::optional<int64_t>(r[4].as<int64_t>());
        if (!embedding) {
          pair.reset();  // not paired across an ECG without embedding
          continue;
        }
        if (pair && pair->patient_key == patient) {
          pair->earlier = std::move(pair->later);
          pair->earlier_acquisition_time_ms = pair->later_acquisition_time_ms;
          pair->later = std::move(*embedding);
          pair->later_acquisition_time_ms = time;
          on_pair(*pair);
          ++streamed;
        } else {
          pair.emplace();
          pair->patient_key = patient;
          pair->later = std::move(*embedding);
          pair->later_acquisition_time_ms = time;
        }
      }
    }
    txn.commit();
  });
  DeleteEmbeddings(*pool_, model_id, damaged);
  return streamed;
}

int64_t EcgStore::CountEmbeddings(int64_t model_id) {
  return pool_->QueryInt("count embeddings", "SELECT count(*) FROM embeddings WHERE model_id = $1",
                         model_id);
}

}  // namespace ecg
