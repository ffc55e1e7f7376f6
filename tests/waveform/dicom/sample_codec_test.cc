// The sample codec's block decoder (16 sample times x 8 channels transposed in registers) agrees
// bit for bit with value-by-value decoding on each vector path, for every raw format, channel
// counts around and between the block width, partial blocks of sample times, and padding; it
// never reads a byte past the data.
#include "waveform/dicom/sample_codec.h"

#include <gtest/gtest.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <vector>

namespace ecg::dicom {
namespace {

constexpr SampleFormat kFormats[] = {SampleFormat::kSB8, SampleFormat::kUB8, SampleFormat::kSS16,
                                     SampleFormat::kUS16};

// Raw value number k of the data, as DICOM defines it for `format` (little-endian).
int32_t RawValue(const uint8_t* data, SampleFormat format, size_t k) {
  switch (format) {
    case SampleFormat::kSB8:
      return static_cast<int8_t>(data[k]);
    case SampleFormat::kUB8:
      return data[k];
    case SampleFormat::kSS16:
      return static_cast<int16_t>(data[2 * k] | (data[2 * k + 1] << 8));
    case SampleFormat::kUS16:
      return static_cast<uint16_t>(data[2 * k] | (data[2 * k + 1] << 8));
  }
  return 0;
}

std::vector<ChannelScale> RandomScales(size_t channels, std::mt19937* rng) {
  std::uniform_real_distribution<double> scale(0.1, 10.0), offset(-500.0, 500.0);
  std::vector<ChannelScale> scales(channels);
  for (ChannelScale& s : scales) s = {scale(*rng), offset(*rng)};
  return scales;
}

void ExpectDecodedValueByValue(const InterleavedSamples& in,
                               const std::vector<ChannelScale>& scales, SampleIsa isa) {
  std::vector<Channel> channels(in.channels);
  DecodeInterleaved(in, scales, &channels, isa);
  for (size_t c = 0; c < in.channels; ++c) {
    ASSERT_EQ(channels[c].samples_uV.size(), in.samples);
    size_t padded = 0;
    for (size_t t = 0; t < in.samples; ++t) {
      const int32_t raw = RawValue(in.data, in.format, t * in.channels + c);
      float expected = static_cast<float>(raw) * static_cast<float>(scales[c].scale_uV);
      expected += static_cast<float>(scales[c].offset_uV);
      if (in.padding && raw == *in.padding) expected = 0.0f, ++padded;
      ASSERT_EQ(channels[c].samples_uV[t], expected)
          << "channel " << c << " of " << in.channels << ", sample " << t << " of " << in.samples;
    }
    EXPECT_EQ(channels[c].padding_samples, padded) << "channel " << c;
  }
}

// What the decoder must give on every vector path: float(raw) * scale + offset, 0 for padding,
// value by value.
void ExpectDecodedValueByValue(const InterleavedSamples& in,
                               const std::vector<ChannelScale>& scales) {
  for (SampleIsa isa : {SampleIsa::kWidest, SampleIsa::kNoAvx512}) {
    SCOPED_TRACE(isa == SampleIsa::kWidest ? "widest vectors" : "no AVX-512");
    ExpectDecodedValueByValue(in, scales, isa);
  }
}

TEST(SampleCodec, BlockDecodingEqualsValueByValueDecodingForEveryFormatAndShape) {
  std::mt19937 rng(20261121);
  for (SampleFormat format : kFormats) {
    for (size_t channels : {1, 3, 4, 5, 7, 8, 9, 12, 15, 16, 17}) {
      for (size_t samples : {0, 1, 7, 8, 9, 15, 16, 17, 31, 63, 64, 65, 131}) {
        std::vector<uint8_t> bytes(channels * samples * BytesPerSample(format));
        for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
        const InterleavedSamples in{bytes.data(), format, channels, samples, std::nullopt};
        ExpectDecodedValueByValue(in, RandomScales(channels, &rng));
      }
    }
  }
}

TEST(SampleCodec, PaddingValuesAreZeroedAndCountedInBlocksAndTails) {
  std::mt19937 rng(7);
  for (SampleFormat format : kFormats) {
    const size_t channels = 12, samples = 77, width = BytesPerSample(format);
    std::vector<uint8_t> bytes(channels * samples * width);
    for (uint8_t& b : bytes) b = static_cast<uint8_t>(rng());
    // Every fifth value becomes the padding value (0x80 / 0x8000: -128, 128, -32768, 32768).
    for (size_t k = 0; k < channels * samples; k += 5) {
      bytes[k * width + width - 1] = 0x80;
      if (width == 2) bytes[k * width] = 0;
    }
    const int32_t padding = RawValue(bytes.data(), format, 0);
    const InterleavedSamples in{bytes.data(), format, channels, samples, padding};
    ExpectDecodedValueByValue(in, RandomScales(channels, &rng));
  }
}

TEST(SampleCodec, APaddingValueOutsideTheFormatsRangeMatchesNoSample) {
  std::mt19937 rng(3);
  const size_t channels = 9, samples = 40;
  std::vector<uint8_t> bytes(channels * samples * 2);
  for (size_t k = 0; k < channels * samples; ++k) {  // 0x9c40: 40000 as US, -25536 as SS
    bytes[2 * k] = k % 2 ? 0x40 : static_cast<uint8_t>(rng());
    bytes[2 * k + 1] = k % 2 ? 0x9c : static_cast<uint8_t>(rng());
  }
  const InterleavedSamples in{bytes.data(), SampleFormat::kSS16, channels, samples, 40000};
  ExpectDecodedValueByValue(in, RandomScales(channels, &rng));
}

// Places `size` bytes so that they end exactly where an unreadable page begins.
class DataBeforeGuardPage {
 public:
  explicit DataBeforeGuardPage(size_t size) : page_(sysconf(_SC_PAGESIZE)) {
    pages_ = (size + page_ - 1) / page_ + 1;
    void* map =
        mmap(nullptr, pages_ * page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    EXPECT_NE(map, MAP_FAILED);
    base_ = static_cast<uint8_t*>(map);
    EXPECT_EQ(mprotect(base_ + (pages_ - 1) * page_, page_, PROT_NONE), 0);
    data_ = base_ + (pages_ - 1) * page_ - size;
  }
  ~DataBeforeGuardPage() { munmap(base_, pages_ * page_); }
  uint8_t* data() { return data_; }

 private:
  size_t page_, pages_ = 0;
  uint8_t* base_ = nullptr;
  uint8_t* data_ = nullptr;
};

TEST(SampleCodec, DecodingReadsNoBytePastTheData) {
  std::mt19937 rng(11);
  for (SampleFormat format : kFormats) {
    for (size_t channels : {1, 3, 12, 15}) {
      const size_t samples = 40;
      const size_t size = channels * samples * BytesPerSample(format);
      DataBeforeGuardPage guarded(size);
      for (size_t i = 0; i < size; ++i) guarded.data()[i] = static_cast<uint8_t>(rng());
      const InterleavedSamples in{guarded.data(), format, channels, samples, std::nullopt};
      ExpectDecodedValueByValue(in, RandomScales(channels, &rng));  // a stray read would fault
    }
  }
}

}  // namespace
}  // namespace ecg::dicom
