// ingest_bench: what the plugin costs Orthanc, and how fast an upload reaches the store.
//
// Three Orthancs run side by side for the whole benchmark: without the plugin, with it and no
// trained model (it then serves model zero, the median-beat embedding: about 1 ms of CPU per ECG),
// and with it serving an active model of the default shape (untrained weights, the same cost), so
// that a learned embedder works during the burst at its lower priority.
// Each plugin Orthanc has its own database on one durable private PostgreSQL. Each round uploads
// the same fresh synthetic 12-lead DICOM ECGs (new UIDs every round) over REST with 4 parallel
// clients to each Orthanc in turn, one burst after the other. A burst starts when every earlier
// one is in the store and embedded and the page cache is flushed (sync), so that no Orthanc's
// background work (the kernel writes files back about 30 s after they were written) falls into
// another's burst; the six rounds take the six orders of the three variants, so that each runs
// first, second and third, and after each other one, equally often; the three bursts of a round
// are seconds apart, so that the shared machine's drift hits them alike.
// Reported: the instances/s of each (median of the rounds), the ratios to Orthanc alone (the
// median of the rounds' ratios; target >= 0.9), the p95 over all bursts of each plugin variant of
// the time from Orthanc's answer to an upload to the ECG's row in the store (its ingested_at_ms,
// the writing transaction's start: a few ms before its commit); with the embedder also the
// catch-up (from the last upload's answer until every ECG has its embedding) and the share of
// Orthanc's CPU time during the catch-up spent in threads at nice 19 (the embedder's, LibTorch's
// workers included; the rest is Orthanc's own background work and the change-log reader: a
// LibTorch worker at normal priority would take about half); each thread's CPU time is printed to
// stderr. Also the CPU the embedding thread took during the burst itself, in cores. And what a
// file costs in CPU time, over all rounds: Orthanc without the plugin (during the upload), and
// with it (no model; from the first upload until every ECG is in the store) Orthanc's own
// threads, the plugin's (named ecg-*) and PostgreSQL's server processes: on a CPU-bound machine
// the ratio follows from these.
// --rounds N: N rounds instead of 6 (a multiple of 6 keeps the orders balanced).
// --quick: a few dozen files, one round, the tiny model (a smoke run: figures not meaningful).
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

void WaitUntilStored(ecg::EcgStore& store, size_t count) {
  const double deadline = ecg::bench::NowSeconds() + 120;
  while (store.CountEcgs() < static_cast<int64_t>(count)) {
    if (ecg::bench::NowSeconds() > deadline) throw std::runtime_error("ingest did not finish");
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

// Appends the upload-to-store latency of each file (all in the store).
void CollectLatencies(ecg::EcgStore& store, const std::vector<Upload>& files,
                      std::vector<double>* latencies_ms) {
  for (const Upload& file : files) {
    const std::optional<ecg::EcgRow> row = store.FindEcgByOrthancId(file.orthanc_id);
    if (!row) throw std::runtime_error("an uploaded ECG is missing from the store");
    latencies_ms->push_back(std::max<double>(0, row->ingested_at_ms - file.answered_at_ms));
  }
}

// The middle value; with an even count the mean of the two middle ones.
double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const size_t half = values.size() / 2;
  return values.size() % 2 == 1 ? values[half] : (values[half - 1] + values[half]) / 2;
}

// The embedder's catch-up after each burst, and who spent Orthanc's CPU meanwhile.
struct CatchUp {
  std::vector<double> seconds;  // last upload answered -> every ECG embedded, one per round
  int64_t ticks_at_nice_19 = 0;
  int64_t ticks = 0;
  // CPU the embedding thread (the busiest one of the catch-up) took during the upload burst, in
  // cores (1 = one core all the time), one per round.
  std::vector<double> embedder_cores_during_burst;
};

// CPU spent by a variant over its runs, by whom: Orthanc's own threads, the plugin's threads
// (named ecg-*), PostgreSQL's server processes; from the first upload until the last upload is
// answered (without the plugin) or every ECG is in the store (with it).
struct CpuSpent {
  int64_t orthanc_ticks = 0;
  int64_t plugin_ticks = 0;
  int64_t postgres_ticks = 0;
  size_t files = 0;
};

struct CpuReading {
  ecg::testing::ThreadCpuMap orthanc_threads;
  int64_t postgres_ticks = 0;
};

pid_t OrthancPid(const OrthancServer& orthanc) {
  const std::optional<pid_t> pid = ecg::testing::FindProcess(orthanc.directory() + "/orthanc.json");
  if (!pid) throw std::runtime_error("Orthanc's process not found");
  return *pid;
}

CpuReading ReadCpu(pid_t orthanc, const PostgresServer& postgres) {
  return {ecg::testing::ReadThreadCpu(orthanc), ecg::testing::ProcessTreeTicks(postgres.pid())};
}

void AddCpuSince(const CpuReading& before, const CpuReading& after, size_t files, CpuSpent* spent) {
  for (const auto& [tid, cpu] :
       ecg::testing::CpuSince(before.orthanc_threads, after.orthanc_threads)) {
    (cpu.name.rfind("ecg-", 0) == 0 ? spent->plugin_ticks : spent->orthanc_ticks) += cpu.ticks;
  }
  spent->postgres_ticks += after.postgres_ticks - before.postgres_ticks;
  spent->files += files;
}

double MsPerFile(int64_t ticks, size_t files) {
  return files == 0 ? 0.0 : 1000.0 * ticks / sysconf(_SC_CLK_TCK) / files;
}

ecg::testing::OrthancServerOptions OrthancOptions() {
  ecg::testing::OrthancServerOptions options;
  options.verbose_log = false;
  return options;
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

// One of the three Orthancs, kept for the whole benchmark.
struct Variant {
  std::unique_ptr<ecg::testing::TempDir> data;
  std::unique_ptr<ecg::EcgStore> store;  // none: Orthanc alone
  std::unique_ptr<OrthancServer> orthanc;
  pid_t pid = 0;
  int64_t model_id = 0;              // 0: no model served
  size_t files = 0;                  // uploaded so far
  std::vector<double> rates;         // inst/s, one per burst
  std::vector<double> latencies_ms;  // upload answer -> row in the store, every file
  CpuSpent cpu;                      // from each burst's start until its ECGs are stored
  CatchUp catch_up;                  // with a model
};

Variant StartAlone() {
  Variant v;
  v.orthanc = std::make_unique<OrthancServer>(OrthancOptions());
  v.pid = OrthancPid(*v.orthanc);
  return v;
}

Variant StartPlugin(PostgresServer& postgres, bool with_model) {
  Variant v;
  const std::string uri = postgres.CreateDatabase("bench");
  v.store = ecg::bench::OpenMigratedStore(uri);
  v.data = std::make_unique<ecg::testing::TempDir>();
  if (with_model) v.model_id = ecg::bench::SaveActiveModel(*v.store, v.data->File("model"));
  ecg::testing::OrthancServerOptions options = OrthancOptions();
  options.plugin_path = OrthancServer::PluginPath();
  options.ecg_section = EcgSection(uri, v.data->File("ecg"));
  v.orthanc = std::make_unique<OrthancServer>(options);
  v.pid = OrthancPid(*v.orthanc);
  if (with_model && !ecg::bench::WaitForServedModel(*v.orthanc, v.model_id)) {
    throw std::runtime_error("the plugin did not serve the model:\n" + v.orthanc->LogTail());
  }
  // Let the plugin start its workers before the first burst.
  std::this_thread::sleep_for(std::chrono::seconds(1));
  return v;
}

// The embedder's catch-up after a burst that ended at `uploaded` (started at `start`; `burst` is
// the CPU Orthanc's threads took during it).
void MeasureCatchUp(Variant& v, const ecg::testing::ThreadCpuMap& burst, double start,
                    double uploaded) {
  const ecg::testing::ThreadCpuMap before = ecg::testing::ReadThreadCpu(v.pid);
  WaitForEmbeddings(*v.store, v.model_id, v.files);
  v.catch_up.seconds.push_back(ecg::bench::NowSeconds() - uploaded);
  const pid_t embedder =
      AddCpu(ecg::testing::CpuSince(before, ecg::testing::ReadThreadCpu(v.pid)), &v.catch_up);
  const auto in_burst = burst.find(embedder);
  const double ticks = in_burst == burst.end() ? 0.0 : in_burst->second.ticks;
  v.catch_up.embedder_cores_during_burst.push_back(ticks / sysconf(_SC_CLK_TCK) /
                                                   (uploaded - start));
}

// Uploads `files` to one Orthanc and waits until its plugin (if any) has stored and embedded
// them.
void Burst(Variant& v, const PostgresServer& postgres, std::vector<Upload>& files) {
  ::sync();  // the earlier bursts' files are written back now, not during this one
  const CpuReading before = ReadCpu(v.pid, postgres);
  const double start = ecg::bench::NowSeconds();
  v.rates.push_back(UploadAll(*v.orthanc, files));
  const double uploaded = ecg::bench::NowSeconds();
  v.files += files.size();
  const ecg::testing::ThreadCpuMap burst =
      ecg::testing::CpuSince(before.orthanc_threads, ecg::testing::ReadThreadCpu(v.pid));
  if (v.store) WaitUntilStored(*v.store, v.files);
  AddCpuSince(before, ReadCpu(v.pid, postgres), files.size(), &v.cpu);
  if (!v.store) return;
  CollectLatencies(*v.store, files, &v.latencies_ms);
  if (v.model_id != 0) MeasureCatchUp(v, burst, start, uploaded);
}

// The order of the variants (alone, plugin, plugin with embedder) in each round: all six.
constexpr size_t kOrders[6][3] = {{0, 1, 2}, {1, 2, 0}, {2, 0, 1}, {0, 2, 1}, {2, 1, 0}, {1, 0, 2}};

// The median over the rounds of a variant's rate over the baseline's in the same round.
double MedianRatio(const Variant& v, const Variant& baseline) {
  std::vector<double> ratios;
  for (size_t r = 0; r < v.rates.size(); ++r) ratios.push_back(v.rates[r] / baseline.rates[r]);
  return Median(ratios);
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  if (!OrthancServer::Available() || !PostgresServer::Available()) {
    std::fprintf(stderr, "ingest_bench: Orthanc or PostgreSQL missing, skipped\n");
    return 0;
  }
  const bool quick = ecg::bench::QuickMode();
  const size_t files_per_round = quick ? 40 : 600;
  // Six rounds take the six orders of the three variants once; --rounds 12 or 18 takes them two
  // or three times (a steadier median on a noisy machine).
  const size_t rounds =
      quick ? 1 : static_cast<size_t>(ecg::bench::Flag(argc, argv, "--rounds", 6));
  std::vector<Upload> all_files = MakeFiles(files_per_round * rounds);
  ecg::testing::PostgresServerOptions pg_options;
  pg_options.durable = true;
  PostgresServer postgres(pg_options);
  Variant variants[3] = {StartAlone(), StartPlugin(postgres, false), StartPlugin(postgres, true)};
  const Variant& alone = variants[0];
  const Variant& plugin = variants[1];
  const Variant& embedder = variants[2];
  for (size_t round = 0; round < rounds; ++round) {
    std::vector<Upload> files(all_files.begin() + round * files_per_round,
                              all_files.begin() + (round + 1) * files_per_round);
    for (const size_t v : kOrders[round % 6]) Burst(variants[v], postgres, files);
    std::fprintf(stderr,
                 "round %zu: without plugin %.1f/s, with plugin %.1f/s, with plugin and embedder "
                 "%.1f/s (caught up %.1f s after the last upload)\n",
                 round + 1, alone.rates.back(), plugin.rates.back(), embedder.rates.back(),
                 embedder.catch_up.seconds.back());
  }
  ecg::bench::Report("ingest_rest_4_clients_without_plugin", Median(alone.rates), "inst/s");
  ecg::bench::Report("ingest_rest_4_clients_with_plugin", Median(plugin.rates), "inst/s");
  ecg::bench::Report("ingest_rest_4_clients_with_plugin_and_embedder", Median(embedder.rates),
                     "inst/s");
  ecg::bench::Report("ingest_plugin_throughput_ratio", MedianRatio(plugin, alone), "x", ">= 0.9");
  ecg::bench::Report("ingest_plugin_with_embedder_throughput_ratio", MedianRatio(embedder, alone),
                     "x", ">= 0.9");
  ecg::bench::Report("ingest_upload_to_store_p50",
                     ecg::bench::Percentile(plugin.latencies_ms, 0.50), "ms");
  ecg::bench::Report("ingest_upload_to_store_p95",
                     ecg::bench::Percentile(plugin.latencies_ms, 0.95), "ms", "< 1000 ms");
  ecg::bench::Report("ingest_with_embedder_upload_to_store_p95",
                     ecg::bench::Percentile(embedder.latencies_ms, 0.95), "ms", "< 1000 ms");
  // What a file costs whom in CPU time: the ratio's story on a CPU-bound machine.
  ecg::bench::Report("ingest_orthanc_cpu_per_file_without_plugin",
                     MsPerFile(alone.cpu.orthanc_ticks, alone.cpu.files), "ms");
  ecg::bench::Report("ingest_orthanc_cpu_per_file_with_plugin (Orthanc's own threads)",
                     MsPerFile(plugin.cpu.orthanc_ticks, plugin.cpu.files), "ms");
  ecg::bench::Report("ingest_plugin_cpu_per_ecg (its ecg-* threads)",
                     MsPerFile(plugin.cpu.plugin_ticks, plugin.cpu.files), "ms");
  ecg::bench::Report("ingest_postgres_cpu_per_ecg (server processes)",
                     MsPerFile(plugin.cpu.postgres_ticks, plugin.cpu.files), "ms");
  const CatchUp& catch_up = embedder.catch_up;
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
