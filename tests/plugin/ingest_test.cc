// ECGs sent to Orthanc over REST and C-STORE land in the store once, with the right patient,
// time and leads, are served by the /ecg routes, and leave the store with their patient.
#include <algorithm>
#include <fstream>

#include "tests/plugin/plugin_fixture.h"

namespace ecg::testing {
namespace {

using nlohmann::json;

TEST_F(PluginTest, EcgsUploadedOverRestLandWithTheirPatientTimeAndLeads) {
  auto orthanc = StartOrthanc(EcgSection());
  const std::vector<DicomEcg> ecgs = SyntheticDicomEcgs(2, 2, /*seed=*/11);
  std::vector<json> answers;
  for (const DicomEcg& ecg : ecgs) answers.push_back(Upload(orthanc->http(), ecg));
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 4; })) << orthanc->LogTail();

  for (size_t p = 0; p < 2; ++p) {
    const std::string patient = answers[2 * p]["ParentPatient"];
    const json timeline = GetJson(orthanc->http(), "/ecg/patients/" + patient + "/ecgs");
    ASSERT_EQ(timeline["ecgs"].size(), 2u);
    for (size_t v = 0; v < 2; ++v) {
      const json& row = timeline["ecgs"][v];
      const EcgMetadata& metadata = ecgs[2 * p + v].metadata;  // visits are in time order
      EXPECT_EQ(row["orthanc"]["instance"], answers[2 * p + v]["ID"]);
      EXPECT_EQ(row["orthanc"]["patient"], patient);
      EXPECT_EQ(row["sop_instance_uid"], metadata.sop_instance_uid);
      EXPECT_EQ(row["acquisition_time_ms"], *metadata.acquisition_time_ms);
      EXPECT_EQ(row["leads"]["V6"], "recorded");
      EXPECT_EQ(row["leads"]["aVF"], "recorded");
      EXPECT_NEAR(row["duration_ms"].get<double>(), 10000.0, 1.0);
    }
  }
}

TEST_F(PluginTest, AnEcgIsServedAsMetadataJsonSignalAndCsvSignal) {
  auto orthanc = StartOrthanc(EcgSection());
  const std::vector<DicomEcg> ecgs = SyntheticDicomEcgs(1, 1, /*seed=*/12);
  const std::string id = Upload(orthanc->http(), ecgs[0])["ID"];
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 1; })) << orthanc->LogTail();

  const json row = GetJson(orthanc->http(), "/ecg/ecgs/" + id);
  EXPECT_EQ(row["sop_instance_uid"], ecgs[0].metadata.sop_instance_uid);
  const json signal = GetJson(orthanc->http(), "/ecg/ecgs/" + id + "/signal");
  EXPECT_EQ(signal["sample_rate_hz"], 500.0);
  EXPECT_EQ(signal["units"], "uV");
  ASSERT_EQ(signal["leads"].size(), 12u);
  EXPECT_EQ(signal["leads"][0]["lead"], "I");
  EXPECT_EQ(signal["leads"][0]["samples"].size(), 5000u);

  const HttpResponse csv = orthanc->http().Get("/ecg/ecgs/" + id + "/signal?format=csv");
  EXPECT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.rfind("time_ms,I,II,III,aVR,aVL,aVF,V1,V2,V3,V4,V5,V6\n", 0), 0u);
  EXPECT_EQ(std::count(csv.body.begin(), csv.body.end(), '\n'), 5001);
}

TEST_F(PluginTest, ADamagedStoredSignalAnswers500NamingTheEcgInTheAnswerAndTheLog) {
  auto orthanc = StartOrthanc(EcgSection());
  const std::vector<DicomEcg> ecgs = SyntheticDicomEcgs(1, 1, /*seed=*/12);
  const std::string id = Upload(orthanc->http(), ecgs[0])["ID"];
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 1; })) << orthanc->LogTail();
  PostgresServer::Shared().PsqlOnUri(
      uri_, "UPDATE signals SET signal = substring(signal FROM 1 FOR 100)");

  const json answer = GetJson(orthanc->http(), "/ecg/ecgs/" + id + "/signal", 500);
  EXPECT_EQ(answer["code"], "DataLoss");
  EXPECT_NE(answer["error"].get<std::string>().find("stored signal of ECG"), std::string::npos)
      << answer;
  EXPECT_NE(orthanc->LogTail().find("is damaged"), std::string::npos) << orthanc->LogTail();
  GetJson(orthanc->http(), "/ecg/ecgs/" + id);  // the metadata still answers, as does the server
}

TEST_F(PluginTest, UnknownIdsAnswer404AndBadParametersAnswer400WithAMessage) {
  auto orthanc = StartOrthanc(EcgSection());
  ASSERT_TRUE(WaitUntil([&] {
    return GetJson(orthanc->http(), "/ecg/status")["database"] == "ok";
  })) << orthanc->LogTail();
  const std::string unknown = "00000000-00000000-00000000-00000000-00000000";
  EXPECT_EQ(GetJson(orthanc->http(), "/ecg/ecgs/" + unknown, 404)["code"], "NotFound");
  GetJson(orthanc->http(), "/ecg/patients/" + unknown + "/ecgs", 404);
  const json bad_id = GetJson(orthanc->http(), "/ecg/ecgs/not-an-id", 400);
  EXPECT_NE(bad_id["error"].get<std::string>().find("not an Orthanc ID"), std::string::npos);
  GetJson(orthanc->http(), "/ecg/ecgs/" + unknown + "/signal?format=xml", 400);
  const json bad_limit = GetJson(orthanc->http(), "/ecg/errors?limit=0", 400);
  EXPECT_NE(bad_limit["error"].get<std::string>().find("limit"), std::string::npos);
  EXPECT_EQ(orthanc->http().Get("/ecg/reindex").status, 405);
}

TEST_F(PluginTest, EcgsSentWithCStoreLand) {
  auto orthanc = StartOrthanc(EcgSection());
  const std::vector<DicomEcg> ecgs = SyntheticDicomEcgs(1, 2, /*seed=*/13);
  for (size_t i = 0; i < ecgs.size(); ++i) {
    const std::string path = dir_.File("ecg" + std::to_string(i) + ".dcm");
    std::ofstream(path, std::ios::binary) << ecgs[i].bytes;
    orthanc->StoreScu(path);
  }
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 2; })) << orthanc->LogTail();
  const std::optional<EcgRow> row = [&] {
    const json instances = GetJson(orthanc->http(), "/instances");
    return Store().FindEcgByOrthancId(instances[0].get<std::string>());
  }();
  ASSERT_TRUE(row.has_value());
  EXPECT_EQ(row->lead_mask.CountRecorded(), 12u);
}

TEST_F(PluginTest, TheSameFileUploadedTwiceGivesOneRow) {
  auto orthanc = StartOrthanc(EcgSection());
  const std::vector<DicomEcg> ecgs = SyntheticDicomEcgs(1, 1, /*seed=*/14);
  Upload(orthanc->http(), ecgs[0]);
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 1; })) << orthanc->LogTail();
  Upload(orthanc->http(), ecgs[0]);
  const json answer = Upload(orthanc->http(), ecgs[0]);
  EXPECT_EQ(answer["Status"], "AlreadyStored");
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_EQ(CountEcgs(), 1);
  EXPECT_EQ(Store().CountPatients(), 1);
}

TEST_F(PluginTest, DeletingAPatientInOrthancRemovesItsEcgs) {
  auto orthanc = StartOrthanc(EcgSection());
  const std::vector<DicomEcg> ecgs = SyntheticDicomEcgs(2, 2, /*seed=*/15);
  std::vector<json> answers;
  for (const DicomEcg& ecg : ecgs) answers.push_back(Upload(orthanc->http(), ecg));
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 4; })) << orthanc->LogTail();

  const std::string gone = answers[0]["ParentPatient"];
  EXPECT_EQ(orthanc->http().Delete("/patients/" + gone).status, 200);
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 2; })) << orthanc->LogTail();
  EXPECT_TRUE(Store().Timeline(gone).empty());
  EXPECT_EQ(Store().Timeline(answers[2]["ParentPatient"]).size(), 2u);
  EXPECT_EQ(Store().CountPatients(), 1);
}

TEST_F(PluginTest, StatusAndPrometheusMetricsReportTheIngest) {
  auto orthanc = StartOrthanc(EcgSection());
  for (const DicomEcg& ecg : SyntheticDicomEcgs(1, 3, /*seed=*/16)) Upload(orthanc->http(), ecg);
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 3; })) << orthanc->LogTail();

  const json status = GetJson(orthanc->http(), "/ecg/status");
  EXPECT_FALSE(status["version"].get<std::string>().empty());
  EXPECT_EQ(status["database"], "ok");
  EXPECT_EQ(status["ecgs"], 3);
  EXPECT_EQ(status["patients"], 1);
  EXPECT_EQ(status["queue"], 0);
  EXPECT_TRUE(status["last_error"].is_null());
  // The counter counts writes: an upload that arrives while the first start's backfill lists
  // Orthanc's instances is read both by the backfill and from the change log, and written twice
  // (the second write leaves the row unchanged). So the metric is compared with the status.
  ASSERT_TRUE(WaitUntil([&] {
    const int64_t ingested = GetJson(orthanc->http(), "/ecg/status")["ingested"];
    const std::string metrics = orthanc->http().Get("/tools/metrics-prometheus").body;
    return ingested >= 3 &&
           metrics.find("orthanc_ecg_ingested_total " + std::to_string(ingested) + " ") !=
               std::string::npos &&
           metrics.find("orthanc_ecg_queue_depth 0") != std::string::npos;
  })) << orthanc->http().Get("/tools/metrics-prometheus").body;
}

}  // namespace
}  // namespace ecg::testing
