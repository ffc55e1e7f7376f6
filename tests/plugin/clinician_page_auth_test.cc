// The clinician's page behind Orthanc's own HTTP Basic authentication ("AuthenticationEnabled",
// "RegisteredUsers"): without credentials, or with a wrong password, the page, its assets and the
// plugin's REST routes answer 401; with the user's credentials they answer as usual; the password
// never reaches Orthanc's log. (The page in a browser behind authentication is checked by
// ClinicianPageTest.ThePageDrawsAnEcgItsListsCompareAndCourseInHeadlessChromium.) Real Orthanc,
// real PostgreSQL, one synthetic ECG with a fixed seed.
#include "tests/plugin/plugin_fixture.h"
#include "waveform/signal_i16.h"

namespace ecg::testing {
namespace {

using nlohmann::json;

class ClinicianPageAuthTest : public PluginTest {};

TEST_F(ClinicianPageAuthTest, WithAuthenticationOnThePageAndRoutesAnswer401WithoutCredentials) {
  OrthancServerOptions options;
  options.plugin_path = OrthancServer::PluginPath();
  options.ecg_section = EcgSection();
  options.authentication = true;
  OrthancServer orthanc(options);
  HttpClient& http = orthanc.http();  // with the generated user's credentials
  const json uploaded = Upload(http, SyntheticDicomEcgs(1, 1, /*seed=*/63)[0]);
  ASSERT_TRUE(WaitUntil([&] { return CountEcgs() == 1; })) << orthanc.LogTail();
  const std::string id = uploaded["ID"].get<std::string>();
  const std::vector<std::string> paths = {
      "/ecg/app/",       "/ecg/app/index.html?ecg=" + id,          "/ecg/app/api.js",
      "/ecg/ecgs/" + id, "/ecg/ecgs/" + id + "/signal?format=i16", "/ecg/status"};

  std::unique_ptr<HttpClient> anonymous = orthanc.AnonymousClient();
  std::unique_ptr<HttpClient> wrong = orthanc.AnonymousClient();
  wrong->SetBasicAuth(orthanc.user(), orthanc.password() + "x");
  for (const std::string& path : paths) {
    EXPECT_EQ(anonymous->Get(path).status, 401) << path;
    EXPECT_EQ(wrong->Get(path).status, 401) << path;
  }

  const HttpResponse entry = http.Get("/ecg/app/");
  EXPECT_EQ(entry.status, 200);
  EXPECT_NE(entry.body.find("'index.html'+location.search"), std::string::npos);
  const HttpResponse page = http.Get("/ecg/app/index.html?ecg=" + id);
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("app.js"), std::string::npos);
  EXPECT_EQ(http.Get("/ecg/app/api.js").status, 200);
  const HttpResponse ecg = http.Get("/ecg/ecgs/" + id);
  ASSERT_EQ(ecg.status, 200) << ecg.body;
  EXPECT_EQ(json::parse(ecg.body)["orthanc"]["instance"], id);
  const HttpResponse signal = http.Get("/ecg/ecgs/" + id + "/signal?format=i16");
  ASSERT_EQ(signal.status, 200);
  EXPECT_EQ(DecodeSignalI16(signal.body).samples_per_lead(), 5000u);
  EXPECT_EQ(http.Get("/ecg/status").status, 200);

  // Orthanc logs at info level here (--verbose); the password is in none of it.
  EXPECT_EQ(orthanc.LogTail(size_t{1} << 30).find(orthanc.password()), std::string::npos);
}

}  // namespace
}  // namespace ecg::testing
