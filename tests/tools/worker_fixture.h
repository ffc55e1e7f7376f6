// Shared by the training worker's tests (tests/tools/worker_test.cc) and the plugin's training
// tests (tests/plugin/training_test.cc): synthetic patients written straight into a store, and a
// tiny CPU training configuration (config/model-tiny.json with few steps), so that a whole run
// takes seconds on the 2-core CI machine.
#pragma once

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/ecg_store.h"
#include "tests/support/test_env.h"
#include "waveform/synth.h"

namespace ecg::testing {

// An ID in Orthanc's shape (5 groups of 8 hex digits), unique per (seed, patient, visit, level).
inline std::string SyntheticOrthancId(uint64_t seed, size_t patient, size_t visit, int level) {
  char id[64];
  std::snprintf(id, sizeof id, "%08llx-%08zx-%08zx-00000000-%08x",
                static_cast<unsigned long long>(seed), patient, visit, level);
  return id;
}

// patients x per_patient synthetic ECGs (seeded); patient numbers start at first_patient so that
// later calls add new patients. Orthanc IDs are made up and unique.
inline void AddSyntheticPatients(EcgStore& store, size_t patients, size_t per_patient,
                                 uint64_t seed, size_t first_patient = 0) {
  SynthOptions options;
  options.patients = patients;
  options.ecgs_per_patient = per_patient;
  options.seed = seed;
  std::vector<IngestedEcg> batch;
  for (const SyntheticEcg& ecg : SynthesiseCohort(options)) {
    const size_t patient = first_patient + ecg.patient_index;
    const std::string tag = std::to_string(patient) + "-" + std::to_string(ecg.visit_index);
    IngestedEcg in;
    in.orthanc = {SyntheticOrthancId(seed, patient, ecg.visit_index, 1),
                  SyntheticOrthancId(seed, patient, ecg.visit_index, 2),
                  SyntheticOrthancId(seed, patient, ecg.visit_index, 3),
                  SyntheticOrthancId(seed, patient, 0, 4)};
    in.metadata = ecg.metadata;
    in.metadata.patient_id = "W-" + std::to_string(first_patient + ecg.patient_index);
    in.metadata.sop_instance_uid = "2.25.77" + std::to_string(seed) + "." + tag;
    in.metadata.sop_class_uid = "1.2.840.10008.5.1.4.1.1.9.1.1";
    in.signal = ecg.signal;
    batch.push_back(std::move(in));
  }
  store.UpsertEcgs(batch);
}

// config/model-tiny.json with `steps` steps of 8 patients, a third of the patients held out,
// one CPU thread, no checkpoints; written to path.
inline void WriteTinyTrainingConfig(const std::string& path, int64_t steps) {
  nlohmann::json config =
      nlohmann::json::parse(std::ifstream(SourcePath("config/model-tiny.json")));
  config["train"].update({{"steps", steps},
                          {"batch_patients", 8},
                          {"validation_fraction", 0.34},
                          {"validation_batches", 1},
                          {"cpu_threads", 1},
                          {"log_every", 2},
                          {"checkpoint_every", 0},
                          {"device", "cpu"}});
  std::ofstream(path) << config.dump(2);
}

}  // namespace ecg::testing
