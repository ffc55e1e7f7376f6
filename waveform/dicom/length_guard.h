// A guard in front of DCMTK: DCMTK reserves memory for an element's declared length before it
// notices that the bytes are not there, so a 30-byte file can make it reserve 4 GB. This scans
// the top-level elements of a little-endian dataset (explicit or implicit VR, with or without
// the Part-10 header) and refuses a declared length larger than the bytes that remain.
// Scanning stops, leaving the rest to DCMTK, at the first undefined length, at an item tag, or
// when the meta header names a big-endian or deflated transfer syntax. Nested elements are not
// checked (see docs/fuzzing.md). Throws Error::Corruption naming the tag. Pure, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ecg::dicom {

void CheckTopLevelLengths(const uint8_t* data, size_t size);

}  // namespace ecg::dicom
