// Channel definitions of one multiplex group (ChannelDefinitionSequence): which lead each channel
// is (waveform/dicom/lead_codes.h) and how its raw values become microvolts:
//   uV = raw x ChannelSensitivity x ChannelSensitivityCorrectionFactor x unit + ChannelBaseline x
//   unit
// where unit converts ChannelSensitivityUnitsSequence's UCUM code (nV, uV, mV, V) to microvolts
// (the baseline is in the same units, PS3.3 C.10.9.1.4.3). A missing correction factor is 1, a
// missing baseline 0.
// Errors (ecg::Error, naming the group and channel): Corruption when the sequence is absent, its
// item count differs from NumberOfWaveformChannels, or a sensitivity or correction factor is
// missing, zero or not finite; Unsupported for units other than the four above.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "waveform/dicom/item_view.h"

#include "waveform/dicom/sample_codec.h"
#include "waveform/dicom/waveform_group_reader.h"
#include "waveform/ecg_record.h"

namespace ecg::dicom {

// Microvolts per unit for a UCUM voltage code ("uV" -> 1, "mV" -> 1000, ...), nullopt if unknown.
std::optional<double> MicrovoltsPerUnit(std::string_view ucum_code);

// Fills channels (label, source_code, lead; no samples) and their scales, in file order.
void ReadChannelDefinitions(const ItemView& group_item, size_t group_index,
                            size_t expected_channels, std::vector<Channel>* channels,
                            std::vector<ChannelScale>* scales);

// Filter settings of the first channel that states any.
ChannelFilters ReadFilters(const ItemView& group_item);

}  // namespace ecg::dicom
