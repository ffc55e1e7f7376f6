// The Waveform module for EncodeEcg: one RHYTHM multiplex group of the recorded leads, 16-bit
// signed, each lead with the finest sensitivity (>= resolution_uV) that keeps it within int16.
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcsequen.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "waveform/dicom/encoder_parts.h"
#include "waveform/dicom/lead_codes.h"
#include "waveform/dicom/sample_codec.h"
#include "waveform/error.h"

namespace ecg::dicom {

namespace {

constexpr double kInt16Limit = 32767;

struct EncodedLead {
  Lead lead;
  std::string sensitivity;  // DS text, exactly the value used to quantise
  std::vector<int16_t> raw;
};

// The DS text of the smallest sensitivity >= resolution that maps max_abs_uV into int16.
std::string FitSensitivity(double max_abs_uV, double resolution_uV) {
  double sensitivity = std::max(resolution_uV, max_abs_uV / kInt16Limit);
  char text[32];
  for (;;) {
    std::snprintf(text, sizeof(text), "%.8g", sensitivity);
    if (max_abs_uV / std::strtod(text, nullptr) <= kInt16Limit) return text;
    sensitivity *= 1 + 1e-7;  // the printed value rounded down: nudge up
  }
}

EncodedLead Quantise(const EcgSignal& signal, Lead lead, double resolution_uV) {
  const float* samples = signal.lead_uV(lead);
  const size_t n = signal.samples_per_lead();
  double max_abs = 0;
  for (size_t t = 0; t < n; ++t) {
    if (!std::isfinite(samples[t])) {
      throw Error::InvalidArgument("EncodeEcg: lead " + std::string(LeadName(lead)) +
                                   " has a non-finite sample at " + std::to_string(t));
    }
    max_abs = std::max(max_abs, std::abs(static_cast<double>(samples[t])));
  }
  EncodedLead out{lead, FitSensitivity(max_abs, resolution_uV), {}};
  const double sensitivity = std::strtod(out.sensitivity.c_str(), nullptr);
  out.raw.resize(n);
  for (size_t t = 0; t < n; ++t) {
    const double raw = std::nearbyint(samples[t] / sensitivity);
    out.raw[t] = static_cast<int16_t>(std::clamp(raw, -kInt16Limit, kInt16Limit));
  }
  return out;
}

void PutNumber(DcmItem& item, const DcmTagKey& tag, double value) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.8g", value);
  PutString(item, tag, text);
}

void WriteFilters(DcmItem& channel, const EcgMetadata& metadata) {
  if (metadata.low_frequency_filter_hz) {
    PutNumber(channel, DCM_FilterLowFrequency, *metadata.low_frequency_filter_hz);
  }
  if (metadata.high_frequency_filter_hz) {
    PutNumber(channel, DCM_FilterHighFrequency, *metadata.high_frequency_filter_hz);
  }
  if (metadata.notch_filter_hz) {
    PutNumber(channel, DCM_NotchFilterFrequency, *metadata.notch_filter_hz);
  }
}

void WriteChannel(DcmItem& group, const EncodedLead& lead, const EcgMetadata& metadata) {
  DcmItem* channel = nullptr;
  if (group.findOrCreateSequenceItem(DCM_ChannelDefinitionSequence, channel, -2).bad()) {
    throw Error::InvalidArgument("EncodeEcg: cannot add a channel definition");
  }
  const LeadCode code = ScpEcgCode(lead.lead);
  PutString(*channel, DCM_ChannelLabel, std::string(LeadName(lead.lead)));
  PutCode(*channel, DCM_ChannelSourceSequence, code.value, "SCPECG", code.meaning);
  PutString(*channel, DCM_ChannelSensitivity, lead.sensitivity);
  PutCode(*channel, DCM_ChannelSensitivityUnitsSequence, "uV", "UCUM", "microvolt");
  PutString(*channel, DCM_ChannelSensitivityCorrectionFactor, "1");
  PutString(*channel, DCM_ChannelBaseline, "0");
  PutString(*channel, DCM_ChannelSampleSkew, "0");
  PutString(*channel, DCM_WaveformBitsStored, "16");
  WriteFilters(*channel, metadata);
}

}  // namespace

void WriteWaveform(DcmItem& dataset, const EcgMetadata& metadata, const EcgSignal& signal,
                   const EncodeOptions& options) {
  std::vector<EncodedLead> leads;
  for (Lead lead : AllLeads()) {
    if (signal.status(lead) == LeadStatus::kRecorded) {
      leads.push_back(Quantise(signal, lead, options.resolution_uV));
    }
  }
  DcmItem* group = nullptr;
  if (dataset.findOrCreateSequenceItem(DCM_WaveformSequence, group, -2).bad()) {
    throw Error::InvalidArgument("EncodeEcg: cannot add a WaveformSequence item");
  }
  PutString(*group, DCM_WaveformOriginality, "ORIGINAL");
  PutString(*group, DCM_NumberOfWaveformChannels, std::to_string(leads.size()));
  PutString(*group, DCM_NumberOfWaveformSamples, std::to_string(signal.samples_per_lead()));
  PutNumber(*group, DCM_SamplingFrequency, signal.sample_rate_hz());
  PutString(*group, DCM_MultiplexGroupLabel, "RHYTHM");
  for (const EncodedLead& lead : leads) WriteChannel(*group, lead, metadata);
  PutString(*group, DCM_WaveformBitsAllocated, "16");
  PutString(*group, DCM_WaveformSampleInterpretation, "SS");

  std::vector<std::vector<int16_t>> raw;
  raw.reserve(leads.size());
  for (EncodedLead& lead : leads) raw.push_back(std::move(lead.raw));
  const std::vector<uint8_t> bytes = EncodeInterleavedInt16(raw);
  if (group
          ->putAndInsertUint16Array(DCM_WaveformData, reinterpret_cast<const Uint16*>(bytes.data()),
                                    bytes.size() / 2)
          .bad()) {
    throw Error::InvalidArgument("EncodeEcg: cannot set WaveformData");
  }
}

}  // namespace ecg::dicom
