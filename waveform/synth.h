// Synthetic ECGs for tests, benchmarks and demos: realistic 12-lead ECGs of synthetic patients.
//
// A dynamical beat model drives a 3-D cardiac dipole (a sum of Gaussian waves for P, Q, R, S, T
// in each vectorcardiogram axis); the dipole is projected onto the 12 leads with a per-patient
// lead-field (Dower-like matrix perturbed per patient), so each patient has a stable individual
// morphology. Each ECG adds beat-to-beat variability of RR and amplitudes, muscle noise, mains
// hum and baseline wander. Visits are spread over months to years; a patient may drift slowly
// (heart rate, QRS widening, T-wave flattening).
//
// Deterministic: the same seed gives the same patients and ECGs, bit for bit, on every machine.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "waveform/ecg_record.h"
#include "waveform/ecg_signal.h"

namespace ecg {

struct SynthOptions {
  size_t patients = 10;
  size_t ecgs_per_patient = 3;
  uint64_t seed = 1;
  double sample_rate_hz = 500.0;
  double duration_s = 10.0;
  // Fraction of patients whose ECG changes gradually across visits.
  double drifting_fraction = 0.3;
  // Noise level scale: 0 gives clean signals, 1 typical resting-ECG noise.
  double noise_scale = 1.0;
  // First visit date, ms since 1970 (UTC); visits follow at intervals of weeks to years.
  int64_t first_visit_ms = 1262304000000;  // 2010-01-01
};

struct SyntheticEcg {
  EcgMetadata metadata;  // PatientID "SYNTH-<n>", UIDs, sex, birth date, acquisition time
  EcgSignal signal;      // 12 leads recorded, whole microvolts
  size_t patient_index;  // 0-based
};

// All ECGs of all patients, patient by patient, visits in time order.
std::vector<SyntheticEcg> SynthesiseCohort(const SynthOptions& options);

}  // namespace ecg
