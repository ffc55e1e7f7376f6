// ingest_bench: what the plugin costs Orthanc, and how fast an upload reaches the store.
//
// The same synthetic 12-lead DICOM ECGs are uploaded over REST by 4 parallel clients to a fresh
// Orthanc without the plugin and to a fresh Orthanc with it (its own fresh database on a durable
// private PostgreSQL), alternating runs so that drift on the shared machine hits both alike.
// Reported: the instances/s of each (median of the runs), their ratio (target >= 0.9), and the
// p95 over all plugin runs of the time from Orthanc's answer to an upload to the ECG's row in the
// store (its ingested_at_ms, the writing transaction's start: a few ms before its commit).
// --quick: a few dozen files, one run each (a smoke run: figures not meaningful).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>
#include <vector>

#include "report.h"
#include "storage/ecg_store.h"
#include "support/orthanc_server.h"
#include "support/postgres_server.h"
#include "waveform/dicom/encoder.h"
#include "waveform/synth.h"

namespace {

using ecg::testing::HttpClient;
using ecg::testing::OrthancServer;
using ecg::testing::PostgresServer;

constexpr size_t kUploaders = 4;

struct Upload {
  std::string bytes;
  std::string orthanc_id;  // filled by the run
  int64_t answered_at_ms = 0;
};

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::vector<Upload> MakeFiles(size_t count) {
  ecg::SynthOptions options;
  options.patients = std::max<size_t>(1, count / 5);
  options.ecgs_per_patient = 5;
  options.seed = 42;
  std::vector<Upload> files;
  for (const ecg::SyntheticEcg& ecg : ecg::SynthesiseCohort(options)) {
    const std::vector<uint8_t> bytes = ecg::dicom::EncodeEcg(ecg.metadata, ecg.signal);
    files.push_back({std::string(bytes.begin(), bytes.end()), "", 0});
    if (files.size() == count) break;
  }
  return files;
}

std::string IdOf(const std::string& answer) {
  const size_t key = answer.find("\"ID\"");
  const size_t open = answer.find('"', answer.find(':', key) + 1);
  return answer.substr(open + 1, answer.find('"', open + 1) - open - 1);
}

// Uploads every file with kUploaders clients; returns instances per second.
double UploadAll(OrthancServer& orthanc, std::vector<Upload>& files) {
  std::atomic<size_t> next{0};
  std::atomic<bool> failed{false};
  const double start = ecg::bench::NowSeconds();
  std::vector<std::thread> clients;
  for (size_t c = 0; c < kUploaders; ++c) {
    clients.emplace_back([&] {
      std::unique_ptr<HttpClient> http = orthanc.NewClient();
      for (size_t i = next++; i < files.size(); i = next++) {
        const auto response = http->Post("/instances", files[i].bytes);
        files[i].answered_at_ms = WallClockMs();
        if (response.status != 200) failed = true;
        files[i].orthanc_id = IdOf(response.body);
      }
    });
  }
  for (std::thread& client : clients) client.join();
  if (failed) throw std::runtime_error("an upload failed:\n" + orthanc.LogTail());
  return files.size() / (ecg::bench::NowSeconds() - start);
}

nlohmann::json EcgSection(const std::string& uri, const std::string& dir) {
  return {{"Enable", true}, {"ConnectionUri", uri}, {"DataDirectory", dir}, {"Threads", 2}};
}

// Waits until every upload is in the store, then appends the upload-to-store latencies.
void CollectLatencies(const std::string& uri, const std::vector<Upload>& files,
                      std::vector<double>* latencies_ms) {
  ecg::StoreOptions options;
  options.connection_uri = uri;
  ecg::EcgStore store(options);
  const double deadline = ecg::bench::NowSeconds() + 120;
  while (store.CountEcgs() < static_cast<int64_t>(files.size())) {
    if (ecg::bench::NowSeconds() > deadline) throw std::runtime_error("ingest did not finish");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (const Upload& file : files) {
    const std::optional<ecg::EcgRow> row = store.FindEcgByOrthancId(file.orthanc_id);
    if (!row) throw std::runtime_error("an uploaded ECG is missing from the store");
    latencies_ms->push_back(std::max<double>(0, row->ingested_at_ms - file.answered_at_ms));
  }
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  if (!OrthancServer::Available() || !PostgresServer::Available()) {
    std::fprintf(stderr, "ingest_bench: Orthanc or PostgreSQL missing, skipped\n");
    return 0;
  }
  const bool quick = ecg::bench::QuickMode();
  const size_t file_count = quick ? 40 : 600;
  const int rounds = quick ? 1 : 3;
  std::vector<Upload> files = MakeFiles(file_count);
  ecg::testing::PostgresServerOptions pg_options;
  pg_options.durable = true;
  PostgresServer postgres(pg_options);

  std::vector<double> baseline_rates, plugin_rates, latencies_ms;
  for (int round = 0; round < rounds; ++round) {
    {
      ecg::testing::OrthancServerOptions options;
      options.verbose_log = false;
      OrthancServer orthanc(options);
      baseline_rates.push_back(UploadAll(orthanc, files));
    }
    const std::string uri = postgres.CreateDatabase("bench");
    ecg::testing::OrthancServerOptions options;
    options.verbose_log = false;
    options.plugin_path = OrthancServer::PluginPath();
    ecg::testing::TempDir data;
    options.ecg_section = EcgSection(uri, data.File("ecg"));
    OrthancServer orthanc(options);
    // Let the plugin migrate its database before the clock starts.
    std::this_thread::sleep_for(std::chrono::seconds(1));
    plugin_rates.push_back(UploadAll(orthanc, files));
    CollectLatencies(uri, files, &latencies_ms);
    std::fprintf(stderr, "round %d: without plugin %.1f/s, with plugin %.1f/s\n", round + 1,
                 baseline_rates.back(), plugin_rates.back());
  }
  const double baseline = Median(baseline_rates);
  const double with_plugin = Median(plugin_rates);
  ecg::bench::Report("ingest_rest_4_clients_without_plugin", baseline, "inst/s");
  ecg::bench::Report("ingest_rest_4_clients_with_plugin", with_plugin, "inst/s");
  ecg::bench::Report("ingest_plugin_throughput_ratio", with_plugin / baseline, "x", ">= 0.9");
  ecg::bench::Report("ingest_upload_to_store_p50", ecg::bench::Percentile(latencies_ms, 0.50),
                     "ms");
  ecg::bench::Report("ingest_upload_to_store_p95", ecg::bench::Percentile(latencies_ms, 0.95), "ms",
                     "< 1000 ms");
  return 0;
}
