// Conversions between C++ values and the SQL text the store sends and reads (internal to
// storage/). Optional values travel as text, "" meaning NULL, and the SQL turns them back with
// NULLIF($n, '')::type, so that every statement stays parameterised.
//
// Times: TIMESTAMPTZ columns hold milliseconds since 1970-01-01 UTC; statements write them with
// MillisToTimestamp and read them with TimestampToMillis (exact for whole milliseconds).
// Thread-safe (pure functions).
#pragma once

#include <cstdint>
#include <optional>
#include <pqxx/pqxx>
#include <string>
#include <vector>

#include "waveform/ecg_record.h"
#include "waveform/ecg_signal.h"

namespace ecg::sql {

// SQL fragments, to be formatted with the parameter or column: "ms_param" -> timestamptz.
std::string MillisToTimestamp(const std::string& text_param);
std::string TimestampToMillis(const std::string& column);

template <typename T>
std::string OptionalText(const std::optional<T>& value) {
  return value ? pqxx::to_string(*value) : std::string();
}

// "YYYYMMDD" (DICOM DA) to "YYYY-MM-DD" when it is a real calendar date, else "".
std::string DicomDateToIso(const std::string& dicom_date);

std::string MeasurementsJson(const std::vector<Measurement>& measurements);
std::vector<Measurement> ParseMeasurementsJson(const std::string& json);
std::string StatementsJson(const std::vector<std::string>& statements);
std::vector<std::string> ParseStatementsJson(const std::string& json);

// Postgres array literal of integers, "{1,2,3}", for = ANY($n::bigint[]).
std::string BigintArray(const std::vector<int64_t>& values);

// bytea parameter from raw bytes (sent in binary form, no escaping).
pqxx::binarystring Bytes(const std::string& bytes);
// bytea column to raw bytes.
std::string ReadBytes(const pqxx::field& field);

// A signal blob read from the store (storage/signal_codec.h); a damaged one is Error::DataLoss
// naming the column and the ECG: "stored signal of ECG 42 is damaged: <the codec's reason>".
EcgSignal DecodeStoredSignal(const std::string& blob, const std::string& column, int64_t ecg_key);

// Runs a named prepared statement, preparing it on this connection on first use (libpqxx
// re-prepares after a reconnect). Saves the parse and plan of statements run per ECG.
template <typename... Args>
pqxx::result ExecPrepared(pqxx::transaction_base& txn, const std::string& name,
                          const std::string& sql, Args&&... args) {
  txn.conn().prepare(name, sql);
  return txn.exec_prepared(name, std::forward<Args>(args)...);
}

template <typename T>
std::optional<T> ReadOptional(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<T>();
}

}  // namespace ecg::sql
