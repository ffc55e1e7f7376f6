#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support/ptbxl_writer.h"
#include "tests/support/test_env.h"
#include "tests/waveform/measure_signals.h"

namespace ecg {
namespace {

using testing::RunCli;

// A PTB-XL folder with four 500 Hz records: 1 sinus (SR), 2 atrial fibrillation (AFIB), 3
// stated AFIB but recorded in sinus rhythm (a disagreement), 4 AFIB in fold 10.
void WriteSmallPtbxl(const std::string& dir) {
  std::vector<testing::PtbxlTestRecord> records;
  const char* codes[] = {"{'NORM': 100.0, 'SR': 0.0}", "{'AFIB': 100.0}", "{'AFIB': 100.0}",
                         "{'AFIB': 100.0}"};
  for (int id = 1; id <= 4; ++id) {
    testing::KnownEcgOptions o;
    o.fibrillation = id == 2 || id == 4;
    records.push_back({id, codes[id - 1], id == 4 ? 10 : 1, testing::MakeKnownEcg(o).signal});
  }
  testing::WritePtbxlFolder(dir,
                            "NORM,normal ECG,1.0,,,NORM\n"
                            "SR,sinus rhythm,,,1.0,\n"
                            "AFIB,atrial fibrillation,,,1.0,\n",
                            records);
}

TEST(RhythmEvalCommand, CountsTheProductsLabelsAgainstTheStatementsOfTheChosenFolds) {
  testing::TempDir dir;
  WriteSmallPtbxl(dir.path());
  std::string output;
  ASSERT_EQ(
      RunCli("rhythm-eval --ptbxl " + dir.path() + " --rate 500 --folds 1-8 --records", &output), 0)
      << output;
  // Fold 10 left out: three ECGs; one of the two AFIB ECGs is called AF, the sinus one is not.
  EXPECT_NE(output.find("3 ECGs;"), std::string::npos) << output;
  EXPECT_NE(output.find("sensitivity 1/2 (50%), specificity against sinus 1/1"), std::string::npos)
      << output;
  // The AFIB ECG recorded in sinus rhythm is listed, and its P wave counts against the P rule.
  EXPECT_NE(output.find("     3 fold  1 AFIB"), std::string::npos) << output;
  EXPECT_EQ(output.find("     2 fold"), std::string::npos) << output;
  EXPECT_NE(output.find("(P axis or PR given): 1 of 2"), std::string::npos) << output;
  EXPECT_NE(output.find("no P wave where the reference says sinus: 0 of 1"), std::string::npos)
      << output;
}

TEST(RhythmEvalCommand, BadRatesAndFoldsAreErrorsNamingTheFlag) {
  testing::TempDir dir;
  WriteSmallPtbxl(dir.path());
  std::string output;
  EXPECT_NE(RunCli("rhythm-eval --ptbxl " + dir.path() + " --rate 250", &output), 0);
  EXPECT_NE(output.find("--rate"), std::string::npos) << output;
  EXPECT_NE(RunCli("rhythm-eval --ptbxl " + dir.path() + " --folds 3-11", &output), 0);
  EXPECT_NE(output.find("--folds"), std::string::npos) << output;
  // The folder holds 500 Hz records only: at 100 Hz there is nothing to measure, and it says so.
  EXPECT_NE(RunCli("rhythm-eval --ptbxl " + dir.path() + " --rate 100", &output), 0);
  EXPECT_NE(output.find("no 100 Hz record (records100/) of an ECG in folds 1-10"),
            std::string::npos)
      << output;
}

}  // namespace
}  // namespace ecg
