// PluginTest: the fixture of the plugin's integration tests. Each test gets a fresh database on
// the process's shared PostgreSQL (tests/support/postgres_server.h), its own temporary directory,
// and starts real Orthancs loading the built libOrthancEcg.so (tests/support/orthanc_server.h).
// Synthetic ECGs (waveform/synth.h) are encoded as DICOM (waveform/dicom/encoder.h) with a fixed
// seed. Tests skip when Orthanc or PostgreSQL is not installed.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "storage/ecg_store.h"
#include "tests/support/orthanc_server.h"
#include "tests/support/postgres_server.h"
#include "tests/support/test_env.h"
#include "waveform/dicom/encoder.h"
#include "waveform/error.h"
#include "waveform/measurements_json.h"
#include "waveform/synth.h"

namespace ecg::testing {

struct DicomEcg {
  EcgMetadata metadata;
  std::string bytes;
};

// patients x per_patient synthetic 12-lead ECGs of duration_s as DICOM files, deterministic in
// seed.
inline std::vector<DicomEcg> SyntheticDicomEcgs(size_t patients, size_t per_patient, uint64_t seed,
                                                double duration_s = 10.0) {
  SynthOptions options;
  options.patients = patients;
  options.ecgs_per_patient = per_patient;
  options.seed = seed;
  options.duration_s = duration_s;
  std::vector<DicomEcg> files;
  for (const SyntheticEcg& ecg : SynthesiseCohort(options)) {
    const std::vector<uint8_t> bytes = dicom::EncodeEcg(ecg.metadata, ecg.signal);
    files.push_back({ecg.metadata, std::string(bytes.begin(), bytes.end())});
  }
  return files;
}

// A synthetic ECG as written straight into the store (no instance in Orthanc), under the Orthanc
// instance ID "<n>-00000000-00000000-00000000-00000000" and this Orthanc patient ID.
inline IngestedEcg StoredSyntheticEcg(SyntheticEcg e, int64_t n, const std::string& patient) {
  IngestedEcg ecg;
  ecg.metadata = std::move(e.metadata);
  ecg.signal = std::move(e.signal);
  ecg.orthanc = {std::to_string(n) + "-00000000-00000000-00000000-00000000", "s", "t", patient};
  return ecg;
}

// Polls predicate every 100 ms until it holds or timeout passes; returns its last value.
inline bool WaitUntil(const std::function<bool()>& predicate,
                      std::chrono::milliseconds timeout = std::chrono::seconds(30)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return predicate();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return true;
}

class PluginTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!OrthancServer::Available()) GTEST_SKIP() << "Orthanc is not installed";
    if (!PostgresServer::Available()) GTEST_SKIP() << "PostgreSQL 15 is not installed";
    uri_ = PostgresServer::Shared().CreateDatabase("plugin");
  }

  nlohmann::json EcgSection(const std::string& uri) const {
    return {{"Enable", true}, {"ConnectionUri", uri},       {"DataDirectory", dir_.File("ecg")},
            {"Threads", 2},   {"PollIntervalSeconds", 0.2}, {"MaxRetryDelaySeconds", 0.5}};
  }
  nlohmann::json EcgSection() const { return EcgSection(uri_); }

  std::unique_ptr<OrthancServer> StartOrthanc(const nlohmann::json& section) {
    OrthancServerOptions options;
    options.plugin_path = OrthancServer::PluginPath();
    options.ecg_section = section;
    return std::make_unique<OrthancServer>(options);
  }

  // A store client on uri_ (set uri_ before the first call to use another database).
  EcgStore& Store() {
    if (!store_) {
      StoreOptions options;
      options.connection_uri = uri_;
      options.pool_size = 2;
      options.acquire_timeout = std::chrono::milliseconds(2000);
      store_ = std::make_unique<EcgStore>(options);
    }
    return *store_;
  }

  // The store's ECG count, or -1 while the database does not answer.
  int64_t CountEcgs() {
    try {
      return Store().CountEcgs();
    } catch (const Error&) {
      return -1;
    }
  }
  // ECGs with the product's measurements of the current method, or -1 while the database does
  // not answer. Uploads in a burst are measured just after it (plugin/ingest/ingester.h, Busy()).
  int64_t CountMeasured() {
    try {
      return Store().CountMeasured(kMeasureVersion);
    } catch (const Error&) {
      return -1;
    }
  }

  // Uploads over REST; returns Orthanc's answer (ID, ParentPatient, ...).
  static nlohmann::json Upload(HttpClient& http, const DicomEcg& ecg) {
    const HttpResponse response = http.Post("/instances", ecg.bytes);
    EXPECT_EQ(response.status, 200) << response.body;
    return nlohmann::json::parse(response.body);
  }

  static nlohmann::json GetJson(HttpClient& http, const std::string& path, int status = 200) {
    const HttpResponse response = http.Get(path);
    EXPECT_EQ(response.status, status) << path << ": " << response.body;
    return nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  }

  std::string uri_;
  TempDir dir_;
  std::unique_ptr<EcgStore> store_;
};

}  // namespace ecg::testing
