// searchable_bench: how long after its upload an ECG can be found by similar-ECG search.
//
// A fresh Orthanc with the plugin, its own database on a durable private PostgreSQL, and an
// active model of the default shape (untrained weights: the cost of embedding does not depend on
// them) saved in the store as the training worker would. Once the plugin serves the model, one
// client uploads synthetic 12-lead DICOM ECGs over REST at a steady 20 per second; a watcher
// reads the model's embedding count in the store every 20 ms (the plugin adds an ECG to the
// index right after writing its embedding, in the same thread). The i-th ECG uploaded counts as
// searchable when the count reaches i + 1 (ingest and embedding run in key order, close to upload
// order at this rate; reordering between the 2 ingest workers shifts single values by tens of ms).
// Reported: p50 and p95 of upload answer -> searchable (target p95 <= 2 s), the rate held, and
// the p95 of upload answer -> row in the store (the ingest part of that time).
// --quick: 5 seconds of uploads with the tiny model (a smoke run: figures not meaningful).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <optional>
#include <thread>
#include <vector>

#include "active_model.h"
#include "report.h"
#include "storage/ecg_store.h"
#include "support/orthanc_server.h"
#include "support/postgres_server.h"
#include "waveform/dicom/encoder.h"
#include "waveform/synth.h"

namespace {

using ecg::testing::OrthancServer;
using ecg::testing::PostgresServer;
using Clock = std::chrono::steady_clock;

constexpr double kRatePerSecond = 20.0;

std::vector<std::string> MakeFiles(size_t count) {
  ecg::SynthOptions options;
  options.patients = std::max<size_t>(1, count / 4);
  options.ecgs_per_patient = 4;
  options.seed = 7;
  std::vector<std::string> files;
  for (const ecg::SyntheticEcg& ecg : ecg::SynthesiseCohort(options)) {
    const std::vector<uint8_t> bytes = ecg::dicom::EncodeEcg(ecg.metadata, ecg.signal);
    files.emplace_back(bytes.begin(), bytes.end());
    if (files.size() == count) break;
  }
  return files;
}

struct Answer {
  Clock::time_point at;
  int64_t wall_ms = 0;  // the same instant, wall clock (the store's ingested_at_ms)
  std::string orthanc_id;
};

int64_t WallClockMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Uploads at kRatePerSecond from one client; returns each answer's time and instance ID.
std::vector<Answer> UploadSteadily(OrthancServer& orthanc, const std::vector<std::string>& files) {
  std::unique_ptr<ecg::testing::HttpClient> http = orthanc.NewClient();
  std::vector<Answer> answered;
  const Clock::time_point start = Clock::now();
  for (size_t i = 0; i < files.size(); ++i) {
    std::this_thread::sleep_until(
        start + std::chrono::microseconds(static_cast<int64_t>(i * 1e6 / kRatePerSecond)));
    const auto response = http->Post("/instances", files[i]);
    if (response.status != 200) {
      throw std::runtime_error("an upload failed:\n" + orthanc.LogTail());
    }
    answered.push_back({Clock::now(), WallClockMs(), nlohmann::json::parse(response.body)["ID"]});
  }
  return answered;
}

// Polls the embedding count until `count` and returns when each value 1..count was first seen.
std::vector<Clock::time_point> WatchEmbeddings(ecg::EcgStore& store, int64_t model_id, size_t count,
                                               const std::atomic<bool>& abort) {
  std::vector<Clock::time_point> reached;
  const Clock::time_point deadline = Clock::now() + std::chrono::seconds(60 + count / 10);
  while (reached.size() < count && !abort && Clock::now() < deadline) {
    const auto seen = static_cast<size_t>(store.CountEmbeddings(model_id));
    const Clock::time_point now = Clock::now();
    while (reached.size() < std::min(seen, count)) reached.push_back(now);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  if (reached.size() < count) throw std::runtime_error("not every ECG became searchable");
  return reached;
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  if (!OrthancServer::Available() || !PostgresServer::Available()) {
    std::fprintf(stderr, "searchable_bench: Orthanc or PostgreSQL missing, skipped\n");
    return 0;
  }
  const bool quick = ecg::bench::QuickMode();
  const std::vector<std::string> files = MakeFiles(quick ? 100 : 1200);
  ecg::testing::PostgresServerOptions pg_options;
  pg_options.durable = true;
  PostgresServer postgres(pg_options);
  const std::string uri = postgres.CreateDatabase("bench");
  const std::unique_ptr<ecg::EcgStore> store = ecg::bench::OpenMigratedStore(uri);
  ecg::testing::TempDir dir;
  const int64_t model_id = ecg::bench::SaveActiveModel(*store, dir.File("model"));

  ecg::testing::OrthancServerOptions options;
  options.verbose_log = false;
  options.plugin_path = OrthancServer::PluginPath();
  options.ecg_section = {
      {"Enable", true}, {"ConnectionUri", uri}, {"DataDirectory", dir.File("ecg")}, {"Threads", 2}};
  OrthancServer orthanc(options);
  if (!ecg::bench::WaitForServedModel(orthanc, model_id)) {
    std::fprintf(stderr, "the plugin did not serve the model:\n%s\n", orthanc.LogTail().c_str());
    return 1;
  }
  std::atomic<bool> abort{false};
  std::vector<Clock::time_point> searchable;
  std::exception_ptr watch_error;
  std::thread watcher([&] {
    try {
      searchable = WatchEmbeddings(*store, model_id, files.size(), abort);
    } catch (...) {
      watch_error = std::current_exception();
    }
  });
  const double start = ecg::bench::NowSeconds();
  std::vector<Answer> answered;
  try {
    answered = UploadSteadily(orthanc, files);
  } catch (...) {
    abort = true;
    watcher.join();
    throw;
  }
  const double rate = files.size() / (ecg::bench::NowSeconds() - start);
  watcher.join();
  if (watch_error) std::rethrow_exception(watch_error);

  std::vector<double> latencies_ms, store_ms;
  for (size_t i = 0; i < files.size(); ++i) {
    latencies_ms.push_back(std::max(
        0.0, std::chrono::duration<double, std::milli>(searchable[i] - answered[i].at).count()));
    const std::optional<ecg::EcgRow> row = store->FindEcgByOrthancId(answered[i].orthanc_id);
    if (row) store_ms.push_back(std::max<double>(0, row->ingested_at_ms - answered[i].wall_ms));
  }
  ecg::bench::Report("searchable_upload_rate", rate, "inst/s", "20");
  ecg::bench::Report("searchable_after_upload_p50", ecg::bench::Percentile(latencies_ms, 0.50),
                     "ms");
  ecg::bench::Report("searchable_after_upload_p95", ecg::bench::Percentile(latencies_ms, 0.95),
                     "ms", "<= 2000 ms");
  ecg::bench::Report("searchable_upload_to_store_p95", ecg::bench::Percentile(store_ms, 0.95),
                     "ms");
  return 0;
}
