// OneSyntheticEcg: the first ECG of a one-patient synthetic cohort (waveform/synth.h), canonical
// 500 Hz, 10 s, 12 leads, deterministic for a seed. For waveform tests that need a realistic signal.
#pragma once

#include <cstdint>

#include "waveform/synth.h"

namespace ecg::testing {

inline EcgSignal OneSyntheticEcg(uint64_t seed) {
  SynthOptions options;
  options.patients = 1;
  options.ecgs_per_patient = 1;
  options.seed = seed;
  return SynthesiseCohort(options).at(0).signal;
}

}  // namespace ecg::testing
