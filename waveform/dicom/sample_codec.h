// Sample codec: interleaved WaveformData bytes <-> per-channel microvolts.
//
// DICOM stores a multiplex group sample-major: for each sample time, one value per channel.
// Decoding turns raw value r of channel c into r * scale_uV[c] + offset_uV[c] (the channel's
// sensitivity x correction factor and its baseline, both already in microvolts); raw values equal
// to the padding value become 0 uV and are counted. Bytes are little-endian. Pure, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "waveform/ecg_record.h"

namespace ecg::dicom {

enum class SampleFormat { kSB8, kUB8, kSS16, kUS16 };

// "SB"/"UB" with 8 bits, "SS"/"US" with 16; nullopt for other combinations.
std::optional<SampleFormat> SampleFormatFrom(std::string_view interpretation,
                                             unsigned bits_allocated);
size_t BytesPerSample(SampleFormat format);

struct ChannelScale {
  double scale_uV = 1.0;   // microvolts per raw unit
  double offset_uV = 0.0;  // added after scaling
};

struct InterleavedSamples {
  const uint8_t* data = nullptr;  // channels x samples x BytesPerSample(format) bytes at least
  SampleFormat format = SampleFormat::kSS16;
  size_t channels = 0;
  size_t samples = 0;
  std::optional<int32_t> padding;  // raw padding value, if the group declares one
};

// Which vector instructions DecodeInterleaved uses: kWidest, the widest this CPU has (AVX-512
// where present); kNoAvx512, AVX2 or baseline x86-64 (for tests comparing the paths). Every path
// gives the same floats, bit for bit.
enum class SampleIsa { kWidest, kNoAvx512 };

// REQUIRES: channels->size() == in.channels and scales.size() == in.channels.
// Fills each channel's samples_uV (resized to in.samples) and padding_samples.
void DecodeInterleaved(const InterleavedSamples& in, const std::vector<ChannelScale>& scales,
                       std::vector<Channel>* channels, SampleIsa isa = SampleIsa::kWidest);

// Writes whole raw values (already quantised, int16 range) sample-major as SS little-endian.
// raw is channel-major: raw[c][t].
std::vector<uint8_t> EncodeInterleavedInt16(const std::vector<std::vector<int16_t>>& raw);

}  // namespace ecg::dicom
