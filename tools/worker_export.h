// Incremental export of the store's ECGs into a worker's data folder, for training.
//
// DATA_DIR holds archives (waveform/ecg_archive.h) named ecgs-<first ecg_key>.ecgarch and a
// state file export.json {"store": <hash of the connection URI>, "last_ecg_key", "ecgs"}. Each
// export appends one archive with the ECGs whose ecg_key is above last_ecg_key (keys only grow).
// The folder is rebuilt from scratch when it belongs to another store, when the store now
// holds fewer ECGs than the archives (ECGs were deleted: their signals must not train the next
// model), or once when it holds archives of before R peaks were kept in them (version 1:
// training would detect the peaks at every read). ECGs replaced in place keep their old signal
// until such a rebuild. The archives keep each ECG's R peaks, detected once here.
//
// Archives are written under a temporary name and renamed, and the state file is replaced
// atomically, so an interrupted export leaves the previous state usable. Not thread-safe (one
// worker per DATA_DIR). Errors: those of EcgStore::ExportForTraining and the archive writer
// (Error::Unavailable for I/O).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "storage/ecg_store.h"

namespace ecg::tools {

struct ExportSummary {
  std::vector<std::string> archives;  // every archive of DATA_DIR, sorted
  int64_t ecgs = 0;                   // ECGs in them
  int64_t new_ecgs = 0;               // ECGs exported by this call
  bool rebuilt = false;               // the folder was rebuilt from scratch
  double seconds = 0;                 // wall time of this call

  nlohmann::json ToJson() const;
};

// on_progress(exported so far by this call) every few hundred ECGs.
ExportSummary ExportIncrementally(EcgStore& store, const std::string& store_identity,
                                  const std::string& data_dir,
                                  const std::function<void(int64_t)>& on_progress);

}  // namespace ecg::tools
