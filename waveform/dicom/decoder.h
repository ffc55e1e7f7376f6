// DICOM ECG decoding: bytes of a DICOM file in, EcgRecord out (waveform/ecg_record.h).
//
// Reads every multiplex group of the WaveformSequence. The rhythm group is the one labelled
// RHYTHM, else the longest ORIGINAL group; a "MEDIAN BEAT"/"REPRESENTATIVE BEAT" group is kept as
// median_beat; the rest go to other_groups. Samples become microvolts: raw x ChannelSensitivity x
// ChannelSensitivityCorrectionFactor + ChannelBaseline (PS3.3 C.10.9.1.4.3: the baseline is in
// the sensitivity's units), in the units of ChannelSensitivityUnitsSequence (nV, uV, mV, V), for
// SB/UB/SS/US at 8 or 16 bits; samples equal to WaveformPaddingValue become 0 and are counted.
// Leads are identified by channel source code (SCPECG 5.6.3-9-x, MDC 2:x and legacy variants), else
// by the channel label.
//
// Never trusts sizes in the file: every count is checked against DecodeOptions' caps and against
// the bytes actually present before anything is allocated. Errors (all ecg::Error, the message
// names the tag or group that failed, never patient data):
//   Corruption   - not DICOM, truncated, missing WaveformSequence, data length != channels x
//                  samples, zero channels, NaN or zero sensitivity, ...
//   Unsupported  - a non-waveform SOP class, a waveform class without ECG leads, mu-law/A-law
//                  interpretation, unknown units, sizes beyond the caps.
// Parsing: a zero-copy native parser for Explicit VR Little Endian Part-10 files (what devices
// and EncodeEcg write), DCMTK for every other transfer syntax or layout (item_view.h).
// Thread-safe: no shared state; DCMTK's dictionary is loaded once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "waveform/ecg_record.h"

namespace ecg::dicom {

struct DecodeOptions {
  // Caps that refuse absurd files before allocating. 24 h at 1 kHz covers Holter recordings.
  size_t max_samples_per_channel = 24ull * 3600 * 1000;
  size_t max_channels = 64;
  size_t max_groups = 16;
  // Skip the samples of groups other than rhythm and median beat (faster ingest).
  bool decode_other_groups = true;
  // Parse with DCMTK even where the faster native parser applies (Explicit VR Little Endian
  // Part-10 files); for comparing the two. Other files always go through DCMTK.
  bool prefer_dcmtk = false;
};

EcgRecord DecodeEcg(const uint8_t* data, size_t size, const DecodeOptions& options = {});
// Reads the file, then DecodeEcg; messages are prefixed with the path. NotFound if unreadable.
EcgRecord DecodeEcgFile(const std::string& path, const DecodeOptions& options = {});

}  // namespace ecg::dicom
