// The search service on its own (no Orthanc): a real PostgreSQL store with a tiny untrained model
// active. The ECGs stored before it starts and those stored while it runs are embedded and
// indexed (the backlog's first sweep, then its polls above the last key checked), and every
// thread that spends CPU time embedding runs below the ingest workers (nice 19 and the idle
// scheduling policy), LibTorch's, OpenMP's and OpenBLAS's workers included.
#include <gtest/gtest.h>
#include <sched.h>
#include <sys/syscall.h>
#include <torch/torch.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <thread>

#include "learning/model_dir.h"
#include "learning/model_pack.h"
#include "plugin/search/search_service.h"
#include "tests/plugin/plugin_fixture.h"
#include "tests/storage/store_fixture.h"
#include "tests/support/test_env.h"
#include "tests/support/thread_cpu.h"

namespace ecg::testing {
namespace {

using plugin::SearchService;
using plugin::SearchServiceOptions;

class SearchServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!PostgresServer::Available()) GTEST_SKIP() << "PostgreSQL 15 is not installed";
    StoreOptions options;
    uri_ = PostgresServer::Shared().CreateDatabase("search");
    options.connection_uri = uri_;
    options.migrate = true;
    store_ = std::make_shared<EcgStore>(options);
    torch::manual_seed(3);
    learning::EcgModel model(learning::ModelConfig::Tiny());
    learning::SaveModelDir(dir_.File("model"), model, nlohmann::json::object(),
                           nlohmann::json::object());
    model_id_ = store_->SaveModel("tiny", learning::PackModelDir(dir_.File("model")),
                                  learning::ModelConfig::Tiny().ToJson().dump(), "{}");
    store_->ActivateModel(model_id_);
  }

  // ECGs number first..first+count-1 of 4 patients.
  void StoreEcgs(int first, int count) {
    std::vector<IngestedEcg> ecgs;
    for (int i = first; i < first + count; ++i) ecgs.push_back(TestEcg(i % 4, i));
    store_->UpsertEcgs(ecgs);
  }

  std::unique_ptr<SearchService> StartService() {
    SearchServiceOptions options;
    options.data_directory = dir_.File("data");
    options.model_check_interval_s = 0.1;
    options.poll_interval_s = 0.02;
    options.embed_batch = 8;
    auto service = std::make_unique<SearchService>(options, store_);
    service->Start();
    return service;
  }

  bool WaitForIndexed(const SearchService& service, size_t count) {
    return WaitUntil(
        [&] {
          const plugin::SearchStatus status = service.Status();
          return status.state == "ready" && status.index_size == count;
        },
        std::chrono::seconds(60));
  }

  TempDir dir_;
  std::string uri_;
  std::shared_ptr<EcgStore> store_;
  int64_t model_id_ = 0;
};

TEST_F(SearchServiceTest, EcgsStoredBeforeAndWhileItRunsAreEmbeddedAndIndexed) {
  StoreEcgs(0, 20);  // more than two batches for the first sweep
  const std::unique_ptr<SearchService> service = StartService();
  ASSERT_TRUE(WaitForIndexed(*service, 20)) << service->Status().last_error;
  StoreEcgs(20, 3);
  ASSERT_TRUE(WaitForIndexed(*service, 23)) << service->Status().last_error;
  StoreEcgs(23, 11);  // more than one batch after the last key checked
  ASSERT_TRUE(WaitForIndexed(*service, 34)) << service->Status().last_error;
  EXPECT_EQ(store_->CountEmbeddings(model_id_), 34);
  EXPECT_TRUE(store_->EcgsWithoutEmbedding(model_id_, 10).ecg_keys.empty());
  EXPECT_EQ(service->Status().embedding_failures, 0u);
}

TEST_F(SearchServiceTest, AnEcgWhoseStoredSignalIsDamagedIsSkippedNotBlockingTheOthers) {
  StoreEcgs(0, 10);
  PostgresServer::Shared().PsqlOnUri(uri_,
                                     "UPDATE signals SET signal = substring(signal FROM 1 FOR 100) "
                                     "WHERE ecg_key = (SELECT min(ecg_key) FROM signals)");
  const std::unique_ptr<SearchService> service = StartService();
  ASSERT_TRUE(WaitForIndexed(*service, 9)) << service->Status().last_error;
  EXPECT_EQ(service->Status().embedding_failures, 1u);
  EXPECT_EQ(store_->CountEmbeddings(model_id_), 9);
}

TEST_F(SearchServiceTest, AStoredEmbeddingOfTheWrongDimensionIsComputedAgain) {
  StoreEcgs(0, 10);
  std::unique_ptr<SearchService> service = StartService();
  ASSERT_TRUE(WaitForIndexed(*service, 10)) << service->Status().last_error;
  service->Stop();
  PostgresServer::Shared().PsqlOnUri(
      uri_,
      "UPDATE embeddings SET dimension = 1, vector = substring(vector FROM 1 FOR 4) "
      "WHERE ecg_key = (SELECT min(ecg_key) FROM embeddings)");
  std::filesystem::remove_all(dir_.File("data"));  // no index file: built from the store
  service = StartService();
  ASSERT_TRUE(WaitForIndexed(*service, 10)) << service->Status().last_error;
  EXPECT_EQ(store_->CountEmbeddings(model_id_), 10);
  EXPECT_EQ(PostgresServer::Shared().PsqlOnUri(uri_,
                                               "SELECT count(*) FROM embeddings "
                                               "WHERE dimension = 1"),
            "0");
}

TEST_F(SearchServiceTest, EveryThreadThatEmbedsRunsAtNice19UnderTheIdlePolicy) {
  StoreEcgs(0, 40);
  const auto test_thread = static_cast<pid_t>(syscall(SYS_gettid));
  const ThreadCpuMap before = ReadThreadCpu(getpid());
  const std::unique_ptr<SearchService> service = StartService();
  ASSERT_TRUE(WaitForIndexed(*service, 40)) << service->Status().last_error;
  const ThreadCpuMap spent = CpuSince(before, ReadThreadCpu(getpid()));
  service->Stop();
  int64_t embedding_ticks = 0;
  for (const auto& [tid, cpu] : spent) {
    if (tid == test_thread) continue;  // this thread only waits and reads /proc
    EXPECT_EQ(cpu.nice, 19) << "thread " << tid << " (" << cpu.name << ") spent " << cpu.ticks
                            << " ticks at nice " << cpu.nice;
    EXPECT_EQ(cpu.policy, SCHED_IDLE) << "thread " << tid << " runs under policy " << cpu.policy;
    embedding_ticks += cpu.ticks;
  }
  EXPECT_GT(embedding_ticks, 0);  // the embedding was seen at all
}

}  // namespace
}  // namespace ecg::testing
