// Synthetic ECGs for tests, benchmarks and demos: realistic 12-lead ECGs of synthetic patients.
//
// A dynamical beat model drives a 3-D cardiac dipole (a sum of Gaussian waves for P, Q, R, S, T
// in each vectorcardiogram axis); the dipole is projected onto the 12 leads with a per-patient
// lead-field (Dower-like matrix perturbed per patient), so each patient has a stable individual
// morphology. Each ECG adds beat-to-beat variability of RR and amplitudes, muscle noise, mains
// hum and baseline wander. Visits are spread over months to years; a patient may drift slowly
// (heart rate, QRS widening, T-wave flattening).
//
// Model (parameters in docs/formats.md): per wave (P, Q, R, S, T and a late T component) a
// Gaussian in each VCG axis (X left, Y inferior, Z posterior, mV) centred at a fixed offset from
// the R peak (the T offset and width scale with sqrt(RR), Bazett); per patient the wave
// amplitudes, widths and timings, the electrical axis (a rotation of the whole dipole, and of
// T against QRS) and the lead field (Dower matrix + noise) are drawn once; per visit the
// electrode placement, posture, heart rate and amplitudes jitter slightly; per beat RR follows
// respiratory sinus arrhythmia + a 0.1 Hz LF wave + white jitter and amplitudes jitter by a few
// percent. The dipole is projected onto I, II, V1..V6; III, aVR, aVL, aVF follow exactly from
// the rounded I and II (III = II - I exactly; the augmented leads rounded to the nearest uV).
// Noise per lead: white muscle noise, 50 or 60 Hz hum (per patient), baseline wander at the
// respiratory rate and below 0.15 Hz. A drifting patient changes per year of elapsed time: heart
// rate +-3..8 bpm, QRS widths +5..15%, T amplitude -15..30% (capped).
//
// Deterministic: the same options give the same patients and ECGs. Each patient and visit draws
// from its own stream (splitmix64/xoshiro256**, own normal sampler, waveform/random.h), so
// patient p's visit v is the same whatever `patients` and `ecgs_per_patient` are. Samples are
// whole microvolts, computed in double precision with std::exp/sin: identical on every machine
// with a glibc-class libm (last-ulp libm differences could flip a rounding only at exact halves).
// Thread-safe: no shared state. Errors: Error::InvalidArgument for a non-positive rate or
// duration.
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

// What the generator knows about one ECG: ground truth for tests of measurements.
struct SynthTruth {
  double heart_rate_bpm = 0;           // 60 / mean RR of the beats inside the ECG
  std::vector<double> r_peak_times_s;  // every R peak inside the ECG, seconds from its start
  bool drifting = false;               // the patient changes across visits
  double years_since_first_visit = 0;
  double qrs_width_scale = 1;  // QRS widths relative to the patient's own baseline (drift)
  double t_wave_scale = 1;     // T amplitude relative to the patient's own baseline (drift)
};

struct SyntheticEcg {
  // PatientID "SYNTH-<n>" (n = patient_index, at least 6 digits), 2.25.* UIDs derived from the
  // seed, sex, birth date, age, acquisition time (UTC), manufacturer "orthanc-ecg synth". The
  // SOP class is left empty: the encoder chooses it from the signal.
  EcgMetadata metadata;
  EcgSignal signal;      // 12 leads recorded, whole microvolts, at options.sample_rate_hz
  size_t patient_index;  // 0-based
  size_t visit_index;    // 0-based, in time order
  SynthTruth truth;
};

// All ECGs of all patients, patient by patient, visits in time order. Holds everything in
// memory (about 240 KB per 10 s ECG at 500 Hz): for large cohorts, loop over patients with
// SynthesisePatient instead.
std::vector<SyntheticEcg> SynthesiseCohort(const SynthOptions& options);

// The options.ecgs_per_patient ECGs of one patient (options.patients is not consulted), the
// same as that patient's part of SynthesiseCohort.
std::vector<SyntheticEcg> SynthesisePatient(const SynthOptions& options, size_t patient_index);

}  // namespace ecg
