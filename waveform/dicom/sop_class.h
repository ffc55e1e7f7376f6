// Waveform SOP classes orthanc-ecg knows about, and what it does with each.
//
// The three ECG classes are decoded and canonicalised. Other waveform classes (hemodynamic,
// arterial pulse, respiratory, ...) are decoded only when their channels turn out to be standard
// ECG leads, and keep their SOP class. Anything else is refused before any pixel or waveform data
// is read. Pure functions, thread-safe.
#pragma once

#include <string_view>

namespace ecg::dicom {

inline constexpr std::string_view kTwelveLeadEcgSopClass = "1.2.840.10008.5.1.4.1.1.9.1.1";
inline constexpr std::string_view kGeneralEcgSopClass = "1.2.840.10008.5.1.4.1.1.9.1.2";
inline constexpr std::string_view kAmbulatoryEcgSopClass = "1.2.840.10008.5.1.4.1.1.9.1.3";

enum class SopClassKind {
  kEcg,            // one of the three ECG classes
  kOtherWaveform,  // a waveform class (1.2.840.10008.5.1.4.1.1.9.*) that may hold ECG leads
  kNotWaveform,    // images, reports, ...: refused
};

SopClassKind ClassifySopClass(std::string_view sop_class_uid);

// A short human name for logs and errors, e.g. "12-Lead ECG"; the UID itself when unknown.
std::string_view SopClassName(std::string_view sop_class_uid);

}  // namespace ecg::dicom
