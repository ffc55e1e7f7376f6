// fault_soak_bench: the long version of tests/plugin/durability_test.cc's crash case. Rounds of
// bursts of synthetic 2 s ECGs are uploaded to one Orthanc with the plugin while PostgreSQL is
// crashed again and again (immediate stops and SIGKILL of every server process, at seeded random
// moments, tests/support/fault_run.h); after each round the store is compared with what Orthanc
// holds. Reported: crashes made, ECGs uploaded, lost (target 0), extra rows (target 0), the
// database recoveries the plugin detected, and the seconds from the last crash of a round until
// the store held every ECG (p50, max).
//   fault_soak_bench [--quick] [--rounds N] [--crashes-per-round N] [--seed N] [--plugin PATH]
// --plugin: another build of libOrthancEcg.so (a copy, so that a rebuild cannot pull it away
// during a long soak; or an older version, to compare).
// Default: 40 rounds of 150 ECGs with 5 crashes each (200 crashes, about 15 minutes on 2 cores);
// --quick: 1 round with 2 crashes.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report.h"
#include "support/fault_run.h"
#include "support/orthanc_server.h"
#include "support/postgres_server.h"
#include "waveform/dicom/encoder.h"
#include "waveform/synth.h"

namespace {

using ecg::testing::CrashPlan;
using ecg::testing::FaultCounts;

std::vector<std::string> MakeFiles(size_t patients, uint64_t seed) {
  ecg::SynthOptions options;
  options.patients = patients;
  options.ecgs_per_patient = 5;
  options.seed = seed;
  options.duration_s = 2.0;
  std::vector<std::string> files;
  for (const ecg::SyntheticEcg& ecg : ecg::SynthesiseCohort(options)) {
    const std::vector<uint8_t> bytes = ecg::dicom::EncodeEcg(ecg.metadata, ecg.signal);
    files.emplace_back(bytes.begin(), bytes.end());
  }
  return files;
}

std::string StringFlag(int argc, char** argv, const char* name, const std::string& fallback) {
  for (int i = 1; i + 1 < argc; ++i) {
    if (std::strcmp(argv[i], name) == 0) return argv[i + 1];
  }
  return fallback;
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  if (!ecg::testing::OrthancServer::Available() || !ecg::testing::PostgresServer::Available()) {
    std::fprintf(stderr, "fault_soak_bench: Orthanc or PostgreSQL missing, skipped\n");
    return 0;
  }
  const bool quick = ecg::bench::QuickMode();
  const long rounds = ecg::bench::Flag(argc, argv, "--rounds", quick ? 1 : 40);
  const long crashes_per_round = ecg::bench::Flag(argc, argv, "--crashes-per-round", quick ? 2 : 5);
  const uint64_t seed = static_cast<uint64_t>(ecg::bench::Flag(argc, argv, "--seed", 1616));

  ecg::testing::PostgresServer postgres;
  const std::string uri = postgres.CreateDatabase("soak");
  ecg::testing::TempDir dir;
  ecg::testing::OrthancServerOptions options;
  options.plugin_path =
      StringFlag(argc, argv, "--plugin", ecg::testing::OrthancServer::PluginPath());
  options.verbose_log = false;
  options.ecg_section = {{"Enable", true},
                         {"ConnectionUri", uri},
                         {"DataDirectory", dir.File("ecg")},
                         {"Threads", 2},
                         {"PollIntervalSeconds", 0.2},
                         {"MaxRetryDelaySeconds", 0.5},
                         {"ReconcileOnStart", false}};
  ecg::testing::OrthancServer orthanc(options);

  size_t uploaded = 0, lost = 0, extra = 0;
  int crashes = 0;
  std::vector<double> catch_up_s;
  for (long round = 0; round < rounds; ++round) {
    CrashPlan plan;
    plan.seed = seed + static_cast<uint64_t>(round);
    plan.crashes = static_cast<int>(crashes_per_round);
    const std::vector<std::string> files = MakeFiles(quick ? 20 : 30, plan.seed);
    crashes += ecg::testing::UploadWhileCrashing(orthanc, postgres, files, plan);
    const double after_crashes = ecg::bench::NowSeconds();
    const FaultCounts counts =
        ecg::testing::WaitForNoLoss(orthanc, postgres, uri, std::chrono::seconds(120));
    catch_up_s.push_back(ecg::bench::NowSeconds() - after_crashes);
    std::fprintf(stderr, "round %ld (seed %llu): %s\n", round,
                 static_cast<unsigned long long>(plan.seed), counts.Describe().c_str());
    uploaded = counts.uploaded;  // cumulative: Orthanc keeps every round's files
    lost = counts.lost;
    extra = counts.extra;
    if (lost > 0 || extra > 0) break;  // keep the seed and the state for the report
  }
  const nlohmann::json status =
      nlohmann::json::parse(orthanc.http().Get("/ecg/status").body, nullptr, false);
  ecg::bench::Report("fault soak: PostgreSQL crashes made", crashes, "crashes");
  ecg::bench::Report("fault soak: ECGs uploaded", static_cast<double>(uploaded), "ECGs");
  ecg::bench::Report("fault soak: ECGs lost", static_cast<double>(lost), "ECGs", "0");
  ecg::bench::Report("fault soak: store rows without an Orthanc instance",
                     static_cast<double>(extra), "rows", "0");
  ecg::bench::Report("fault soak: crash recoveries the plugin detected",
                     status.is_object() ? status.value("database_recoveries", 0.0) : -1.0,
                     "recoveries");
  ecg::bench::Report("fault soak: last crash -> every ECG stored, p50",
                     ecg::bench::Percentile(catch_up_s, 0.5), "s");
  ecg::bench::Report("fault soak: last crash -> every ECG stored, max",
                     ecg::bench::Percentile(catch_up_s, 1.0), "s");
  return lost == 0 && extra == 0 ? 0 : 1;
}
