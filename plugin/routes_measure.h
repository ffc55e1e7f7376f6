// routes_measure: the product's measurements over time (issue 18; docs/measurements.md).
//
//   GET /ecg/ecgs/{orthancInstanceId}/compare?with=previous|first|{orthancInstanceId}
//       {"ecg": {"instance", "acquisition_time_ms"}, "with": {...},
//        "differences": {"<field>": {"from", "to", "delta"}},
//        "statements": [{"code", "text", "measurement", "from", "to"}],
//        "change": {"percentile": number|null, "pairs": n, "reason": string|null}}
//       previous / first: the patient's ECG before this one / the patient's first, in time order
//       (404 when there is none). Rules: waveform/serial_comparison.h.
//   GET /ecg/patients/{orthancPatientId}/timeline?limit=1..1000&offset=N (default 200, 0)
//       {"patient", "total", "limit", "offset", "ecgs": [{"instance", "acquisition_time_ms",
//        "acquisition_time", "product_measurements", "comparison", "identity"}]}
//       in time order (unknown times last); "comparison" is the one with the previous ECG
//       ({"with", "statements", "percentile", "pairs", "reason"}), null for the first;
//       "product_measurements" null while not measured; "identity" null (not computed here).
//
// The learned change percentile is not computed yet: "percentile" is null with the reason
// "not computed yet". Handlers are thread-safe (they only read the store).
#pragma once

#include <nlohmann/json.hpp>

#include "plugin/routes.h"

namespace ecg::plugin {

void RegisterMeasureRoutes(PluginServices* services);

// /ecg/status's "measurements": {"measured", "pending"} (ECGs with measurements of the current
// method version, and without). Throws what the store throws.
nlohmann::json MeasurementStatusJson(PluginServices* services);

}  // namespace ecg::plugin
