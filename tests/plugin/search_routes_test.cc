// The search routes end to end: a real Orthanc with the plugin, a real PostgreSQL, and tiny
// untrained models saved and activated in the store as the training worker would. A fresh
// installation serves model zero before any training; uploaded ECGs become searchable, scopes
// and dates filter, bad arguments are refused, a stored file posted back finds itself, deleted
// ECGs disappear from the answers, and a newly activated model takes over.
#include <torch/torch.h>

#include <filesystem>
#include <set>

#include "learning/model_dir.h"
#include "learning/model_pack.h"
#include "learning/model_zero.h"
#include "tests/plugin/plugin_fixture.h"
#include "waveform/civil_time.h"

namespace ecg::testing {
namespace {

using nlohmann::json;

class SearchRoutesTest : public PluginTest {
 protected:
  // Saves a tiny untrained model (weights from seed) in the store and activates it.
  int64_t ActivateTinyModel(uint64_t seed) {
    Store().Migrate();  // the plugin may not have started yet
    torch::manual_seed(seed);
    learning::EcgModel model(learning::ModelConfig::Tiny());
    const std::string dir = dir_.File("model-" + std::to_string(seed));
    learning::SaveModelDir(dir, model, json::object(), json::object());
    const int64_t id =
        Store().SaveModel("tiny-" + std::to_string(seed), learning::PackModelDir(dir),
                          learning::ModelConfig::Tiny().ToJson().dump(), "{}");
    Store().ActivateModel(id);
    return id;
  }

  // Waits until the plugin serves model_id with `indexed` ECGs in its index.
  bool WaitForIndex(HttpClient& http, int64_t model_id, size_t indexed) {
    return WaitUntil([&] {
      const json search = GetJson(http, "/ecg/status")["search"];
      return search["model_id"] == model_id && search["index_size"] == indexed &&
             search["embeddings_pending"] == 0;
    });
  }

  std::unique_ptr<OrthancServer> orthanc_;
  std::vector<DicomEcg> ecgs_;
  std::vector<json> uploaded_;  // Orthanc's answers, in ecgs_ order

  // 3 patients x 3 visits (in time order), uploaded and waited for in the store.
  void UploadCohort(uint64_t seed) {
    orthanc_ = StartOrthanc(EcgSection());
    ecgs_ = SyntheticDicomEcgs(3, 3, seed);
    for (const DicomEcg& ecg : ecgs_) uploaded_.push_back(Upload(orthanc_->http(), ecg));
    ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 9; })) << orthanc_->LogTail();
  }

  std::string InstanceId(size_t i) const { return uploaded_[i]["ID"]; }
};

std::set<std::string> Instances(const json& answer) {
  std::set<std::string> ids;
  for (const json& ecg : answer["similar"]) ids.insert(ecg["orthanc"]["instance"]);
  return ids;
}

TEST_F(SearchRoutesTest, AFreshInstallationServesSearchWithModelZeroAndBadArgumentsAnswer400) {
  UploadCohort(/*seed=*/41);
  HttpClient& http = orthanc_->http();
  // No training ever ran: the plugin registered model zero, activated it and embedded every ECG.
  const json models = GetJson(http, "/ecg/models");
  ASSERT_EQ(models["models"].size(), 1u) << models.dump();
  const json zero = models["models"][0];
  EXPECT_EQ(zero["kind"], "zero");
  EXPECT_EQ(zero["active"], true);
  EXPECT_EQ(zero["size_bytes"], 0);
  EXPECT_EQ(zero["config"]["embedding_dim"], learning::kModelZeroDimension);
  const int64_t model_id = zero["model_id"];
  ASSERT_TRUE(WaitForIndex(http, model_id, 9)) << orthanc_->LogTail();
  const json status = GetJson(http, "/ecg/status")["search"];
  EXPECT_EQ(status["state"], "ready");
  EXPECT_EQ(status["model_kind"], "zero");

  const std::string similar = "/ecg/ecgs/" + InstanceId(0) + "/similar";
  const json answer = GetJson(http, similar + "?k=8");
  EXPECT_EQ(answer["model_id"], model_id);
  EXPECT_EQ(answer["model_kind"], "zero");
  EXPECT_EQ(answer["model_name"], learning::kModelZeroName);
  ASSERT_EQ(answer["similar"].size(), 8u);
  EXPECT_EQ(Instances(answer).count(InstanceId(0)), 0u);
  // Synthetic patients differ by their beats: the first neighbour is one of the patient's own
  // two other visits.
  const std::set<std::string> own = {InstanceId(1), InstanceId(2)};
  EXPECT_EQ(own.count(answer["similar"][0]["orthanc"]["instance"]), 1u) << answer.dump();
  EXPECT_EQ(GetJson(http, "/ecg/ecgs/" + InstanceId(0) + "/identity")["model_id"], model_id);
  EXPECT_EQ(http.Post("/ecg/search", ecgs_[0].bytes).status, 200);

  for (const std::string bad : {"k=0", "k=101", "k=ten", "scope=everyone", "before=2023-02-30",
                                "before=20231301", "before=yesterday", "before=2023-1-05"}) {
    const json answer = GetJson(http, similar + "?" + bad, 400);
    const std::string argument = bad.substr(0, bad.find('='));
    EXPECT_NE(answer["error"].get<std::string>().find(argument), std::string::npos) << bad;
  }
}

TEST_F(SearchRoutesTest, UploadedEcgsBecomeSearchableWithScopesDatesAndIdentity) {
  const int64_t model_id = ActivateTinyModel(/*seed=*/1);
  UploadCohort(/*seed=*/42);
  HttpClient& http = orthanc_->http();
  ASSERT_TRUE(WaitForIndex(http, model_id, 9)) << orthanc_->LogTail();
  EXPECT_EQ(GetJson(http, "/ecg/status")["search"]["state"], "ready");

  const json all = GetJson(http, "/ecg/ecgs/" + InstanceId(2) + "/similar?k=100");
  EXPECT_EQ(all["model_id"], model_id);
  ASSERT_EQ(all["similar"].size(), 8u);  // every other ECG, never the query itself
  EXPECT_EQ(Instances(all).count(InstanceId(2)), 0u);
  for (size_t i = 1; i < all["similar"].size(); ++i) {
    EXPECT_LE(all["similar"][i]["similarity"].get<double>(),
              all["similar"][i - 1]["similarity"].get<double>());
  }
  EXPECT_EQ(GetJson(http, "/ecg/ecgs/" + InstanceId(2) + "/similar?k=3")["similar"].size(), 3u);

  // Patient 0's last visit: its priors are visits 0 and 1; before its own day leaves both.
  const std::string day = FormatCivilDate(*ecgs_[2].metadata.acquisition_time_ms);
  const json priors =
      GetJson(http, "/ecg/ecgs/" + InstanceId(2) + "/similar?scope=same-patient&before=" + day);
  EXPECT_EQ(Instances(priors), (std::set<std::string>{InstanceId(0), InstanceId(1)}));
  const std::string first_day = FormatCivilDate(*ecgs_[1].metadata.acquisition_time_ms);
  const std::string iso =
      first_day.substr(0, 4) + "-" + first_day.substr(4, 2) + "-" + first_day.substr(6, 2);
  const json earliest =
      GetJson(http, "/ecg/ecgs/" + InstanceId(2) + "/similar?scope=same-patient&before=" + iso);
  EXPECT_EQ(Instances(earliest), (std::set<std::string>{InstanceId(0)}));
  const json others = GetJson(http, "/ecg/ecgs/" + InstanceId(2) + "/similar?scope=other-patients");
  for (const json& ecg : others["similar"]) {
    EXPECT_NE(ecg["orthanc"]["patient"], uploaded_[2]["ParentPatient"]);
  }
  EXPECT_EQ(others["similar"].size(), 6u);

  const HttpResponse posted = http.Post("/ecg/search", ecgs_[4].bytes);
  ASSERT_EQ(posted.status, 200) << posted.body;
  const json found = json::parse(posted.body);
  EXPECT_EQ(found["similar"][0]["orthanc"]["instance"], InstanceId(4));
  EXPECT_NEAR(found["similar"][0]["similarity"].get<double>(), 1.0, 1e-4);
  const HttpResponse garbage = http.Post("/ecg/search", "this is not a DICOM file");
  EXPECT_EQ(garbage.status, 422) << garbage.body;

  const json identity = GetJson(http, "/ecg/ecgs/" + InstanceId(4) + "/identity");
  EXPECT_EQ(identity["model_id"], model_id);
  EXPECT_TRUE(identity["score"].is_number());
  EXPECT_TRUE(identity["suspicious"].is_boolean());
  EXPECT_EQ(identity["same_patient_count"], 2);
  EXPECT_EQ(identity["population_count"], 6);
}

TEST_F(SearchRoutesTest, DeletedEcgsLeaveTheAnswersAndANewModelTakesOver) {
  const int64_t first = ActivateTinyModel(/*seed=*/2);
  UploadCohort(/*seed=*/43);
  HttpClient& http = orthanc_->http();
  ASSERT_TRUE(WaitForIndex(http, first, 9)) << orthanc_->LogTail();

  const std::string similar = "/ecg/ecgs/" + InstanceId(0) + "/similar?k=100";
  ASSERT_EQ(Instances(GetJson(http, similar)).count(InstanceId(5)), 1u);
  EXPECT_EQ(http.Delete("/instances/" + InstanceId(5)).status, 200);
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 8; })) << orthanc_->LogTail();
  const json after = GetJson(http, similar);
  EXPECT_EQ(after["similar"].size(), 7u);
  EXPECT_EQ(Instances(after).count(InstanceId(5)), 0u);

  const int64_t second = ActivateTinyModel(/*seed=*/3);
  ASSERT_TRUE(WaitForIndex(http, second, 8)) << orthanc_->LogTail();
  const json switched = GetJson(http, similar);
  EXPECT_EQ(switched["model_id"], second);
  EXPECT_EQ(switched["similar"].size(), 7u);
  EXPECT_TRUE(
      std::filesystem::exists(dir_.File("ecg") + "/index-" + std::to_string(second) + ".faiss"));
}

}  // namespace
}  // namespace ecg::testing
