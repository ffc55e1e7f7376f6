// The archive keeps each record's R peaks (version 2), detected once when written; files of
// before (version 1) still read; damaged stored peaks are Corruption.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>

#include "tests/support/test_env.h"
#include "waveform/ecg_archive.h"
#include "waveform/error.h"
#include "waveform/measurements.h"
#include "waveform/synth.h"

namespace ecg {
namespace {

constexpr uint32_t kSamples = 5000;                     // 10 s at 500 Hz
constexpr uint32_t kCapacity = 5000 / 125 + 2;          // 250 ms refractory at 500 Hz
constexpr size_t kRecordHeader = 32, kFileHeader = 32;  // bytes
constexpr size_t kRecordV1 = kRecordHeader + 2 * 12 * kSamples;
constexpr size_t kRecordV2 = kRecordV1 + 4 + 4 * kCapacity;

// Three ECGs: 10 s, 12 s (cut to 10 s) and 7 s (padded).
std::vector<EcgSignal> Ecgs() {
  std::vector<EcgSignal> out;
  const double durations[] = {10.0, 12.0, 7.0};
  for (size_t i = 0; i < 3; ++i) {
    SynthOptions o;
    o.patients = 1;
    o.ecgs_per_patient = 1;
    o.seed = 11 + i;
    o.duration_s = durations[i];
    out.push_back(SynthesiseCohort(o).front().signal);
  }
  return out;
}

void Write(const std::string& path, ArchiveRPeaks r_peaks) {
  EcgArchiveWriter writer(path, 500, kSamples, r_peaks);
  int64_t key = 0;
  for (const EcgSignal& s : Ecgs()) {
    ++key;
    writer.Append({key, key, kUnknownTime}, s);
  }
  writer.Close();
}

void Patch(const std::string& path, size_t offset, uint32_t value) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(static_cast<std::streamoff>(offset));
  f.write(reinterpret_cast<const char*>(&value), sizeof value);
}

// Offset of record r's stored R peak k (k = -1: its count).
size_t PeakOffset(size_t record, int k) {
  return kFileHeader + record * kRecordV2 + kRecordHeader + static_cast<size_t>(4 + 4 * k);
}

void ExpectCorruption(const std::function<void()>& read, const std::string& where) {
  try {
    read();
    FAIL() << "expected Corruption";
  } catch (const Error& e) {
    EXPECT_TRUE(e.IsCorruption()) << e.what();
    EXPECT_NE(std::string(e.what()).find(where), std::string::npos) << e.what();
  }
}

void ExpectCorruption(EcgArchiveReader& reader, uint64_t index, const std::string& where) {
  ExpectCorruption([&] { reader.Read(index); }, where);
}

TEST(EcgArchiveRPeaks, AreStoredWhenWrittenAndEqualWhatDetectionGivesOnTheRecordReadBack) {
  testing::TempDir dir;
  Write(dir.File("v2.ecgarch"), ArchiveRPeaks::kStore);
  EXPECT_EQ(std::filesystem::file_size(dir.File("v2.ecgarch")), kFileHeader + 3 * kRecordV2);
  EcgArchiveReader reader(dir.File("v2.ecgarch"));
  EXPECT_EQ(reader.version(), 2u);
  EXPECT_TRUE(reader.stores_r_peaks());
  ASSERT_EQ(reader.size(), 3u);
  for (uint64_t i = 0; i < reader.size(); ++i) {
    const ArchiveRecord record = reader.Read(i);
    ASSERT_TRUE(record.r_peaks.has_value());
    EXPECT_GE(record.r_peaks->size(), 4u) << "record " << i;  // at least 4 beats in 7 s
    EXPECT_EQ(*record.r_peaks, DetectRPeaks(record.signal)) << "record " << i;
  }
}

TEST(EcgArchiveRPeaks, AFileOfBeforeWithoutThemStillReadsWithTheSameSignalsAndNoPeaks) {
  testing::TempDir dir;
  Write(dir.File("v1.ecgarch"), ArchiveRPeaks::kNone);
  Write(dir.File("v2.ecgarch"), ArchiveRPeaks::kStore);
  // Version 1's layout, unchanged: what orthanc-ecg wrote before R peaks were kept.
  EXPECT_EQ(std::filesystem::file_size(dir.File("v1.ecgarch")), kFileHeader + 3 * kRecordV1);
  EcgArchiveReader v1(dir.File("v1.ecgarch")), v2(dir.File("v2.ecgarch"));
  EXPECT_EQ(v1.version(), 1u);
  EXPECT_FALSE(v1.stores_r_peaks());
  ASSERT_EQ(v1.size(), 3u);
  for (uint64_t i = 0; i < v1.size(); ++i) {
    const ArchiveRecord old = v1.Read(i), current = v2.Read(i);
    EXPECT_FALSE(old.r_peaks.has_value());
    EXPECT_EQ(old.keys.ecg_key, current.keys.ecg_key);
    EXPECT_EQ(old.valid_samples, current.valid_samples);
    EXPECT_EQ(old.signal.mask().Pack(), current.signal.mask().Pack());
    EXPECT_TRUE(std::equal(old.signal.data_uV().begin(), old.signal.data_uV().end(),
                           current.signal.data_uV().begin()));
    EXPECT_EQ(v1.ReadKeys(i).patient_key, v2.ReadKeys(i).patient_key);
  }
}

TEST(EcgArchiveRPeaks, OutOfRangeNotIncreasingOrTooManyStoredPeaksAreCorruptionNamingWhere) {
  testing::TempDir dir;
  const std::string path = dir.File("bad.ecgarch");
  Write(path, ArchiveRPeaks::kStore);
  const auto peaks = [&](uint64_t i) { return *EcgArchiveReader(path).Read(i).r_peaks; };
  const std::vector<size_t> first = peaks(1);
  ASSERT_GE(first.size(), 3u);

  Patch(path, PeakOffset(1, 2), kSamples);  // one past the last sample
  EcgArchiveReader past_end(path);
  ExpectCorruption(past_end, 1, "record 1: R peak 2 at sample 5000");
  EXPECT_NO_THROW(past_end.Read(0));  // the other records still read
  EXPECT_NO_THROW(past_end.Read(2));

  Patch(path, PeakOffset(1, 2), static_cast<uint32_t>(first[1]));  // equal to the one before
  EcgArchiveReader repeated(path);
  ExpectCorruption(repeated, 1, "R peak 2");

  Patch(path, PeakOffset(1, 2), static_cast<uint32_t>(-3));  // negative
  EcgArchiveReader negative(path);
  ExpectCorruption(negative, 1, "R peak 2 at sample -3");

  Patch(path, PeakOffset(1, 2), static_cast<uint32_t>(first[2]));  // repaired
  EXPECT_EQ(peaks(1), first);

  Patch(path, PeakOffset(2, -1), kCapacity + 1);
  EcgArchiveReader too_many(path);
  ExpectCorruption(too_many, 2, "record 2: 43 R peaks, room for 42");

  Patch(path, PeakOffset(2, -1), kNoStoredRPeaks);  // a record written without its peaks
  EXPECT_FALSE(EcgArchiveReader(path).Read(2).r_peaks.has_value());
}

TEST(EcgArchiveRPeaks, AnUnknownVersionOrABadCapacityIsRefusedOnOpen) {
  testing::TempDir dir;
  const std::string path = dir.File("v.ecgarch");
  Write(path, ArchiveRPeaks::kStore);
  Patch(path, 20, 0);  // version 2 without room for peaks
  ExpectCorruption([&] { EcgArchiveReader reader(path); }, "bad R peak capacity");
  Patch(path, 20, kCapacity);
  Patch(path, 20, kSamples + 3);  // more slots than any writer makes
  ExpectCorruption([&] { EcgArchiveReader reader(path); }, "bad R peak capacity");
  Patch(path, 20, kCapacity);
  Patch(path, 8, 3);  // a version this reader does not know
  ExpectCorruption([&] { EcgArchiveReader reader(path); }, "unsupported version 3");
}

TEST(EcgArchiveRPeaks, AFileOfOneSampleSignalsReadsBackWithNoPeaks) {
  testing::TempDir dir;
  EcgArchiveWriter writer(dir.File("one.ecgarch"), 500, 1);
  writer.Append({1, 1, kUnknownTime}, EcgSignal(500.0, 1));
  writer.Close();
  EcgArchiveReader reader(dir.File("one.ecgarch"));
  ASSERT_TRUE(reader.stores_r_peaks());
  EXPECT_EQ(reader.Read(0).r_peaks, std::vector<size_t>{});
}

}  // namespace
}  // namespace ecg
