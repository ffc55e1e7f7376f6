#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/test_env.h"
#include "waveform/dicom/decoder.h"
#include "waveform/dicom/sop_class.h"
#include "waveform/ecg_archive.h"

namespace ecg {
namespace {

namespace fs = std::filesystem;

using testing::RunCli;

const Channel* FindLead(const WaveformGroup& group, Lead lead) {
  for (const Channel& c : group.channels) {
    if (c.lead == lead) return &c;
  }
  return nullptr;
}

TEST(Wfdb2DcmCommand, ConvertsOneSyntheticRecordWithItsBaseTime) {
  testing::TempDir dir;
  // Two signals, format 16, 500 Hz, 1000 samples: I a ramp, II constant.
  std::ofstream dat(dir.File("rec.dat"), std::ios::binary);
  for (int t = 0; t < 1000; ++t) {
    const int16_t frame[2] = {static_cast<int16_t>(t - 500), 800};
    dat.write(reinterpret_cast<const char*>(frame), sizeof(frame));
  }
  dat.close();
  std::ofstream(dir.File("rec.hea")) << "rec 2 500 1000 10:20:30 01/02/2003\n"
                                        "rec.dat 16 1000/mV 16 0 0 0 0 I\n"
                                        "rec.dat 16 1000/mV 16 0 0 0 0 II\n";
  std::string output;
  ASSERT_EQ(RunCli("wfdb2dcm " + dir.File("rec.hea") + " " + dir.File("rec.dcm"), &output), 0)
      << output;
  const EcgRecord record = dicom::DecodeEcgFile(dir.File("rec.dcm"));
  EXPECT_EQ(record.rhythm.sample_rate_hz, 500.0);
  const Channel* lead_i = FindLead(record.rhythm, Lead::kI);
  ASSERT_NE(lead_i, nullptr);
  EXPECT_NEAR(lead_i->samples_uV[0], -500.0, 1.0);
  EXPECT_NEAR(lead_i->samples_uV[999], 499.0, 1.0);
  ASSERT_TRUE(record.metadata.acquisition_time_ms.has_value());
  EXPECT_EQ(*record.metadata.acquisition_time_ms, 1044094830000LL);  // 2003-02-01 10:20:30
}

TEST(Wfdb2DcmCommand, RefusesAMissingRecordWithExitStatusTwo) {
  testing::TempDir dir;
  std::string output;
  EXPECT_EQ(RunCli("wfdb2dcm " + dir.File("absent") + " " + dir.File("x.dcm"), &output), 2);
  EXPECT_NE(output.find("absent.hea"), std::string::npos) << output;
}

TEST(Wfdb2DcmCommand, ConvertsPtbxlRecordsWithPatientsFromTheDatabase) {
  const auto data = testing::SharedDataDir();
  if (!data) GTEST_SKIP() << "no ../shared/data";
  testing::TempDir dir;
  std::string output;
  ASSERT_EQ(RunCli("wfdb2dcm --ptbxl " + *data + "/ptbxl --out " + dir.File("lr") +
                       " --limit 3 --archive " + dir.File("ptbxl.ecga"),
                   &output),
            0)
      << output;
  // The subset holds even patient_ids only; ecg 3 (patient 20372) is the first present.
  const EcgRecord record = dicom::DecodeEcgFile(dir.File("lr/3_lr.dcm"));
  EXPECT_EQ(record.metadata.patient_id, "PTBXL-20372");
  EXPECT_EQ(record.metadata.sex, "F");
  EXPECT_EQ(record.metadata.sop_class_uid, dicom::kAmbulatoryEcgSopClass);
  EXPECT_EQ(record.rhythm.sample_rate_hz, 100.0);
  EXPECT_EQ(record.rhythm.samples_per_channel, 1000u);
  const Channel* i = FindLead(record.rhythm, Lead::kI);
  const Channel* ii = FindLead(record.rhythm, Lead::kII);
  const Channel* iii = FindLead(record.rhythm, Lead::kIII);
  ASSERT_TRUE(i && ii && iii);
  for (size_t t = 0; t < 1000; ++t) {
    ASSERT_NEAR(iii->samples_uV[t], ii->samples_uV[t] - i->samples_uV[t], 4.0) << t;
  }
  EcgArchiveReader archive(dir.File("ptbxl.ecga"));
  ASSERT_EQ(archive.size(), 3u);
  EXPECT_EQ(archive.ReadKeys(0).ecg_key, 3);
  EXPECT_EQ(archive.ReadKeys(0).patient_key, 20372);
  EXPECT_EQ(archive.sample_rate_hz(), 500u);
}

}  // namespace
}  // namespace ecg
