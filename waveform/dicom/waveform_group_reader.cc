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

size_t RequireCount(DcmItem& item, const DcmTagKey& tag, size_t index, size_t cap) {
  const auto value = GetNumber(item, tag);
  if (!value) throw Error::Corruption(Where(index) + ": missing " + TagName(tag));
  if (!(*value >= 1)) throw Error::Corruption(Where(index) + ": " + TagName(tag) + " is zero");
  if (*value > static_cast<double>(cap)) {
    throw Error::Unsupported(Where(index) + ": " + TagName(tag) + " = " +
                             std::to_string(static_cast<long long>(*value)) +
                             " exceeds the limit of " + std::to_string(cap));
  }
  return static_cast<size_t>(*value);
}

double RequireRate(DcmItem& item, size_t index) {
  const auto rate = GetNumber(item, DCM_SamplingFrequency);
  if (!rate) throw Error::Corruption(Where(index) + ": missing " + TagName(DCM_SamplingFrequency));
  if (!std::isfinite(*rate) || *rate <= 0 || *rate > 1e6) {
    throw Error::Corruption(Where(index) + ": " + TagName(DCM_SamplingFrequency) +
                            " is not a plausible rate");
  }
  return *rate;
}

SampleFormat RequireFormat(DcmItem& item, size_t index) {
  const std::string interpretation = GetString(item, DCM_WaveformSampleInterpretation);
  if (interpretation == "MB" || interpretation == "AB") {
    throw Error::Unsupported(Where(index) + ": " + TagName(DCM_WaveformSampleInterpretation) + " " +
                             interpretation + " (mu-law/A-law) is not supported");
  }
  const auto bits = GetNumber(item, DCM_WaveformBitsAllocated);
  const auto format = SampleFormatFrom(interpretation, bits ? static_cast<unsigned>(*bits) : 0u);
  if (!format) {
    throw Error::Corruption(Where(index) + ": " + TagName(DCM_WaveformSampleInterpretation) + " '" +
                            interpretation + "' with " + TagName(DCM_WaveformBitsAllocated) + " " +
                            (bits ? std::to_string(static_cast<long>(*bits)) : "missing") +
                            " is not SB/UB (8 bits) or SS/US (16 bits)");
  }
  return *format;
}

// The bytes of an OB/OW element, as stored (little-endian on this host), without copying.
bool ElementBytes(DcmElement* element, const uint8_t** bytes, size_t* length) {
  *length = element->getLength();
  if (*length == 0) {
    *bytes = nullptr;
    return true;
  }
  if (element->getVR() == EVR_OW) {
    Uint16* words = nullptr;
    if (element->getUint16Array(words).bad() || words == nullptr) return false;
    *bytes = reinterpret_cast<const uint8_t*>(words);
    return true;
  }
  Uint8* raw = nullptr;
  if (element->getUint8Array(raw).bad() || raw == nullptr) return false;
  *bytes = raw;
  return true;
}

void ReadWaveformData(DcmItem& item, size_t index, InterleavedSamples* samples) {
  DcmElement* element = nullptr;
  if (item.findAndGetElement(DCM_WaveformData, element).bad() || element == nullptr) {
    throw Error::Corruption(Where(index) + ": missing " + TagName(DCM_WaveformData));
  }
  const uint8_t* bytes = nullptr;
  size_t length = 0;
  if (!ElementBytes(element, &bytes, &length)) {
    throw Error::Corruption(Where(index) + ": unreadable " + TagName(DCM_WaveformData));
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

std::optional<int32_t> ReadPadding(DcmItem& item, SampleFormat format) {
  DcmElement* element = nullptr;
  if (item.findAndGetElement(DCM_WaveformPaddingValue, element).bad() || element == nullptr) {
    return std::nullopt;
  }
  const uint8_t* bytes = nullptr;
  size_t length = 0;
  if (!ElementBytes(element, &bytes, &length) || length < BytesPerSample(format)) {
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

GroupHeader ReadGroupHeader(DcmItem& item, size_t index, const DecodeOptions& options) {
  GroupHeader header;
  header.index = index;
  WaveformGroup& group = header.group;
  group.label = GetString(item, DCM_MultiplexGroupLabel);
  group.original = GetString(item, DCM_WaveformOriginality) != "DERIVED";
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
