// ItemView: read-only access to a parsed DICOM dataset or sequence item, whichever parser read it.
//
// The decoder reads through this interface so that the common case (Explicit VR Little Endian
// Part-10 files, what every cardiograph and our encoder write) goes through the zero-copy
// native parser (native_parser.h), and everything else through DCMTK. ParseForDecoding picks.
// Getters never throw: absent or empty attributes give empty strings, nullopt, nullptr or false.
// Views point into their ParsedDicom (and, for the native parser, into the input bytes): they
// must not outlive it. Not thread-safe (a view caches its children); one decode, one thread.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <dcmtk/dcmdata/dctagkey.h>

namespace ecg::dicom {

class ItemView {
 public:
  virtual ~ItemView() = default;
  // The first value of a string attribute (or a number as text), spaces trimmed.
  virtual std::string GetString(const DcmTagKey& tag) const = 0;
  // A DS/IS text or US/UL/SS/SL/FL/FD binary value; nullopt when absent, empty or unparsable.
  virtual std::optional<double> GetNumber(const DcmTagKey& tag) const = 0;
  // Items in a sequence; nullopt when the sequence is absent.
  virtual std::optional<size_t> CountItems(const DcmTagKey& sequence) const = 0;
  // An item of a sequence, nullptr when absent.
  virtual const ItemView* GetItem(const DcmTagKey& sequence, size_t index = 0) const = 0;
  // The value bytes of an OB/OW attribute as stored (little-endian); false when absent.
  virtual bool GetBytes(const DcmTagKey& tag, const uint8_t** data, size_t* size) const = 0;
};

class ParsedDicom {
 public:
  virtual ~ParsedDicom() = default;
  virtual const ItemView& dataset() const = 0;
};

// Native parser for Explicit VR Little Endian Part-10 files, DCMTK for the rest (the caller's
// bytes must outlive the result). prefer_dcmtk forces DCMTK (tests compare the two).
// Throws Error::Corruption for bytes neither can parse (truncated, not DICOM).
std::unique_ptr<ParsedDicom> ParseForDecoding(const uint8_t* data, size_t size, bool prefer_dcmtk);

}  // namespace ecg::dicom
