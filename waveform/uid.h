// Derived DICOM UIDs: "2.25.<decimal 128-bit integer>" (PS3.5 B.2, a UID from a UUID-sized
// integer), at most 44 characters. The same key always gives the same UID, so that re-importing
// or re-generating an ECG yields the same SOPInstanceUID (and ingest sees a duplicate, not a new
// ECG). Keys are mixed with splitmix64, so nearby keys give unrelated UIDs. Pure, thread-safe.
#pragma once

#include <cstdint>
#include <string>

namespace ecg {

// kind separates the UIDs of one thing (study, series, instance).
std::string DerivedUid(uint64_t namespace_key, uint64_t key, uint64_t kind);

}  // namespace ecg
