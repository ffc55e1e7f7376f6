// Synthetic training data for the learning tests: a SynthesiseCohort cohort written to an
// EcgArchive (canonical 500 Hz, 10 s), patient_key = patient index + 1; with the R peaks stored
// (the current format) unless r_peaks says kNone (the format of before, version 1).
#pragma once

#include <string>

#include "waveform/ecg_archive.h"
#include "waveform/synth.h"

namespace ecg::testing {

inline void WriteSyntheticArchive(const std::string& path, size_t patients, size_t ecgs_per_patient,
                                  uint64_t seed, ArchiveRPeaks r_peaks = ArchiveRPeaks::kStore) {
  SynthOptions options;
  options.patients = patients;
  options.ecgs_per_patient = ecgs_per_patient;
  options.seed = seed;
  EcgArchiveWriter writer(path, 500, 5000, r_peaks);
  int64_t ecg_key = 1;
  for (const SyntheticEcg& ecg : SynthesiseCohort(options)) {
    ArchiveKeys keys;
    keys.ecg_key = ecg_key++;
    keys.patient_key = static_cast<int64_t>(ecg.patient_index) + 1;
    keys.acquisition_time_ms = ecg.metadata.acquisition_time_ms.value_or(kUnknownTime);
    writer.Append(keys, ecg.signal);
  }
  writer.Close();
}

}  // namespace ecg::testing
