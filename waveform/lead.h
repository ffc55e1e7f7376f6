// Lead: the twelve standard ECG leads, in the fixed canonical order used everywhere in
// orthanc-ecg (signals, files, tensors, the database). The numeric values are stored on disk and
// in the database: do not change them.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace ecg {

enum class Lead : uint8_t {
  kI = 0,
  kII = 1,
  kIII = 2,
  kAVR = 3,
  kAVL = 4,
  kAVF = 5,
  kV1 = 6,
  kV2 = 7,
  kV3 = 8,
  kV4 = 9,
  kV5 = 10,
  kV6 = 11,
};

constexpr size_t kLeadCount = 12;

// All leads in canonical order, for range-for loops.
const std::array<Lead, kLeadCount>& AllLeads();

constexpr size_t LeadIndex(Lead lead) { return static_cast<size_t>(lead); }

// The conventional display name: "I", "II", "III", "aVR", "aVL", "aVF", "V1".."V6".
std::string_view LeadName(Lead lead);

// Parses a lead name as written on device labels: case-insensitive, ignoring spaces,
// underscores and a leading "Lead". nullopt if the text names no standard lead; an inverted lead
// such as "-aVR" is not aVR and gives nullopt.
std::optional<Lead> LeadFromName(std::string_view text);

}  // namespace ecg
