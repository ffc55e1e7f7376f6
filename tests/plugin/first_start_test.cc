// The plugin's first start on an empty database, as an administrator sees it in Orthanc's log:
// the store is migrated before any thread reads its tables, so the start logs no error (before,
// the search service and the training supervisor queried "models" and "training_runs" before the
// migrations had created them). A disabled plugin loads without an error line either.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "tests/plugin/plugin_fixture.h"

namespace ecg::testing {
namespace {

using nlohmann::json;

// The plugin's error lines of an Orthanc log ("E1205 03:40:00.123456 ... [ecg] ..."), and every
// line that names a missing relation, whatever its level.
std::vector<std::string> PluginErrorLines(const std::string& log) {
  std::vector<std::string> found;
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    const bool plugin_error = !line.empty() && line[0] == 'E' && line.find("[ecg]") != line.npos;
    if (plugin_error || line.find("does not exist") != line.npos) found.push_back(line);
  }
  return found;
}

std::string Joined(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\n";
  return text;
}

TEST_F(PluginTest, AFirstStartOnAnEmptyDatabaseLogsNoError) {
  json section = EcgSection();
  // The supervisor ticks as in production; no scheduled run may start a worker during the test.
  section["Training"] = {{"Schedule", "disabled"}, {"Worker", "local"}};
  auto orthanc = StartOrthanc(section);
  for (const DicomEcg& ecg : SyntheticDicomEcgs(2, 1, /*seed=*/31)) Upload(orthanc->http(), ecg);

  // Every background thread has been through its first iterations: the ECGs are stored, the
  // search service has looked for a model (none yet, or model zero ready) and the supervisor has
  // published its metrics.
  ASSERT_TRUE(WaitUntil([&] {
    const json status = GetJson(orthanc->http(), "/ecg/status");
    const std::string search = status["search"].value("state", "");
    return status.value("ecgs", json()) == 2 && (search == "ready" || search.rfind("no ", 0) == 0);
  })) << orthanc->LogTail();
  ASSERT_TRUE(WaitUntil([&] {
    return orthanc->http().Get("/tools/metrics-prometheus").body.find(
               "orthanc_ecg_training_active_model_id") != std::string::npos;
  })) << orthanc->LogTail();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  orthanc->Stop();

  const std::string log = orthanc->LogTail(size_t{1} << 24);
  ASSERT_NE(log.find("first start: backfilling"), std::string::npos) << log;
  EXPECT_EQ(Joined(PluginErrorLines(log)), "") << log;
}

TEST_F(PluginTest, ADisabledPluginLoadsWithoutAnErrorLine) {
  // What the Debian package installs: the section present, "Enable": false, no connection URI.
  auto orthanc = StartOrthanc(json{{"Enable", false}});
  EXPECT_EQ(orthanc->http().Get("/ecg/status").status, 404);
  EXPECT_NE(orthanc->http().Get("/plugins").body.find("orthanc-ecg"), std::string::npos);
  orthanc->Stop();

  const std::string log = orthanc->LogTail(size_t{1} << 24);
  EXPECT_NE(log.find("ECG plugin disabled"), std::string::npos) << log;
  EXPECT_EQ(Joined(PluginErrorLines(log)), "") << log;
}

}  // namespace
}  // namespace ecg::testing
