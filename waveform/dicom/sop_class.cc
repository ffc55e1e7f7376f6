#include "waveform/dicom/sop_class.h"

namespace ecg::dicom {

namespace {

constexpr std::string_view kWaveformPrefix = "1.2.840.10008.5.1.4.1.1.9.";

struct Named {
  std::string_view uid;
  std::string_view name;
};

constexpr Named kNames[] = {
    {kTwelveLeadEcgSopClass, "12-Lead ECG"},
    {kGeneralEcgSopClass, "General ECG"},
    {kAmbulatoryEcgSopClass, "Ambulatory ECG"},
    {"1.2.840.10008.5.1.4.1.1.9.2.1", "Hemodynamic Waveform"},
    {"1.2.840.10008.5.1.4.1.1.9.3.1", "Basic Cardiac Electrophysiology Waveform"},
    {"1.2.840.10008.5.1.4.1.1.9.4.1", "Basic Voice Audio Waveform"},
    {"1.2.840.10008.5.1.4.1.1.9.4.2", "General Audio Waveform"},
    {"1.2.840.10008.5.1.4.1.1.9.5.1", "Arterial Pulse Waveform"},
    {"1.2.840.10008.5.1.4.1.1.9.6.1", "Respiratory Waveform"},
    {"1.2.840.10008.5.1.4.1.1.9.6.2", "Multi-channel Respiratory Waveform"},
    {"1.2.840.10008.5.1.4.1.1.9.7.1", "Routine Scalp EEG"},
    {"1.2.840.10008.5.1.4.1.1.9.8.1", "Body Position Waveform"},
};

}  // namespace

SopClassKind ClassifySopClass(std::string_view uid) {
  if (uid == kTwelveLeadEcgSopClass || uid == kGeneralEcgSopClass ||
      uid == kAmbulatoryEcgSopClass) {
    return SopClassKind::kEcg;
  }
  if (uid.substr(0, kWaveformPrefix.size()) == kWaveformPrefix) {
    return SopClassKind::kOtherWaveform;
  }
  return SopClassKind::kNotWaveform;
}

std::string_view SopClassName(std::string_view uid) {
  for (const Named& n : kNames) {
    if (n.uid == uid) return n.name;
  }
  return uid;
}

}  // namespace ecg::dicom
