// The learned change score end to end (plugin/measure/change_scores.h): a real Orthanc with the
// plugin
// and a real PostgreSQL. ECGs of 12 patients stored as by a backfill are embedded by model zero
// in the background; the change reference is built from their consecutive pairs; the timeline's
// comparisons and /compare then answer a percentile with the pairs it rests on, and agree.
#include <cstdio>
#include <set>

#include "tests/plugin/plugin_fixture.h"

namespace ecg::testing {
namespace {

using nlohmann::json;

class ChangeScoreRoutesTest : public PluginTest {
 protected:
  static std::string PatientId(int p) {
    char id[64];
    std::snprintf(id, sizeof id, "0c357a70-a522b290-94529a13-6438a567-%08d", 300 + p);
    return id;
  }

  // patients x per_patient synthetic ECGs written to the store (the rows have no instance in
  // Orthanc), then Orthanc started without reconciliation.
  void StoreEcgsAndStart(int patients, int per_patient) {
    Store().Migrate();
    SynthOptions options;
    options.patients = patients;
    options.ecgs_per_patient = per_patient;
    options.seed = 71;
    options.duration_s = 10;
    std::vector<IngestedEcg> batch;
    int n = 0;
    for (SyntheticEcg& e : SynthesiseCohort(options)) {
      batch.push_back(StoredSyntheticEcg(std::move(e), 30000000 + n, PatientId(n / per_patient)));
      ++n;
    }
    Store().UpsertEcgs(batch);
    json section = EcgSection();
    section["ReconcileOnStart"] = false;
    orthanc_ = StartOrthanc(section);
  }

  std::unique_ptr<OrthancServer> orthanc_;
};

TEST_F(ChangeScoreRoutesTest, TheTimelineAndCompareAnswerTheSamePercentileWithItsPairs) {
  constexpr int kPatients = 12;
  StoreEcgsAndStart(kPatients, 8);
  HttpClient& http = orthanc_->http();
  std::string instance;  // an ECG whose comparison with the previous one has a percentile
  json change;
  std::set<std::string> reasons;
  const bool scored = WaitUntil(
      [&] {
        for (int p = 0; p < kPatients; ++p) {
          const json timeline = GetJson(http, "/ecg/patients/" + PatientId(p) + "/timeline");
          for (const json& e : timeline["ecgs"]) {
            if (e["comparison"].is_null()) continue;
            if (e["comparison"]["percentile"].is_null()) {
              reasons.insert(e["comparison"]["reason"].get<std::string>());
              continue;
            }
            instance = e["instance"];
            change = e["comparison"];
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(180));
  std::string seen;
  for (const std::string& r : reasons) seen += r + "; ";
  ASSERT_TRUE(scored) << "reasons seen: " << seen << orthanc_->LogTail();

  EXPECT_GE(change["percentile"].get<double>(), 0.0);
  EXPECT_LE(change["percentile"].get<double>(), 100.0);
  EXPECT_GE(change["pairs"].get<int>(), 20);
  EXPECT_LE(change["pairs"].get<int>(), kPatients * 7);
  EXPECT_TRUE(change["gap_bin"].is_string());
  EXPECT_GE(change["distance"].get<double>(), 0.0);
  EXPECT_TRUE(change["model_id"].is_number());
  EXPECT_TRUE(change["reason"].is_null());

  const json compare = GetJson(http, "/ecg/ecgs/" + instance + "/compare?with=previous");
  const json& c = compare["change"];
  ASSERT_FALSE(c["percentile"].is_null()) << compare.dump();
  EXPECT_EQ(c["gap_bin"], change["gap_bin"]);
  EXPECT_EQ(c["model_id"], change["model_id"]);
  EXPECT_NEAR(c["distance"].get<double>(), change["distance"].get<double>(), 1e-9);
  // The reference may have been rebuilt between the two requests (more ECGs embedded).
  EXPECT_GE(c["pairs"].get<int>(), change["pairs"].get<int>());
  if (c["pairs"] == change["pairs"]) {
    EXPECT_EQ(c["percentile"], change["percentile"]);
  }
}

}  // namespace
}  // namespace ecg::testing
