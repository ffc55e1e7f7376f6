// ingest_pipeline: one DICOM ECG file in, the store's IngestedEcg out (decode with
// waveform/dicom, canonicalise the rhythm group and the median beat with waveform/canonical,
// measure it with waveform/ecg_measure: about 1.3 ms of CPU per 10 s ECG, unless `measure` is
// false: the product's measurements are then left empty for the background measurer,
// plugin/measure/measurement_backlog.h). The result's Orthanc IDs are left empty: the caller knows
// them.
//
// Errors: what DecodeEcg and Canonicalise throw (Error::Corruption, Error::Unsupported,
// Error::InvalidArgument); their messages name the tag or group, never patient data.
// Thread-safe: no shared state.
#pragma once

#include <string>

#include "storage/ecg_store.h"

namespace ecg::plugin {

IngestedEcg DecodeForStore(const std::string& dicom_bytes, bool measure = true);

}  // namespace ecg::plugin
