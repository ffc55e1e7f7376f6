// Sample interpretations, units, correction factor, baseline and padding are applied as PS3.3
// C.10.9 says: uV = raw x sensitivity x correction x unit + baseline x unit.
#include <gtest/gtest.h>

#include <string>

#include "tests/waveform/dicom/dicom_fixtures.h"

namespace ecg::dicom {
namespace {

using testing::EditChannel;
using testing::EditGroup;
using testing::EncodeSignal;
using testing::MakeSignal;

constexpr size_t kChannels = 12;

const std::vector<uint8_t>& ValidEcg() {
  static const std::vector<uint8_t> bytes = EncodeSignal(MakeSignal(500, 1));
  return bytes;
}

// Replaces the first group's samples with `samples` raw values per channel, each channel c
// holding raw[t] for every t, written with the given interpretation.
std::vector<uint8_t> WithRawSamples(const std::vector<int>& raw, const char* interpretation,
                                    int bits) {
  return EditGroup(ValidEcg(), [&](DcmItem& g) {
    g.putAndInsertUint32(DCM_NumberOfWaveformSamples, static_cast<Uint32>(raw.size()));
    g.putAndInsertUint16(DCM_WaveformBitsAllocated, static_cast<Uint16>(bits));
    g.putAndInsertString(DCM_WaveformSampleInterpretation, interpretation);
    std::vector<uint8_t> bytes;
    for (int value : raw) {
      for (size_t c = 0; c < kChannels; ++c) {
        bytes.push_back(static_cast<uint8_t>(value & 0xff));
        if (bits == 16) bytes.push_back(static_cast<uint8_t>((value >> 8) & 0xff));
      }
    }
    g.findAndDeleteElement(DCM_WaveformData);
    if (bits == 8) {
      g.putAndInsertUint8Array(DCM_WaveformData, bytes.data(), bytes.size());
    } else {
      g.putAndInsertUint16Array(DCM_WaveformData, reinterpret_cast<const Uint16*>(bytes.data()),
                                bytes.size() / 2);
    }
  });
}

std::vector<float> DecodedChannel(const std::vector<uint8_t>& bytes, size_t channel) {
  return ToVector(DecodeEcg(bytes.data(), bytes.size()).rhythm.channels.at(channel).samples_uV);
}

std::vector<uint8_t> WithChannelValues(const std::vector<uint8_t>& base, long channel,
                                       const char* sensitivity, const char* unit,
                                       const char* correction, const char* baseline) {
  return EditChannel(base, channel, [&](DcmItem& c) {
    c.putAndInsertString(DCM_ChannelSensitivity, sensitivity);
    c.putAndInsertString(DCM_ChannelSensitivityCorrectionFactor, correction);
    c.putAndInsertString(DCM_ChannelBaseline, baseline);
    DcmItem* units = nullptr;
    c.findAndGetSequenceItem(DCM_ChannelSensitivityUnitsSequence, units, 0);
    units->putAndInsertString(DCM_CodeValue, unit);
  });
}

TEST(SampleFormats, SignedEightBitSamplesAreSignExtended) {
  const auto bytes = WithRawSamples({-128, -1, 0, 127}, "SB", 8);
  EXPECT_EQ(DecodedChannel(bytes, 0), (std::vector<float>{-128, -1, 0, 127}));
}

TEST(SampleFormats, UnsignedEightBitSamplesAreNotSignExtended) {
  const auto bytes = WithRawSamples({0, 1, 128, 255}, "UB", 8);
  EXPECT_EQ(DecodedChannel(bytes, 5), (std::vector<float>{0, 1, 128, 255}));
}

TEST(SampleFormats, SignedSixteenBitSamplesCoverTheirRange) {
  const auto bytes = WithRawSamples({-32768, -2, 0, 32767}, "SS", 16);
  EXPECT_EQ(DecodedChannel(bytes, 11), (std::vector<float>{-32768, -2, 0, 32767}));
}

TEST(SampleFormats, UnsignedSixteenBitSamplesAreNotSignExtended) {
  const auto bytes = WithRawSamples({0, 40000, 65535}, "US", 16);
  EXPECT_EQ(DecodedChannel(bytes, 1), (std::vector<float>{0, 40000, 65535}));
}

TEST(SampleFormats, MillivoltSensitivityWithCorrectionAndBaselineBecomesMicrovolts) {
  const auto raw = WithRawSamples({-2, 0, 10}, "SS", 16);
  // 0.0025 mV x 0.8 = 2 uV per unit; baseline 0.1 mV = 100 uV
  const auto bytes = WithChannelValues(raw, 4, "0.0025", "mV", "0.8", "0.1");
  const auto samples = DecodedChannel(bytes, 4);
  ASSERT_EQ(samples.size(), 3u);
  EXPECT_FLOAT_EQ(samples[0], 96);
  EXPECT_FLOAT_EQ(samples[1], 100);
  EXPECT_FLOAT_EQ(samples[2], 120);
}

TEST(SampleFormats, NanovoltsAndVoltsAreScaledToMicrovolts) {
  const auto raw = WithRawSamples({1000}, "SS", 16);
  const auto nano = WithChannelValues(raw, 0, "500", "nV", "1", "0");
  const auto volts = WithChannelValues(raw, 0, "0.000002", "V", "1", "0");
  EXPECT_FLOAT_EQ(DecodedChannel(nano, 0)[0], 500);
  EXPECT_FLOAT_EQ(DecodedChannel(volts, 0)[0], 2000);
}

TEST(SampleFormats, PaddingSamplesBecomeZeroAndAreCounted) {
  auto bytes = WithRawSamples({5, -32768, 7, -32768}, "SS", 16);
  bytes = EditGroup(bytes, [](DcmItem& g) {
    const Uint16 padding = 0x8000;
    g.putAndInsertUint16Array(DCM_WaveformPaddingValue, &padding, 1);
  });
  const EcgRecord record = DecodeEcg(bytes.data(), bytes.size());
  const Channel& channel = record.rhythm.channels[2];
  EXPECT_EQ(ToVector(channel.samples_uV), (std::vector<float>{5, 0, 7, 0}));
  EXPECT_EQ(channel.padding_samples, 2u);
}

}  // namespace
}  // namespace ecg::dicom
