// JSON form of EcgMeasurements (waveform/ecg_measure.h), the one shape shown by
// `orthanc-ecg inspect --json` ("measurements"), stored by the plugin and answered by
// GET /ecg/ecgs/{id} ("product_measurements"):
//   {"heart_rate_bpm": number|null, "rr_ms", "p_ms", "pr_ms", "qrs_ms", "qt_ms", "qtc_bazett_ms",
//    "qtc_fridericia_ms", "p_axis_deg", "qrs_axis_deg", "t_axis_deg" (number|null),
//    "rhythm": string, "quality": {"leads_used", "beats", "beats_in_median", "beat_consistency",
//    "flat", "noisy", "irregular_rr", "p_wave_consistent", "low_sample_rate", "pacing_spikes",
//    "reduced_leads"}, "reasons": {"<field>": "why it is null"}, "version": kMeasureVersion}
// `version` names the method; stored results of an older version are measured again.
// Pure functions, thread-safe. MeasurementsFromJson reads what MeasurementsToJson wrote (unknown
// keys ignored, missing ones null/default); it throws Error::Corruption for a non-object.
#pragma once

#include <nlohmann/json.hpp>

#include "waveform/ecg_measure.h"

namespace ecg {

// 1: first method; 2: T end per lead, the 4th latest lead's; 3: QRS and P boundaries moved to
// the knee of a chord from the quiet segment; 4: QRS onset lead by lead, the earliest of the
// agreeing leads'; 5: QRS offset lead by lead, the latest of the agreeing leads'
// (waveform/delineation.h, docs/measurements.md); 6: no QRS axis when the QRS is equiphasic in
// leads I and aVF (an indeterminate axis, waveform/ecg_measure.h); 7: the P wave's beat-by-beat
// test compares each beat with the median of the other beats (leave one out), and no P
// duration, PR or P axis from P boundaries that span more than 200 ms.
constexpr int kMeasureVersion = 7;

nlohmann::json MeasurementsToJson(const EcgMeasurements& m);
EcgMeasurements MeasurementsFromJson(const nlohmann::json& j);

}  // namespace ecg
