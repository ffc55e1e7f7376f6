// Model zero in the store (sql/0004_model_zero.sql, EcgStore::EnsureModelZero): registered once
// with kind "zero" and no bytes, activated only when no model is active, once even when several
// servers start at once, renewed (embeddings dropped) when its formula changes; trained models
// keep kind "learned".
#include <gtest/gtest.h>

#include <set>
#include <stdexcept>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/storage/store_fixture.h"

namespace ecg::testing {
namespace {

using ModelZeroStoreTest = StoreTest;

TEST_F(ModelZeroStoreTest, OnAStoreWithoutModelsModelZeroIsRegisteredOnceAndActivated) {
  const int64_t zero = store_->EnsureModelZero("model zero", R"({"kind": "zero", "version": 1})");
  EXPECT_EQ(store_->EnsureModelZero("model zero", "{}"), zero);
  const std::optional<ModelInfo> active = store_->ActiveModel();
  ASSERT_TRUE(active.has_value());
  EXPECT_EQ(active->model_id, zero);
  EXPECT_EQ(active->kind, "zero");
  EXPECT_EQ(active->name, "model zero");
  EXPECT_EQ(active->size_bytes, 0);
  EXPECT_EQ(store_->LoadModelBytes(zero), std::string());
  EXPECT_EQ(store_->ListModels().size(), 1u);
}

TEST_F(ModelZeroStoreTest, AnActiveTrainedModelStaysActiveAndModelZeroWaitsBesideIt) {
  const int64_t trained = store_->SaveModel("run-1", "weights", "{}", "{}");
  EXPECT_EQ(store_->FindModel(trained)->kind, "learned");
  store_->ActivateModel(trained);
  const int64_t zero = store_->EnsureModelZero("model zero", "{}");
  EXPECT_NE(zero, trained);
  EXPECT_EQ(store_->ActiveModel()->model_id, trained);
  EXPECT_FALSE(store_->FindModel(zero)->active);
  store_->ActivateModel(zero);  // an administrator's way back to model zero
  EXPECT_EQ(store_->ActiveModel()->kind, "zero");
}

TEST_F(ModelZeroStoreTest, ServersStartingTogetherRegisterOneModelZero) {
  std::vector<int64_t> ids(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < ids.size(); ++i) {
    threads.emplace_back([&, i] {
      StoreOptions options;
      options.connection_uri = uri_;
      EcgStore store(options);
      ids[i] = store.EnsureModelZero("model zero", "{}");
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(std::set<int64_t>(ids.begin(), ids.end()).size(), 1u);
  EXPECT_EQ(store_->ListModels().size(), 1u);
  EXPECT_EQ(store_->ActiveModel()->model_id, ids[0]);
}

TEST_F(ModelZeroStoreTest, ANewFormulaReplacesTheConfigurationAndDropsTheOldEmbeddings) {
  std::vector<IngestedEcg> ecgs;
  for (int i = 0; i < 3; ++i) ecgs.push_back(TestEcg(i, i, 1, /*samples_per_lead=*/50));
  std::vector<Embedding> embeddings;
  for (const UpsertResult& r : store_->UpsertEcgs(ecgs)) {
    embeddings.push_back({r.ecg_key, 0, {1.0f, 0.0f}});
  }
  const int64_t zero = store_->EnsureModelZero("model zero", R"({"version": 1})");
  ASSERT_EQ(store_->WriteEmbeddings(zero, embeddings), 3u);
  EXPECT_EQ(store_->EnsureModelZero("model zero", R"({"version": 1})"), zero);
  EXPECT_EQ(store_->CountEmbeddings(zero), 3);  // same formula: kept

  EXPECT_EQ(store_->EnsureModelZero("model zero", R"({"version": 2})"), zero);
  EXPECT_EQ(store_->CountEmbeddings(zero), 0);  // another formula: computed again
  EXPECT_EQ(nlohmann::json::parse(store_->FindModel(zero)->config_json)["version"], 2);
  EXPECT_TRUE(store_->FindModel(zero)->active);
}

TEST_F(ModelZeroStoreTest, TheStoreRefusesASecondModelZeroAndAnUnknownKind) {
  store_->EnsureModelZero("model zero", "{}");
  EXPECT_THROW(Sql("INSERT INTO models (name, bytes, kind) VALUES ('x', '', 'zero')"),
               std::runtime_error);
  EXPECT_THROW(Sql("INSERT INTO models (name, bytes, kind) VALUES ('x', '', 'other')"),
               std::runtime_error);
  EXPECT_EQ(store_->ListModels().size(), 1u);
}

}  // namespace
}  // namespace ecg::testing
