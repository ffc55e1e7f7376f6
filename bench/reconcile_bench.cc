// reconcile_bench: what a reconciliation of the store with Orthanc costs
// (plugin/ingest/reconciler.h).
//
// Two parts, each on the real servers:
//   1. the store's side at scale: `--store-ecgs` ECG rows (1,000,000 by default; metadata rows
//      only, written by one SQL statement) are listed, hashed and sorted as the reconciler does
//      (EcgStore::OrthancInstanceIdHashes): seconds and resident bytes of the hash table;
//   2. a whole reconciliation through the plugin (POST /ecg/reconcile) on an Orthanc holding
//      `--orthanc-ecgs` ECGs (stored) and as many non-ECG instances (which cost a metadata
//      look-up each): milliseconds per 1,000 Orthanc instances, from the run's record.
//   3. what it costs ingest: bursts of fresh ECGs uploaded by 4 clients to that Orthanc, each
//      either while reconciliations run back to back the whole time (the worst case: one a day
//      is the default) or without; the ratio of the median instances/s (target >= 0.95).
// At a million ECGs the Orthanc side then scales linearly except Orthanc's listing, whose
// OFFSET paging grows with the position (docs/durability.md has the figures).
// --quick: 10,000 store rows, 20 + 20 instances, 1 burst of 20 each way.
#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "report.h"
#include "storage/ecg_store.h"
#include "support/orthanc_server.h"
#include "support/postgres_server.h"
#include "support/test_env.h"
#include "waveform/dicom/encoder.h"
#include "waveform/synth.h"

namespace {

using nlohmann::json;

void StoreSide(ecg::testing::PostgresServer& postgres, long rows) {
  const std::string uri = postgres.CreateDatabase("reconcile_store");
  ecg::StoreOptions options;
  options.connection_uri = uri;
  options.migrate = true;
  ecg::EcgStore store(options);
  const std::string n = std::to_string(rows);
  postgres.PsqlOnUri(uri,
                     "INSERT INTO patients (patient_id, orthanc_patient_id) SELECT 'P' || g, "
                     "'op' || g FROM generate_series(1, greatest(1, " +
                         n + " / 10)) g");
  postgres.PsqlOnUri(
      uri,
      "INSERT INTO ecgs (patient_key, sop_instance_uid, orthanc_instance_id, orthanc_series_id,"
      " orthanc_study_id, orthanc_patient_id, study_instance_uid, series_instance_uid,"
      " sop_class_uid, source_rate_hz, duration_ms, lead_mask, content_hash)"
      " SELECT 1 + g % greatest(1, " +
          n +
          " / 10), '1.2.826.0.1.' || g,"
          " substr(md5(g::text), 1, 8) || '-' || substr(md5(g::text), 9, 8) || '-' ||"
          " substr(md5(g::text), 17, 8) || '-' || substr(md5(g::text), 25, 8) || '-' ||"
          " substr(md5((g + 1)::text), 1, 8), 's', 's', 'p', '1', '1', '1.2', 500, 10000, 4095, 0"
          " FROM generate_series(1, " +
          n + ") g");
  const double start = ecg::bench::NowSeconds();
  const std::vector<uint64_t> hashes = store.OrthancInstanceIdHashes();  // the reconciler's
  const double seconds = ecg::bench::NowSeconds() - start;
  ecg::bench::Report("reconcile: list and hash the store's IDs, " + n + " ECGs", seconds, "s");
  ecg::bench::Report("reconcile: hash table, " + n + " ECGs",
                     hashes.capacity() * sizeof(uint64_t) / 1e6, "MB");
}

std::string NonEcgInstance(const ecg::testing::TempDir& dir, long i) {
  const std::string suffix = std::to_string(i + 1);
  const std::string dump = dir.File("ct.dump"), dcm = dir.File("ct.dcm");
  std::ofstream(dump) << "(0008,0016) UI 1.2.840.10008.5.1.4.1.1.2\n"
                      << "(0008,0018) UI 1.2.826.0.1.3680043.10.9." << suffix << "\n"
                      << "(0010,0020) LO CT-" << (i % 50 + 1) << "\n"
                      << "(0020,000d) UI 1.2.826.0.1.3680043.10.8." << (i % 50 + 1) << "\n"
                      << "(0020,000e) UI 1.2.826.0.1.3680043.10.7." << (i % 50 + 1) << "\n";
  std::string output;
  if (ecg::testing::RunCommand("dump2dcm '" + dump + "' '" + dcm + "'", &output) != 0) {
    throw std::runtime_error("dump2dcm failed: " + output);
  }
  std::ifstream file(dcm, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

// Instances/s of one burst of `files` uploaded by 4 clients, waiting until the store has them.
double Burst(ecg::testing::OrthancServer& orthanc, const std::vector<std::string>& files,
             const std::function<json()>& status) {
  const int64_t before = status()["ecgs"].get<int64_t>();
  std::atomic<size_t> next{0};
  const double start = ecg::bench::NowSeconds();
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      std::unique_ptr<ecg::testing::HttpClient> http = orthanc.NewClient();
      for (size_t i = next++; i < files.size(); i = next++) http->Post("/instances", files[i]);
    });
  }
  for (std::thread& client : clients) client.join();
  const double rate = files.size() / (ecg::bench::NowSeconds() - start);
  while (status()["ecgs"].get<int64_t>() < before + static_cast<int64_t>(files.size())) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return rate;
}

void IngestBesideReconciliation(ecg::testing::OrthancServer& orthanc,
                                const std::function<json()>& status, long archive) {
  const bool quick = ecg::bench::QuickMode();
  const size_t burst = quick ? 20 : 300;
  const int pairs = quick ? 1 : 4;
  ecg::SynthOptions synth;
  synth.patients = burst * 2 * pairs / 4;
  synth.ecgs_per_patient = 4;
  synth.duration_s = 10.0;
  synth.seed = 77;
  std::vector<std::string> files;
  for (const ecg::SyntheticEcg& ecg : ecg::SynthesiseCohort(synth)) {
    const std::vector<uint8_t> bytes = ecg::dicom::EncodeEcg(ecg.metadata, ecg.signal);
    files.emplace_back(bytes.begin(), bytes.end());
  }
  std::vector<double> with, without;
  std::atomic<bool> looping{false};
  std::atomic<bool> done{false};
  std::atomic<int> runs{0};
  std::thread reconciler([&] {  // POST /ecg/reconcile again as soon as the last one ended
    std::unique_ptr<ecg::testing::HttpClient> http = orthanc.NewClient();
    while (!done) {
      if (!looping) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      http->Post("/ecg/reconcile", "");
      ++runs;
      for (;;) {
        const json r = json::parse(http->Get("/ecg/status").body)["reconciliation"];
        if (!r["running"].get<bool>() && r["last"].is_object() &&
            !r["last"]["finished_at_ms"].is_null()) {
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    }
  });
  size_t offset = 0;
  for (int p = 0; p < pairs; ++p) {
    for (int k = 0; k < 2; ++k) {  // alternate which goes first
      const bool reconciling = (p + k) % 2 == 0;
      const std::vector<std::string> slice(files.begin() + offset, files.begin() + offset + burst);
      offset += burst;
      looping = reconciling;
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      (reconciling ? with : without).push_back(Burst(orthanc, slice, status));
      looping = false;
    }
  }
  done = true;
  reconciler.join();
  const double ratio = ecg::bench::Percentile(with, 0.5) / ecg::bench::Percentile(without, 0.5);
  ecg::bench::Report("reconcile: ingest inst/s beside back-to-back reconciliations / without, " +
                         std::to_string(archive * 2) + "-instance archive",
                     ratio, "ratio", ">= 0.95");
  ecg::bench::Report("reconcile: reconciliations run during those bursts", runs.load(), "runs");
}

void OrthancSide(ecg::testing::PostgresServer& postgres, long ecgs) {
  const std::string uri = postgres.CreateDatabase("reconcile_orthanc");
  ecg::testing::TempDir dir;
  ecg::testing::OrthancServerOptions options;
  options.plugin_path = ecg::testing::OrthancServer::PluginPath();
  options.verbose_log = false;
  options.ecg_section = {{"Enable", true},
                         {"ConnectionUri", uri},
                         {"DataDirectory", dir.File("ecg")},
                         {"Threads", 2},
                         {"ReconcileOnStart", false}};
  ecg::testing::OrthancServer orthanc(options);
  ecg::SynthOptions synth;
  synth.patients = std::max<size_t>(1, static_cast<size_t>(ecgs) / 4);
  synth.ecgs_per_patient = 4;
  synth.duration_s = 2.0;
  synth.seed = 5;
  long uploaded = 0;
  for (const ecg::SyntheticEcg& ecg : ecg::SynthesiseCohort(synth)) {
    if (uploaded == ecgs) break;
    const std::vector<uint8_t> bytes = ecg::dicom::EncodeEcg(ecg.metadata, ecg.signal);
    orthanc.http().Post("/instances", std::string(bytes.begin(), bytes.end()));
    ++uploaded;
  }
  for (long i = 0; i < ecgs; ++i) orthanc.http().Post("/instances", NonEcgInstance(dir, i));
  std::function<json()> status = [&] {
    return json::parse(orthanc.http().Get("/ecg/status").body);
  };
  while (status()["ecgs"] != uploaded) std::this_thread::sleep_for(std::chrono::milliseconds(100));

  orthanc.http().Post("/ecg/reconcile", "");
  json last;
  for (;;) {
    last = status()["reconciliation"]["last"];
    if (last.is_object() && last["trigger"] == "rest" && !last["finished_at_ms"].is_null()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  const double ms = last["finished_at_ms"].get<double>() - last["started_at_ms"].get<double>();
  const double instances = last["orthanc_instances"].get<double>();
  ecg::bench::Report("reconcile: whole run, " + std::to_string(static_cast<long>(instances)) +
                         " Orthanc instances (half ECGs)",
                     ms, "ms");
  ecg::bench::Report("reconcile: per 1,000 Orthanc instances", ms / instances * 1000, "ms");
  ecg::bench::Report("reconcile: removed + added on an unchanged archive",
                     last["removed"].get<double>() + last["added"].get<double>(), "ECGs", "0");
  IngestBesideReconciliation(orthanc, status, ecgs);
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  if (!ecg::testing::OrthancServer::Available() || !ecg::testing::PostgresServer::Available()) {
    std::fprintf(stderr, "reconcile_bench: Orthanc or PostgreSQL missing, skipped\n");
    return 0;
  }
  const bool quick = ecg::bench::QuickMode();
  ecg::testing::PostgresServer postgres;
  StoreSide(postgres, ecg::bench::Flag(argc, argv, "--store-ecgs", quick ? 10000 : 1000000));
  OrthancSide(postgres, ecg::bench::Flag(argc, argv, "--orthanc-ecgs", quick ? 20 : 1000));
  return 0;
}
