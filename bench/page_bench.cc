// page_bench: what the clinician's page pays to fetch one ECG's signal for drawing, through a
// real Orthanc with the plugin and a real PostgreSQL: the JSON signal (GET /ecg/ecgs/{id}/signal,
// 60,000 numbers for 10 s) against the compact one (?format=i16, waveform/signal_i16.h: int16
// samples, 32-byte header), and the list entries' thumbnail excerpt (?format=i16&lead=II&
// duration_ms=2500&rate_hz=125, waveform/signal_excerpt.h) against the compact whole signal it
// replaced. Synthetic 10 s 12-lead ECGs; the forms are fetched in turn,
// one client with a kept-alive connection (as the browser has), after one warm-up round.
// Reported: bytes per signal and the median and p95 of the request time (server: store read,
// decode, encode; transfer over loopback; the client's receipt), and the ratios.
// The browser side (first paint of an ECG with its lists) is measured by the browser test
// (tests/browser/page.test.mjs, build/browser-artifacts/results.json).
// --quick: 2 ECGs, 3 rounds (a smoke run: figures not meaningful).
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "report.h"
#include "support/orthanc_server.h"
#include "support/postgres_server.h"
#include "waveform/dicom/encoder.h"
#include "waveform/signal_i16.h"
#include "waveform/synth.h"

namespace {

using ecg::testing::OrthancServer;
using ecg::testing::PostgresServer;

struct Fetched {
  std::vector<double> ms;
  double bytes = 0;
};

void Fetch(ecg::testing::HttpClient& http, const std::string& path, Fetched* into) {
  const double start = ecg::bench::NowSeconds();
  const auto response = http.Get(path);
  const double ms = 1000 * (ecg::bench::NowSeconds() - start);
  if (response.status != 200) throw std::runtime_error(path + " answered " + response.body);
  into->ms.push_back(ms);
  into->bytes = static_cast<double>(response.body.size());
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  if (!OrthancServer::Available() || !PostgresServer::Available()) {
    std::fprintf(stderr, "page_bench: Orthanc or PostgreSQL missing, skipped\n");
    return 0;
  }
  const bool quick = ecg::bench::QuickMode();
  const size_t ecgs = quick ? 2 : 10, rounds = quick ? 3 : 20;
  PostgresServer postgres;
  ecg::testing::TempDir dir;
  ecg::testing::OrthancServerOptions options;
  options.verbose_log = false;
  options.plugin_path = OrthancServer::PluginPath();
  options.ecg_section = {{"Enable", true},
                         {"ConnectionUri", postgres.CreateDatabase("page")},
                         {"DataDirectory", dir.File("ecg")},
                         {"PollIntervalSeconds", 0.2}};
  OrthancServer orthanc(options);
  ecg::testing::HttpClient& http = orthanc.http();

  ecg::SynthOptions synth;
  synth.patients = ecgs;
  synth.ecgs_per_patient = 1;
  synth.seed = 11;
  std::vector<std::string> paths;
  for (const ecg::SyntheticEcg& ecg : ecg::SynthesiseCohort(synth)) {
    const std::vector<uint8_t> bytes = ecg::dicom::EncodeEcg(ecg.metadata, ecg.signal);
    const auto answer = http.Post("/instances", std::string(bytes.begin(), bytes.end()));
    if (answer.status != 200) throw std::runtime_error("upload failed: " + answer.body);
    paths.push_back("/ecg/ecgs/" + nlohmann::json::parse(answer.body)["ID"].get<std::string>() +
                    "/signal");
  }
  const double deadline = ecg::bench::NowSeconds() + 60;
  for (const std::string& path : paths) {
    while (http.Get(path + "?format=i16").status != 200) {
      if (ecg::bench::NowSeconds() > deadline) throw std::runtime_error("ECGs not ingested");
    }
  }
  const std::string thumbnail = "?format=i16&lead=II&duration_ms=2500&rate_hz=125";
  Fetched json, compact, thumb, warmup;
  for (const std::string& path : paths) {
    Fetch(http, path, &warmup);
    Fetch(http, path + "?format=i16", &warmup);
    Fetch(http, path + thumbnail, &warmup);
  }
  for (size_t round = 0; round < rounds; ++round) {
    for (const std::string& path : paths) {
      if (round % 2 == 0) Fetch(http, path, &json);
      Fetch(http, path + "?format=i16", &compact);
      Fetch(http, path + thumbnail, &thumb);
      if (round % 2 == 1) Fetch(http, path, &json);
    }
  }
  using ecg::bench::Percentile;
  ecg::bench::Report("page_signal_json_bytes", json.bytes, "bytes");
  ecg::bench::Report("page_signal_i16_bytes", compact.bytes, "bytes");
  ecg::bench::Report("page_signal_bytes_ratio_json_to_i16", json.bytes / compact.bytes, "x");
  ecg::bench::Report("page_signal_json_p50", Percentile(json.ms, 0.5), "ms");
  ecg::bench::Report("page_signal_json_p95", Percentile(json.ms, 0.95), "ms");
  ecg::bench::Report("page_signal_i16_p50", Percentile(compact.ms, 0.5), "ms");
  ecg::bench::Report("page_signal_i16_p95", Percentile(compact.ms, 0.95), "ms");
  ecg::bench::Report("page_signal_time_ratio_json_to_i16",
                     Percentile(json.ms, 0.5) / Percentile(compact.ms, 0.5), "x");
  ecg::bench::Report("page_thumbnail_bytes", thumb.bytes, "bytes");
  ecg::bench::Report("page_thumbnail_bytes_ratio_i16_to_thumbnail", compact.bytes / thumb.bytes,
                     "x");
  ecg::bench::Report("page_thumbnail_p50", Percentile(thumb.ms, 0.5), "ms");
  ecg::bench::Report("page_thumbnail_p95", Percentile(thumb.ms, 0.95), "ms");
  ecg::bench::Report("page_thumbnail_time_ratio_i16_to_thumbnail",
                     Percentile(compact.ms, 0.5) / Percentile(thumb.ms, 0.5), "x");
  return 0;
}
