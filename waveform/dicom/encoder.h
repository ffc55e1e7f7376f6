// DICOM ECG encoding: an EcgSignal plus metadata in, a DICOM Part-10 file out.
//
// Writes the leads whose status is kRecorded (derived leads are left out, as a cardiograph
// would), 16-bit signed (SS), SCPECG lead codes (5.6.3-9-x) with their meanings, one RHYTHM
// multiplex group, and a ChannelSensitivity in uV chosen so the largest sample fits in int16
// (at least the requested resolution). The SOP class is 12-Lead ECG when the rate is 200-1000 Hz,
// the duration at most 16 s and only the 12 standard leads are present, General ECG for longer
// or 200-1000 Hz recordings, and Ambulatory ECG otherwise (e.g. PTB-XL's 100 Hz records).
// Missing UIDs are generated (DCMTK's UID root). AcquisitionDateTime, ContentDate/Time and
// StudyDate/Time hold metadata.acquisition_time_ms shifted by utc_offset_minutes (then also
// written as TimezoneOffsetFromUTC), or the current time when the metadata has none (they are
// type 1). Statements, and measurements whose code reads "scheme:value", become waveform
// annotations; the patient's name is written empty. The result passes dciodvfy without errors and
// DecodeEcg(EncodeEcg(x)) equals x within one quantisation step.
// Errors: Error::InvalidArgument when no lead is recorded, the signal is empty or a sample is
// not finite.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "waveform/ecg_record.h"
#include "waveform/ecg_signal.h"

namespace ecg::dicom {

struct EncodeOptions {
  // Finest sensitivity used when the signal's range allows it; 1 uV loses nothing of a
  // canonical signal (whole microvolts).
  double resolution_uV = 1.0;
};

std::vector<uint8_t> EncodeEcg(const EcgMetadata& metadata, const EcgSignal& signal,
                               const EncodeOptions& options = {});
void WriteEcgFile(const std::string& path, const EcgMetadata& metadata, const EcgSignal& signal,
                  const EncodeOptions& options = {});

}  // namespace ecg::dicom
