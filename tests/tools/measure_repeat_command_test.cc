#include <gtest/gtest.h>

#include <regex>
#include <string>

#include "tests/support/test_env.h"
#include "tests/support/wfdb_writer.h"
#include "waveform/synth.h"

namespace ecg {
namespace {

using testing::RunCli;
using testing::WriteWfdb;

// The |d| 95% column of a measurement's row.
double Percentile95(const std::string& output, const std::string& field) {
  std::smatch m;
  const std::regex row(field + R"(\s+\d+\s+\S+\s+\S+\s+\S+\s+(\S+))");
  if (!std::regex_search(output, m, row)) return -1;
  return std::stod(m[1]);
}

// One low-noise synthetic ECG for each of `patients` patients (seed 5).
std::vector<SyntheticEcg> CleanEcgs(size_t patients, double rate_hz) {
  SynthOptions options;
  options.patients = patients;
  options.ecgs_per_patient = 1;
  options.seed = 5;
  options.noise_scale = 0.3;
  options.sample_rate_hz = rate_hz;
  return SynthesiseCohort(options);
}

TEST(MeasureRepeatCommand, TheHalvesOfCleanSyntheticRecordsAgreeAndRaiseNoStatement) {
  testing::TempDir dir;
  for (const SyntheticEcg& ecg : CleanEcgs(3, 500)) {
    // One record in a folder below the others: the folder is searched recursively.
    const std::string sub = ecg.patient_index == 2 ? "/deeper" : "";
    WriteWfdb(ecg.signal, dir.File("records") + sub, "r" + std::to_string(ecg.patient_index));
  }
  std::string output;
  ASSERT_EQ(RunCli("measure-repeat --data " + dir.File("records") + " --records", &output), 0)
      << output;
  EXPECT_NE(output.find("3 records, second half - first half"), std::string::npos) << output;
  const double qrs = Percentile95(output, "qrs_ms");
  EXPECT_GE(qrs, 0) << output;
  EXPECT_LE(qrs, 8) << output;  // 4 samples at 500 Hz
  const double rate = Percentile95(output, "heart_rate_bpm");
  EXPECT_GE(rate, 0) << output;
  EXPECT_LE(rate, 6) << output;
  EXPECT_NE(output.find("statements between the halves: 0 records with at least one (records):\n"
                        "  none"),
            std::string::npos)
      << output;
}

TEST(MeasureRepeatCommand, ARecordAt100HzIsMeasuredAsThePluginMeasuresIt) {
  testing::TempDir dir;
  WriteWfdb(CleanEcgs(1, 100).front().signal, dir.File("records"), "low");
  std::string output;
  ASSERT_EQ(RunCli("measure-repeat --data " + dir.File("records"), &output), 0) << output;
  // Told the source's rate, the product reports no QRS below 250 Hz, and the QT still.
  EXPECT_TRUE(std::regex_search(output, std::regex(R"(qrs_ms\s+0\s)"))) << output;
  EXPECT_TRUE(std::regex_search(output, std::regex(R"(qt_ms\s+1\s)"))) << output;
}

TEST(MeasureRepeatCommand, AMissingFolderIsAnErrorNamingIt) {
  testing::TempDir dir;
  std::string output;
  EXPECT_NE(RunCli("measure-repeat --data " + dir.File("absent"), &output), 0);
  EXPECT_NE(output.find(dir.File("absent")), std::string::npos) << output;
}

}  // namespace
}  // namespace ecg
