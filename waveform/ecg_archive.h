// EcgArchive: the training-data file format, written by storage/ (export from the store) and by
// `orthanc-ecg synth`/`wfdb2dcm --archive`, read by learning/ (the trainer, the evaluator).
//
// One file holds fixed-size records so that a reader can seek to record i directly and stream
// in bounded memory. All integers little-endian.
//   header (32 bytes): magic "ECGARCH1" (8) | uint32 version = 1 | uint32 sample_rate_hz |
//                      uint32 samples_per_lead | uint32 reserved = 0 | uint64 reserved = 0
//   record:            int64 ecg_key | int64 patient_key | int64 acquisition_time_ms
//                      (INT64_MIN when unknown) | uint32 lead_mask (LeadMask::Pack) |
//                      uint32 valid_samples | int16 samples_uV[12 * samples_per_lead], lead-major
// Signals longer than samples_per_lead are cut to their first samples_per_lead samples; shorter
// ones are zero-padded and valid_samples says how many are real. Samples are whole microvolts
// clamped to the int16 range (+-32.767 mV, beyond any diagnostic ECG). The record count is
// (file size - 32) / record size; a truncated last record is a Corruption error on open.
//
// Writer and reader are not thread-safe; use one per thread. Errors: Error::Corruption for a bad
// or truncated file, Error::InvalidArgument for a signal whose rate differs from the file's,
// Error::Unavailable for I/O failures (with the path in the message).
#pragma once

#include <cstdint>
#include <cstdio>
#include <limits>
#include <string>

#include "waveform/ecg_signal.h"

namespace ecg {

constexpr int64_t kUnknownTime = std::numeric_limits<int64_t>::min();

struct ArchiveKeys {
  int64_t ecg_key = 0;      // the store's ECG key (or any unique id for files not from the store)
  int64_t patient_key = 0;  // the store's patient key; equal keys mean the same patient
  int64_t acquisition_time_ms = kUnknownTime;
};

struct ArchiveRecord {
  ArchiveKeys keys;
  size_t valid_samples = 0;
  EcgSignal signal;  // at the file's rate, samples_per_lead long, zero-padded past valid_samples
};

class EcgArchiveWriter {
 public:
  // Creates (truncates) path. REQUIRES: sample_rate_hz > 0, samples_per_lead > 0.
  EcgArchiveWriter(const std::string& path, uint32_t sample_rate_hz, uint32_t samples_per_lead);
  ~EcgArchiveWriter();  // closes; errors on close are swallowed: call Close() to see them
  EcgArchiveWriter(const EcgArchiveWriter&) = delete;
  EcgArchiveWriter& operator=(const EcgArchiveWriter&) = delete;

  // REQUIRES: signal.sample_rate_hz() equals the file's rate.
  void Append(const ArchiveKeys& keys, const EcgSignal& signal);
  void Close();
  uint64_t records_written() const { return records_; }

 private:
  std::string path_;
  std::FILE* file_;
  uint32_t sample_rate_hz_;
  uint32_t samples_per_lead_;
  uint64_t records_ = 0;
};

class EcgArchiveReader {
 public:
  explicit EcgArchiveReader(const std::string& path);
  ~EcgArchiveReader();
  EcgArchiveReader(const EcgArchiveReader&) = delete;
  EcgArchiveReader& operator=(const EcgArchiveReader&) = delete;

  uint32_t sample_rate_hz() const { return sample_rate_hz_; }
  uint32_t samples_per_lead() const { return samples_per_lead_; }
  uint64_t size() const { return count_; }

  // REQUIRES: index < size().
  ArchiveRecord Read(uint64_t index);
  // Keys only, without reading samples (for splits and pairing by patient).
  ArchiveKeys ReadKeys(uint64_t index);

 private:
  std::string path_;
  std::FILE* file_;
  uint32_t sample_rate_hz_ = 0;
  uint32_t samples_per_lead_ = 0;
  uint64_t count_ = 0;
};

}  // namespace ecg
