#include "waveform/dicom/waveform_group_reader.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <cmath>
#include <string>

#include "waveform/dicom/channel_reader.h"
#include "waveform/dicom/dataset_access.h"
#include "waveform/error.h"

namespace ecg::dicom {

namespace {

std::string Where(size_t index) {
  return "WaveformSequence item " + std::to_string(index);
}

size_t RequireCount(const ItemView& item, const DcmTagKey& tag, size_t index, size_t cap) {
  const auto value = item.GetNumber(tag);
  if (!value) throw Error::Corruption(Where(index) + ": missing " + TagName(tag));
  if (!(*value >= 1)) throw Error::Corruption(Where(index) + ": " + TagName(tag) + " is zero");
  if (*value > static_cast<double>(cap)) {
    throw Error::Unsupported(Where(index) + ": " + TagName(tag) + " = " +
                             std::to_string(static_cast<long long>(*value)) +
                             " exceeds the limit of " + std::to_string(cap));
  }
  return static_cast<size_t>(*value);
}

double RequireRate(const ItemView& item, size_t index) {
  const auto rate = item.GetNumber(DCM_SamplingFrequency);
  if (!rate) throw Error::Corruption(Where(index) + ": missing " + TagName(DCM_SamplingFrequency));
  if (!std::isfinite(*rate) || *rate <= 0 || *rate > 1e6) {
    throw Error::Corruption(Where(index) + ": " + TagName(DCM_SamplingFrequency) +
                            " is not a plausible rate");
  }
  return *rate;
}

SampleFormat RequireFormat(const ItemView& item, size_t index) {
  const std::string interpretation = item.GetString(DCM_WaveformSampleInterpretation);
  if (interpretation == "MB" || interpretation == "AB") {
    throw Error::Unsupported(Where(index) + ": " + TagName(DCM_WaveformSampleInterpretation) + " " +
                             interpretation + " (mu-law/A-law) is not supported");
  }
  const auto bits = item.GetNumber(DCM_WaveformBitsAllocated);
  const auto format = SampleFormatFrom(interpretation, bits ? static_cast<unsigned>(*bits) : 0u);
  if (!format) {
    throw Error::Corruption(Where(index) + ": " + TagName(DCM_WaveformSampleInterpretation) + " '" +
                            interpretation + "' with " + TagName(DCM_WaveformBitsAllocated) + " " +
                            (bits ? std::to_string(static_cast<long>(*bits)) : "missing") +
                            " is not SB/UB (8 bits) or SS/US (16 bits)");
  }
  return *format;
}

void ReadWaveformData(const ItemView& item, size_t index, InterleavedSamples* samples) {
  const uint8_t* bytes = nullptr;
  size_t length = 0;
  if (!item.GetBytes(DCM_WaveformData, &bytes, &length)) {
    throw Error::Corruption(Where(index) + ": missing " + TagName(DCM_WaveformData));
  }
  const size_t expected = samples->channels * samples->samples * BytesPerSample(samples->format);
  // OB values are padded to an even length: one extra byte is allowed.
  if (length != expected && !(expected % 2 == 1 && length == expected + 1)) {
    throw Error::Corruption(Where(index) + ": " + TagName(DCM_WaveformData) + " holds " +
                            std::to_string(length) + " bytes, expected " +
                            std::to_string(expected) + " (channels x samples x " +
                            std::to_string(BytesPerSample(samples->format)) + ")");
  }
  samples->data = bytes;
}

std::optional<int32_t> ReadPadding(const ItemView& item, SampleFormat format) {
  const uint8_t* bytes = nullptr;
  size_t length = 0;
  if (!item.GetBytes(DCM_WaveformPaddingValue, &bytes, &length) ||
      length < BytesPerSample(format)) {
    return std::nullopt;
  }
  switch (format) {
    case SampleFormat::kSB8:
      return static_cast<int8_t>(bytes[0]);
    case SampleFormat::kUB8:
      return bytes[0];
    case SampleFormat::kSS16:
      return static_cast<int16_t>(bytes[0] | (bytes[1] << 8));
    case SampleFormat::kUS16:
      return static_cast<uint16_t>(bytes[0] | (bytes[1] << 8));
  }
  return std::nullopt;
}

}  // namespace

GroupHeader ReadGroupHeader(const ItemView& item, size_t index, const DecodeOptions& options) {
  GroupHeader header;
  header.index = index;
  WaveformGroup& group = header.group;
  group.label = item.GetString(DCM_MultiplexGroupLabel);
  group.original = item.GetString(DCM_WaveformOriginality) != "DERIVED";
  group.sample_rate_hz = RequireRate(item, index);
  const size_t channels =
      RequireCount(item, DCM_NumberOfWaveformChannels, index, options.max_channels);
  group.samples_per_channel =
      RequireCount(item, DCM_NumberOfWaveformSamples, index, options.max_samples_per_channel);

  InterleavedSamples& samples = header.samples;
  samples.format = RequireFormat(item, index);
  samples.channels = channels;
  samples.samples = group.samples_per_channel;
  ReadWaveformData(item, index, &samples);
  samples.padding = ReadPadding(item, samples.format);

  ReadChannelDefinitions(item, index, channels, &group.channels, &header.scales);
  header.filters = ReadFilters(item);
  return header;
}

void DecodeGroupSamples(GroupHeader* header) {
  DecodeInterleaved(header->samples, header->scales, &header->group.channels);
}

}  // namespace ecg::dicom
