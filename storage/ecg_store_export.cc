// EcgStore: streamed export of all signals with their patient and time keys, for training.
#include <spdlog/spdlog.h>

#include <optional>

#include "storage/connection_pool.h"
#include "storage/ecg_store.h"
#include "storage/sql_values.h"
#include "waveform/canonical.h"
#include "waveform/error.h"

namespace ecg {
namespace {

// One row of the export query; nullopt (logged) when its stored signal is damaged: one such ECG
// must not stop a night's training.
std::optional<ExportedEcg> ExportedRow(const pqxx::row& r) {
  ExportedEcg ecg;
  ecg.keys.ecg_key = r[0].as<int64_t>();
  ecg.keys.patient_key = r[1].as<int64_t>();
  ecg.keys.acquisition_time_ms = r[2].is_null() ? kUnknownTime : r[2].as<int64_t>();
  try {
    ecg.signal = sql::DecodeStoredSignal(sql::ReadBytes(r[3]), "signal", ecg.keys.ecg_key);
  } catch (const Error& e) {
    if (!e.IsDataLoss()) throw;
    spdlog::error("export for training: left out: {}", e.what());
    return std::nullopt;
  }
  return ecg;
}

}  // namespace

size_t EcgStore::ExportForTraining(const std::function<void(const ExportedEcg&)>& on_ecg,
                                   const ExportOptions& options) {
  if (options.batch_rows == 0) {
    throw Error::InvalidArgument("export for training: batch_rows must be at least 1");
  }
  size_t exported = 0;
  bool started = false;
  pool_->RunOnConnection("export for training", [&](pqxx::connection& connection) {
    // A retry would stream ECGs that on_ecg has already seen: only the first attempt may run.
    if (started) throw Error::Unavailable("export for training: database connection lost");
    started = true;
    // One snapshot for all pages; keyset pagination on ecg_key keeps memory at one page.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> txn(connection);
    int64_t after = options.after_ecg_key;
    for (;;) {
      const pqxx::result page = txn.exec_params(
          "SELECT e.ecg_key, e.patient_key, " + sql::TimestampToMillis("e.acquired_at") +
              ", s.signal FROM ecgs e JOIN signals s ON s.ecg_key = e.ecg_key"
              " WHERE e.ecg_key > $1 ORDER BY e.ecg_key LIMIT $2",
          after, static_cast<int64_t>(options.batch_rows));
      if (page.empty()) break;
      for (const auto& r : page) {
        after = r[0].as<int64_t>();
        if (std::optional<ExportedEcg> ecg = ExportedRow(r)) {
          on_ecg(*ecg);
          ++exported;
        }
      }
    }
    txn.commit();
  });
  return exported;
}

size_t EcgStore::ExportToArchive(const std::string& path, uint32_t samples_per_lead,
                                 const ExportOptions& options) {
  EcgArchiveWriter writer(path, static_cast<uint32_t>(kCanonicalRate_hz), samples_per_lead);
  const size_t exported = ExportForTraining(
      [&](const ExportedEcg& ecg) { writer.Append(ecg.keys, ecg.signal); }, options);
  writer.Close();
  return exported;
}

}  // namespace ecg
