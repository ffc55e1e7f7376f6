#include "waveform/wfdb.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>

#include "tests/support/test_env.h"
#include "waveform/canonical.h"
#include "waveform/error.h"

namespace ecg {
namespace {

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path) << text;
}

void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

// Interleaved frames (sample t of every signal, then t + 1) in format 16.
std::vector<uint8_t> Format16(const std::vector<std::vector<int>>& signals) {
  std::vector<uint8_t> bytes;
  for (size_t t = 0; t < signals[0].size(); ++t) {
    for (const auto& s : signals) {
      bytes.push_back(static_cast<uint8_t>(s[t] & 0xFF));
      bytes.push_back(static_cast<uint8_t>((s[t] >> 8) & 0xFF));
    }
  }
  return bytes;
}

// Interleaved frames in format 212: two 12-bit samples in three bytes.
std::vector<uint8_t> Format212(const std::vector<std::vector<int>>& signals) {
  std::vector<int> stream;
  for (size_t t = 0; t < signals[0].size(); ++t) {
    for (const auto& s : signals) stream.push_back(s[t] & 0xFFF);
  }
  std::vector<uint8_t> bytes;
  for (size_t i = 0; i < stream.size(); i += 2) {
    const int a = stream[i], b = i + 1 < stream.size() ? stream[i + 1] : 0;
    bytes.push_back(static_cast<uint8_t>(a & 0xFF));
    bytes.push_back(static_cast<uint8_t>(((a >> 8) & 0x0F) | ((b >> 8) & 0x0F) << 4));
    if (i + 1 < stream.size()) bytes.push_back(static_cast<uint8_t>(b & 0xFF));
  }
  return bytes;
}

int Checksum(const std::vector<int>& s) {
  int sum = 0;
  for (int v : s) sum += v;
  return static_cast<int16_t>(sum & 0xFFFF);
}

TEST(ReadWfdbRecord, ReadsFormat16WithGainBaselineUnitsAndBaseTime) {
  testing::TempDir dir;
  const std::vector<std::vector<int>> raw = {{0, 1000, -1000, 32767}, {5, 6, 7, 8}, {-3, 0, 3, 6}};
  WriteBytes(dir.File("r1.dat"), Format16(raw));
  WriteText(dir.File("r1.hea"),
            "# a comment\n"
            "r1 3 500 4 09:17:34 09/11/1984\n"
            "r1.dat 16 1000.0(0)/mV 16 0 0 " +
                std::to_string(Checksum(raw[0])) +
                " 0 I\n"
                "r1.dat 16 200(5)/uV 16 0 5 0 0 II\n"
                "r1.dat 16 2 16 3 -3 0 0 AVR\n");
  const WfdbRecord r = ReadWfdbRecord(dir.File("r1"));
  EXPECT_EQ(r.record_name, "r1");
  EXPECT_EQ(r.group.label, "RHYTHM");
  EXPECT_EQ(r.group.sample_rate_hz, 500.0);
  ASSERT_EQ(r.group.samples_per_channel, 4u);
  ASSERT_EQ(r.group.channels.size(), 3u);
  EXPECT_EQ(r.group.channels[0].lead, Lead::kI);
  EXPECT_EQ(r.group.channels[2].lead, Lead::kAVR);
  EXPECT_EQ(ToVector(r.group.channels[0].samples_uV), std::vector<float>({0, 1000, -1000, 32767}));
  EXPECT_FLOAT_EQ(r.group.channels[1].samples_uV[3], 3.0f / 200);  // (8 - 5) / 200 uV
  // No baseline in the gain field: ADC zero (3) is the baseline; no units: mV.
  EXPECT_FLOAT_EQ(r.group.channels[2].samples_uV[3], (6 - 3) / 2.0f * 1000);
  ASSERT_TRUE(r.base_time_ms.has_value());
  EXPECT_EQ(*r.base_time_ms, 468839854000LL);  // 1984-11-09 09:17:34 UTC
}

TEST(ReadWfdbRecord, ReadsFormat212WithNegativeSamplesAndAnOddSampleCount) {
  testing::TempDir dir;
  const std::vector<std::vector<int>> raw = {{-2047, -1, 0, 2047, 100}};
  WriteBytes(dir.File("r2.dat"), Format212(raw));
  WriteText(dir.File("r2.hea"), "r2 1 250\nr2.dat 212 100(10)/mV 12 0 0 0 0 V3\n");
  const WfdbRecord r = ReadWfdbRecord(dir.File("r2"));
  ASSERT_EQ(r.group.samples_per_channel, 5u);  // from the file size
  EXPECT_EQ(r.group.channels[0].lead, Lead::kV3);
  const std::vector<float> expected = {-20570, -110, -100, 20370, 900};
  EXPECT_EQ(ToVector(r.group.channels[0].samples_uV), expected);
  EXPECT_FALSE(r.base_time_ms.has_value());
}

TEST(ReadWfdbRecord, ReadsTwoSignalsInterleavedInFormat212) {
  testing::TempDir dir;
  const std::vector<std::vector<int>> raw = {{1, -2, 3}, {-4, 5, -6}};
  WriteBytes(dir.File("r3.dat"), Format212(raw));
  WriteText(dir.File("r3.hea"),
            "r3 2 1000 3\nr3.dat 212 1/uV 12 0 0 0 0 I\n"
            "r3.dat 212 1/uV 12 0 0 0 0 II\n");
  const WfdbRecord r = ReadWfdbRecord(dir.File("r3"));
  EXPECT_EQ(ToVector(r.group.channels[0].samples_uV), std::vector<float>({1, -2, 3}));
  EXPECT_EQ(ToVector(r.group.channels[1].samples_uV), std::vector<float>({-4, 5, -6}));
}

TEST(ReadWfdbRecord, CountsInvalidSamplesAsPaddingAtZero) {
  testing::TempDir dir;
  WriteBytes(dir.File("r4.dat"), Format16({{10, -32768, 20}}));
  WriteText(dir.File("r4.hea"), "r4 1 500 3\nr4.dat 16 1/uV 16 0 0 0 0 V1\n");
  const WfdbRecord r = ReadWfdbRecord(dir.File("r4"));
  EXPECT_EQ(ToVector(r.group.channels[0].samples_uV), std::vector<float>({10, 0, 20}));
  EXPECT_EQ(r.group.channels[0].padding_samples, 1u);
}

Error ReadError(const std::string& record) {
  try {
    ReadWfdbRecord(record);
  } catch (const Error& e) {
    return e;
  }
  ADD_FAILURE() << "expected an error for " << record;
  return Error::Conflict("none");
}

TEST(ReadWfdbRecord, RefusesMissingShortCorruptAndUnsupportedRecordsWithClearErrors) {
  testing::TempDir dir;
  EXPECT_TRUE(ReadError(dir.File("absent")).IsNotFound());
  WriteText(dir.File("nodat.hea"), "nodat 1 500 3\nnodat.dat 16 1/uV 16 0 0 0 0 I\n");
  EXPECT_TRUE(ReadError(dir.File("nodat")).IsNotFound());
  WriteBytes(dir.File("short.dat"), Format16({{1, 2}}));
  WriteText(dir.File("short.hea"), "short 1 500 3\nshort.dat 16 1/uV 16 0 0 0 0 I\n");
  const Error short_error = ReadError(dir.File("short"));
  EXPECT_TRUE(short_error.IsCorruption());
  EXPECT_NE(std::string(short_error.what()).find("short.dat"), std::string::npos);
  WriteText(dir.File("fmt.hea"), "fmt 1 500 3\nfmt.dat 80 1/uV 8 0 0 0 0 I\n");
  EXPECT_TRUE(ReadError(dir.File("fmt")).IsUnsupported());
  WriteText(dir.File("few.hea"), "few 2 500 3\nshort.dat 16 1/uV 16 0 0 0 0 I\n");
  EXPECT_TRUE(ReadError(dir.File("few")).IsCorruption());
  WriteText(dir.File("gain.hea"), "gain 1 500 2\nshort.dat 16 abc/uV 16 0 0 0 0 I\n");
  EXPECT_TRUE(ReadError(dir.File("gain")).IsCorruption());
  WriteText(dir.File("sum.hea"), "sum 1 500 2\nshort.dat 16 1/uV 16 0 0 99 0 I\n");
  EXPECT_TRUE(ReadError(dir.File("sum")).IsCorruption());
  WriteText(dir.File("multi.hea"), "multi/2 1 500 2\n");
  EXPECT_TRUE(ReadError(dir.File("multi")).IsUnsupported());
}

// Largest |III - (II - I)| over the record, in uV.
double EinthovenResidual(const WaveformGroup& g) {
  const SampleBuffer* lead[3] = {};
  for (const Channel& c : g.channels) {
    if (c.lead == Lead::kI) lead[0] = &c.samples_uV;
    if (c.lead == Lead::kII) lead[1] = &c.samples_uV;
    if (c.lead == Lead::kIII) lead[2] = &c.samples_uV;
  }
  EXPECT_TRUE(lead[0] && lead[1] && lead[2]);
  double worst = 0;
  for (size_t t = 0; t < g.samples_per_channel; ++t) {
    worst = std::max(worst, std::fabs(double((*lead[2])[t]) - ((*lead[1])[t] - (*lead[0])[t])));
  }
  return worst;
}

TEST(ReadWfdbRecord, ReadsRealPtbxlRecordsAtBothRatesWhereLeadIIIIsIIMinusI) {
  const auto data = testing::SharedDataDir();
  if (!data) GTEST_SKIP() << "no ../shared/data";
  for (const char* record :
       {"/ptbxl/records100/00000/00003_lr", "/ptbxl/records500/00000/00003_hr"}) {
    const WfdbRecord r = ReadWfdbRecord(*data + record);
    ASSERT_EQ(r.group.channels.size(), 12u) << record;
    EXPECT_NEAR(r.group.duration_ms(), 10000.0, 1e-6) << record;
    for (size_t i = 0; i < 12; ++i) EXPECT_EQ(r.group.channels[i].lead, AllLeads()[i]) << record;
    EXPECT_LE(EinthovenResidual(r.group), 4.0) << record;
    const EcgSignal s = Canonicalise(r.group);
    EXPECT_EQ(s.samples_per_lead(), 5000u);
    EXPECT_EQ(s.mask().CountRecorded(), 12u);
  }
}

}  // namespace
}  // namespace ecg
