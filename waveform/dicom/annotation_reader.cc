#include "waveform/dicom/annotation_reader.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <cmath>

#include "waveform/dicom/dataset_access.h"

namespace ecg::dicom {

namespace {

bool ReadMeasurement(DcmItem& item, Measurement* out) {
  const auto value = GetNumber(item, DCM_NumericValue);
  if (!value || !std::isfinite(*value)) return false;
  out->value = *value;
  if (DcmItem* name = GetItem(item, DCM_ConceptNameCodeSequence)) {
    out->name = GetString(*name, DCM_CodeMeaning);
    const std::string scheme = GetString(*name, DCM_CodingSchemeDesignator);
    const std::string code = GetString(*name, DCM_CodeValue);
    if (!code.empty()) out->code = scheme + ":" + code;
  }
  if (DcmItem* unit = GetItem(item, DCM_MeasurementUnitsCodeSequence)) {
    out->unit = GetString(*unit, DCM_CodeValue);
  }
  return true;
}

std::string ReadStatement(DcmItem& item) {
  std::string text = GetString(item, DCM_UnformattedTextValue);
  if (!text.empty()) return text;
  if (DcmItem* concept_code = GetItem(item, DCM_ConceptCodeSequence)) {
    return GetString(*concept_code, DCM_CodeMeaning);
  }
  return {};
}

}  // namespace

void ReadAnnotations(DcmDataset& dataset, EcgMetadata* metadata) {
  const auto count = CountItems(dataset, DCM_WaveformAnnotationSequence).value_or(0);
  for (unsigned long i = 0; i < count; ++i) {
    DcmItem* item = GetItem(dataset, DCM_WaveformAnnotationSequence, i);
    if (item == nullptr) continue;
    Measurement measurement;
    if (ReadMeasurement(*item, &measurement)) {
      metadata->measurements.push_back(std::move(measurement));
      continue;
    }
    std::string statement = ReadStatement(*item);
    if (!statement.empty()) metadata->statements.push_back(std::move(statement));
  }
}

}  // namespace ecg::dicom
