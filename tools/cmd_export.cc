// orthanc-ecg export --db URI --out FILE [--after KEY] [--samples N] [--batch ROWS]
//
// Writes every ECG of the store (or only those with ecg_key > KEY, for incremental exports) to
// a training archive (waveform/ecg_archive.h): canonical 500 Hz signals cut or padded to N samples
// per lead, with their ECG key, patient key and acquisition time. Streams from one database
// snapshot in bounded memory (about ROWS signals at a time). Prints one JSON line:
// {"ecgs": count, "last_ecg_key": key or null, "path": FILE}; pass last_ecg_key as --after next
// time. The archive holds no PHI (keys only).
#include <nlohmann/json.hpp>

#include <iostream>
#include <memory>
#include <optional>
#include <string>

#include "storage/ecg_store.h"
#include "tools/command.h"
#include "waveform/canonical.h"

namespace ecg::tools {

namespace {

struct ExportCommandOptions {
  std::string uri;
  std::string out;
  int64_t after_ecg_key = 0;
  uint32_t samples_per_lead = 5000;  // 10 s at 500 Hz
  size_t batch_rows = 64;
};

void Run(const ExportCommandOptions& options) {
  StoreOptions store_options;
  store_options.connection_uri = options.uri;
  store_options.pool_size = 1;
  EcgStore store(store_options);
  EcgArchiveWriter writer(options.out, static_cast<uint32_t>(kCanonicalRate_hz),
                          options.samples_per_lead);
  ExportOptions export_options;
  export_options.after_ecg_key = options.after_ecg_key;
  export_options.batch_rows = options.batch_rows;
  std::optional<int64_t> last_key;
  const size_t count = store.ExportForTraining(
      [&](const ExportedEcg& ecg) {
        writer.Append(ecg.keys, ecg.signal);
        last_key = ecg.keys.ecg_key;
      },
      export_options);
  writer.Close();
  std::cout << nlohmann::json({{"ecgs", count},
                               {"last_ecg_key", last_key ? nlohmann::json(*last_key) : nullptr},
                               {"path", options.out}})
                   .dump()
            << "\n";
}

void Setup(CLI::App& app) {
  auto options = std::make_shared<ExportCommandOptions>();
  CLI::App* cmd = app.add_subcommand("export", "Export the store's ECGs to a training archive");
  cmd->add_option("--db", options->uri, "PostgreSQL connection URI")->required();
  cmd->add_option("--out", options->out, "archive file to write")->required();
  cmd->add_option("--after", options->after_ecg_key, "only ECGs with a larger ecg_key");
  cmd->add_option("--samples", options->samples_per_lead, "samples per lead per record")
      ->check(CLI::Range(1u, 1000000u));
  cmd->add_option("--batch", options->batch_rows, "ECGs fetched per round trip")
      ->check(CLI::Range(size_t{1}, size_t{10000}));
  cmd->callback([options] { Run(*options); });
}

}  // namespace

ORTHANC_ECG_COMMAND("export", Setup);

}  // namespace ecg::tools
