// Reading one multiplex group (an item of WaveformSequence, PS3.3 C.10.9) in two steps: the
// header (counts, rate, format, channel definitions) is read and checked first, so that the
// caller can choose which groups to decode; the samples are decoded afterwards from the same
// parsed item, without copying WaveformData.
//
// Errors (ecg::Error, the message names the group index and tag, never patient data):
//   Corruption  - missing or zero counts, channel definition count != NumberOfWaveformChannels,
//                 WaveformData shorter or longer than channels x samples, zero/NaN sensitivity
//                 or correction factor, non-positive rate, bits/interpretation mismatch.
//   Unsupported - mu-law/A-law (MB/AB), unknown sensitivity units, counts beyond the caps.
// A GroupHeader points into the parsed file it was read from: it must not outlive it.
#pragma once

#include <optional>
#include <vector>

#include "waveform/dicom/item_view.h"

#include "waveform/dicom/decoder.h"
#include "waveform/dicom/sample_codec.h"
#include "waveform/ecg_record.h"

namespace ecg::dicom {

struct ChannelFilters {
  std::optional<double> low_hz;
  std::optional<double> high_hz;
  std::optional<double> notch_hz;
};

struct GroupHeader {
  size_t index = 0;            // position in WaveformSequence, for messages
  WaveformGroup group;         // everything but the samples
  InterleavedSamples samples;  // points into the DcmItem's WaveformData
  std::vector<ChannelScale> scales;
  ChannelFilters filters;  // of the first channel that states them
};

GroupHeader ReadGroupHeader(const ItemView& item, size_t index, const DecodeOptions& options);

// Fills header->group's channel samples from header->samples.
void DecodeGroupSamples(GroupHeader* header);

}  // namespace ecg::dicom
