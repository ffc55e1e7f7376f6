#include "waveform/dicom/length_guard.h"

#include <cctype>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "waveform/dicom/text.h"
#include "waveform/error.h"

namespace ecg::dicom {

namespace {

constexpr uint32_t kUndefinedLength = 0xFFFFFFFF;
constexpr size_t kPreamble = 128;

uint16_t Load16(const uint8_t* p) {
  return static_cast<uint16_t>(p[0] | (p[1] << 8));
}

uint32_t Load32(const uint8_t* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

bool LooksLikeVr(const uint8_t* p) {
  return std::isupper(p[0]) && std::isupper(p[1]);
}

bool HasLongLength(const uint8_t* vr) {
  static constexpr std::string_view kLong[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                               "SV", "UC", "UN", "UR", "UT", "UV"};
  const std::string_view v(reinterpret_cast<const char*>(vr), 2);
  for (std::string_view l : kLong) {
    if (v == l) return true;
  }
  return false;
}

struct Header {
  uint32_t tag;
  uint32_t length;
  size_t header_bytes;
};

// nullopt-like: header_bytes == 0 when fewer than 8 bytes remain.
Header ReadHeader(const uint8_t* p, size_t remaining) {
  if (remaining < 8) return {0, 0, 0};
  const uint32_t tag = (static_cast<uint32_t>(Load16(p)) << 16) | Load16(p + 2);
  if (!LooksLikeVr(p + 4)) return {tag, Load32(p + 4), 8};  // implicit VR
  if (!HasLongLength(p + 4)) return {tag, Load16(p + 6), 8};
  if (remaining < 12) return {0, 0, 0};
  return {tag, Load32(p + 8), 12};
}

[[noreturn]] void Refuse(const Header& h, size_t remaining) {
  char text[160];
  std::snprintf(text, sizeof(text),
                "DICOM: element (%04X,%04X) declares %u bytes but only %zu remain (truncated or "
                "malformed file)",
                h.tag >> 16, h.tag & 0xFFFF, h.length, remaining);
  throw Error::Corruption(text);
}

// Scans elements from `pos`; returns where it stopped. Meta-only mode stops after group 0002
// and reports the transfer syntax.
size_t Scan(const uint8_t* data, size_t size, size_t pos, bool meta_only, std::string* syntax) {
  while (pos < size) {
    const Header h = ReadHeader(data + pos, size - pos);
    if (h.header_bytes == 0 || (h.tag >> 16) == 0xFFFE || h.length == kUndefinedLength) break;
    if (meta_only && (h.tag >> 16) != 0x0002) break;
    const size_t remaining = size - pos - h.header_bytes;
    if (h.length > remaining) Refuse(h, remaining);
    if (meta_only && h.tag == 0x00020010) {
      *syntax = std::string(TrimPadding(
          std::string_view(reinterpret_cast<const char*>(data + pos + h.header_bytes), h.length)));
    }
    pos += h.header_bytes + h.length;
  }
  return pos;
}

}  // namespace

void CheckTopLevelLengths(const uint8_t* data, size_t size) {
  size_t pos = 0;
  if (size >= kPreamble + 4 && std::memcmp(data + kPreamble, "DICM", 4) == 0) {
    std::string syntax;
    pos = Scan(data, size, kPreamble + 4, /*meta_only=*/true, &syntax);
    if (syntax == "1.2.840.10008.1.2.2" || syntax == "1.2.840.10008.1.2.1.99") return;
  }
  std::string unused;
  Scan(data, size, pos, /*meta_only=*/false, &unused);
}

}  // namespace ecg::dicom
