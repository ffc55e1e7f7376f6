// Model packs: a model directory (learning/model_dir.h) as one byte string, so that a model can
// live in the store (EcgStore::SaveModel keeps bytes) and travel between a GPU worker and the
// plugin through the database alone.
//
//   pack   := magic "ECGMODL1" | uint32 file count | file*          (little-endian)
//   file   := uint32 name length | name | uint64 data length | data
// The files are those of a model directory (format, config.json, model.pt, data.json,
// metrics.json); names are plain file names (no '/', no "." or ".."), at most 64 bytes.
//
// UnpackModelDir writes into a temporary sibling, loads it (LoadModelDir: the weights must fit the
// config) and only then renames it into place, so a reader never sees a half-written or broken
// model. Free functions,
// thread-safe for distinct directories. Errors: Error::NotFound (PackModelDir: no such directory
// or a missing file), Error::Corruption (bytes that are not a pack: bad magic, truncated, bad
// names, missing files), Error::Unavailable (I/O failure while writing).
#pragma once

#include <string>

namespace ecg::learning {

std::string PackModelDir(const std::string& dir);
void UnpackModelDir(const std::string& bytes, const std::string& dir);

}  // namespace ecg::learning
