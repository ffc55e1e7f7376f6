// routes_measure: the product's measurements over time (issue 18; docs/measurements.md).
//
//   GET /ecg/ecgs/{orthancInstanceId}/compare?with=previous|first|{orthancInstanceId}
//       {"ecg": {"instance", "acquisition_time_ms"}, "with": {...},
//        "differences": {"<field>": {"from", "to", "delta"}},
//        "statements": [{"code", "text", "measurement", "from", "to"}],
//        "change": {"percentile": number|null, "pairs": n, "gap_bin": string|null,
//                   "distance": number|null, "model_id": n|null, "reason": string|null}}
//       previous / first: the patient's ECG before this one / the patient's first, in time order
//       (404 when there is none). Rules: waveform/serial_comparison.h.
//   GET /ecg/patients/{orthancPatientId}/timeline?limit=1..1000&offset=N (default 200, 0)
//       {"patient", "total", "limit", "offset", "ecgs": [{"instance", "acquisition_time_ms",
//        "acquisition_time", "product_measurements", "comparison", "identity"}]}
//       in time order (unknown times last); "comparison" is the one with the previous ECG
//       ({"with", "statements"} and the "change" fields above), null for the first;
//       "product_measurements" null while not measured; "identity": the ECG's identity check
//       under the served model as GET /ecg/ecgs/{id}/identity answers it, stored by the search
//       thread in the background (plugin/search/identity_backlog.h), as of its last check; null
//       while not checked yet.
//
// "change": the learned change score, the distance of the two ECGs' embeddings under the served
// model as a percentile among this archive's consecutive same-patient pairs in the same time-gap
// bin (plugin/measure/change_scores.h, docs/measurements.md); percentile null with a reason when
// there is
// no active model, an embedding is missing ("not embedded yet"), the reference is not built yet,
// or it has fewer than 20 pairs in the gap. Handlers are thread-safe (they only read the store
// and the search service's served model and reference).
#pragma once

#include <nlohmann/json.hpp>

#include "plugin/routes.h"

namespace ecg::plugin {

void RegisterMeasureRoutes(PluginServices* services);

// /ecg/status's "measurements": {"measured", "pending"} (ECGs with measurements of the current
// method version, and without). Throws what the store throws.
nlohmann::json MeasurementStatusJson(PluginServices* services);

}  // namespace ecg::plugin
