// ecg_json: how the REST routes show the store's rows. Field names are the API (docs/admin.md):
// snake_case with units in names (acquisition_time_ms, duration_ms, sample_rate_hz).
//
// Times: acquisition_time_ms is milliseconds since 1970 as in EcgMetadata, plus
// acquisition_time, the same instant as ISO 8601 text. Leads: their conventional names ("I",
// "aVR", "V1") with a status of "recorded", "derived" or "missing". Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "storage/ecg_store.h"
#include "waveform/ecg_signal.h"

namespace ecg::plugin {

// The value, or JSON null when absent.
template <typename T>
nlohmann::json Optional(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// The row's fields; "measurements" is the device's list, "product_measurements" the product's
// (ProductMeasurementsJson).
nlohmann::json EcgRowJson(const EcgRow& row);
// The product's measurements (waveform/measurements_json.h) as stored, or null while the ECG is
// not measured yet (or its stored JSON does not parse, which is logged by key).
nlohmann::json ProductMeasurementsJson(const EcgRow& row);
nlohmann::json IngestErrorJson(const IngestError& error);
// {"sample_rate_hz", "samples_per_lead", "units": "uV", "leads": [{"lead", "status", "samples"}]}
nlohmann::json SignalJson(const EcgSignal& signal);
// A header "time_ms,I,II,...,V6", then one line per sample, microvolts.
std::string SignalCsv(const EcgSignal& signal);

}  // namespace ecg::plugin
