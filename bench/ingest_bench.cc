// ingest_bench: what the plugin costs Orthanc, and how fast an upload reaches the store.
//
// The same synthetic 12-lead DICOM ECGs are uploaded over REST by 4 parallel clients to three
// fresh Orthancs per round: without the plugin, with it and no model (the embedder idle), and with
// it serving an active model of the default shape (untrained weights, the same cost), so that
// the embedder works during the burst at its lower priority. Each plugin Orthanc has its own fresh
// database on a durable private PostgreSQL; rounds alternate the three so that drift on the
// shared machine hits all alike.
// Reported: the instances/s of each (median of the runs), the ratios to Orthanc alone (target
// >= 0.9), the p95 over all runs of each plugin variant of the time from Orthanc's answer to an
// upload to the ECG's row in the store (its ingested_at_ms, the writing transaction's start: a
// few ms before its commit); with the embedder also the catch-up (from the last upload's answer
// until every ECG has its embedding) and the share of Orthanc's CPU time during the catch-up
// spent in threads at nice 19 (the embedder's, LibTorch's workers included; the rest is Orthanc's
// own background work and the change-log reader: a LibTorch worker at normal priority would take
// about half); each thread's CPU time is printed to stderr. Also the CPU the embedding thread
// took during the burst itself, in cores.
// --quick: a few dozen files, one run each, the tiny model (a smoke run: figures not meaningful).
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <functional>
#include <optional>
#include <stdexcept>
#include <thread>
#include <vector>

#include "active_model.h"
#include "report.h"
#include "storage/ecg_store.h"
#include "support/orthanc_server.h"
#include "support/postgres_server.h"
#include "support/thread_cpu.h"
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

// One plugin variant's figures over the rounds.
struct PluginRuns {
  std::vector<double> rates;         // inst/s, one per round
  std::vector<double> latencies_ms;  // upload answer -> row in the store, every file of every run
};

// The embedder's catch-up after each burst, and who spent Orthanc's CPU meanwhile.
struct CatchUp {
  std::vector<double> seconds;  // last upload answered -> every ECG embedded, one per round
  int64_t ticks_at_nice_19 = 0;
  int64_t ticks = 0;
  // CPU the embedding thread (the busiest one of the catch-up) took during the upload burst, in
  // cores (1 = one core all the time), one per round.
  std::vector<double> embedder_cores_during_burst;
};

ecg::testing::OrthancServerOptions OrthancOptions() {
  ecg::testing::OrthancServerOptions options;
  options.verbose_log = false;
  return options;
}

double RunWithoutPlugin(std::vector<Upload>& files) {
  OrthancServer orthanc(OrthancOptions());
  return UploadAll(orthanc, files);
}

void RunWithPlugin(PostgresServer& postgres, std::vector<Upload>& files, PluginRuns* runs) {
  const std::string uri = postgres.CreateDatabase("bench");
  ecg::testing::TempDir data;
  ecg::testing::OrthancServerOptions options = OrthancOptions();
  options.plugin_path = OrthancServer::PluginPath();
  options.ecg_section = EcgSection(uri, data.File("ecg"));
  OrthancServer orthanc(options);
  // Let the plugin migrate its database before the clock starts.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  runs->rates.push_back(UploadAll(orthanc, files));
  CollectLatencies(uri, files, &runs->latencies_ms);
}

// Waits until the model has an embedding for every file.
void WaitForEmbeddings(ecg::EcgStore& store, int64_t model_id, size_t count) {
  const double deadline = ecg::bench::NowSeconds() + 600;
  while (store.CountEmbeddings(model_id) < static_cast<int64_t>(count)) {
    if (ecg::bench::NowSeconds() > deadline) throw std::runtime_error("embedding did not finish");
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

// Adds the catch-up's CPU time; returns the thread that spent the most (the embedder's).
pid_t AddCpu(const ecg::testing::ThreadCpuMap& spent, CatchUp* catch_up) {
  pid_t busiest = 0;
  for (const auto& [tid, cpu] : spent) {
    if (busiest == 0 || cpu.ticks > spent.at(busiest).ticks) busiest = tid;
    std::fprintf(stderr, "  catch-up CPU: thread %d (%s) nice %d: %lld ticks\n", tid,
                 cpu.name.c_str(), cpu.nice, static_cast<long long>(cpu.ticks));
    catch_up->ticks += cpu.ticks;
    if (cpu.nice == 19) catch_up->ticks_at_nice_19 += cpu.ticks;
  }
  return busiest;
}

void RunWithEmbedder(PostgresServer& postgres, std::vector<Upload>& files, PluginRuns* runs,
                     CatchUp* catch_up) {
  const std::string uri = postgres.CreateDatabase("bench");
  const std::unique_ptr<ecg::EcgStore> store = ecg::bench::OpenMigratedStore(uri);
  ecg::testing::TempDir data;
  const int64_t model_id = ecg::bench::SaveActiveModel(*store, data.File("model"));
  ecg::testing::OrthancServerOptions options = OrthancOptions();
  options.plugin_path = OrthancServer::PluginPath();
  options.ecg_section = EcgSection(uri, data.File("ecg"));
  OrthancServer orthanc(options);
  if (!ecg::bench::WaitForServedModel(orthanc, model_id)) {
    throw std::runtime_error("the plugin did not serve the model:\n" + orthanc.LogTail());
  }
  const std::optional<pid_t> pid = ecg::testing::FindProcess(orthanc.directory() + "/orthanc.json");
  if (!pid) throw std::runtime_error("Orthanc's process not found");
  const ecg::testing::ThreadCpuMap burst_start = ecg::testing::ReadThreadCpu(*pid);
  const double burst_start_s = ecg::bench::NowSeconds();
  runs->rates.push_back(UploadAll(orthanc, files));
  const double uploaded = ecg::bench::NowSeconds();
  const ecg::testing::ThreadCpuMap burst =
      ecg::testing::CpuSince(burst_start, ecg::testing::ReadThreadCpu(*pid));
  CollectLatencies(uri, files, &runs->latencies_ms);
  // Ingest is over: from here on the plugin's work is the embedder's.
  const ecg::testing::ThreadCpuMap before = ecg::testing::ReadThreadCpu(*pid);
  WaitForEmbeddings(*store, model_id, files.size());
  catch_up->seconds.push_back(ecg::bench::NowSeconds() - uploaded);
  const pid_t embedder =
      AddCpu(ecg::testing::CpuSince(before, ecg::testing::ReadThreadCpu(*pid)), catch_up);
  const auto in_burst = burst.find(embedder);
  const double ticks = in_burst == burst.end() ? 0.0 : in_burst->second.ticks;
  catch_up->embedder_cores_during_burst.push_back(ticks / sysconf(_SC_CLK_TCK) /
                                                  (uploaded - burst_start_s));
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

  std::vector<double> baseline_rates;
  PluginRuns plugin, embedder;
  CatchUp catch_up;
  const std::vector<std::function<void()>> variants = {
      [&] { baseline_rates.push_back(RunWithoutPlugin(files)); },
      [&] { RunWithPlugin(postgres, files, &plugin); },
      [&] { RunWithEmbedder(postgres, files, &embedder, &catch_up); }};
  for (int round = 0; round < rounds; ++round) {
    // Each round starts with another variant, so that none always runs first.
    for (size_t v = 0; v < variants.size(); ++v) variants[(round + v) % variants.size()]();
    std::fprintf(stderr,
                 "round %d: without plugin %.1f/s, with plugin %.1f/s, with plugin and embedder "
                 "%.1f/s (caught up %.1f s after the last upload)\n",
                 round + 1, baseline_rates.back(), plugin.rates.back(), embedder.rates.back(),
                 catch_up.seconds.back());
  }
  const double baseline = Median(baseline_rates);
  ecg::bench::Report("ingest_rest_4_clients_without_plugin", baseline, "inst/s");
  ecg::bench::Report("ingest_rest_4_clients_with_plugin", Median(plugin.rates), "inst/s");
  ecg::bench::Report("ingest_rest_4_clients_with_plugin_and_embedder", Median(embedder.rates),
                     "inst/s");
  ecg::bench::Report("ingest_plugin_throughput_ratio", Median(plugin.rates) / baseline, "x",
                     ">= 0.9");
  ecg::bench::Report("ingest_plugin_with_embedder_throughput_ratio",
                     Median(embedder.rates) / baseline, "x", ">= 0.9");
  ecg::bench::Report("ingest_upload_to_store_p50",
                     ecg::bench::Percentile(plugin.latencies_ms, 0.50), "ms");
  ecg::bench::Report("ingest_upload_to_store_p95",
                     ecg::bench::Percentile(plugin.latencies_ms, 0.95), "ms", "< 1000 ms");
  ecg::bench::Report("ingest_with_embedder_upload_to_store_p95",
                     ecg::bench::Percentile(embedder.latencies_ms, 0.95), "ms", "< 1000 ms");
  ecg::bench::Report("ingest_with_embedder_catch_up", Median(catch_up.seconds), "s");
  ecg::bench::Report("ingest_embedder_cpu_during_burst",
                     Median(catch_up.embedder_cores_during_burst), "cores");
  if (catch_up.ticks > 0) {
    ecg::bench::Report("ingest_embedder_cpu_share_at_nice_19",
                       static_cast<double>(catch_up.ticks_at_nice_19) / catch_up.ticks, "x",
                       ">= 0.95");
  } else {
    std::fprintf(stderr, "ingest_bench: no CPU time measured during the catch-up\n");
  }
  return 0;
}
