// EcgDataset: training data from EcgArchive files (waveform/ecg_archive.h), read in bounded
// memory: only keys are held (about 40 bytes per ECG); samples are read from the files per batch.
//
// Patients are grouped by patient_key across all files, their ECGs ordered by acquisition time.
// SplitPatients puts each patient in train or validation by a hash of (patient_key, a seed derived
// from seed for this purpose), so the split is patient-disjoint, stable when data is added and
// independent of the evaluation's splits. SamplePairs draws distinct patients and
// for each a pair of views: two different ECGs when the patient has several, else the same ECG
// twice (the objectives augment the views). SampleEcgs draws one ECG of each of distinct patients,
// for objectives that need no pair (half the reading).
//
// Inputs to the model (PrepareEcg): the centre window of config.window_s at 500 Hz (zero-padded
// when shorter; a random offset when training and the ECG is longer), in millivolts, with R peaks
// (learning/beats.h) at 500 Hz relative to the window, at most config.max_beats, -1 padded.
// The R peaks are those stored in the archive record when it has them (detected once, at
// export: waveform/ecg_archive.h), else detected on the record (waveform/measurements.h) at
// every read, as for archives written before R peaks were kept; both give the same peaks.
//
// Not thread-safe (archive readers seek). Errors: Error::NotFound for a missing path,
// Error::InvalidArgument for archives whose rate is not 500 Hz or an empty data set,
// Error::Corruption from the archive reader.
#pragma once

#include <torch/types.h>

#include <array>
#include <nlohmann/json.hpp>
#include <optional>

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "learning/model_config.h"
#include "waveform/ecg_archive.h"

namespace ecg::learning {

// Purposes of the seeded patient splits: each split derives its own seed from (seed, purpose)
// (waveform/random.h DeriveSeed), so the trainer's validation split and the evaluation's probe
// split are independent even with the same seed.
constexpr uint64_t kValidationSplitPurpose = 1;
constexpr uint64_t kProbeSplitPurpose = 2;

struct EcgBatch {
  torch::Tensor signals_mV;    // [B, 12, window_samples_source] at 500 Hz
  torch::Tensor peaks;         // [B, max_beats] int64 at 500 Hz, -1 padding
  torch::Tensor lead_present;  // [B, 12] bool
};

struct PairBatch {
  EcgBatch a, b;
  torch::Tensor timed_pair;  // [P] bool: different ECGs, both times known
  torch::Tensor gap_days;    // [P] float: (time_b - time_a) in days, 0 when not timed
};

struct PreparedEcg {
  std::vector<float> signals_mV;  // 12 * window_samples_source, lead-major
  std::vector<int64_t> peaks;     // max_beats, -1 padded
  std::array<bool, kLeadCount> present{};
};

// offset: first sample of the window; nullopt centres it. r_peaks: the signal's R peaks (sample
// indices of `signal`, increasing, e.g. ArchiveRecord::r_peaks); nullptr detects them.
PreparedEcg PrepareEcg(const EcgSignal& signal, size_t valid_samples, const ModelConfig& config,
                       std::optional<size_t> offset = std::nullopt,
                       const std::vector<size_t>* r_peaks = nullptr);
// The same for an archive record: its stored R peaks when it has them.
PreparedEcg PrepareRecord(const ArchiveRecord& record, const ModelConfig& config,
                          std::optional<size_t> offset = std::nullopt);
EcgBatch StackBatch(const std::vector<PreparedEcg>& ecgs, const ModelConfig& config);

// All *.ecgarch files of a directory (sorted), or the file itself.
std::vector<std::string> ListArchives(const std::string& dir_or_file);

struct PatientSplit {
  std::vector<size_t> train;       // patient indices
  std::vector<size_t> validation;  // patient indices
};

struct DataSummary {
  size_t ecgs = 0;
  size_t patients = 0;
  size_t patients_with_several = 0;
  nlohmann::json ToJson() const;
};

class EcgDataset {
 public:
  explicit EcgDataset(const std::vector<std::string>& archive_paths);

  size_t ecg_count() const { return entries_.size(); }
  size_t patient_count() const { return patients_.size(); }
  DataSummary Summary() const;
  // ECG indices of a patient, ordered by acquisition time.
  const std::vector<size_t>& patient_ecgs(size_t patient) const { return patients_[patient]; }
  const ArchiveKeys& keys(size_t ecg) const { return entries_[ecg].keys; }

  PatientSplit SplitPatients(double validation_fraction, uint64_t seed) const;

  // Reads one ECG. rng: random window offset when given, else centred.
  PreparedEcg Load(size_t ecg, const ModelConfig& config, std::mt19937_64* rng = nullptr);
  // count distinct patients from the given ones (all of them if fewer).
  PairBatch SamplePairs(const std::vector<size_t>& patients, size_t count,
                        const ModelConfig& config, std::mt19937_64& rng);
  // count distinct patients, one of each patient's ECGs (drawn at random) with a random window.
  EcgBatch SampleEcgs(const std::vector<size_t>& patients, size_t count, const ModelConfig& config,
                      std::mt19937_64& rng);

 private:
  struct Entry {
    size_t file;
    uint64_t index;
    ArchiveKeys keys;
  };
  std::vector<std::unique_ptr<EcgArchiveReader>> readers_;
  std::vector<Entry> entries_;
  std::vector<std::vector<size_t>> patients_;
};

}  // namespace ecg::learning
