// orthanc-ecg db migrate --db URI     apply the schema migrations that are missing (idempotent)
// orthanc-ecg db status --db URI [--json]
//
// `migrate` prints the versions it applied (or that the schema is up to date). `status` prints the
// schema versions applied and known to this build, pending ones, and the counts of ECGs,
// patients and ingest errors. The URI is a libpq URI or key=value string; it may hold a password
// and is never printed. A database that cannot be reached: one line on stderr, exit status 1.
#include <nlohmann/json.hpp>

#include <algorithm>
#include <iostream>
#include <memory>
#include <string>

#include "storage/ecg_store.h"
#include "tools/command.h"

namespace ecg::tools {

namespace {

struct DbOptions {
  std::string uri;
  bool json = false;
};

std::string Join(const std::vector<int>& versions) {
  std::string text;
  for (int v : versions) text += (text.empty() ? "" : " ") + std::to_string(v);
  return text.empty() ? "none" : text;
}

EcgStore OpenStore(const DbOptions& options) {
  StoreOptions store;
  store.connection_uri = options.uri;
  store.pool_size = 1;
  return EcgStore(store);
}

void Migrate(const DbOptions& options) {
  EcgStore store = OpenStore(options);
  const std::vector<int> applied = store.Migrate();
  if (applied.empty()) {
    std::cout << "schema up to date (versions " << Join(store.AppliedMigrations()) << ")\n";
  } else {
    std::cout << "applied migrations " << Join(applied) << "\n";
  }
}

void Status(const DbOptions& options) {
  EcgStore store = OpenStore(options);
  const std::vector<int> applied = store.AppliedMigrations();
  const std::vector<int> known = EcgStore::KnownMigrations();
  std::vector<int> pending;
  std::set_difference(known.begin(), known.end(), applied.begin(), applied.end(),
                      std::back_inserter(pending));
  nlohmann::json status = {{"applied", applied}, {"known", known}, {"pending", pending}};
  if (pending.empty()) {
    status["ecgs"] = store.CountEcgs();
    status["patients"] = store.CountPatients();
    status["ingest_errors"] = store.CountIngestErrors();
  }
  if (options.json) {
    std::cout << status.dump() << "\n";
    return;
  }
  std::cout << "schema applied: " << Join(applied) << "\nschema known:   " << Join(known)
            << "\npending:        " << Join(pending) << "\n";
  if (pending.empty()) {
    std::cout << "ecgs:           " << status["ecgs"] << "\npatients:       " << status["patients"]
              << "\ningest errors:  " << status["ingest_errors"] << "\n";
  } else {
    std::cout << "run `orthanc-ecg db migrate` to apply the pending migrations\n";
  }
}

void Setup(CLI::App& app) {
  CLI::App* db = app.add_subcommand("db", "Manage the ECG store's PostgreSQL schema");
  db->require_subcommand(1);
  auto options = std::make_shared<DbOptions>();
  CLI::App* migrate = db->add_subcommand("migrate", "Apply the missing schema migrations");
  migrate->add_option("--db", options->uri, "PostgreSQL connection URI")->required();
  migrate->callback([options] { Migrate(*options); });
  CLI::App* status = db->add_subcommand("status", "Show the schema version and store counts");
  status->add_option("--db", options->uri, "PostgreSQL connection URI")->required();
  status->add_flag("--json", options->json, "print one JSON object");
  status->callback([options] { Status(*options); });
}

}  // namespace

ORTHANC_ECG_COMMAND("db", Setup);

}  // namespace ecg::tools
