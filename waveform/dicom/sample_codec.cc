#include "waveform/dicom/sample_codec.h"

#include <cstring>

namespace ecg::dicom {

namespace {

template <typename T>
T Load(const uint8_t* p) {
  T value;
  std::memcpy(&value, p, sizeof(T));  // little-endian host assumed (x86-64, aarch64)
  return value;
}

// Single-precision scaling: the result is a float anyway, and |raw| < 2^16 keeps the product's
// relative error near 1e-7 (far below a quantisation step).
template <typename T>
void DecodeChannel(const uint8_t* first, size_t stride, size_t samples, float scale, float offset,
                   float* __restrict out) {
  const uint8_t* p = first;
  for (size_t t = 0; t < samples; ++t, p += stride) {
    out[t] = static_cast<float>(Load<T>(p)) * scale + offset;
  }
}

// Sets padding samples to 0 and returns how many there were.
template <typename T>
size_t ZeroPadding(const uint8_t* first, size_t stride, size_t samples, int32_t pad, float* out) {
  size_t padded = 0;
  const uint8_t* p = first;
  for (size_t t = 0; t < samples; ++t, p += stride) {
    if (static_cast<int32_t>(Load<T>(p)) == pad) {
      out[t] = 0.0f;
      ++padded;
    }
  }
  return padded;
}

template <typename T>
void DecodeTyped(const InterleavedSamples& in, const std::vector<ChannelScale>& scales,
                 std::vector<Channel>* channels) {
  const size_t stride = in.channels * sizeof(T);
  for (size_t c = 0; c < in.channels; ++c) {
    Channel& channel = (*channels)[c];
    channel.samples_uV.resize(in.samples);
    const uint8_t* first = in.data + c * sizeof(T);
    DecodeChannel<T>(first, stride, in.samples, static_cast<float>(scales[c].scale_uV),
                     static_cast<float>(scales[c].offset_uV), channel.samples_uV.data());
    channel.padding_samples = in.padding ? ZeroPadding<T>(first, stride, in.samples, *in.padding,
                                                          channel.samples_uV.data())
                                         : 0;
  }
}

}  // namespace

std::optional<SampleFormat> SampleFormatFrom(std::string_view interpretation,
                                             unsigned bits_allocated) {
  if (bits_allocated == 8) {
    if (interpretation == "SB") return SampleFormat::kSB8;
    if (interpretation == "UB") return SampleFormat::kUB8;
  } else if (bits_allocated == 16) {
    if (interpretation == "SS") return SampleFormat::kSS16;
    if (interpretation == "US") return SampleFormat::kUS16;
  }
  return std::nullopt;
}

size_t BytesPerSample(SampleFormat format) {
  return format == SampleFormat::kSB8 || format == SampleFormat::kUB8 ? 1 : 2;
}

void DecodeInterleaved(const InterleavedSamples& in, const std::vector<ChannelScale>& scales,
                       std::vector<Channel>* channels) {
  switch (in.format) {
    case SampleFormat::kSB8:
      return DecodeTyped<int8_t>(in, scales, channels);
    case SampleFormat::kUB8:
      return DecodeTyped<uint8_t>(in, scales, channels);
    case SampleFormat::kSS16:
      return DecodeTyped<int16_t>(in, scales, channels);
    case SampleFormat::kUS16:
      return DecodeTyped<uint16_t>(in, scales, channels);
  }
}

std::vector<uint8_t> EncodeInterleavedInt16(const std::vector<std::vector<int16_t>>& raw) {
  const size_t channels = raw.size();
  const size_t samples = channels == 0 ? 0 : raw[0].size();
  std::vector<uint8_t> bytes(channels * samples * sizeof(int16_t));
  uint8_t* p = bytes.data();
  for (size_t t = 0; t < samples; ++t) {
    for (size_t c = 0; c < channels; ++c, p += sizeof(int16_t)) {
      std::memcpy(p, &raw[c][t], sizeof(int16_t));
    }
  }
  return bytes;
}

}  // namespace ecg::dicom
