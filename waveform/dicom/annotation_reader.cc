#include "waveform/dicom/annotation_reader.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <cmath>

#include "waveform/dicom/dataset_access.h"

namespace ecg::dicom {

namespace {

bool ReadMeasurement(const ItemView& item, Measurement* out) {
  const auto value = item.GetNumber(DCM_NumericValue);
  if (!value || !std::isfinite(*value)) return false;
  out->value = *value;
  if (const ItemView* name = item.GetItem(DCM_ConceptNameCodeSequence)) {
    out->name = name->GetString(DCM_CodeMeaning);
    const std::string scheme = name->GetString(DCM_CodingSchemeDesignator);
    const std::string code = name->GetString(DCM_CodeValue);
    if (!code.empty()) out->code = scheme + ":" + code;
  }
  if (const ItemView* unit = item.GetItem(DCM_MeasurementUnitsCodeSequence)) {
    out->unit = unit->GetString(DCM_CodeValue);
  }
  return true;
}

std::string ReadStatement(const ItemView& item) {
  std::string text = item.GetString(DCM_UnformattedTextValue);
  if (!text.empty()) return text;
  if (const ItemView* concept_code = item.GetItem(DCM_ConceptCodeSequence)) {
    return concept_code->GetString(DCM_CodeMeaning);
  }
  return {};
}

}  // namespace

void ReadAnnotations(const ItemView& dataset, EcgMetadata* metadata) {
  const auto count = dataset.CountItems(DCM_WaveformAnnotationSequence).value_or(0);
  for (unsigned long i = 0; i < count; ++i) {
    const ItemView* item = dataset.GetItem(DCM_WaveformAnnotationSequence, i);
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
