// Lead codes: which standard lead a DICOM waveform channel carries, and the code to write for one.
//
// A channel is identified, in order, by its ChannelSourceSequence code value (SCPECG
// "5.6.3-9-N", MDC "2:N", the numeric MDC form 131072 + N and the reference id "MDC_ECG_LEAD_X",
// whatever the coding scheme designator says), then by its ChannelLabel, then by the code
// meaning (e.g. "Lead I (Einthoven)"; text in parentheses is ignored). Term numbers N follow
// PS3.16 CID 3001: 1 I, 2 II, 3..8 V1..V6, 61 III, 62 aVR, 63 aVL, 64 aVF.
// Pure functions, thread-safe.
#pragma once

#include <optional>
#include <string_view>

#include "waveform/lead.h"

namespace ecg::dicom {

// The lead a code value names, nullopt for codes of other leads (V7, V3R, ...) or other things.
std::optional<Lead> LeadFromCodeValue(std::string_view code_value);

// Code value first, then label, then meaning (see above).
std::optional<Lead> IdentifyLead(std::string_view code_value, std::string_view label,
                                 std::string_view code_meaning);

// The SCPECG code a writer uses for a lead: value ("5.6.3-9-61") and meaning ("Lead III").
struct LeadCode {
  std::string_view value;
  std::string_view meaning;
};
LeadCode ScpEcgCode(Lead lead);

}  // namespace ecg::dicom
