// Shared by the storage tests: a fixture with a fresh, migrated database per test on the
// process's PostgreSQL server (tests/support/postgres_server.h), and deterministic test ECGs.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <memory>
#include <random>
#include <string>

#include "storage/ecg_store.h"
#include "tests/support/postgres_server.h"
#include "waveform/error.h"

namespace ecg::testing {

// A canonical-looking 12-lead signal: a spiky "beat" every 400 samples per lead plus noise,
// whole microvolts. The same seed gives the same samples.
inline EcgSignal TestSignal(uint64_t seed, size_t samples_per_lead = 5000,
                            double sample_rate_hz = 500.0) {
  constexpr size_t kBeatSamples = 400;
  std::vector<double> beat(kBeatSamples);
  for (size_t t = 0; t < kBeatSamples; ++t) {
    beat[t] = std::pow(std::sin(M_PI * static_cast<double>(t) / kBeatSamples), 15.0);
  }
  EcgSignal signal(sample_rate_hz, samples_per_lead);
  std::mt19937_64 random(seed);
  std::uniform_int_distribution<int> noise(-12, 12);
  for (Lead lead : AllLeads()) {
    float* x = signal.lead_uV(lead);
    const double amplitude = 300.0 + 50.0 * static_cast<double>(LeadIndex(lead));
    for (size_t t = 0; t < samples_per_lead; ++t) {
      x[t] = static_cast<float>(std::lround(amplitude * beat[t % kBeatSamples]) + noise(random));
    }
    signal.set_status(lead, LeadStatus::kRecorded);
  }
  return signal;
}

// ECG number `index` of patient number `patient`: all IDs derived from the two numbers, acquired
// `index` days after 2020-01-01, signal from seed (10 s at 500 Hz unless told).
inline IngestedEcg TestEcg(int patient, int index, uint64_t seed = 1,
                           size_t samples_per_lead = 5000) {
  const std::string p = std::to_string(patient), i = std::to_string(index);
  IngestedEcg ecg;
  ecg.orthanc = {"inst-" + p + "-" + i, "series-" + p + "-" + i, "study-" + p + "-" + i,
                 "opatient-" + p};
  EcgMetadata& m = ecg.metadata;
  m.sop_class_uid = "1.2.840.10008.5.1.4.1.1.9.1.1";
  m.sop_instance_uid = "1.2.826.0.1.3680043.10.1." + p + "." + i;
  m.study_instance_uid = "1.2.826.0.1.3680043.10.2." + p + "." + i;
  m.series_instance_uid = "1.2.826.0.1.3680043.10.3." + p + "." + i;
  m.patient_id = "PAT-" + p;
  m.birth_date = "19600229";
  m.sex = patient % 2 == 0 ? "F" : "M";
  m.patient_age_years = 60;
  m.acquisition_time_ms = int64_t{1577836800000} + int64_t{86400000} * index;
  m.acquisition_time_source = "acquisition";
  m.manufacturer = "TestCorp";
  m.model = "ECG-1";
  m.high_frequency_filter_hz = 150.0;
  m.measurements = {{"QRS Duration", "SCPECG:5.10.3-1", 96.0, "ms"}};
  m.statements = {"Sinus rhythm"};
  ecg.signal = TestSignal(seed + 1000 * static_cast<uint64_t>(patient) + index, samples_per_lead);
  ecg.source_rate_hz = 1000.0;
  return ecg;
}

// A fresh, migrated database per test. Skips when PostgreSQL 15 is not installed.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PostgresServer::Available()) GTEST_SKIP() << "PostgreSQL 15 server binaries not found";
    uri_ = PostgresServer::Shared().CreateDatabase("storage");
    StoreOptions options;
    options.connection_uri = uri_;
    options.migrate = true;
    store_ = std::make_unique<EcgStore>(options);
  }

  // Runs SQL on this test's database through psql (for assertions on raw tables).
  std::string Sql(const std::string& sql) { return PostgresServer::Shared().PsqlOnUri(uri_, sql); }

  std::string uri_;
  std::unique_ptr<EcgStore> store_;
};

}  // namespace ecg::testing
