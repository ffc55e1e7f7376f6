// The real Mortara ELI 250 file decodes as its README says (skipped without ../shared/data), and
// dciodvfy (dicom3tools) finds no error in what the encoder writes for each SOP class.
#include <gtest/gtest.h>

#include <fstream>

#include "tests/support/test_env.h"
#include "tests/waveform/dicom/dicom_fixtures.h"
#include "waveform/dicom/sop_class.h"

namespace ecg::dicom {
namespace {

using testing::EncodeSignal;
using testing::MakeSignal;

std::optional<std::string> MortaraPath() {
  const auto data = ecg::testing::SharedDataDir();
  if (!data) return std::nullopt;
  const std::string path = *data + "/dicom/mortara-eli250-12lead.dcm";
  if (!std::ifstream(path)) return std::nullopt;
  return path;
}

TEST(RealFile, MortaraEli250DecodesWithTheRawSamplesItsReadmeGives) {
  const auto path = MortaraPath();
  if (!path) GTEST_SKIP() << "../shared/data/dicom/mortara-eli250-12lead.dcm absent";
  const EcgRecord record = DecodeEcgFile(*path);
  EXPECT_EQ(record.metadata.sop_class_uid, kTwelveLeadEcgSopClass);
  EXPECT_EQ(record.rhythm.label, "RHYTHM");
  EXPECT_DOUBLE_EQ(record.rhythm.sample_rate_hz, 1000);
  EXPECT_EQ(record.rhythm.samples_per_channel, 10000u);
  ASSERT_EQ(record.rhythm.channels.size(), 12u);
  for (size_t c = 0; c < 12; ++c) EXPECT_EQ(record.rhythm.channels[c].lead, AllLeads()[c]);
  const std::vector<float> raw = {80, 65, 50, 35, 37, 40, 40, 40, 40, 40, 40, 40, 45, 50, 48, 45};
  const Channel& lead_i = record.rhythm.channels[0];
  EXPECT_EQ(lead_i.source_code, "5.6.3-9-1");
  for (size_t t = 0; t < raw.size(); ++t) EXPECT_FLOAT_EQ(lead_i.samples_uV[t], raw[t] * 1.25f);
  ASSERT_TRUE(record.median_beat.has_value());
  EXPECT_EQ(record.median_beat->samples_per_channel, 1200u);
  EXPECT_EQ(record.metadata.manufacturer, "Mortara Instrument, Inc.");
  EXPECT_EQ(record.metadata.model, "el250");
  EXPECT_EQ(record.metadata.sex, "F");
  EXPECT_EQ(record.metadata.acquisition_time_source, "acquisition");
  EXPECT_EQ(record.metadata.low_frequency_filter_hz, 0.05);
  EXPECT_EQ(record.metadata.high_frequency_filter_hz, 300);
  EXPECT_FALSE(record.metadata.measurements.empty());
  EXPECT_FALSE(record.metadata.statements.empty());
}

std::string Dciodvfy(const std::vector<uint8_t>& bytes) {
  ecg::testing::TempDir dir;
  const std::string path = dir.File("ecg.dcm");
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  std::string output;
  ecg::testing::RunCommand("dciodvfy " + path, &output);
  return output;
}

void ExpectNoDciodvfyError(double rate_hz, double seconds, const char* iod) {
  if (std::system("command -v dciodvfy > /dev/null") != 0) GTEST_SKIP() << "no dciodvfy";
  const std::string report = Dciodvfy(EncodeSignal(MakeSignal(rate_hz, seconds)));
  EXPECT_NE(report.find(iod), std::string::npos) << report;
  EXPECT_EQ(report.find("Error"), std::string::npos) << report;
}

TEST(Dciodvfy, FindsNoErrorInA500Hz12LeadEcg) {
  ExpectNoDciodvfyError(500, 10, "TwelveLeadECG");
}

TEST(Dciodvfy, FindsNoErrorInALongGeneralEcg) {
  ExpectNoDciodvfyError(500, 30, "GeneralECG");
}

TEST(Dciodvfy, FindsNoErrorInA100HzAmbulatoryEcg) {
  ExpectNoDciodvfyError(100, 10, "AmbulatoryECG");
}

}  // namespace
}  // namespace ecg::dicom
