// The EcgMetadata of a DICOM dataset (waveform/ecg_record.h): patient (ID and issuer, birth date,
// sex, age; never the name), acquisition time (AcquisitionDateTime, else ContentDate +
// ContentTime, else StudyDate + StudyTime; TimezoneOffsetFromUTC or a DT suffix makes it UTC),
// UIDs, manufacturer and model. Filters come from the waveform groups (waveform_group_reader.h),
// measurements and statements from annotation_reader.h. Never throws: absent or malformed
// values are left empty. Pure, thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "waveform/dicom/item_view.h"

#include "waveform/ecg_record.h"

namespace ecg::dicom {

EcgMetadata ReadMetadata(const ItemView& dataset);

// PatientAge (AS, "042Y", "006M", "010W", "003D") in whole years; nullopt if malformed.
std::optional<int> AgeInYears(std::string_view age);

}  // namespace ecg::dicom
