#include "waveform/dicom/lead_codes.h"

#include <array>
#include <cctype>
#include <charconv>
#include <string>

#include "waveform/dicom/text.h"

namespace ecg::dicom {

namespace {

struct LeadTerm {
  Lead lead;
  int term;                 // CID 3001 term number, shared by SCPECG and MDC partition 2
  std::string_view mdc_id;  // MDC reference id suffix
  std::string_view meaning;
};

constexpr std::array<LeadTerm, kLeadCount> kTerms = {{
    {Lead::kI, 1, "I", "Lead I"},
    {Lead::kII, 2, "II", "Lead II"},
    {Lead::kIII, 61, "III", "Lead III"},
    {Lead::kAVR, 62, "AVR", "Lead aVR"},
    {Lead::kAVL, 63, "AVL", "Lead aVL"},
    {Lead::kAVF, 64, "AVF", "Lead aVF"},
    {Lead::kV1, 3, "V1", "Lead V1"},
    {Lead::kV2, 4, "V2", "Lead V2"},
    {Lead::kV3, 5, "V3", "Lead V3"},
    {Lead::kV4, 6, "V4", "Lead V4"},
    {Lead::kV5, 7, "V5", "Lead V5"},
    {Lead::kV6, 8, "V6", "Lead V6"},
}};

constexpr std::array<std::string_view, kLeadCount> kScpEcgValues = {
    "5.6.3-9-1", "5.6.3-9-2", "5.6.3-9-61", "5.6.3-9-62", "5.6.3-9-63", "5.6.3-9-64",
    "5.6.3-9-3", "5.6.3-9-4", "5.6.3-9-5",  "5.6.3-9-6",  "5.6.3-9-7",  "5.6.3-9-8"};

constexpr int kMdcPartition2Base = 2 << 16;  // numeric MDC codes: (partition << 16) + term

std::optional<int> ParseInt(std::string_view s) {
  int value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return value;
}

std::optional<Lead> LeadFromTerm(int term) {
  for (const LeadTerm& t : kTerms) {
    if (t.term == term) return t.lead;
  }
  return std::nullopt;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string Upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

std::string_view WithoutParentheses(std::string_view s) {
  const size_t open = s.find('(');
  return open == std::string_view::npos ? s : TrimPadding(s.substr(0, open));
}

}  // namespace

std::optional<Lead> LeadFromCodeValue(std::string_view code_value) {
  const std::string_view code = TrimPadding(code_value);
  if (StartsWith(code, "5.6.3-9-")) {
    if (auto term = ParseInt(code.substr(8))) return LeadFromTerm(*term);
    return std::nullopt;
  }
  if (StartsWith(code, "2:")) {
    if (auto term = ParseInt(code.substr(2))) return LeadFromTerm(*term);
    return std::nullopt;
  }
  if (StartsWith(code, "MDC_ECG_LEAD_")) {
    const std::string id = Upper(code.substr(13));
    for (const LeadTerm& t : kTerms) {
      if (t.mdc_id == id) return t.lead;
    }
    return std::nullopt;
  }
  if (auto numeric = ParseInt(code)) {
    if (*numeric > kMdcPartition2Base) return LeadFromTerm(*numeric - kMdcPartition2Base);
  }
  return std::nullopt;
}

std::optional<Lead> IdentifyLead(std::string_view code_value, std::string_view label,
                                 std::string_view code_meaning) {
  if (auto lead = LeadFromCodeValue(code_value)) return lead;
  if (auto lead = LeadFromName(TrimPadding(label))) return lead;
  return LeadFromName(WithoutParentheses(TrimPadding(code_meaning)));
}

LeadCode ScpEcgCode(Lead lead) {
  return {kScpEcgValues[LeadIndex(lead)], kTerms[LeadIndex(lead)].meaning};
}

}  // namespace ecg::dicom
