// orthanc-ecg worker against a real PostgreSQL (tests/support/postgres_server.h): synthetic
// patients, the tiny CPU configuration, a few training steps per run.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

#include "storage/ecg_store.h"
#include "tests/support/postgres_server.h"
#include "tests/support/test_env.h"
#include "tests/tools/worker_fixture.h"
#include "waveform/ecg_archive.h"

namespace ecg {
namespace {

using nlohmann::json;
using testing::RunCli;

class WorkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!testing::PostgresServer::Available()) GTEST_SKIP() << "PostgreSQL 15 is not installed";
    uri_ = testing::PostgresServer::Shared().CreateDatabase("worker");
    StoreOptions options;
    options.connection_uri = uri_;
    options.migrate = true;
    store_ = std::make_unique<EcgStore>(options);
    testing::WriteTinyTrainingConfig(dir_.File("tiny.json"), 8);
  }

  // Runs `worker --once`; returns its exit status, output in *output.
  int RunWorker(std::string* output) {
    return RunCli("worker --once --db '" + uri_ + "' --work-dir " + dir_.File("work") +
                      " --config " + dir_.File("tiny.json") + " 2>&1",
                  output);
  }

  std::string uri_;
  testing::TempDir dir_;
  std::unique_ptr<EcgStore> store_;
};

TEST_F(WorkerTest, ExitsAtOnceWhenNoRunIsQueued) {
  std::string output;
  ASSERT_EQ(RunWorker(&output), 0) << output;
  EXPECT_NE(output.find("{\"run_id\":null}"), std::string::npos) << output;
}

TEST_F(WorkerTest, AQueuedRunEndsWithANewActiveModelAndEveryEcgEmbedded) {
  testing::AddSyntheticPatients(*store_, 12, 3, 5);
  // 8 tiny steps do not beat model zero: forced, so that the promotion path runs.
  const int64_t run_id = store_->QueueRun("cli", R"({"gate": {"force_promotion": true}})");
  std::string output;
  ASSERT_EQ(RunWorker(&output), 0) << output;

  const TrainingRun run = *store_->FindRun(run_id);
  ASSERT_EQ(run.status, RunStatus::kSucceeded) << run.reason;
  EXPECT_TRUE(run.promoted) << run.reason;
  EXPECT_NE(run.reason.find("model zero (no model is active)"), std::string::npos) << run.reason;
  EXPECT_EQ(run.device, "cpu");
  EXPECT_EQ(run.ecg_count, 36);
  ASSERT_TRUE(run.model_id.has_value());
  const std::optional<ModelInfo> active = store_->ActiveModel();
  ASSERT_TRUE(active.has_value());
  EXPECT_EQ(active->model_id, *run.model_id);
  EXPECT_EQ(json::parse(active->config_json)["embedding_dim"], 256);
  EXPECT_EQ(store_->CountEmbeddings(*run.model_id), 36);

  const json metrics = json::parse(run.metrics_json);
  EXPECT_EQ(metrics["export"]["new_ecgs"], 36);
  EXPECT_EQ(metrics["train"]["steps"], 8);
  EXPECT_EQ(metrics["embed"]["ecgs"], 36);
  EXPECT_GT(metrics["heldout"]["patients"].get<int>(), 1);
  EXPECT_TRUE(metrics["model"]["lead_rmse_mv"].is_number());
  EXPECT_EQ(metrics["comparison"]["reference"]["kind"], "zero");
  EXPECT_TRUE(metrics["comparison"]["reference_metrics"]["fingerprint_top1"].is_number());
  EXPECT_TRUE(metrics["comparison"]["reference_metrics"]["lead_rmse_mv"].is_null());
  EXPECT_EQ(metrics["comparison"]["reason"], run.reason);
}

TEST_F(WorkerTest, ARunThatDoesNotBeatTheActiveModelZeroLeavesItActiveAndRecordsBoth) {
  testing::AddSyntheticPatients(*store_, 12, 3, 5);
  const int64_t zero = store_->EnsureModelZero("model zero", R"({"kind": "zero"})");
  const int64_t run_id = store_->QueueRun("cli");
  std::string output;
  ASSERT_EQ(RunWorker(&output), 0) << output;

  const TrainingRun run = *store_->FindRun(run_id);
  ASSERT_EQ(run.status, RunStatus::kSucceeded) << run.reason;
  const json metrics = json::parse(run.metrics_json);
  const json& comparison = metrics["comparison"];
  EXPECT_EQ(comparison["reference"]["model_id"], zero);
  EXPECT_EQ(comparison["reference"]["kind"], "zero");
  EXPECT_NE(run.reason.find("the active model, model zero (model " + std::to_string(zero) + ")"),
            std::string::npos)
      << run.reason;
  // Synthetic patients differ by their beats: 8 tiny steps stay far below model zero's identity.
  const double zero_top1 = comparison["reference_metrics"]["fingerprint_top1"];
  const double model_top1 = comparison["candidate_metrics"]["fingerprint_top1"];
  EXPECT_LT(model_top1, zero_top1) << run.reason;
  EXPECT_FALSE(run.promoted) << run.reason;
  EXPECT_EQ(run.reason.rfind("not promoted: the new model does not beat", 0), 0u) << run.reason;
  EXPECT_NE(run.reason.find("fingerprint_top1"), std::string::npos) << run.reason;
  EXPECT_EQ(store_->ActiveModel().value().model_id, zero);
}

TEST_F(WorkerTest, AFailingGateKeepsTheActiveModelAndTheNextExportIsIncremental) {
  testing::AddSyntheticPatients(*store_, 12, 3, 5);
  store_->QueueRun("cli", R"({"gate": {"force_promotion": true}})");
  std::string output;
  ASSERT_EQ(RunWorker(&output), 0) << output;
  const int64_t first_model = store_->ActiveModel().value().model_id;

  testing::AddSyntheticPatients(*store_, 1, 3, 9, /*first_patient=*/100);
  const int64_t run_id = store_->QueueRun(
      "cli", R"({"gate": {"top1_margin": 2, "recall_margin": 2, "rmse_margin": 0.99}})");
  ASSERT_EQ(RunWorker(&output), 0) << output;

  const TrainingRun run = *store_->FindRun(run_id);
  ASSERT_EQ(run.status, RunStatus::kSucceeded) << run.reason;
  EXPECT_FALSE(run.promoted);
  EXPECT_EQ(run.reason.rfind("not promoted: ", 0), 0u) << run.reason;
  EXPECT_NE(run.reason.find("(worse, margin 2)"), std::string::npos) << run.reason;
  EXPECT_NE(run.reason.find("the active model run-"), std::string::npos) << run.reason;
  EXPECT_FALSE(run.model_id.has_value());
  EXPECT_EQ(store_->ActiveModel().value().model_id, first_model);
  EXPECT_EQ(store_->ListModels().size(), 1u);
  const json metrics = json::parse(run.metrics_json);
  EXPECT_EQ(metrics["export"]["new_ecgs"], 3);
  EXPECT_EQ(metrics["export"]["ecgs"], 39);
  EXPECT_EQ(metrics["active_model_id"], first_model);
}

TEST_F(WorkerTest, ACancelRequestDuringTrainingEndsTheRunCancelledWithoutAModel) {
  testing::AddSyntheticPatients(*store_, 12, 3, 5);
  testing::WriteTinyTrainingConfig(dir_.File("long.json"), 100000);
  const int64_t run_id = store_->QueueRun("cli");
  std::string output;
  ASSERT_EQ(
      testing::RunCommand(testing::BinaryPath("orthanc-ecg") + " worker --once --db '" + uri_ +
                              "' --work-dir " + dir_.File("work") + " --config " +
                              dir_.File("long.json") + " > " + dir_.File("log") + " 2>&1 & echo $!",
                          &output),
      0);
  const pid_t pid = std::stoi(output);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (store_->FindRun(run_id)->phase != "train" && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_EQ(store_->FindRun(run_id)->phase, "train");
  ASSERT_TRUE(store_->RequestCancel(run_id));
  while (store_->FindRun(run_id)->status == RunStatus::kRunning &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const TrainingRun run = *store_->FindRun(run_id);
  if (run.status == RunStatus::kRunning) kill(pid, SIGKILL);
  EXPECT_EQ(run.status, RunStatus::kCancelled) << run.reason;
  EXPECT_EQ(run.reason, "cancelled by request");
  EXPECT_FALSE(store_->ActiveModel().has_value());
}

// An installation upgraded from before R peaks were kept in the archives: its data folder is
// rebuilt once, so that training reads stored peaks instead of detecting them every night.
TEST_F(WorkerTest, ArchivesOfBeforeRPeaksWereKeptAreRebuiltOnceWithThem) {
  testing::AddSyntheticPatients(*store_, 12, 3, 5);
  store_->QueueRun("cli", R"({"gate": {"force_promotion": true}})");
  std::string output;
  ASSERT_EQ(RunWorker(&output), 0) << output;
  const auto archives = [&] {
    std::vector<std::string> paths;
    for (const auto& e : std::filesystem::directory_iterator(dir_.File("work/data"))) {
      if (e.path().extension() == ".ecgarch") paths.push_back(e.path().string());
    }
    return paths;
  };
  ASSERT_EQ(archives().size(), 1u);
  for (const std::string& path : archives()) {  // rewritten in the format of before
    EcgArchiveReader current(path);
    EXPECT_TRUE(current.stores_r_peaks());
    EcgArchiveWriter old(path + ".v1", current.sample_rate_hz(), current.samples_per_lead(),
                         ArchiveRPeaks::kNone);
    for (uint64_t i = 0; i < current.size(); ++i) {
      const ArchiveRecord r = current.Read(i);
      old.Append(r.keys, r.signal);
    }
    old.Close();
    std::filesystem::rename(path + ".v1", path);
    EXPECT_FALSE(EcgArchiveReader(path).stores_r_peaks());
  }

  const int64_t run_id = store_->QueueRun("cli");
  ASSERT_EQ(RunWorker(&output), 0) << output;
  const TrainingRun run = *store_->FindRun(run_id);
  ASSERT_EQ(run.status, RunStatus::kSucceeded) << run.reason;
  const json metrics = json::parse(run.metrics_json);
  EXPECT_EQ(metrics["export"]["rebuilt"], true);
  EXPECT_EQ(metrics["export"]["new_ecgs"], 36);
  ASSERT_EQ(archives().size(), 1u);
  EXPECT_TRUE(EcgArchiveReader(archives().front()).stores_r_peaks());
}

}  // namespace
}  // namespace ecg
