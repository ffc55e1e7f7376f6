#include "waveform/ecg_archive.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>

#include "tests/support/test_env.h"
#include "waveform/error.h"

namespace ecg {
namespace {

EcgSignal Ramp(size_t n, float offset) {
  EcgSignal s(500.0, n);
  for (Lead lead : AllLeads()) {
    s.set_status(lead, LeadStatus::kRecorded);
    for (size_t t = 0; t < n; ++t) s.lead_uV(lead)[t] = offset + LeadIndex(lead) * 100.0f + t;
  }
  s.set_status(Lead::kIII, LeadStatus::kDerived);
  return s;
}

TEST(EcgArchive, RecordsRoundTripWithKeysMaskAndSamples) {
  testing::TempDir dir;
  const std::string path = dir.File("a.ecga");
  {
    EcgArchiveWriter writer(path, 500, 8);
    writer.Append({11, 7, 1000}, Ramp(8, 0.0f));
    writer.Append({12, 7, kUnknownTime}, Ramp(8, -50.0f));
    writer.Close();
    EXPECT_EQ(writer.records_written(), 2u);
  }
  EcgArchiveReader reader(path);
  ASSERT_EQ(reader.size(), 2u);
  EXPECT_EQ(reader.samples_per_lead(), 8u);
  const ArchiveRecord second = reader.Read(1);
  EXPECT_EQ(second.keys.ecg_key, 12);
  EXPECT_EQ(second.keys.patient_key, 7);
  EXPECT_EQ(second.keys.acquisition_time_ms, kUnknownTime);
  EXPECT_EQ(second.signal.status(Lead::kIII), LeadStatus::kDerived);
  EXPECT_EQ(second.signal.lead_uV(Lead::kV6)[3], -50.0f + 1100.0f + 3.0f);
  EXPECT_EQ(reader.ReadKeys(0).acquisition_time_ms, 1000);
}

TEST(EcgArchive, ShortSignalsArePaddedAndLongOnesCut) {
  testing::TempDir dir;
  const std::string path = dir.File("b.ecga");
  EcgArchiveWriter writer(path, 500, 8);
  writer.Append({1, 1, 0}, Ramp(5, 0.0f));
  writer.Append({2, 1, 0}, Ramp(20, 0.0f));
  writer.Close();
  EcgArchiveReader reader(path);
  const ArchiveRecord shorter = reader.Read(0);
  EXPECT_EQ(shorter.valid_samples, 5u);
  EXPECT_EQ(shorter.signal.lead_uV(Lead::kI)[4], 4.0f);
  EXPECT_EQ(shorter.signal.lead_uV(Lead::kI)[5], 0.0f);
  EXPECT_EQ(reader.Read(1).valid_samples, 8u);
}

TEST(EcgArchive, SamplesBeyondInt16AreClamped) {
  testing::TempDir dir;
  EcgSignal s(500.0, 2);
  s.lead_uV(Lead::kI)[0] = 1e6f;
  s.lead_uV(Lead::kI)[1] = -1e6f;
  EcgArchiveWriter writer(dir.File("c.ecga"), 500, 2);
  writer.Append({}, s);
  writer.Close();
  EcgArchiveReader reader(dir.File("c.ecga"));
  const ArchiveRecord r = reader.Read(0);
  EXPECT_EQ(r.signal.lead_uV(Lead::kI)[0], 32767.0f);
  EXPECT_EQ(r.signal.lead_uV(Lead::kI)[1], -32767.0f);
}

TEST(EcgArchive, TruncatedFileIsCorruption) {
  testing::TempDir dir;
  const std::string path = dir.File("d.ecga");
  {
    EcgArchiveWriter writer(path, 500, 8);
    writer.Append({}, Ramp(8, 0));
    writer.Close();
  }
  std::ofstream(path, std::ios::app) << "xyz";
  try {
    EcgArchiveReader reader(path);
    FAIL() << "expected Corruption";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsCorruption());
    EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos);
  }
}

TEST(EcgArchive, WrongRateIsRefused) {
  testing::TempDir dir;
  EcgArchiveWriter writer(dir.File("e.ecga"), 500, 8);
  EXPECT_THROW(writer.Append({}, EcgSignal(100.0, 8)), Error);
}

}  // namespace
}  // namespace ecg
