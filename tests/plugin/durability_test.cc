// Nothing lost, nothing left behind (docs/durability.md), with the real servers: PostgreSQL
// crashed again and again during bursts (immediate stops and SIGKILL of every server process),
// Orthanc killed mid-burst, PostgreSQL out of connections, a disk that fills up, and the
// reconciliation that removes what Orthanc deleted while the plugin was not looking and brings
// back what the store lacks.
// Each case prints what it counted (uploaded, in the store, listed as errors, lost). The crash
// times come from a seed: ORTHANC_ECG_FAULT_SEED=N reproduces a failing run.
#include <signal.h>

#include <iostream>

#include "tests/plugin/plugin_fixture.h"
#include "tests/support/fault_run.h"

namespace ecg::testing {
namespace {

using nlohmann::json;

// 2 s ECGs: the same decode, canonicalise and write paths as 10 s ones at a fifth of the cost.
std::vector<std::string> Files(size_t patients, size_t per_patient, uint64_t seed) {
  std::vector<std::string> files;
  for (DicomEcg& ecg : SyntheticDicomEcgs(patients, per_patient, seed, /*duration_s=*/2.0)) {
    files.push_back(std::move(ecg.bytes));
  }
  return files;
}

class DurabilityTest : public PluginTest {
 protected:
  // A server of the test's own, crashed at will. Not durable (fsync off: the machine does not
  // crash here, only PostgreSQL's processes) and synchronous_commit off for every transaction
  // that does not ask otherwise: the worst case for the ingest's unflushed commits.
  void StartOwnPostgres(const std::string& extra_settings = "") {
    PostgresServerOptions options;
    options.extra_settings = extra_settings;
    postgres_ = std::make_unique<PostgresServer>(options);
    uri_ = postgres_->CreateDatabase("durability");
  }

  FaultCounts Expect(OrthancServer& orthanc, const char* what, size_t expected_uploads) {
    const FaultCounts counts =
        WaitForNoLoss(orthanc, *postgres_, uri_, std::chrono::seconds(180));
    std::cout << "[ counts   ] " << what << ": " << counts.Describe() << std::endl;
    EXPECT_EQ(counts.uploaded, expected_uploads);
    EXPECT_EQ(counts.lost, 0u) << orthanc.LogTail();
    EXPECT_EQ(counts.extra, 0u);
    return counts;
  }

  std::unique_ptr<PostgresServer> postgres_;
};

TEST_F(DurabilityTest, RepeatedPostgresCrashesDuringBurstsLoseNoEcg) {
  StartOwnPostgres();
  json section = EcgSection(uri_);
  section["ReconcileOnStart"] = false;  // the replay alone must bring every ECG back
  auto orthanc = StartOrthanc(section);
  const uint64_t seed = FaultSeed(1601);
  std::cout << "[ seed     ] " << seed << std::endl;
  CrashPlan plan;
  plan.seed = seed;
  plan.crashes = 4;
  const std::vector<std::string> files = Files(60, 5, seed);
  const int crashes = UploadWhileCrashing(*orthanc, *postgres_, files, plan);
  std::cout << "[ crashes  ] " << crashes << std::endl;
  const FaultCounts counts = Expect(*orthanc, "postgres crashes", files.size());
  EXPECT_EQ(counts.in_store, files.size());
  EXPECT_EQ(orthanc->http().Get("/system").status, 200);
  const json status = GetJson(orthanc->http(), "/ecg/status");
  EXPECT_EQ(status["ecgs"], static_cast<int64_t>(files.size()));
  EXPECT_GE(status["database_recoveries"].get<int64_t>(), 1) << status.dump();
  EXPECT_TRUE(WaitUntil([&] {
    return GetJson(orthanc->http(), "/ecg/status")["unconfirmed_writes"] == 0;
  })) << GetJson(orthanc->http(), "/ecg/status").dump();
}

TEST_F(DurabilityTest, OrthancKilledMidBurstAndRestartedLosesNoEcg) {
  StartOwnPostgres();
  auto orthanc = StartOrthanc(EcgSection(uri_));
  const std::vector<std::string> files = Files(40, 5, 1602);
  const std::vector<std::string> first(files.begin(), files.begin() + 100);
  const std::vector<std::string> second(files.begin() + 100, files.end());
  UploadFiles(*orthanc, first);
  orthanc->Kill();  // while the first half is being ingested
  orthanc->Start();
  UploadFiles(*orthanc, second);
  const FaultCounts counts = Expect(*orthanc, "orthanc killed", files.size());
  EXPECT_EQ(counts.in_store, files.size());
}

TEST_F(DurabilityTest, PostgresOutOfConnectionsDelaysIngestAndLosesNothing) {
  StartOwnPostgres();
  // The plugin connects as a role of its own, as in production, so that its connections can be
  // refused the way a full server refuses them (SQLSTATE 53300, "too many connections").
  const std::string database = uri_.substr(uri_.rfind('/') + 1);
  postgres_->Psql("postgres", "CREATE ROLE ecg_app LOGIN");
  postgres_->Psql("postgres", "ALTER DATABASE " + database + " OWNER TO ecg_app");
  uri_ = "postgresql://ecg_app@127.0.0.1:" + std::to_string(postgres_->port()) + "/" + database;
  auto orthanc = StartOrthanc(EcgSection(uri_));
  const std::vector<std::string> files = Files(20, 5, 1603);
  const std::vector<std::string> first(files.begin(), files.begin() + 50);
  const std::vector<std::string> second(files.begin() + 50, files.end());
  UploadFiles(*orthanc, first);
  ASSERT_EQ(Expect(*orthanc, "before the connections run out", 50).lost, 0u);

  // No connection for the plugin any more, the ones it has are cut, for the second burst.
  postgres_->Psql("postgres", "ALTER ROLE ecg_app CONNECTION LIMIT 0");
  postgres_->Psql("postgres",
                  "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                  " WHERE usename = 'ecg_app'");
  UploadFiles(*orthanc, second);
  EXPECT_TRUE(WaitUntil([&] {
    return GetJson(orthanc->http(), "/ecg/status")["database"] != "ok";
  }, std::chrono::seconds(10)));
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(postgres_->PsqlOnUri(uri_, "SELECT count(*) FROM ecgs"), "50");
  postgres_->Psql("postgres", "ALTER ROLE ecg_app CONNECTION LIMIT -1");
  const FaultCounts counts = Expect(*orthanc, "out of connections", files.size());
  EXPECT_EQ(counts.in_store, files.size());
}

// A tmpfs of `size` mounted at path (root only); false when this machine does not allow it.
bool MountTmpfs(const std::string& path, const std::string& size) {
  std::string output;
  return RunCommand("mkdir -p '" + path + "' && mount -t tmpfs -o size=" + size + " tmpfs '" +
                        path + "' && chown postgres '" + path + "'",
                    &output) == 0;
}

TEST_F(DurabilityTest, ADiskThatFillsUpDelaysIngestAndLosesNothing) {
  StartOwnPostgres();
  const std::string small = postgres_->directory() + "/small-disk";  // reachable by postgres
  if (!MountTmpfs(small, "4m")) GTEST_SKIP() << "cannot mount a tmpfs here (not root?)";
  struct Unmount {
    std::string path;
    ~Unmount() {
      std::string output;
      RunCommand("umount -l '" + path + "'", &output);
    }
  } unmount{small};
  // The plugin's tables live on the 4 MB disk (the catalog and PostgreSQL's log, pg_wal, stay on
  // the big one), so a full disk is an error of the ingest's statements (SQLSTATE 53100), not a
  // server panic.
  std::string output;
  ASSERT_EQ(RunCommand("mkdir -p '" + small + "/pg' && chown postgres '" + small + "/pg'", &output),
            0)
      << output;
  postgres_->Psql("postgres", "CREATE TABLESPACE small LOCATION '" + small + "/pg'");
  const std::string database = uri_.substr(uri_.rfind('/') + 1);
  postgres_->Psql("postgres", "ALTER DATABASE " + database + " SET default_tablespace = small");

  auto orthanc = StartOrthanc(EcgSection(uri_));
  const std::vector<std::string> files = Files(80, 5, 1606);
  UploadFiles(*orthanc, files);
  // 400 ECGs do not fit in 4 MB: the store stops short and says why.
  ASSERT_TRUE(WaitUntil([&] {
    const json status = GetJson(orthanc->http(), "/ecg/status");
    return status["database"] != "ok" || status["last_error"].is_string();
  }, std::chrono::seconds(60)));
  EXPECT_LT(CountOutcome(*orthanc, *postgres_, uri_).in_store, files.size());
  EXPECT_EQ(orthanc->http().Get("/system").status, 200);

  ASSERT_EQ(RunCommand("mount -o remount,size=256m '" + small + "'", &output), 0) << output;
  const FaultCounts counts = Expect(*orthanc, "disk full, then room again", files.size());
  EXPECT_EQ(counts.in_store, files.size());
}

TEST_F(DurabilityTest, DeletionsMadeWhileThePluginWasDisabledAreReconciledAtStart) {
  StartOwnPostgres();
  auto orthanc = StartOrthanc(EcgSection(uri_));
  const std::vector<DicomEcg> ecgs = SyntheticDicomEcgs(3, 2, /*seed=*/1604, 2.0);
  std::vector<json> uploaded;
  for (const DicomEcg& ecg : ecgs) uploaded.push_back(Upload(orthanc->http(), ecg));
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 6; })) << orthanc->LogTail();

  json disabled = EcgSection(uri_);
  disabled["Enable"] = false;
  orthanc->Stop();
  orthanc->SetEcgSection(disabled);
  orthanc->Start();
  // A whole patient (2 ECGs) and one instance of another go while the plugin does not look.
  const std::string patient = uploaded[0]["ParentPatient"];
  ASSERT_EQ(orthanc->http().Delete("/patients/" + patient).status, 200);
  const std::string instance = uploaded[5]["ID"];
  ASSERT_EQ(orthanc->http().Delete("/instances/" + instance).status, 200);
  EXPECT_EQ(CountEcgs(), 6);

  orthanc->Stop();
  orthanc->SetEcgSection(EcgSection(uri_));
  orthanc->Start();
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 3; })) << orthanc->LogTail();
  EXPECT_EQ(postgres_->PsqlOnUri(uri_, "SELECT count(*) FROM patients"), "2");
  ASSERT_TRUE(WaitUntil([&] {
    const json status = GetJson(orthanc->http(), "/ecg/status");
    return status["reconciliation"]["last"].is_object() &&
           !status["reconciliation"]["last"]["finished_at_ms"].is_null();
  })) << orthanc->LogTail();
  const json last = GetJson(orthanc->http(), "/ecg/status")["reconciliation"]["last"];
  EXPECT_EQ(last["trigger"], "start");
  EXPECT_EQ(last["removed"], 3);
  EXPECT_EQ(last["orthanc_instances"], 3);
  EXPECT_EQ(last["store_instances"], 6);
  Expect(*orthanc, "reconciled deletions", 3);
}

TEST_F(DurabilityTest, AReconciliationOnRequestIngestsWhatTheStoreLacks) {
  StartOwnPostgres();
  json section = EcgSection(uri_);
  section["ReconcileOnStart"] = false;
  auto orthanc = StartOrthanc(section);
  const std::vector<DicomEcg> ecgs = SyntheticDicomEcgs(2, 3, /*seed=*/1605, 2.0);
  for (const DicomEcg& ecg : ecgs) Upload(orthanc->http(), ecg);
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 6; })) << orthanc->LogTail();
  // A store restored from an older backup, say: two ECGs and an ingest error's row are gone.
  postgres_->PsqlOnUri(uri_, "DELETE FROM ecgs WHERE ecg_key IN (SELECT ecg_key FROM ecgs "
                             "ORDER BY ecg_key LIMIT 2)");
  ASSERT_EQ(CountEcgs(), 4);

  const HttpResponse answer = orthanc->http().Post("/ecg/reconcile", "");
  EXPECT_EQ(answer.status, 202) << answer.body;
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 6; })) << orthanc->LogTail();
  ASSERT_TRUE(WaitUntil([&] {
    const json last = GetJson(orthanc->http(), "/ecg/status")["reconciliation"]["last"];
    return last.is_object() && last["trigger"] == "rest" && !last["finished_at_ms"].is_null();
  }));
  const json last = GetJson(orthanc->http(), "/ecg/status")["reconciliation"]["last"];
  EXPECT_EQ(last["added"], 2);
  EXPECT_EQ(last["removed"], 0);
  Expect(*orthanc, "reconciled gaps", 6);
}

}  // namespace
}  // namespace ecg::testing
