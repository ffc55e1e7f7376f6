#include "waveform/dicom/metadata_reader.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <cctype>

#include "waveform/dicom/dataset_access.h"
#include "waveform/dicom/dicom_time.h"

namespace ecg::dicom {

namespace {

constexpr int64_t kMsPerMinute = 60000;

struct Acquisition {
  std::optional<int64_t> wall_clock_ms;
  std::optional<int> offset_minutes;
  const char* source = "";
};

Acquisition FindAcquisitionTime(const ItemView& dataset) {
  Acquisition found;
  if (auto dt = ParseDateTime(dataset.GetString(DCM_AcquisitionDateTime))) {
    return {dt->ms_since_epoch, dt->utc_offset_minutes, "acquisition"};
  }
  if (auto t = ParseDateAndTime(dataset.GetString(DCM_ContentDate),
                                dataset.GetString(DCM_ContentTime))) {
    return {t, std::nullopt, "content"};
  }
  if (auto t =
          ParseDateAndTime(dataset.GetString(DCM_StudyDate), dataset.GetString(DCM_StudyTime))) {
    return {t, std::nullopt, "study"};
  }
  return found;
}

void ReadAcquisitionTime(const ItemView& dataset, EcgMetadata* metadata) {
  Acquisition acquisition = FindAcquisitionTime(dataset);
  if (!acquisition.wall_clock_ms) return;
  if (!acquisition.offset_minutes) {
    acquisition.offset_minutes = ParseUtcOffset(dataset.GetString(DCM_TimezoneOffsetFromUTC));
  }
  int64_t ms = *acquisition.wall_clock_ms;
  if (acquisition.offset_minutes) ms -= *acquisition.offset_minutes * kMsPerMinute;
  metadata->acquisition_time_ms = ms;
  metadata->utc_offset_minutes = acquisition.offset_minutes;
  metadata->acquisition_time_source = acquisition.source;
}

std::string NormaliseSex(const std::string& sex) {
  if (sex == "M" || sex == "F" || sex == "O") return sex;
  return {};
}

}  // namespace

std::optional<int> AgeInYears(std::string_view age) {
  if (age.size() != 4) return std::nullopt;
  int value = 0;
  for (size_t i = 0; i < 3; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(age[i]))) return std::nullopt;
    value = value * 10 + (age[i] - '0');
  }
  switch (age[3]) {
    case 'Y':
      return value;
    case 'M':
      return value / 12;
    case 'W':
      return value / 52;
    case 'D':
      return value / 365;
    default:
      return std::nullopt;
  }
}

EcgMetadata ReadMetadata(const ItemView& dataset) {
  EcgMetadata metadata;
  metadata.sop_class_uid = dataset.GetString(DCM_SOPClassUID);
  metadata.sop_instance_uid = dataset.GetString(DCM_SOPInstanceUID);
  metadata.study_instance_uid = dataset.GetString(DCM_StudyInstanceUID);
  metadata.series_instance_uid = dataset.GetString(DCM_SeriesInstanceUID);
  metadata.patient_id = dataset.GetString(DCM_PatientID);
  metadata.issuer_of_patient_id = dataset.GetString(DCM_IssuerOfPatientID);
  metadata.birth_date = dataset.GetString(DCM_PatientBirthDate);
  metadata.sex = NormaliseSex(dataset.GetString(DCM_PatientSex));
  metadata.patient_age_years = AgeInYears(dataset.GetString(DCM_PatientAge));
  metadata.manufacturer = dataset.GetString(DCM_Manufacturer);
  metadata.model = dataset.GetString(DCM_ManufacturerModelName);
  ReadAcquisitionTime(dataset, &metadata);
  return metadata;
}

}  // namespace ecg::dicom
