#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/storage/store_fixture.h"

namespace ecg::testing {
namespace {

using TrainingRunsTest = StoreTest;

TEST_F(TrainingRunsTest, ASecondRunIsRefusedWhileOneIsQueuedOrRunning) {
  const int64_t run = store_->QueueRun("rest");
  try {
    store_->QueueRun("schedule");
    FAIL() << "expected a conflict";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsConflict());
    EXPECT_NE(std::string(e.what()).find("run " + std::to_string(run)), std::string::npos)
        << e.what();
  }
  ASSERT_TRUE(store_->ClaimRun("worker-a").has_value());
  EXPECT_THROW(store_->QueueRun("schedule"), Error);
  store_->FinishRun(run, {RunStatus::kSucceeded, "{}", "promoted", std::nullopt, false});
  EXPECT_GT(store_->QueueRun("schedule"), run);
}

TEST_F(TrainingRunsTest, OnlyOneOfManyWorkersClaimsTheRun) {
  const int64_t run = store_->QueueRun("rest", R"({"epochs": 1})");
  std::atomic<int> claimed{0};
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([&, w] {
      if (auto r = store_->ClaimRun("worker-" + std::to_string(w))) {
        EXPECT_EQ(r->run_id, run);
        EXPECT_EQ(r->status, RunStatus::kRunning);
        ++claimed;
      }
    });
  }
  for (auto& worker : workers) worker.join();
  EXPECT_EQ(claimed.load(), 1);
  EXPECT_FALSE(store_->ClaimRun("late-worker").has_value());
}

TEST_F(TrainingRunsTest, HeartbeatsRecordProgressAndCarryCancellation) {
  const int64_t run = store_->QueueRun("cli");
  store_->ClaimRun("worker-a");
  RunProgress progress;
  progress.phase = "train";
  progress.percent = 42.5;
  progress.progress_json = R"({"loss": 0.7})";
  progress.device = "cuda:0";
  progress.ecg_count = 1000;
  TrainingRun stored = store_->Heartbeat(run, progress);
  EXPECT_EQ(stored.phase, "train");
  EXPECT_EQ(stored.progress_percent, 42.5);
  EXPECT_EQ(stored.device, "cuda:0");
  EXPECT_EQ(stored.ecg_count, 1000);
  EXPECT_FALSE(stored.cancel_requested);
  EXPECT_TRUE(store_->RequestCancel(run));
  progress.device.clear();
  stored = store_->Heartbeat(run, progress);
  EXPECT_TRUE(stored.cancel_requested);
  EXPECT_EQ(stored.device, "cuda:0");
  store_->FinishRun(run,
                    {RunStatus::kCancelled, "{}", "cancelled by the user", std::nullopt, false});
  EXPECT_THROW(store_->Heartbeat(run, progress), Error);
  EXPECT_FALSE(store_->RequestCancel(run));
}

TEST_F(TrainingRunsTest, AFinishedRunKeepsItsOutcome) {
  const int64_t model = store_->SaveModel("m", "b", "{}", "{}");
  const int64_t run = store_->QueueRun("schedule");
  store_->ClaimRun("worker-a");
  store_->FinishRun(
      run, {RunStatus::kSucceeded, R"({"recall": 0.8})", "better on all gates", model, true});
  const std::optional<TrainingRun> stored = store_->FindRun(run);
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->status, RunStatus::kSucceeded);
  EXPECT_EQ(stored->worker, "worker-a");
  EXPECT_EQ(stored->model_id, model);
  EXPECT_TRUE(stored->promoted);
  EXPECT_EQ(stored->reason, "better on all gates");
  EXPECT_TRUE(stored->finished_at_ms.has_value());
  EXPECT_THROW(store_->FinishRun(run, {}), Error);  // no longer running
  RunOutcome still_running;
  still_running.status = RunStatus::kRunning;
  EXPECT_THROW(store_->FinishRun(run, still_running), Error);
}

TEST_F(TrainingRunsTest, ARunWithoutHeartbeatIsFailedAsStale) {
  const int64_t run = store_->QueueRun("schedule");
  store_->ClaimRun("worker-a");
  EXPECT_TRUE(store_->FailStaleRuns(std::chrono::seconds(3600)).empty());
  Sql("UPDATE training_runs SET heartbeat_at = now() - interval '10 minutes'");
  EXPECT_EQ(store_->FailStaleRuns(std::chrono::seconds(60)), std::vector<int64_t>{run});
  const TrainingRun stored = *store_->FindRun(run);
  EXPECT_EQ(stored.status, RunStatus::kFailed);
  EXPECT_NE(stored.reason.find("heartbeat"), std::string::npos);
}

TEST_F(TrainingRunsTest, ALocalWorkersRunsAreInterruptedAndRunsListNewestFirst) {
  const int64_t first = store_->QueueRun("schedule");
  store_->ClaimRun("local");
  EXPECT_EQ(store_->InterruptRunsOf("local", "Orthanc restarted"), std::vector<int64_t>{first});
  const int64_t second = store_->QueueRun("rest");
  EXPECT_TRUE(store_->RequestCancel(second));  // cancelled while queued
  const std::vector<TrainingRun> runs = store_->ListRuns(10);
  ASSERT_EQ(runs.size(), 2u);
  EXPECT_EQ(runs[0].run_id, second);
  EXPECT_EQ(runs[0].status, RunStatus::kCancelled);
  EXPECT_EQ(runs[1].status, RunStatus::kInterrupted);
  EXPECT_EQ(runs[1].reason, "Orthanc restarted");
  EXPECT_EQ(RunStatusName(RunStatus::kInterrupted), "interrupted");
}

}  // namespace
}  // namespace ecg::testing
