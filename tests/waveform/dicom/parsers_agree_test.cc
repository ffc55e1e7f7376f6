// The native Explicit VR Little Endian parser and the DCMTK fallback decode the same files to
// the same records; files the native parser does not handle (Implicit VR, no preamble) still
// decode through DCMTK, and truncation inside a sequence is corruption for the native parser.
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcostrmb.h>

#include <fstream>
#include <iterator>

#include "tests/support/test_env.h"
#include "tests/waveform/dicom/dicom_fixtures.h"
#include "waveform/dicom/native_parser.h"

namespace ecg::dicom {
namespace {

using testing::DecodeError;
using testing::EncodeSignal;
using testing::MakeSignal;

void ExpectSameGroup(const WaveformGroup& a, const WaveformGroup& b) {
  EXPECT_EQ(a.label, b.label);
  EXPECT_EQ(a.original, b.original);
  EXPECT_EQ(a.sample_rate_hz, b.sample_rate_hz);
  ASSERT_EQ(a.channels.size(), b.channels.size());
  for (size_t c = 0; c < a.channels.size(); ++c) {
    EXPECT_EQ(a.channels[c].label, b.channels[c].label);
    EXPECT_EQ(a.channels[c].source_code, b.channels[c].source_code);
    EXPECT_EQ(a.channels[c].lead, b.channels[c].lead);
    EXPECT_EQ(a.channels[c].samples_uV, b.channels[c].samples_uV);
  }
}

void ExpectSameRecord(const EcgRecord& a, const EcgRecord& b) {
  EXPECT_EQ(a.metadata.sop_instance_uid, b.metadata.sop_instance_uid);
  EXPECT_EQ(a.metadata.patient_id, b.metadata.patient_id);
  EXPECT_EQ(a.metadata.acquisition_time_ms, b.metadata.acquisition_time_ms);
  EXPECT_EQ(a.metadata.manufacturer, b.metadata.manufacturer);
  EXPECT_EQ(a.metadata.low_frequency_filter_hz, b.metadata.low_frequency_filter_hz);
  EXPECT_EQ(a.metadata.measurements.size(), b.metadata.measurements.size());
  EXPECT_EQ(a.metadata.statements, b.metadata.statements);
  ExpectSameGroup(a.rhythm, b.rhythm);
  ASSERT_EQ(a.median_beat.has_value(), b.median_beat.has_value());
  if (a.median_beat) ExpectSameGroup(*a.median_beat, *b.median_beat);
}

void ExpectParsersAgree(const std::vector<uint8_t>& bytes) {
  ASSERT_NE(ParseNative(bytes.data(), bytes.size()), nullptr);
  DecodeOptions dcmtk;
  dcmtk.prefer_dcmtk = true;
  ExpectSameRecord(DecodeEcg(bytes.data(), bytes.size()),
                   DecodeEcg(bytes.data(), bytes.size(), dcmtk));
}

TEST(Parsers, NativeAndDcmtkAgreeOnAnEncodedEcg) {
  ExpectParsersAgree(EncodeSignal(MakeSignal(500, 2)));
}

TEST(Parsers, NativeAndDcmtkAgreeOnTheMortaraFile) {
  const auto data = ecg::testing::SharedDataDir();
  std::ifstream in(data.value_or("/nonexistent") + "/dicom/mortara-eli250-12lead.dcm",
                   std::ios::binary);
  if (!in) GTEST_SKIP() << "../shared/data/dicom/mortara-eli250-12lead.dcm absent";
  const std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                   std::istreambuf_iterator<char>());
  ExpectParsersAgree(bytes);
}

TEST(Parsers, AnImplicitVrFileIsLeftToDcmtkAndDecodesTheSame) {
  const auto explicit_bytes = EncodeSignal(MakeSignal(500, 1));
  auto file = ParseDicom(explicit_bytes.data(), explicit_bytes.size());
  std::vector<uint8_t> buffer(explicit_bytes.size() + 65536);
  DcmOutputBufferStream stream(buffer.data(), buffer.size());
  file->transferInit();
  ASSERT_TRUE(file->write(stream, EXS_LittleEndianImplicit, EET_ExplicitLength, nullptr).good());
  file->transferEnd();
  void* written = nullptr;
  offile_off_t length = 0;
  stream.flushBuffer(written, length);
  buffer.resize(length);
  EXPECT_EQ(ParseNative(buffer.data(), buffer.size()), nullptr);
  ExpectSameRecord(DecodeEcg(buffer.data(), buffer.size()),
                   DecodeEcg(explicit_bytes.data(), explicit_bytes.size()));
}

TEST(Parsers, ADatasetWithoutPreambleIsLeftToDcmtk) {
  const auto bytes = EncodeSignal(MakeSignal(500, 1));
  EXPECT_EQ(ParseNative(bytes.data() + 1, bytes.size() - 1), nullptr);
}

TEST(Parsers, TheNativeParserCallsATruncatedSequenceCorruption) {
  const auto bytes = EncodeSignal(MakeSignal(500, 1));
  const std::vector<uint8_t> cut(bytes.begin(), bytes.begin() + bytes.size() / 2);
  EXPECT_THROW(ParseNative(cut.data(), cut.size()), Error);
  EXPECT_TRUE(DecodeError(cut).IsCorruption());
}

}  // namespace
}  // namespace ecg::dicom
