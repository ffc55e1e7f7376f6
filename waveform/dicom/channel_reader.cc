#include "waveform/dicom/channel_reader.h"

#include <dcmtk/dcmdata/dcdeftag.h>

#include <cmath>
#include <string>

#include "waveform/dicom/dataset_access.h"
#include "waveform/dicom/lead_codes.h"
#include "waveform/error.h"

namespace ecg::dicom {

namespace {

std::string Where(size_t group, size_t channel) {
  return "WaveformSequence item " + std::to_string(group) + ", channel " + std::to_string(channel);
}

double RequireFactor(const ItemView& item, const DcmTagKey& tag, std::optional<double> fallback,
                     const std::string& where) {
  std::optional<double> value = item.GetNumber(tag);
  if (!value) {
    if (fallback) return *fallback;
    throw Error::Corruption(where + ": missing " + TagName(tag));
  }
  if (!std::isfinite(*value) || *value == 0) {
    throw Error::Corruption(where + ": " + TagName(tag) + " is zero or not a number");
  }
  return *value;
}

double RequireUnit(const ItemView& channel, const std::string& where) {
  const ItemView* units = channel.GetItem(DCM_ChannelSensitivityUnitsSequence);
  const std::string code = units ? units->GetString(DCM_CodeValue) : std::string();
  if (units == nullptr) {
    throw Error::Unsupported(where + ": missing " + TagName(DCM_ChannelSensitivityUnitsSequence));
  }
  const auto per_unit = MicrovoltsPerUnit(code);
  if (!per_unit) {
    throw Error::Unsupported(where + ": " + TagName(DCM_ChannelSensitivityUnitsSequence) +
                             " unit '" + code + "' is not one of nV, uV, mV, V");
  }
  return *per_unit;
}

Channel ReadIdentity(const ItemView& definition) {
  Channel channel;
  std::string meaning;
  if (const ItemView* source = definition.GetItem(DCM_ChannelSourceSequence)) {
    channel.source_code = source->GetString(DCM_CodeValue);
    meaning = source->GetString(DCM_CodeMeaning);
  }
  const std::string label = definition.GetString(DCM_ChannelLabel);
  channel.lead = IdentifyLead(channel.source_code, label, meaning);
  channel.label = !label.empty() ? label : !meaning.empty() ? meaning : channel.source_code;
  return channel;
}

ChannelScale ReadScale(const ItemView& definition, const std::string& where) {
  const double sensitivity = RequireFactor(definition, DCM_ChannelSensitivity, std::nullopt, where);
  const double correction =
      RequireFactor(definition, DCM_ChannelSensitivityCorrectionFactor, 1.0, where);
  const double unit_uV = RequireUnit(definition, where);
  const double baseline = definition.GetNumber(DCM_ChannelBaseline).value_or(0.0);
  if (!std::isfinite(baseline)) {
    throw Error::Corruption(where + ": " + TagName(DCM_ChannelBaseline) + " is not a number");
  }
  return {sensitivity * correction * unit_uV, baseline * unit_uV};
}

}  // namespace

std::optional<double> MicrovoltsPerUnit(std::string_view code) {
  if (code == "uV" || code == "UV") return 1.0;
  if (code == "mV" || code == "MV") return 1000.0;
  if (code == "nV" || code == "NV") return 0.001;
  if (code == "V") return 1e6;
  return std::nullopt;
}

void ReadChannelDefinitions(const ItemView& group_item, size_t group_index,
                            size_t expected_channels, std::vector<Channel>* channels,
                            std::vector<ChannelScale>* scales) {
  const auto count = group_item.CountItems(DCM_ChannelDefinitionSequence);
  const std::string where_group = "WaveformSequence item " + std::to_string(group_index);
  if (!count) {
    throw Error::Corruption(where_group + ": missing " + TagName(DCM_ChannelDefinitionSequence));
  }
  if (*count != expected_channels) {
    throw Error::Corruption(where_group + ": " + TagName(DCM_ChannelDefinitionSequence) + " has " +
                            std::to_string(*count) + " items but " +
                            TagName(DCM_NumberOfWaveformChannels) + " is " +
                            std::to_string(expected_channels));
  }
  channels->clear();
  scales->clear();
  channels->reserve(expected_channels);
  scales->reserve(expected_channels);
  for (size_t c = 0; c < expected_channels; ++c) {
    const ItemView* definition = group_item.GetItem(DCM_ChannelDefinitionSequence, c);
    if (definition == nullptr) {
      throw Error::Corruption(Where(group_index, c) + ": unreadable channel definition");
    }
    channels->push_back(ReadIdentity(*definition));
    scales->push_back(ReadScale(*definition, Where(group_index, c)));
  }
}

ChannelFilters ReadFilters(const ItemView& group_item) {
  ChannelFilters filters;
  const auto count = group_item.CountItems(DCM_ChannelDefinitionSequence).value_or(0);
  for (unsigned long c = 0; c < count; ++c) {
    const ItemView* definition = group_item.GetItem(DCM_ChannelDefinitionSequence, c);
    if (definition == nullptr) continue;
    filters.low_hz = definition->GetNumber(DCM_FilterLowFrequency);
    filters.high_hz = definition->GetNumber(DCM_FilterHighFrequency);
    filters.notch_hz = definition->GetNumber(DCM_NotchFilterFrequency);
    if (filters.low_hz || filters.high_hz || filters.notch_hz) break;
  }
  return filters;
}

}  // namespace ecg::dicom
