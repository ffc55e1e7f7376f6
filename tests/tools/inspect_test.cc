// `orthanc-ecg inspect`: text and JSON reports of an encoded ECG, --samples in microvolts at the
// file's own rate, and exit status 2 with one line for a file that cannot be decoded.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>

#include "tests/support/test_env.h"
#include "tests/waveform/measure_signals.h"
#include "waveform/dicom/encoder.h"

namespace ecg {
namespace {

using ecg::testing::BinaryPath;
using ecg::testing::RunCommand;
using ecg::testing::TempDir;

// 1 s at 500 Hz, leads I, II and V1..V6 recorded (limb leads III, aVR, aVL, aVF derivable).
std::string WriteEcg(const TempDir& dir) {
  EcgSignal signal(500, 500);
  for (Lead lead : AllLeads()) {
    if (LeadIndex(lead) >= 2 && LeadIndex(lead) < 6) continue;
    float* out = signal.lead_uV(lead);
    for (size_t t = 0; t < 500; ++t) out[t] = static_cast<float>(LeadIndex(lead) * 100 + t % 7);
    signal.set_status(lead, LeadStatus::kRecorded);
  }
  EcgMetadata metadata;
  metadata.patient_id = "INSPECT-1";
  metadata.sex = "M";
  metadata.statements = {"NORMAL ECG"};
  const std::string path = dir.File("ecg.dcm");
  dicom::WriteEcgFile(path, metadata, signal);
  return path;
}

std::string Inspect(const std::string& args, int* status) {
  std::string output;
  // stderr (logs) is dropped so that --json output parses
  *status =
      RunCommand("(" + BinaryPath("orthanc-ecg") + " inspect " + args + " 2>/dev/null)", &output);
  return output;
}

TEST(Inspect, TextReportNamesClassLeadsRateAndPatient) {
  TempDir dir;
  int status = -1;
  const std::string out = Inspect(WriteEcg(dir), &status);
  EXPECT_EQ(status, 0) << out;
  EXPECT_NE(out.find("12-Lead ECG"), std::string::npos) << out;
  EXPECT_NE(out.find("leads recorded: I II V1 V2 V3 V4 V5 V6"), std::string::npos) << out;
  EXPECT_NE(out.find("leads derived:  III aVR aVL aVF"), std::string::npos) << out;
  EXPECT_NE(out.find("500 Hz"), std::string::npos) << out;
  EXPECT_NE(out.find("INSPECT-1"), std::string::npos) << out;
  EXPECT_NE(out.find("NORMAL ECG"), std::string::npos) << out;
}

TEST(Inspect, JsonIsOneObjectWithLeadStatusesAndNoSamplesByDefault) {
  TempDir dir;
  int status = -1;
  const auto j = nlohmann::json::parse(Inspect(WriteEcg(dir) + " --json", &status));
  EXPECT_EQ(status, 0);
  EXPECT_EQ(j["sop_class"], "12-Lead ECG");
  EXPECT_EQ(j["leads"]["I"], "recorded");
  EXPECT_EQ(j["leads"]["aVF"], "derived");
  EXPECT_EQ(j["rhythm"]["sample_rate_hz"], 500.0);
  EXPECT_EQ(j["rhythm"]["samples"], 500);
  EXPECT_EQ(j["units"], "uV");
  EXPECT_EQ(j["patient"]["sex"], "M");
  EXPECT_FALSE(j.contains("signal_uV"));
}

TEST(Inspect, SamplesGiveEveryLeadInMicrovoltsAtTheFilesRate) {
  TempDir dir;
  int status = -1;
  const auto j = nlohmann::json::parse(Inspect(WriteEcg(dir) + " --json --samples", &status));
  EXPECT_EQ(status, 0);
  const auto& signal = j["signal_uV"];
  ASSERT_EQ(signal["V1"].size(), 500u);
  EXPECT_EQ(signal["V1"][3].get<double>(), 603.0);
  EXPECT_EQ(signal["I"][1].get<double>(), 1.0);
  // III = II - I
  EXPECT_EQ(signal["III"][2].get<double>(),
            signal["II"][2].get<double>() - signal["I"][2].get<double>());
}

TEST(Inspect, JsonHasTheProductsMeasurementsAndTheDevicesApart) {
  TempDir dir;
  EcgMetadata metadata;
  metadata.patient_id = "INSPECT-2";
  metadata.measurements = {{"QRS Duration", "SCPECG:5.13.5-9", 92, "ms"}};
  const std::string path = dir.File("measured.dcm");
  dicom::WriteEcgFile(path, metadata, ecg::testing::MakeKnownEcg({}).signal);
  int status = -1;
  const auto j = nlohmann::json::parse(Inspect(path + " --json", &status));
  EXPECT_EQ(status, 0);
  ASSERT_EQ(j["device_measurements"].size(), 1u);
  EXPECT_EQ(j["device_measurements"][0]["name"], "QRS Duration");
  const auto& m = j["measurements"];
  EXPECT_EQ(m["rhythm"], "sinus");
  EXPECT_NEAR(m["heart_rate_bpm"].get<double>(), 70, 1);
  EXPECT_NEAR(m["qrs_ms"].get<double>(), 90, 6);
  EXPECT_NEAR(m["qt_ms"].get<double>(), 380, 10);
  EXPECT_TRUE(m["quality"].is_object());
  EXPECT_TRUE(m["reasons"].empty());
}

TEST(Inspect, JsonMeasurementsOfAnUnmeasurableEcgAreNullWithReasons) {
  TempDir dir;
  int status = -1;
  const auto j = nlohmann::json::parse(Inspect(WriteEcg(dir) + " --json", &status));
  EXPECT_EQ(status, 0);
  EXPECT_TRUE(j["measurements"]["qrs_ms"].is_null());
  // 1 s of a 6 uV sawtooth: a flat line
  EXPECT_NE(j["measurements"]["reasons"]["qrs_ms"].get<std::string>().find("flat line"),
            std::string::npos);
}

TEST(Inspect, AFileThatIsNotDicomExitsWith2AndOneLineSayingWhy) {
  TempDir dir;
  const std::string path = dir.File("junk.dcm");
  std::ofstream(path) << "this is not a DICOM file at all, just text";
  std::string output;
  const int status =
      RunCommand("(" + BinaryPath("orthanc-ecg") + " inspect " + path + " >/dev/null)", &output);
  EXPECT_EQ(status, 2);
  EXPECT_NE(output.find(path), std::string::npos) << output;
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 1) << output;
}

}  // namespace
}  // namespace ecg
