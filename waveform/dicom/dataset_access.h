// DCMTK access for the DICOM codec: parsing bytes into a DcmFileFormat and typed, non-throwing
// attribute getters. Internal to waveform/dicom/ (the only DCMTK user).
//
// ParseDicom reads a Part-10 file (with or without preamble and meta header) from memory; it
// copies element values into DCMTK's own buffers, so `data` need not outlive the result.
// Throws Error::Corruption when DCMTK cannot parse the bytes (the message carries DCMTK's reason).
// Getters return empty/nullopt when the attribute is absent or empty; they never throw.
// Thread-safe: DCMTK's data dictionary is loaded once, its log is silenced once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcitem.h>
#include <dcmtk/dcmdata/dctagkey.h>

namespace ecg::dicom {

std::unique_ptr<DcmFileFormat> ParseDicom(const uint8_t* data, size_t size);

// A Part-10 file (preamble, meta header, Explicit VR Little Endian). Throws
// Error::InvalidArgument when DCMTK refuses a value.
std::vector<uint8_t> SerialiseDicom(DcmFileFormat& file);

// "(003A,0210) ChannelSensitivity", for error messages.
std::string TagName(const DcmTagKey& tag);

// The first value, trailing/leading spaces removed; empty when absent.
std::string GetString(DcmItem& item, const DcmTagKey& tag);
// Numeric value of a DS/IS/US/UL/SS/SL/FL/FD attribute; nullopt when absent, empty or unparsable.
std::optional<double> GetNumber(DcmItem& item, const DcmTagKey& tag);
// An item of a sequence, nullptr when the sequence is absent or shorter.
DcmItem* GetItem(DcmItem& item, const DcmTagKey& sequence, unsigned long index = 0);
// Number of items in a sequence; nullopt when the sequence is absent.
std::optional<unsigned long> CountItems(DcmItem& item, const DcmTagKey& sequence);

}  // namespace ecg::dicom
