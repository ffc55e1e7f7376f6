// A zero-copy parser for Explicit VR Little Endian Part-10 DICOM files: the fast path of the
// decoder (DCMTK copies every value into its own objects; this keeps pointers into the input).
//
// Handles the preamble, the meta header, defined- and undefined-length sequences and items, to
// any depth up to kMaxDepth. Returns nullptr (so that the caller uses DCMTK) for anything else:
// no "DICM" preamble, another transfer syntax, an undefined-length element that is not a
// sequence. Every length is checked against the bytes present before it is used.
// Throws Error::Corruption for a truncated or inconsistent file (naming the tag and offset).
// The result points into `data`, which must outlive it. Pure, thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "waveform/dicom/item_view.h"

namespace ecg::dicom {

constexpr int kMaxDepth = 12;

std::unique_ptr<ParsedDicom> ParseNative(const uint8_t* data, size_t size);

}  // namespace ecg::dicom
