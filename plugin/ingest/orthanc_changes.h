// orthanc_changes: what the ingest path reads from Orthanc through its REST API, in process.
//
// ReadChanges() pages through Orthanc's change log (/changes?since=N&limit=M). Orthanc keeps a
// NewInstance entry while its instance exists (deleting a resource removes its entries, and
// deletions themselves are never logged: they arrive only as change callbacks). ListInstances()
// pages through all instances (/instances?since=N&limit=M) for backfills. The other functions
// look one instance up and return nullopt when it has been deleted meanwhile.
//
// Errors: Error::Unavailable when Orthanc fails to answer, Error::Corruption for answers that do
// not have the documented shape. Thread-safe (stateless).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "storage/ecg_store.h"

namespace ecg::plugin {

struct OrthancChange {
  int64_t seq = 0;
  std::string change_type;    // "NewInstance", "StableStudy", ...
  std::string resource_type;  // "Instance", "Series", "Study", "Patient"
  std::string id;             // Orthanc ID of the resource
};

struct ChangesPage {
  std::vector<OrthancChange> changes;  // ascending seq, all > since
  int64_t last = 0;                    // the last seq Orthanc looked at (>= since)
  bool done = false;                   // true when no change after `last` exists yet
};

ChangesPage ReadChanges(int64_t since, size_t limit);
// The seq of the newest change in the log (0 when empty).
int64_t LastChangeSeq();

// Orthanc IDs of instances from position `since` on (Orthanc's own order), at most limit.
std::vector<std::string> ListInstances(size_t since, size_t limit);

// Whether Orthanc still holds the instance.
bool InstanceExists(const std::string& instance_id);
// The SOP Class UID Orthanc recorded as the instance's metadata.
std::optional<std::string> InstanceSopClass(const std::string& instance_id);
// The instance's own ID and its parents' IDs.
std::optional<OrthancIds> InstanceParents(const std::string& instance_id);

}  // namespace ecg::plugin
