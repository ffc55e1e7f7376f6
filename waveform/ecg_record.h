// EcgRecord: one ECG as read from a file, before canonicalisation.
//
// It keeps what the source said: each waveform group (multiplex group in DICOM) at its own rate,
// channels in the source's order with the lead they were identified as, samples already converted
// to microvolts (sensitivity x correction factor + baseline, padding samples set to 0 and counted)
// in a SampleBuffer (waveform/sample_buffer.h).
// The metadata holds only what the features need; the patient's name is never read.
// Plain value types; no invariants beyond those stated per field.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "waveform/lead.h"
#include "waveform/sample_buffer.h"

namespace ecg {

struct Channel {
  std::string label;          // the source's own label or code meaning, for display
  std::string source_code;    // the coded lead (e.g. "5.6.3-9-1", "2:1"), empty if none
  std::optional<Lead> lead;   // nullopt: not a standard 12-lead channel (kept, not canonicalised)
  SampleBuffer samples_uV;    // resize() does not zero (waveform/sample_buffer.h)
  size_t padding_samples = 0;  // samples equal to WaveformPaddingValue, stored as 0 uV
};

struct WaveformGroup {
  std::string label;        // MultiplexGroupLabel, e.g. "RHYTHM", "MEDIAN BEAT"
  bool original = true;     // WaveformOriginality == ORIGINAL
  double sample_rate_hz = 0;
  size_t samples_per_channel = 0;
  std::vector<Channel> channels;

  double duration_ms() const {
    return sample_rate_hz > 0 ? 1000.0 * samples_per_channel / sample_rate_hz : 0.0;
  }
};

// A value the device measured or stated, from the waveform annotations.
struct Measurement {
  std::string name;   // concept name meaning, e.g. "QRS Duration"
  std::string code;   // "scheme:value", e.g. "SCPECG:5.10.3-1", empty if none
  double value = 0;
  std::string unit;   // UCUM code, e.g. "ms", "uV", "/min"
};

struct EcgMetadata {
  std::string sop_class_uid;
  std::string sop_instance_uid;
  std::string study_instance_uid;
  std::string series_instance_uid;
  std::string patient_id;            // PHI: never log it
  std::string issuer_of_patient_id;  // PHI: never log it
  std::string birth_date;            // DICOM DA, YYYYMMDD, empty if unknown
  std::string sex;                   // "M", "F", "O" or empty
  std::optional<int> patient_age_years;  // PatientAge (AS) when given, e.g. by PTB-XL metadata
  // The device's wall clock at acquisition, as milliseconds since 1970-01-01 read as UTC. DICOM
  // times carry no zone unless TimezoneOffsetFromUTC is present; when it is, the value is true UTC
  // and utc_offset_minutes holds it.
  std::optional<int64_t> acquisition_time_ms;
  std::optional<int> utc_offset_minutes;
  std::string acquisition_time_source;  // "acquisition", "content", "study" or empty
  std::string manufacturer;
  std::string model;
  std::optional<double> low_frequency_filter_hz;
  std::optional<double> high_frequency_filter_hz;
  std::optional<double> notch_filter_hz;
  std::vector<Measurement> measurements;
  std::vector<std::string> statements;  // free-text or coded interpretation statements
};

struct EcgRecord {
  EcgMetadata metadata;
  WaveformGroup rhythm;                     // RHYTHM, else the longest ORIGINAL group
  std::optional<WaveformGroup> median_beat;  // "MEDIAN BEAT"/"REPRESENTATIVE BEAT" if present
  std::vector<WaveformGroup> other_groups;   // every other group, in file order
};

}  // namespace ecg
