// The nightly training from the plugin's side, with a real PostgreSQL, a real Orthanc loading the
// built plugin and its local worker (the built orthanc-ecg, tiny CPU configuration): a triggered
// run ends with a new active model that search answers from, a second trigger meanwhile is
// refused, a killed worker fails its run and leaves the active model alone, and Orthanc stopped
// during a run stops its local worker and leaves the run interrupted. ECGs are written
// straight into the store (tests/tools/worker_fixture.h) to keep the runs short.
#include <gtest/gtest.h>
#include <signal.h>

#include "tests/plugin/plugin_fixture.h"
#include "tests/tools/worker_fixture.h"

namespace ecg::testing {
namespace {

using nlohmann::json;

class TrainingTest : public PluginTest {
 protected:
  void SetUp() override {
    PluginTest::SetUp();
    if (IsSkipped()) return;
    Store().Migrate();
    AddSyntheticPatients(Store(), 12, 3, 21);
  }

  // config_path: the worker's training configuration; empty: a tiny one of `steps` steps.
  json Section(int64_t steps, std::string config_path = "") {
    if (config_path.empty()) {
      config_path = dir_.File("tiny.json");
      WriteTinyTrainingConfig(config_path, steps);
    }
    json section = EcgSection();
    section["Training"] = {{"Schedule", "disabled"},
                           {"Worker", "local"},
                           {"Device", "cpu"},
                           {"Config", config_path},
                           {"WorkerPath", BinaryPath("orthanc-ecg")},
                           {"HeartbeatTimeoutSeconds", 10}};
    // The ECGs above are written straight into the store under made-up Orthanc IDs: a
    // reconciliation would rightly remove them, as Orthanc does not hold them.
    section["ReconcileOnStart"] = false;
    section["ReconcileIntervalHours"] = 0;
    return section;
  }

  TrainingRun WaitForEnd(int64_t run_id, std::chrono::seconds timeout) {
    WaitUntil(
        [&] {
          const RunStatus s = Store().FindRun(run_id)->status;
          return s != RunStatus::kQueued && s != RunStatus::kRunning;
        },
        timeout);
    return *Store().FindRun(run_id);
  }

  // POST /ecg/training/run; the run's id (0 after a failed expectation).
  static int64_t QueueRun(HttpClient& http) {
    const HttpResponse queued = http.Post("/ecg/training/run", "");
    EXPECT_EQ(queued.status, 202) << queued.body;
    return queued.status == 202 ? json::parse(queued.body)["run_id"].get<int64_t>() : 0;
  }

  // The pid of the worker once the run is training (it reports it with its progress); 0 when
  // that does not happen within two minutes.
  int64_t WaitForTrainingWorker(int64_t run_id) {
    int64_t pid = 0;
    const bool training = WaitUntil(
        [&] {
          const TrainingRun run = *Store().FindRun(run_id);
          pid = json::parse(run.progress_json).value("pid", int64_t{0});
          return run.phase == "train" && pid > 0;
        },
        std::chrono::seconds(120));
    return training ? pid : 0;
  }

  // Similar-ECG search answers from the model (once the plugin has switched to it) with 3 ECGs.
  static void ExpectSearchAnswersFrom(HttpClient& http, int64_t model_id) {
    const std::string instance = SyntheticOrthancId(21, 0, 0, 1);
    json similar;
    EXPECT_TRUE(WaitUntil([&] {
      const HttpResponse r = http.Get("/ecg/ecgs/" + instance + "/similar?k=3");
      if (r.status != 200) return false;
      similar = json::parse(r.body);
      return similar["model_id"] == model_id;
    }));
    EXPECT_EQ(similar["similar"].size(), 3u) << similar.dump();
  }

  // Whether a trained model is active (the plugin serves model zero until one is promoted).
  bool TrainedModelActive() {
    const std::optional<ModelInfo> active = Store().ActiveModel();
    return active && active->kind != "zero";
  }

  // The State of the Orthanc job of type OrthancEcgTraining, "" while there is none.
  static std::string TrainingJobState(HttpClient& http) {
    const json jobs = GetJson(http, "/jobs?expand");
    for (const json& job : jobs) {
      if (job.value("Type", "") == "OrthancEcgTraining") return job.value("State", "");
    }
    return "";
  }
};

TEST_F(TrainingTest, ATriggeredRunEndsWithANewActiveModelThatSearchAnswersFrom) {
  auto orthanc = StartOrthanc(Section(8));
  HttpClient& http = orthanc->http();
  // 8 tiny steps do not beat model zero, which the plugin serves from its start: forced, so
  // that the promotion path runs (tests/tools/worker_test.cc checks the refusal).
  const HttpResponse queued =
      http.Post("/ecg/training/run", R"({"gate": {"force_promotion": true}})");
  ASSERT_EQ(queued.status, 202) << queued.body;
  const int64_t run_id = json::parse(queued.body)["run_id"];

  const HttpResponse second = http.Post("/ecg/training/run", "");
  EXPECT_EQ(second.status, 409);
  EXPECT_NE(second.body.find("a training run is already queued or running (run " +
                             std::to_string(run_id)),
            std::string::npos)
      << second.body;
  EXPECT_TRUE(WaitUntil([&] { return !TrainingJobState(http).empty(); }));

  const TrainingRun run = WaitForEnd(run_id, std::chrono::seconds(240));
  ASSERT_EQ(run.status, RunStatus::kSucceeded) << run.reason << orthanc->LogTail();
  ASSERT_TRUE(run.promoted) << run.reason;
  EXPECT_EQ(run.worker.rfind("local@", 0), 0u);

  const json models = GetJson(http, "/ecg/models");
  EXPECT_EQ(models["active_model_id"], *run.model_id);
  const json runs = GetJson(http, "/ecg/training/runs");
  EXPECT_EQ(runs["runs"][0]["run_id"], run_id);
  EXPECT_EQ(runs["runs"][0]["promoted"], true);
  EXPECT_EQ(runs["runs"][0]["device"], "cpu");
  EXPECT_EQ(runs["runs"][0]["ecg_count"], 36);
  EXPECT_TRUE(runs["runs"][0]["metrics"]["model"]["fingerprint_top1"].is_number());
  EXPECT_EQ(runs["runs"][0]["metrics"]["comparison"]["reference"]["kind"], "zero");
  EXPECT_EQ(run.reason.rfind("promoted", 0), 0u) << run.reason;
  EXPECT_NE(run.reason.find("model zero"), std::string::npos) << run.reason;
  EXPECT_TRUE(WaitUntil([&] { return TrainingJobState(http) == "Success"; }));

  ExpectSearchAnswersFrom(http, *run.model_id);
}

// The configuration that run.sh, the package and the image ship (the zero-block model with the
// size and wave blocks, 1,175 dimensions, and its lead decoder trained alone) goes through the same worker,
// gate, embedding and activation.
TEST_F(TrainingTest, TheShippedNightlyConfigurationEndsWithItsModelServingSearch) {
  auto orthanc = StartOrthanc(Section(0, SourcePath("config/model-zero-whitened.json")));
  HttpClient& http = orthanc->http();
  // Promotion forced: on 12 synthetic patients the gate's verdict is not what is tested here;
  // so is a third of them held out (the shipped 10% would hold out one patient).
  const HttpResponse queued =
      http.Post("/ecg/training/run",
                R"({"gate": {"force_promotion": true}, "train": {"validation_fraction": 0.3}})");
  ASSERT_EQ(queued.status, 202) << queued.body;
  const TrainingRun run =
      WaitForEnd(json::parse(queued.body)["run_id"].get<int64_t>(), std::chrono::seconds(240));
  ASSERT_EQ(run.status, RunStatus::kSucceeded) << run.reason << orthanc->LogTail();
  ASSERT_TRUE(run.promoted) << run.reason;
  const json models = GetJson(http, "/ecg/models");
  EXPECT_EQ(models["active_model_id"], *run.model_id);
  EXPECT_NE(models.dump().find("\"zero_block_dim\":256"), std::string::npos) << models.dump();
  ExpectSearchAnswersFrom(http, *run.model_id);
}

TEST_F(TrainingTest, AKilledWorkerFailsItsRunAndLeavesNoNewActiveModel) {
  auto orthanc = StartOrthanc(Section(100000));
  HttpClient& http = orthanc->http();
  const int64_t run_id = QueueRun(http);
  const int64_t pid = WaitForTrainingWorker(run_id);
  ASSERT_GT(pid, 0) << orthanc->LogTail();
  ASSERT_EQ(kill(static_cast<pid_t>(pid), SIGKILL), 0);

  const TrainingRun run = WaitForEnd(run_id, std::chrono::seconds(30));
  EXPECT_EQ(run.status, RunStatus::kFailed);
  EXPECT_NE(run.reason.find("was killed by signal 9"), std::string::npos) << run.reason;
  EXPECT_FALSE(TrainedModelActive());
  EXPECT_TRUE(WaitUntil([&] { return TrainingJobState(http) == "Failure"; }));
}

TEST_F(TrainingTest, OrthancStoppedDuringALocalRunStopsTheWorkerAndTheRunEndsInterrupted) {
  auto orthanc = StartOrthanc(Section(100000));
  const int64_t run_id = QueueRun(orthanc->http());
  const int64_t pid = WaitForTrainingWorker(run_id);
  ASSERT_GT(pid, 0) << orthanc->LogTail();

  orthanc->Stop();
  EXPECT_TRUE(WaitUntil([&] { return kill(static_cast<pid_t>(pid), 0) != 0; }));
  const TrainingRun run = WaitForEnd(run_id, std::chrono::seconds(30));
  EXPECT_EQ(run.status, RunStatus::kInterrupted) << run.reason;
  orthanc->Start();
  EXPECT_EQ(Store().FindRun(run_id)->status, RunStatus::kInterrupted);
  EXPECT_FALSE(TrainedModelActive());
}

}  // namespace
}  // namespace ecg::testing
