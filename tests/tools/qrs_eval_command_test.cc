#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "tests/support/ptbxl_writer.h"
#include "tests/support/test_env.h"
#include "tests/waveform/measure_signals.h"

namespace ecg {
namespace {

using testing::RunCli;

// A PTB-XL folder of four 500 Hz records: 1 CLBBB with a 140 ms QRS, 2 CRBBB with a 100 ms QRS
// (a miss), 3 NORM with 90 ms, 4 NORM with 130 ms (a miss); and a 100 Hz-only record 5.
void WriteSmallPtbxl(const std::string& dir) {
  std::vector<testing::PtbxlTestRecord> records;
  const char* codes[] = {"{'CLBBB': 100.0, 'SR': 0.0}", "{'CRBBB': 100.0}", "{'NORM': 100.0}",
                         "{'NORM': 100.0}", "{'CLBBB': 100.0}"};
  const double qrs_ms[] = {140, 100, 90, 130, 140};
  for (int id = 1; id <= 5; ++id) {
    testing::KnownEcgOptions o;
    o.qrs_ms = qrs_ms[id - 1];
    o.qt_ms = 400;
    o.sample_rate_hz = id < 5 ? 500 : 100;
    records.push_back({id, codes[id - 1], 2, testing::MakeKnownEcg(o).signal});
  }
  testing::WritePtbxlFolder(dir,
                            "NORM,normal ECG,1.0,,,NORM\n"
                            "CLBBB,complete LBBB,1.0,,,CD\n"
                            "CRBBB,complete RBBB,1.0,,,CD\n"
                            "SR,sinus rhythm,,,1.0,\n",
                            records);
}

TEST(QrsEvalCommand, CountsWideQrsPerConductionGroupAndListsTheMisses) {
  testing::TempDir dir;
  WriteSmallPtbxl(dir.path());
  std::string output;
  ASSERT_EQ(RunCli("qrs-eval --ptbxl " + dir.path() + " --records", &output), 0) << output;
  // Only the four 500 Hz records are measured.
  EXPECT_NE(output.find("500 Hz records, folds 1-10: 4 ECGs"), std::string::npos) << output;
  // Complete blocks: 2 ECGs, 2 QRS, 1 at 120 ms or more; normal: 2, 2, 1.
  EXPECT_TRUE(std::regex_search(
      output,
      std::regex(R"(complete bundle branch block \(CLBBB, CRBBB: >= 120 ms\)\s+2\s+2\s+1\s)")))
      << output;
  EXPECT_TRUE(std::regex_search(
      output,
      std::regex(R"(normal ECG \(NORM, no conduction statement: < 120 ms\)\s+2\s+2\s+1\s)")))
      << output;
  EXPECT_NE(output.find("     2 fold  2 CRBBB"), std::string::npos) << output;
  EXPECT_NE(output.find("     4 fold  2 NORM"), std::string::npos) << output;
  EXPECT_EQ(output.find("     1 fold"), std::string::npos) << output;
  EXPECT_EQ(output.find("     3 fold"), std::string::npos) << output;
}

TEST(QrsEvalCommand, BadFoldsAreAnErrorNamingTheFlag) {
  testing::TempDir dir;
  WriteSmallPtbxl(dir.path());
  std::string output;
  EXPECT_NE(RunCli("qrs-eval --ptbxl " + dir.path() + " --folds 0-3", &output), 0);
  EXPECT_NE(output.find("--folds"), std::string::npos) << output;
}

}  // namespace
}  // namespace ecg
