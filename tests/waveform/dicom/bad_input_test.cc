// Every malformed input the issue lists is refused with a clear ecg::Error, built here by
// damaging a valid encoded ECG with DCMTK.
#include <gtest/gtest.h>

#include <dcmtk/dcmdata/dcuid.h>

#include <string>

#include "tests/waveform/dicom/dicom_fixtures.h"

namespace ecg::dicom {
namespace {

using testing::DecodeError;
using testing::Edit;
using testing::EditChannel;
using testing::EditGroup;
using testing::EncodeSignal;
using testing::MakeSignal;

const std::vector<uint8_t>& ValidEcg() {
  static const std::vector<uint8_t> bytes = EncodeSignal(MakeSignal(500, 2));
  return bytes;
}

void ExpectError(const std::vector<uint8_t>& bytes, ErrorCode code, const std::string& mention,
                 const DecodeOptions& options = {}) {
  const Error e = DecodeError(bytes, options);
  EXPECT_EQ(ErrorCodeName(e.code()), ErrorCodeName(code)) << e.what();
  EXPECT_NE(std::string(e.what()).find(mention), std::string::npos)
      << "message '" << e.what() << "' does not mention '" << mention << "'";
}

TEST(BadInput, EmptyInputIsCorruption) {
  EXPECT_TRUE(DecodeError({}).IsCorruption());
}

TEST(BadInput, BytesThatAreNotDicomAreCorruption) {
  const std::vector<uint8_t> text(300, 'x');
  EXPECT_TRUE(DecodeError(text).IsCorruption());
}

TEST(BadInput, EveryTruncationOfAValidFileIsRefusedWithoutCrashing) {
  const auto& valid = ValidEcg();
  for (size_t size = 0; size < valid.size(); size += valid.size() / 97 + 1) {
    const std::vector<uint8_t> cut(valid.begin(), valid.begin() + size);
    const Error e = DecodeError(cut);
    EXPECT_TRUE(e.IsCorruption() || e.IsUnsupported()) << size << ": " << e.what();
  }
}

TEST(BadInput, AnElementDeclaringGigabytesIsRefusedBeforeDcmtkReservesThem) {
  // Implicit VR (so not the native parser): (5400,1010) claiming 3 GB, followed by 16 bytes.
  std::vector<uint8_t> bytes = {0x00, 0x54, 0x10, 0x10, 0x00, 0x00, 0x00, 0xC0};
  bytes.resize(bytes.size() + 16);
  const Error e = DecodeError(bytes);
  EXPECT_TRUE(e.IsCorruption()) << e.what();
  EXPECT_NE(std::string(e.what()).find("(5400,1010) declares 3221225472 bytes"), std::string::npos)
      << e.what();
}

TEST(BadInput, AFileCutInsideWaveformDataIsCorruption) {
  const auto& valid = ValidEcg();
  const std::vector<uint8_t> cut(valid.begin(), valid.end() - 1000);
  EXPECT_TRUE(DecodeError(cut).IsCorruption());
}

TEST(BadInput, NoWaveformSequenceIsCorruptionNamingTheTag) {
  ExpectError(Edit(ValidEcg(), [](DcmDataset& d) { d.findAndDeleteElement(DCM_WaveformSequence); }),
              ErrorCode::kCorruption, "WaveformSequence");
}

TEST(BadInput, ZeroChannelsIsCorruption) {
  ExpectError(EditGroup(ValidEcg(),
                        [](DcmItem& g) { g.putAndInsertUint16(DCM_NumberOfWaveformChannels, 0); }),
              ErrorCode::kCorruption, "NumberOfWaveformChannels");
}

TEST(BadInput, DataShorterThanChannelsTimesSamplesIsCorruption) {
  ExpectError(
      EditGroup(ValidEcg(),
                [](DcmItem& g) { g.putAndInsertUint32(DCM_NumberOfWaveformSamples, 1001); }),
      ErrorCode::kCorruption, "expected");
}

TEST(BadInput, DataLongerThanChannelsTimesSamplesIsCorruption) {
  ExpectError(EditGroup(ValidEcg(),
                        [](DcmItem& g) { g.putAndInsertUint32(DCM_NumberOfWaveformSamples, 999); }),
              ErrorCode::kCorruption, "WaveformData");
}

TEST(BadInput, ChannelCountDisagreeingWithTheDefinitionsIsCorruption) {
  ExpectError(EditGroup(ValidEcg(),
                        [](DcmItem& g) {
                          // 6 x 2000 samples: the data length still matches, the definitions not
                          g.putAndInsertUint16(DCM_NumberOfWaveformChannels, 6);
                          g.putAndInsertUint32(DCM_NumberOfWaveformSamples, 2000);
                        }),
              ErrorCode::kCorruption, "ChannelDefinitionSequence");
}

TEST(BadInput, AbsurdSampleCountsAreRefusedBeforeAllocating) {
  ExpectError(
      EditGroup(ValidEcg(),
                [](DcmItem& g) { g.putAndInsertUint32(DCM_NumberOfWaveformSamples, 4000000000u); }),
      ErrorCode::kUnsupported, "exceeds the limit");
}

TEST(BadInput, SampleCountsBeyondACallersCapAreUnsupported) {
  DecodeOptions options;
  options.max_samples_per_channel = 500;
  ExpectError(ValidEcg(), ErrorCode::kUnsupported, "NumberOfWaveformSamples", options);
}

TEST(BadInput, TooManyChannelsAreUnsupported) {
  DecodeOptions options;
  options.max_channels = 8;
  ExpectError(ValidEcg(), ErrorCode::kUnsupported, "NumberOfWaveformChannels", options);
}

TEST(BadInput, ZeroSensitivityIsCorruption) {
  ExpectError(EditChannel(ValidEcg(), 3,
                          [](DcmItem& c) { c.putAndInsertString(DCM_ChannelSensitivity, "0"); }),
              ErrorCode::kCorruption, "channel 3: (003A,0210) ChannelSensitivity is zero");
}

TEST(BadInput, NanSensitivityIsCorruption) {
  ExpectError(EditChannel(ValidEcg(), 0,
                          [](DcmItem& c) { c.putAndInsertString(DCM_ChannelSensitivity, "NaN"); }),
              ErrorCode::kCorruption, "ChannelSensitivity");
}

TEST(BadInput, MissingSensitivityIsCorruption) {
  ExpectError(EditChannel(ValidEcg(), 0,
                          [](DcmItem& c) { c.findAndDeleteElement(DCM_ChannelSensitivity); }),
              ErrorCode::kCorruption, "missing (003A,0210)");
}

TEST(BadInput, ZeroCorrectionFactorIsCorruption) {
  ExpectError(EditChannel(ValidEcg(), 1,
                          [](DcmItem& c) {
                            c.putAndInsertString(DCM_ChannelSensitivityCorrectionFactor, "0");
                          }),
              ErrorCode::kCorruption, "ChannelSensitivityCorrectionFactor");
}

TEST(BadInput, UnknownUnitsAreUnsupported) {
  ExpectError(EditChannel(ValidEcg(), 2,
                          [](DcmItem& c) {
                            DcmItem* unit = nullptr;
                            c.findAndGetSequenceItem(DCM_ChannelSensitivityUnitsSequence, unit, 0);
                            unit->putAndInsertString(DCM_CodeValue, "mmHg");
                          }),
              ErrorCode::kUnsupported, "'mmHg'");
}

TEST(BadInput, MuLawIsUnsupported) {
  ExpectError(
      EditGroup(ValidEcg(),
                [](DcmItem& g) { g.putAndInsertString(DCM_WaveformSampleInterpretation, "MB"); }),
      ErrorCode::kUnsupported, "mu-law");
}

TEST(BadInput, ALawIsUnsupported) {
  ExpectError(
      EditGroup(ValidEcg(),
                [](DcmItem& g) { g.putAndInsertString(DCM_WaveformSampleInterpretation, "AB"); }),
      ErrorCode::kUnsupported, "A-law");
}

TEST(BadInput, SixteenBitInterpretationWith8BitsAllocatedIsCorruption) {
  ExpectError(
      EditGroup(ValidEcg(), [](DcmItem& g) { g.putAndInsertUint16(DCM_WaveformBitsAllocated, 8); }),
      ErrorCode::kCorruption, "WaveformBitsAllocated");
}

TEST(BadInput, ZeroSamplingFrequencyIsCorruption) {
  ExpectError(
      EditGroup(ValidEcg(), [](DcmItem& g) { g.putAndInsertString(DCM_SamplingFrequency, "0"); }),
      ErrorCode::kCorruption, "SamplingFrequency");
}

TEST(BadInput, AnImageSopClassIsUnsupportedAndNamed) {
  ExpectError(
      Edit(ValidEcg(),
           [](DcmDataset& d) { d.putAndInsertString(DCM_SOPClassUID, UID_CTImageStorage); }),
      ErrorCode::kUnsupported, UID_CTImageStorage);
}

TEST(BadInput, AWaveformClassWithoutEcgLeadsIsUnsupported) {
  const auto bytes = Edit(ValidEcg(), [](DcmDataset& d) {
    d.putAndInsertString(DCM_SOPClassUID, "1.2.840.10008.5.1.4.1.1.9.6.1");
    DcmItem* group = nullptr;
    d.findAndGetSequenceItem(DCM_WaveformSequence, group, 0);
    for (long c = 0; c < 12; ++c) {
      DcmItem* channel = nullptr;
      group->findAndGetSequenceItem(DCM_ChannelDefinitionSequence, channel, c);
      channel->findAndDeleteElement(DCM_ChannelSourceSequence);
      channel->putAndInsertString(DCM_ChannelLabel, "Airflow");
    }
  });
  ExpectError(bytes, ErrorCode::kUnsupported, "Respiratory Waveform");
}

TEST(BadInput, TooManyMultiplexGroupsAreUnsupported) {
  DecodeOptions options;
  options.max_groups = 0;
  ExpectError(ValidEcg(), ErrorCode::kUnsupported, "limit", options);
}

}  // namespace
}  // namespace ecg::dicom
