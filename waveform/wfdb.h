// WFDB (PhysioNet) import: a record's header (.hea) and signal file (.dat), formats 16 and 212.
//
// ReadWfdbRecord("dir/00001_lr") reads dir/00001_lr.hea and the signal file it names, and returns
// one WaveformGroup ("RHYTHM") with channels in microvolts ((raw - baseline) / gain, gain in
// ADC units per mV unless the header says otherwise) and leads identified from the signal
// descriptions. Errors: Error::NotFound for a missing file, Error::Corruption for a malformed
// header or a signal file shorter than the header says, Error::Unsupported for other formats.
#pragma once

#include <string>

#include "waveform/ecg_record.h"

namespace ecg {

struct WfdbRecord {
  std::string record_name;
  WaveformGroup group;
  // Base date and time from the header when present, ms since 1970 read as UTC.
  std::optional<int64_t> base_time_ms;
};

WfdbRecord ReadWfdbRecord(const std::string& header_path_without_extension);

}  // namespace ecg
