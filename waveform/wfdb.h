// WFDB (PhysioNet) import: a record's header (.hea) and signal file (.dat), formats 16 and 212.
//
// ReadWfdbRecord("dir/00001_lr") reads dir/00001_lr.hea and the signal files it names (relative
// to the header's folder), and returns one WaveformGroup ("RHYTHM", original) with channels in
// microvolts and leads identified from the signal descriptions (LeadFromName; "AVR" -> aVR),
// channels in header order.
//
// Header: the record line "name nsig fs[/counter][(base)] [nsamp [HH:MM:SS [DD/MM/YYYY]]]" and
// one line per signal "file format[xN][:skew][+offset] gain[(baseline)][/units] [adcres
// [adczero [initval [checksum [blocksize [description]]]]]]"; '#' lines are comments.
// A gain of 0 means the WFDB default 200; a missing baseline is adczero; missing units are mV.
// Physical value = (raw - baseline) / gain in the signal's units (nV, uV, mV or V, converted to
// uV). Format 16 is 16-bit little-endian two's complement, frames interleaved across the
// signals of one file; format 212 packs two 12-bit samples in three bytes. WFDB's invalid
// sample value (-32768, -2048 for 212) becomes 0 uV and is counted in padding_samples. Missing
// nsamp is taken from the size of the signal file. A non-zero checksum (16-bit sum of a
// signal's samples) is verified when nsamp is given; 0 is not (some writers leave it 0).
//
// Errors: Error::NotFound for a missing header or signal file, Error::Corruption for a malformed
// header, a signal file shorter than the header says or a checksum mismatch, Error::Unsupported for
// other formats, multi-segment records, skew, per-signal sample multipliers, or signals of one
// record at different lengths. Never allocates more than the signal files hold. Thread-safe (no
// state).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "waveform/ecg_record.h"

namespace ecg {

struct WfdbRecord {
  std::string record_name;
  WaveformGroup group;
  // Base date and time from the header when both are present, ms since 1970 read as UTC; the
  // time alone (no date) is ignored.
  std::optional<int64_t> base_time_ms;
};

WfdbRecord ReadWfdbRecord(const std::string& header_path_without_extension);

}  // namespace ecg
