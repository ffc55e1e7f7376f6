// change_reference_bench: how long building the change percentile's reference takes on a large
// archive (plugin/measure/change_scores.h: every consecutive same-patient pair's embedding
// distance, one pass over the store, EcgStore::ForEachConsecutivePair), on a real PostgreSQL.
// The build runs in the background after a model switch, after 10% growth and every 30 minutes
// while the archive changes; whatever thread runs it is busy for this long.
//
// The store holds `--ecgs` ECG rows (200,000 by default; metadata only, written by SQL), 4 per
// patient a year apart, each with an embedding of `--dim` floats (256 by default). Timed once:
// the pass with a cosine distance per pair and the reference's build. Reported: seconds, pairs,
// and microseconds per ECG (the figure to scale by).
// --quick: 4,000 rows (CI's smoke run).
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>

#include "report.h"
#include "storage/change_reference.h"
#include "storage/ecg_store.h"
#include "store_rows.h"
#include "support/postgres_server.h"

namespace {

double CosineDistance(const std::vector<float>& a, const std::vector<float>& b) {
  double ab = 0, aa = 0, bb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return aa > 0 && bb > 0 ? 1 - ab / std::sqrt(aa * bb) : 0;
}

}  // namespace

int main(int argc, char** argv) {
  ecg::bench::Init(argc, argv);
  if (!ecg::testing::PostgresServer::Available()) {
    std::fprintf(stderr, "change_reference_bench: PostgreSQL missing, skipped\n");
    return 0;
  }
  const long n = ecg::bench::Flag(argc, argv, "--ecgs", ecg::bench::QuickMode() ? 4000 : 200000);
  const int dim = static_cast<int>(ecg::bench::Flag(argc, argv, "--dim", 256));
  ecg::testing::PostgresServer postgres;
  const std::string uri = postgres.CreateDatabase("change_reference");
  ecg::StoreOptions options;
  options.connection_uri = uri;
  options.migrate = true;
  ecg::EcgStore store(options);
  const int64_t model =
      store.SaveModel("encoder", "bytes", "{\"dim\": " + std::to_string(dim) + "}", "{}");
  ecg::bench::FillEcgRows(postgres, uri, n);
  // Each vector differs (its first float is the key), so that distances vary.
  postgres.PsqlOnUri(uri,
                     "INSERT INTO embeddings (model_id, ecg_key, patient_key, dimension, vector)"
                     " SELECT " +
                         std::to_string(model) + ", ecg_key, patient_key, " + std::to_string(dim) +
                         ", float4send(ecg_key::float4) || decode(repeat('0000803f', " +
                         std::to_string(dim - 1) + "), 'hex') FROM ecgs");
  postgres.PsqlOnUri(uri, "VACUUM ANALYZE");

  const double start = ecg::bench::NowSeconds();
  ecg::ChangeReferenceBuilder builder;
  const size_t pairs = store.ForEachConsecutivePair(model, dim, [&](const ecg::EmbeddingPair& p) {
    builder.Add(CosineDistance(p.earlier.vector, p.later.vector),
                *p.later_acquisition_time_ms - *p.earlier_acquisition_time_ms);
  });
  const ecg::ChangeReference reference = builder.Build();
  const double seconds = ecg::bench::NowSeconds() - start;
  if (reference.size() != pairs || pairs == 0) {
    std::fprintf(stderr, "change_reference_bench: %zu pairs, reference of %zu\n", pairs,
                 reference.size());
    return 1;
  }
  const std::string at = std::to_string(n) + " ECGs of " + std::to_string(dim) + " floats";
  ecg::bench::Report("change reference build, " + at, seconds, "s");
  ecg::bench::Report("change reference pairs, " + at, static_cast<double>(pairs), "pairs");
  ecg::bench::Report("change reference build per ECG", 1e6 * seconds / n, "us");
  return 0;
}
