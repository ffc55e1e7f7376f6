// Metadata: acquisition time falls back from AcquisitionDateTime to content to study date-time,
// UTC offsets are honoured, age strings are read, and the patient's name is never read.
#include <gtest/gtest.h>

#include "tests/waveform/dicom/dicom_fixtures.h"
#include "waveform/dicom/dicom_time.h"
#include "waveform/dicom/metadata_reader.h"

namespace ecg::dicom {
namespace {

using testing::Edit;
using testing::EncodeSignal;
using testing::MakeSignal;

constexpr int64_t k20130125_105919 = 1359111559000;  // 2013-01-25 10:59:19 read as UTC

std::vector<uint8_t> WithTimes(const char* acquisition, const char* content_date,
                               const char* study_date, const char* offset) {
  return Edit(EncodeSignal(MakeSignal(500, 1)), [&](DcmDataset& d) {
    d.putAndInsertString(DCM_AcquisitionDateTime, acquisition);
    d.putAndInsertString(DCM_ContentDate, content_date);
    d.putAndInsertString(DCM_ContentTime, "105919");
    d.putAndInsertString(DCM_StudyDate, study_date);
    d.putAndInsertString(DCM_StudyTime, "105919");
    d.putAndInsertString(DCM_TimezoneOffsetFromUTC, offset);
  });
}

EcgMetadata MetadataOf(const std::vector<uint8_t>& bytes) {
  return DecodeEcg(bytes.data(), bytes.size()).metadata;
}

TEST(Metadata, AcquisitionDateTimeComesFirst) {
  const EcgMetadata m = MetadataOf(WithTimes("20130125105919", "19990101", "19980101", ""));
  EXPECT_EQ(m.acquisition_time_ms, k20130125_105919);
  EXPECT_EQ(m.acquisition_time_source, "acquisition");
  EXPECT_FALSE(m.utc_offset_minutes.has_value());
}

TEST(Metadata, ContentDateAndTimeAreTheFirstFallback) {
  const EcgMetadata m = MetadataOf(WithTimes("", "20130125", "19980101", ""));
  EXPECT_EQ(m.acquisition_time_ms, k20130125_105919);
  EXPECT_EQ(m.acquisition_time_source, "content");
}

TEST(Metadata, StudyDateAndTimeAreTheLastFallback) {
  const EcgMetadata m = MetadataOf(WithTimes("", "", "20130125", ""));
  EXPECT_EQ(m.acquisition_time_ms, k20130125_105919);
  EXPECT_EQ(m.acquisition_time_source, "study");
}

TEST(Metadata, TimezoneOffsetTurnsTheWallClockIntoUtc) {
  const EcgMetadata m = MetadataOf(WithTimes("20130125105919", "", "", "+0100"));
  EXPECT_EQ(m.acquisition_time_ms, k20130125_105919 - 3600000);
  EXPECT_EQ(m.utc_offset_minutes, 60);
}

TEST(Metadata, AnOffsetInsideTheDateTimeWinsOverTheAttribute) {
  const EcgMetadata m = MetadataOf(WithTimes("20130125105919.250-0530", "", "", "+0100"));
  EXPECT_EQ(m.acquisition_time_ms, k20130125_105919 + 250 + 330 * 60000);
  EXPECT_EQ(m.utc_offset_minutes, -330);
}

TEST(Metadata, NoUsableTimeLeavesTheTimeEmpty) {
  const EcgMetadata m = MetadataOf(WithTimes("garbage", "2013", "", ""));
  EXPECT_FALSE(m.acquisition_time_ms.has_value());
  EXPECT_EQ(m.acquisition_time_source, "");
}

TEST(Metadata, AgeStringsAreReadInYears) {
  EXPECT_EQ(AgeInYears("042Y"), 42);
  EXPECT_EQ(AgeInYears("018M"), 1);
  EXPECT_EQ(AgeInYears("010D"), 0);
  EXPECT_EQ(AgeInYears("42Y"), std::nullopt);
}

TEST(DicomTime, PartialDateTimesAndFormattingRoundTrip) {
  EXPECT_EQ(ParseDateTime("2013")->ms_since_epoch, 1356998400000);
  EXPECT_EQ(FormatDateTime(k20130125_105919 + 5), "20130125105919.005");
  EXPECT_EQ(ParseDateTime(FormatDateTime(k20130125_105919 + 5))->ms_since_epoch,
            k20130125_105919 + 5);
  EXPECT_EQ(FormatUtcOffset(-330), "-0530");
  EXPECT_EQ(ParseDateAndTime("2013.01.25", "10:59:19"), k20130125_105919);
}

}  // namespace
}  // namespace ecg::dicom
