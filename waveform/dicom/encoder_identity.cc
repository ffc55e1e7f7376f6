// SOP common, patient, study, series, equipment, waveform identification and acquisition context
// modules of the ECG IODs (PS3.3 A.34), for EncodeEcg.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <chrono>
#include <cstdio>

#include "waveform/dicom/dataset_access.h"
#include "waveform/dicom/dicom_time.h"
#include "waveform/dicom/encoder_parts.h"
#include "waveform/error.h"

namespace ecg::dicom {

namespace {

constexpr int64_t kMsPerMinute = 60000;

std::string UidOr(const std::string& uid) {
  if (!uid.empty()) return uid;
  char buffer[100];
  dcmGenerateUniqueIdentifier(buffer, SITE_INSTANCE_UID_ROOT);
  return buffer;
}

std::string FormatAge(const std::optional<int>& years) {
  if (!years || *years < 0 || *years > 999) return {};
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "%03dY", *years);
  return buffer;
}

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void WritePatient(DcmItem& dataset, const EcgMetadata& metadata) {
  PutString(dataset, DCM_PatientName, "");
  PutString(dataset, DCM_PatientID, metadata.patient_id);
  if (!metadata.issuer_of_patient_id.empty()) {
    PutString(dataset, DCM_IssuerOfPatientID, metadata.issuer_of_patient_id);
  }
  PutString(dataset, DCM_PatientBirthDate, metadata.birth_date);
  PutString(dataset, DCM_PatientSex, metadata.sex);
  const std::string age = FormatAge(metadata.patient_age_years);
  if (!age.empty()) PutString(dataset, DCM_PatientAge, age);
}

// Acquisition, content and study times: the device's wall clock (UTC shifted by the offset
// when one is known), now when the metadata has no time.
void WriteTimes(DcmItem& dataset, const EcgMetadata& metadata) {
  int64_t local_ms = metadata.acquisition_time_ms.value_or(NowMs());
  if (metadata.acquisition_time_ms && metadata.utc_offset_minutes) {
    local_ms += *metadata.utc_offset_minutes * kMsPerMinute;
    PutString(dataset, DCM_TimezoneOffsetFromUTC, FormatUtcOffset(*metadata.utc_offset_minutes));
  }
  PutString(dataset, DCM_StudyDate, FormatDate(local_ms));
  PutString(dataset, DCM_StudyTime, FormatTime(local_ms));
  PutString(dataset, DCM_ContentDate, FormatDate(local_ms));
  PutString(dataset, DCM_ContentTime, FormatTime(local_ms));
  PutString(dataset, DCM_AcquisitionDateTime, FormatDateTime(local_ms));
}

void WriteStudySeriesEquipment(DcmItem& dataset, const EcgMetadata& metadata) {
  PutString(dataset, DCM_StudyInstanceUID, UidOr(metadata.study_instance_uid));
  PutString(dataset, DCM_ReferringPhysicianName, "");
  PutString(dataset, DCM_StudyID, "1");
  PutString(dataset, DCM_AccessionNumber, "");
  PutString(dataset, DCM_Modality, "ECG");
  PutString(dataset, DCM_SeriesInstanceUID, UidOr(metadata.series_instance_uid));
  PutString(dataset, DCM_SeriesNumber, "1");
  PutString(dataset, DCM_InstanceNumber, "1");
  PutString(dataset, DCM_Manufacturer, metadata.manufacturer);
  if (!metadata.model.empty()) PutString(dataset, DCM_ManufacturerModelName, metadata.model);
}

}  // namespace

void PutString(DcmItem& item, const DcmTagKey& tag, const std::string& value) {
  if (item.putAndInsertString(tag, value.c_str()).bad()) {
    throw Error::InvalidArgument("EncodeEcg: cannot set " + TagName(tag) +
                                 " (value not valid for its VR?)");
  }
}

void PutCode(DcmItem& item, const DcmTagKey& sequence, std::string_view value,
             std::string_view scheme, std::string_view meaning) {
  DcmItem* code = nullptr;
  if (item.findOrCreateSequenceItem(sequence, code, -2).bad() || code == nullptr) {
    throw Error::InvalidArgument("EncodeEcg: cannot add an item to " + TagName(sequence));
  }
  PutString(*code, DCM_CodeValue, std::string(value));
  PutString(*code, DCM_CodingSchemeDesignator, std::string(scheme));
  if (scheme == "SCPECG") PutString(*code, DCM_CodingSchemeVersion, "1.3");
  PutString(*code, DCM_CodeMeaning, std::string(meaning));
}

void WriteIdentity(DcmItem& dataset, const EcgMetadata& metadata, std::string_view sop_class) {
  PutString(dataset, DCM_SpecificCharacterSet, "ISO_IR 192");
  PutString(dataset, DCM_SOPClassUID, std::string(sop_class));
  PutString(dataset, DCM_SOPInstanceUID, UidOr(metadata.sop_instance_uid));
  WritePatient(dataset, metadata);
  WriteTimes(dataset, metadata);
  WriteStudySeriesEquipment(dataset, metadata);
  dataset.insertEmptyElement(DCM_AcquisitionContextSequence);
}

}  // namespace ecg::dicom
