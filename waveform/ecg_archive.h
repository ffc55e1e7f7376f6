// EcgArchive: the training-data file format, written by storage/ (export from the store) and by
// `orthanc-ecg synth`/`wfdb2dcm --archive`/`eval --export-archive`, read by learning/ (the
// trainer, the evaluator) and the worker's embedding.
//
// One file holds fixed-size records so that a reader can seek to record i directly and stream
// in bounded memory. All integers little-endian.
//   header (32 bytes): magic "ECGARCH1" (8) | uint32 version (1 or 2) | uint32 sample_rate_hz |
//                      uint32 samples_per_lead | uint32 r_peak_capacity (version 2; 0 in
//                      version 1) | uint64 reserved = 0
//   record:            int64 ecg_key | int64 patient_key | int64 acquisition_time_ms
//                      (INT64_MIN when unknown) | uint32 lead_mask (LeadMask::Pack) |
//                      uint32 valid_samples |
//                      [version 2 only: uint32 r_peak_count (kNoStoredRPeaks: none stored for
//                      this record) | int32 r_peaks[r_peak_capacity], the first r_peak_count
//                      used, the rest -1] |
//                      int16 samples_uV[12 * samples_per_lead], lead-major
// Signals longer than samples_per_lead are cut to their first samples_per_lead samples; shorter
// ones are zero-padded and valid_samples says how many are real. Samples are whole microvolts
// clamped to the int16 range (+-32.767 mV, beyond any diagnostic ECG). The record count is
// (file size - 32) / record size; a truncated last record is a Corruption error on open.
//
// R peaks (version 2): the expensive per-ECG work of training, kept in the file so that it is
// done once at export instead of at every read. The writer detects them (waveform/measurements.h
// DetectRPeaks, default options) on the record exactly as a reader gets it back (cut, padded,
// rounded to whole microvolts), so they equal what detection on the read record gives. They are
// sample indices at the file's rate, increasing, each in [0, samples_per_lead).
// r_peak_capacity (samples_per_lead / the detector's shortest RR + 2) holds every peak the
// detector can find; a record whose peaks would not fit is written without them
// (kNoStoredRPeaks) and its reader detects them. Version 1 files (before R peaks were kept)
// still read: their records have no stored peaks. A reader rejects a version it does not know.
//
// Writer and reader are not thread-safe; use one per thread. Errors: Error::Corruption for a bad
// or truncated file or stored R peaks that are out of range or not increasing (the message names
// the file, the record and the peak), Error::InvalidArgument for a signal whose rate differs
// from the file's, Error::Unavailable for I/O failures (with the path in the message).
#pragma once

#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <vector>

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
  // The R peaks stored with the record (sample indices of `signal`, increasing); nullopt when the
  // file or the record has none (version 1): detect them on `signal`.
  std::optional<std::vector<size_t>> r_peaks;
};

// Whether a writer keeps each record's R peaks (version 2, the default) or writes the format of
// before (version 1, no R peaks: for tests of old files and readers of version 1 only).
enum class ArchiveRPeaks { kStore, kNone };

// r_peak_count of a version 2 record whose R peaks are not stored.
constexpr uint32_t kNoStoredRPeaks = 0xFFFFFFFFu;

class EcgArchiveWriter {
 public:
  // Creates (truncates) path. REQUIRES: sample_rate_hz > 0, samples_per_lead > 0.
  EcgArchiveWriter(const std::string& path, uint32_t sample_rate_hz, uint32_t samples_per_lead,
                   ArchiveRPeaks r_peaks = ArchiveRPeaks::kStore);
  ~EcgArchiveWriter();  // closes; errors on close are swallowed: call Close() to see them
  EcgArchiveWriter(const EcgArchiveWriter&) = delete;
  EcgArchiveWriter& operator=(const EcgArchiveWriter&) = delete;

  // REQUIRES: signal.sample_rate_hz() equals the file's rate. Detects and stores the R peaks
  // unless the writer was made with ArchiveRPeaks::kNone.
  void Append(const ArchiveKeys& keys, const EcgSignal& signal);
  void Close();
  uint64_t records_written() const { return records_; }

 private:
  std::string path_;
  std::FILE* file_;
  uint32_t sample_rate_hz_;
  uint32_t samples_per_lead_;
  uint32_t r_peak_capacity_;  // 0: version 1, no R peaks
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
  uint32_t version() const { return version_; }
  // Whether records may carry R peaks (version 2); a record may still have none.
  bool stores_r_peaks() const { return r_peak_capacity_ > 0; }

  // REQUIRES: index < size().
  ArchiveRecord Read(uint64_t index);
  // Keys only, without reading samples (for splits and pairing by patient).
  ArchiveKeys ReadKeys(uint64_t index);

 private:
  // A version 2 record's R peak section at p; Corruption when out of range or not increasing.
  std::optional<std::vector<size_t>> ReadRPeaks(const char* p, uint64_t index) const;

  std::string path_;
  std::FILE* file_;
  uint32_t sample_rate_hz_ = 0;
  uint32_t samples_per_lead_ = 0;
  uint32_t version_ = 0;
  uint32_t r_peak_capacity_ = 0;
  uint64_t count_ = 0;
};

}  // namespace ecg
