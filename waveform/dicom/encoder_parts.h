// The pieces EncodeEcg (encoder.h) assembles, one IOD module group each. Internal to
// waveform/dicom/. Each writes into a DCMTK dataset it does not own; DCMTK failures (which only
// happen on invalid values) are thrown as Error::InvalidArgument naming the attribute.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <dcmtk/dcmdata/dcitem.h>

#include "waveform/dicom/encoder.h"
#include "waveform/ecg_record.h"
#include "waveform/ecg_signal.h"

namespace ecg::dicom {

// The SOP class EncodeEcg writes for a signal of this rate and duration (see encoder.h).
std::string_view ChooseSopClass(double sample_rate_hz, double duration_ms);

// Puts a string attribute (empty string: an empty type-2 attribute).
void PutString(DcmItem& item, const DcmTagKey& tag, const std::string& value);
// Adds a code sequence item (value, scheme, meaning) under `sequence`; SCPECG codes get their
// CodingSchemeVersion (1.3), which that scheme needs to be unambiguous.
void PutCode(DcmItem& item, const DcmTagKey& sequence, std::string_view value,
             std::string_view scheme, std::string_view meaning);

// SOP common, patient, general study, general series, general equipment, waveform
// identification and an empty acquisition context. Generates the UIDs that metadata lacks.
void WriteIdentity(DcmItem& dataset, const EcgMetadata& metadata, std::string_view sop_class);

// One RHYTHM multiplex group with the recorded leads, 16-bit SS, a sensitivity per lead.
void WriteWaveform(DcmItem& dataset, const EcgMetadata& metadata, const EcgSignal& signal,
                   const EncodeOptions& options);

// WaveformAnnotationSequence from metadata's coded measurements and statements; nothing if none.
void WriteAnnotations(DcmItem& dataset, const EcgMetadata& metadata);

}  // namespace ecg::dicom
