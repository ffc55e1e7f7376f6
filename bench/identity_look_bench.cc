// identity_look_bench: what the identity backlog's look for missing and stale checks costs on a
// large archive (plugin/search/identity_backlog.h), on a real PostgreSQL.
//
// The store holds `--ecgs` ECG rows (1,000,000 by default; metadata only, written by SQL), 4 per
// patient, all embedded by one model and all checked; then 64 new ECGs of 64 patients are
// embedded without checks, as after one embedding batch. Timed, median of 7 each: the full look
// (EcgStore::EcgsToCheckIdentity: one pass over the model's embeddings) and the patients' look
// the backlog now makes after new embeddings (EcgStore::EcgsToCheckIdentityOf: those 64 patients'
// ECGs through the patient index). Both must find the same ECGs. Reported: both times and the
// full look's time over the patients' look's.
// --quick: 10,000 rows (CI's smoke run).
#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "report.h"
#include "storage/ecg_store.h"
#include "store_rows.h"
#include "support/postgres_server.h"

namespace {

constexpr int kNewEcgs = 64;
constexpr int kRounds = 7;

template <typename Fn>
double MedianMs(Fn fn) {
  std::vector<double> ms;
  for (int r = 0; r < kRounds; ++r) {
    const double start = ecg::bench::NowSeconds();
    fn();
    ms.push_back(1000 * (ecg::bench::NowSeconds() - start));
  }
  std::sort(ms.begin(), ms.end());
  return ms[ms.size() / 2];
}

// n ECG rows of n / 4 patients, the last kNewEcgs of them (one per patient) not checked yet.
void Fill(ecg::testing::PostgresServer& postgres, const std::string& uri, long n,
          int64_t model_id) {
  const std::string rows = std::to_string(n);
  const std::string model = std::to_string(model_id);
  ecg::bench::FillEcgRows(postgres, uri, n);
  postgres.PsqlOnUri(uri,
                     "INSERT INTO embeddings (model_id, ecg_key, patient_key, dimension, vector)"
                     " SELECT " +
                         model +
                         ", ecg_key, patient_key, 2,"
                         " '\\x0000803f0000803f'::bytea FROM ecgs");
  postgres.PsqlOnUri(
      uri,
      "INSERT INTO identity_checks (model_id, ecg_key, patient_key, patient_embedded)"
      " SELECT " +
          model +
          ", m.ecg_key, m.patient_key,"
          " count(*) FILTER (WHERE m.ecg_key <= " +
          rows + " - " + std::to_string(kNewEcgs) +
          ") OVER (PARTITION BY m.patient_key) FROM embeddings m");
  // The newest ECGs are the new embedding batch: no check yet, and their patients' other checks
  // count one ECG less than the patient now has (stale).
  postgres.PsqlOnUri(uri, "DELETE FROM identity_checks WHERE ecg_key > " + rows + " - " +
                              std::to_string(kNewEcgs));
  postgres.PsqlOnUri(uri, "VACUUM ANALYZE");
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  if (!ecg::testing::PostgresServer::Available()) {
    std::fprintf(stderr, "identity_look_bench: PostgreSQL missing, skipped\n");
    return 0;
  }
  const long n = ecg::bench::Flag(argc, argv, "--ecgs", ecg::bench::QuickMode() ? 10000 : 1000000);
  ecg::testing::PostgresServer postgres;
  const std::string uri = postgres.CreateDatabase("identity_look");
  ecg::StoreOptions options;
  options.connection_uri = uri;
  options.migrate = true;
  ecg::EcgStore store(options);
  const int64_t model = store.SaveModel("encoder", "bytes", R"({"dim": 2})", "{}");
  Fill(postgres, uri, n, model);

  std::vector<int64_t> patients;
  for (const ecg::EcgRow& row : store.FindEcgsByKeys([&] {
         std::vector<int64_t> keys;
         for (long k = n - kNewEcgs + 1; k <= n; ++k) keys.push_back(k);
         return keys;
       }())) {
    patients.push_back(row.patient_key);
  }
  std::vector<ecg::IdentityToCheck> full, of;
  const double full_ms = MedianMs([&] { full = store.EcgsToCheckIdentity(model, 100000); });
  const double of_ms = MedianMs([&] { of = store.EcgsToCheckIdentityOf(model, patients, 100000); });
  if (full.size() != of.size() || full.empty()) {
    std::fprintf(stderr, "identity_look_bench: the looks disagree (%zu vs %zu ECGs)\n", full.size(),
                 of.size());
    return 1;
  }
  const std::string at = std::to_string(n) + " ECGs, " + std::to_string(full.size()) + " to check";
  ecg::bench::Report("identity look, full pass, " + at, full_ms, "ms");
  ecg::bench::Report("identity look, the new ECGs' patients, " + at, of_ms, "ms");
  ecg::bench::Report("identity look, full / patients'", full_ms / of_ms, "x");
  return 0;
}
