// Text helpers shared by the DICOM codec. Pure, thread-safe.
#pragma once

#include <string_view>

namespace ecg::dicom {

// Removes the spaces and NULs that DICOM pads values with, on both sides.
inline std::string_view TrimPadding(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\0')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\0')) s.remove_suffix(1);
  return s;
}

}  // namespace ecg::dicom
