// The clinician's page end to end: the plugin serves web/ from the .so under /ecg/app/ (entry page,
// MIME types, 404), the compact signal (?format=i16) carries the same samples as the
// JSON one and its thumbnail excerpt the same waveform, and, in Debian's headless Chromium driven
// by tests/browser/page.test.mjs, the page draws a real ECG at true scale with its lists, compare
// and course views (screenshots in build/browser-artifacts/). Real Orthanc, real PostgreSQL,
// synthetic ECGs with fixed seeds, a tiny untrained model activated as the training worker would.
#include <torch/torch.h>

#include <filesystem>
#include <fstream>

#include "learning/model_dir.h"
#include "learning/model_pack.h"
#include "tests/plugin/plugin_fixture.h"
#include "waveform/signal_i16.h"

namespace ecg::testing {
namespace {

using nlohmann::json;

class ClinicianPageTest : public PluginTest {
 protected:
  // patients x visits synthetic ECGs uploaded, waited for in the store; Orthanc's answers kept.
  void UploadCohort(size_t patients, size_t visits, uint64_t seed) {
    orthanc_ = StartOrthanc(EcgSection());
    for (const DicomEcg& ecg : SyntheticDicomEcgs(patients, visits, seed)) {
      uploaded_.push_back(Upload(orthanc_->http(), ecg));
    }
    const auto all = int64_t(uploaded_.size());
    ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == all && CountMeasured() == all; }))
        << orthanc_->LogTail();
  }

  std::unique_ptr<OrthancServer> orthanc_;
  std::vector<json> uploaded_;
};

TEST_F(ClinicianPageTest, ThePageIsServedFromThePluginWithItsTypesAndUnknownFilesAre404) {
  orthanc_ = StartOrthanc(EcgSection());
  HttpClient& http = orthanc_->http();
  const HttpResponse index = http.Get("/ecg/app/index.html");
  EXPECT_EQ(index.status, 200);
  EXPECT_EQ(index.content_type, "text/html; charset=utf-8");
  EXPECT_NE(index.body.find("app.js"), std::string::npos);
  for (const std::string entry : {"/ecg/app", "/ecg/app/"}) {  // on to index.html (in a browser)
    const HttpResponse answer = http.Get(entry);
    EXPECT_EQ(answer.status, 200) << entry;
    EXPECT_NE(answer.body.find("'index.html'+location.search"), std::string::npos) << entry;
  }
  const HttpResponse script = http.Get("/ecg/app/paper.js");
  EXPECT_EQ(script.status, 200);
  EXPECT_EQ(script.content_type, "text/javascript; charset=utf-8");
  std::ifstream source(SourcePath("web/paper.js"), std::ios::binary);
  const std::string on_disk((std::istreambuf_iterator<char>(source)),
                            std::istreambuf_iterator<char>());
  EXPECT_EQ(script.body, on_disk);  // byte for byte what web/ holds
  // Revalidation: the same bytes have the same ETag, and a browser holding them gets 304 and no
  // body; another asset has another ETag.
  const std::string etag = script.headers.count("etag") ? script.headers.at("etag") : "";
  EXPECT_EQ(script.headers.count("cache-control") ? script.headers.at("cache-control") : "",
            "no-cache");
  ASSERT_EQ(etag.size(), 18u) << etag;
  const HttpResponse again = http.Get("/ecg/app/paper.js", {{"If-None-Match", etag}});
  EXPECT_EQ(again.status, 304);
  EXPECT_TRUE(again.body.empty());
  EXPECT_EQ(http.Get("/ecg/app/paper.js", {{"If-None-Match", "\"0\""}}).body, on_disk);
  EXPECT_NE(http.Get("/ecg/app/api.js").headers["etag"], etag);
  EXPECT_EQ(http.Get("/ecg/app/style.css").content_type, "text/css; charset=utf-8");
  const HttpResponse missing = http.Get("/ecg/app/no-such-file.js");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(json::parse(missing.body)["code"], "NotFound");
  EXPECT_EQ(http.Post("/ecg/app/app.js", "").status, 405);
  // The Explorer button is in the script Orthanc Explorer loads from plugins.
  const HttpResponse explorer = http.Get("/plugins/explorer.js");
  EXPECT_EQ(explorer.status, 200);
  EXPECT_NE(explorer.body.find("ecg-button-"), std::string::npos);
}

TEST_F(ClinicianPageTest, TheCompactSignalCarriesTheSameMicrovoltsAsTheJsonSignal) {
  UploadCohort(1, 1, /*seed=*/61);
  HttpClient& http = orthanc_->http();
  const std::string path = "/ecg/ecgs/" + uploaded_[0]["ID"].get<std::string>() + "/signal";
  const HttpResponse compact = http.Get(path + "?format=i16");
  ASSERT_EQ(compact.status, 200) << compact.body;
  EXPECT_EQ(compact.content_type, "application/octet-stream");
  const json full = GetJson(http, path);
  const EcgSignal signal = DecodeSignalI16(compact.body);
  ASSERT_EQ(signal.samples_per_lead(), full["samples_per_lead"].get<size_t>());
  EXPECT_EQ(signal.sample_rate_hz(), full["sample_rate_hz"].get<double>());
  for (size_t lead = 0; lead < kLeadCount; ++lead) {
    const json& samples = full["leads"][lead]["samples"];
    for (size_t t = 0; t < signal.samples_per_lead(); t += 97) {
      ASSERT_EQ(signal.data_uV()[lead * signal.samples_per_lead() + t], samples[t].get<float>())
          << full["leads"][lead]["lead"] << " sample " << t;
    }
  }
  EXPECT_LT(compact.body.size() * 3, http.Get(path).body.size());  // JSON is far larger
  EXPECT_EQ(http.Get(path + "?format=xml").status, 400);

  // The thumbnail's excerpt: lead II, 2.5 s, 125 Hz, the same waveform, 20 times smaller.
  const HttpResponse thumb = http.Get(path + "?format=i16&lead=II&duration_ms=2500&rate_hz=125");
  ASSERT_EQ(thumb.status, 200) << thumb.body;
  EXPECT_LT(thumb.body.size() * 15, compact.body.size());
  const EcgSignal excerpt = DecodeSignalI16(thumb.body);
  EXPECT_EQ(excerpt.sample_rate_hz(), 125.0);
  EXPECT_EQ(excerpt.status(Lead::kII), signal.status(Lead::kII));
  EXPECT_EQ(excerpt.status(Lead::kV1), LeadStatus::kMissing);
  float peak_full = 0, peak_excerpt = 0;
  for (size_t t = 0; t < 1250; ++t) peak_full = std::max(peak_full, signal.lead_uV(Lead::kII)[t]);
  for (size_t t = 0; t < excerpt.samples_per_lead(); ++t) {
    peak_excerpt = std::max(peak_excerpt, excerpt.lead_uV(Lead::kII)[t]);
  }
  EXPECT_GT(peak_excerpt, 0.7f * peak_full);
  EXPECT_LT(peak_excerpt, 1.2f * peak_full);
  // A preference list keeps the first lead the ECG holds (all twelve here: V3, not II).
  const EcgSignal v3 =
      DecodeSignalI16(http.Get(path + "?format=i16&lead=V3,II&duration_ms=1000").body);
  EXPECT_NE(v3.status(Lead::kV3), LeadStatus::kMissing);
  EXPECT_EQ(v3.status(Lead::kII), LeadStatus::kMissing);
  for (const char* bad :
       {"lead=X", "lead=II,", "lead=II,,I", "duration_ms=0", "rate_hz=10", "duration_ms=abc"}) {
    const HttpResponse answer = http.Get(path + "?format=i16&" + bad);
    EXPECT_EQ(answer.status, 400) << bad;
    EXPECT_NE(answer.body.find("query argument"), std::string::npos) << bad << ": " << answer.body;
  }
}

// Saves a tiny untrained model in the store and activates it (as the training worker would).
void ActivateTinyModel(EcgStore& store, const std::string& dir) {
  store.Migrate();
  torch::manual_seed(3);
  learning::EcgModel model(learning::ModelConfig::Tiny());
  learning::SaveModelDir(dir, model, json::object(), json::object());
  store.ActivateModel(store.SaveModel("tiny-page", learning::PackModelDir(dir),
                                      learning::ModelConfig::Tiny().ToJson().dump(), "{}"));
}

TEST_F(ClinicianPageTest, ThePageDrawsAnEcgItsListsCompareAndCourseInHeadlessChromium) {
  const std::string runner = SourcePath("tests/browser/node_modules/playwright-core/package.json");
  if (!std::filesystem::exists("/usr/bin/chromium"))
    GTEST_SKIP() << "Debian's chromium is not installed";
  if (!std::filesystem::exists(runner)) {
    GTEST_SKIP() << "playwright-core is not installed: run scripts/browser-deps.sh (npm ci)";
  }
  // A model for the lists (a server that serves one of its own from the start may keep it: the
  // page needs a model, not this one).
  ActivateTinyModel(Store(), dir_.File("model"));
  UploadCohort(/*patients=*/3, /*visits=*/4, /*seed=*/62);
  HttpClient& http = orthanc_->http();
  ASSERT_TRUE(WaitUntil(
      [&] {
        const json search = GetJson(http, "/ecg/status")["search"];
        return search["state"] == "ready" && search["index_size"] == uploaded_.size() &&
               search["embeddings_pending"] == 0;
      },
      std::chrono::seconds(120)))
      << orthanc_->LogTail();

  // Patient 0's last visit (it has three priors), compared with its first.
  const json& ecg = uploaded_[3];
  const json& other = uploaded_[0];
  const std::string out = BinaryPath("browser-artifacts");
  const std::string command =
      "node " + SourcePath("tests/browser/page.test.mjs") +
      " --base http://127.0.0.1:" + std::to_string(orthanc_->http_port()) + " --ecg " +
      ecg["ID"].get<std::string>() + " --other " + other["ID"].get<std::string>() + " --patient " +
      ecg["ParentPatient"].get<std::string>() + " --out " + out + " --similar ready";
  std::string output;
  const int status = RunCommand(command, &output);
  std::cout << output;
  EXPECT_EQ(status, 0) << output << orthanc_->LogTail();
  EXPECT_TRUE(std::filesystem::exists(out + "/ecg.png"));

  // The same server behind Orthanc's HTTP Basic authentication (restarted with a registered user
  // and a generated password): the browser, given the user's credentials, draws the page and its
  // lists through same-origin calls. The credentials reach node through its environment only.
  orthanc_->Stop();
  orthanc_->SetAuthentication(true);
  orthanc_->Start();
  ASSERT_TRUE(WaitUntil(
      [&] { return GetJson(orthanc_->http(), "/ecg/status")["search"]["state"] == "ready"; },
      std::chrono::seconds(60)))
      << orthanc_->LogTail();
  setenv("ECG_TEST_CREDENTIALS", (orthanc_->user() + ":" + orthanc_->password()).c_str(), 1);
  const int auth_status = RunCommand(command + " --auth basic", &output);
  unsetenv("ECG_TEST_CREDENTIALS");
  std::cout << output;
  EXPECT_EQ(auth_status, 0) << output << orthanc_->LogTail();
  EXPECT_EQ(output.find(orthanc_->password()), std::string::npos);
  EXPECT_EQ(orthanc_->LogTail(size_t{1} << 30).find(orthanc_->password()), std::string::npos);
}

}  // namespace
}  // namespace ecg::testing
