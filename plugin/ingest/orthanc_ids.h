// orthanc_ids: an instance's Orthanc IDs and its parents', computed from its DICOM identifiers the
// way Orthanc computes them (DicomInstanceHasher), so that the ingest path need not ask Orthanc's
// database for them while Orthanc is busy storing.
//
// Orthanc's ID of a patient is the SHA-1 of its PatientID; of a study, of
// "PatientID|StudyInstanceUID"; of a series, of "PatientID|StudyInstanceUID|SeriesInstanceUID";
// of an instance, of all four joined the same way (SHA-1 in Orthanc's dashed 8-8-8-8-8 form).
// The result is trusted only when the computed instance ID equals the one Orthanc gave: a file
// whose identifiers Orthanc read differently from the decoder (padding, character sets) gives
// nullopt, and the caller asks Orthanc instead. UIDs hold no '|', so a match pins every part.
//
// Thread-safe if `sha1` is (Orthanc's is).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "storage/ecg_store.h"
#include "waveform/ecg_record.h"

namespace ecg::plugin {

using Sha1Function = std::function<std::string(const std::string&)>;

std::optional<OrthancIds> ComputeOrthancIds(const EcgMetadata& metadata,
                                            const std::string& instance_id,
                                            const Sha1Function& sha1);

}  // namespace ecg::plugin
