// The device's own measurements and statements, from WaveformAnnotationSequence (PS3.3
// C.10.10): an item with NumericValue is a Measurement (name and code from
// ConceptNameCodeSequence, unit from MeasurementUnitsCodeSequence); an item with
// UnformattedTextValue, or else a ConceptCodeSequence, is a statement. Items referring to sample
// positions (temporal annotations without either) are skipped. Never throws; malformed items are
// skipped. Pure, thread-safe.
#pragma once

#include "waveform/dicom/item_view.h"

#include "waveform/ecg_record.h"

namespace ecg::dicom {

// Appends to metadata->measurements and metadata->statements.
void ReadAnnotations(const ItemView& dataset, EcgMetadata* metadata);

}  // namespace ecg::dicom
