#include "waveform/lead.h"

#include <cctype>
#include <string>

namespace ecg {

namespace {

constexpr std::array<std::string_view, kLeadCount> kNames = {
    "I", "II", "III", "aVR", "aVL", "aVF", "V1", "V2", "V3", "V4", "V5", "V6"};

std::string Normalise(std::string_view text) {
  std::string out;
  for (char c : text) {
    // '-' is kept: "-aVR" is the inverted lead, not aVR, and must not be read as a standard lead.
    if (std::isspace(static_cast<unsigned char>(c)) || c == '_') continue;
    out.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  if (out.rfind("LEAD", 0) == 0) out.erase(0, 4);
  return out;
}

}  // namespace

const std::array<Lead, kLeadCount>& AllLeads() {
  static const std::array<Lead, kLeadCount> leads = {
      Lead::kI,  Lead::kII, Lead::kIII, Lead::kAVR, Lead::kAVL, Lead::kAVF,
      Lead::kV1, Lead::kV2, Lead::kV3,  Lead::kV4,  Lead::kV5,  Lead::kV6};
  return leads;
}

std::string_view LeadName(Lead lead) { return kNames[LeadIndex(lead)]; }

std::optional<Lead> LeadFromName(std::string_view text) {
  const std::string key = Normalise(text);
  for (Lead lead : AllLeads()) {
    if (Normalise(LeadName(lead)) == key) return lead;
  }
  return std::nullopt;
}

}  // namespace ecg
