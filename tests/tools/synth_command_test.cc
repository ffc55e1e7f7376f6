#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/test_env.h"
#include "waveform/dicom/decoder.h"
#include "waveform/ecg_archive.h"

namespace ecg {
namespace {

namespace fs = std::filesystem;

using testing::RunCli;

TEST(SynthCommand, WritesDicomFilesNamedByPatientAndVisitAndAnArchive) {
  testing::TempDir dir;
  std::string output;
  ASSERT_EQ(RunCli("synth --patients 3 --per-patient 2 --seed 7 --out " + dir.File("dcm") +
                       " --archive " + dir.File("train.ecga"),
                   &output),
            0)
      << output;
  size_t files = 0;
  for (const auto& entry : fs::directory_iterator(dir.File("dcm")))
    files += entry.is_regular_file();
  EXPECT_EQ(files, 6u);
  const EcgRecord record = dicom::DecodeEcgFile(dir.File("dcm/SYNTH-000002_v001.dcm"));
  EXPECT_EQ(record.metadata.patient_id, "SYNTH-000002");
  EXPECT_EQ(record.rhythm.sample_rate_hz, 500.0);
  EXPECT_EQ(record.rhythm.channels.size(), 12u);

  EcgArchiveReader archive(dir.File("train.ecga"));
  ASSERT_EQ(archive.size(), 6u);
  EXPECT_EQ(archive.sample_rate_hz(), 500u);
  EXPECT_EQ(archive.samples_per_lead(), 5000u);
  const ArchiveRecord last = archive.Read(5);
  EXPECT_EQ(last.keys.ecg_key, 5);
  EXPECT_EQ(last.keys.patient_key, 2);
  EXPECT_EQ(last.keys.acquisition_time_ms, record.metadata.acquisition_time_ms);
  // The archive and the DICOM file hold the same samples.
  const auto& lead_v2 = record.rhythm.channels[7];
  ASSERT_EQ(lead_v2.lead, Lead::kV2);
  for (size_t t = 0; t < 5000; t += 97) {
    ASSERT_NEAR(last.signal.lead_uV(Lead::kV2)[t], lead_v2.samples_uV[t], 1.0) << t;
  }
}

TEST(SynthCommand, TheSameSeedWritesTheSameArchive) {
  testing::TempDir dir;
  std::string output;
  for (const char* name : {"a.ecga", "b.ecga"}) {
    ASSERT_EQ(RunCli("synth --patients 2 --per-patient 2 --seed 11 --rate 250 --archive " +
                         dir.File(name),
                     &output),
              0)
        << output;
  }
  EcgArchiveReader a(dir.File("a.ecga")), b(dir.File("b.ecga"));
  EXPECT_EQ(a.sample_rate_hz(), 250u);
  for (uint64_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a.Read(i).signal.data_uV(), b.Read(i).signal.data_uV());
  }
}

TEST(SynthCommand, RefusesToRunWithoutAnOutput) {
  std::string output;
  EXPECT_EQ(RunCli("synth --patients 1 --per-patient 1 --seed 1", &output), 2) << output;
  EXPECT_NE(output.find("--out"), std::string::npos) << output;
}

}  // namespace
}  // namespace ecg
