// WaveformAnnotationSequence for EncodeEcg: the device's coded measurements (NumericValue with
// ConceptNameCodeSequence and MeasurementUnitsCodeSequence) and its statements
// (UnformattedTextValue), each referring to all channels of group 1.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <cstdio>

#include "waveform/dicom/encoder_parts.h"
#include "waveform/error.h"

namespace ecg::dicom {

namespace {

DcmItem& NewAnnotation(DcmItem& dataset) {
  DcmItem* item = nullptr;
  if (dataset.findOrCreateSequenceItem(DCM_WaveformAnnotationSequence, item, -2).bad()) {
    throw Error::InvalidArgument("EncodeEcg: cannot add a WaveformAnnotationSequence item");
  }
  const Uint16 all_channels_of_group_1[] = {1, 0};
  item->putAndInsertUint16Array(DCM_ReferencedWaveformChannels, all_channels_of_group_1, 2);
  item->putAndInsertUint16(DCM_AnnotationGroupNumber, 1);
  return *item;
}

void WriteMeasurement(DcmItem& dataset, const Measurement& m) {
  const size_t colon = m.code.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == m.code.size()) return;
  DcmItem& item = NewAnnotation(dataset);
  const std::string scheme = m.code.substr(0, colon);
  const std::string value = m.code.substr(colon + 1);
  PutCode(item, DCM_ConceptNameCodeSequence, value, scheme, m.name.empty() ? value : m.name);
  char number[32];
  std::snprintf(number, sizeof(number), "%.10g", m.value);
  PutString(item, DCM_NumericValue, number);
  const std::string unit = m.unit.empty() ? "1" : m.unit;
  PutCode(item, DCM_MeasurementUnitsCodeSequence, unit, "UCUM", unit);
}

}  // namespace

void WriteAnnotations(DcmItem& dataset, const EcgMetadata& metadata) {
  for (const std::string& statement : metadata.statements) {
    if (!statement.empty()) PutString(NewAnnotation(dataset), DCM_UnformattedTextValue, statement);
  }
  for (const Measurement& m : metadata.measurements) WriteMeasurement(dataset, m);
}

}  // namespace ecg::dicom
