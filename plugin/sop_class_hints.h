// SopClassHints: whether instances Orthanc has just stored are waveforms, noted by Orthanc's
// stored-instance callback from the instance's own metadata (in memory, no database access), so
// that the change-log reader need not ask Orthanc's database once per stored instance.
//
// A hint is only a shortcut: Take() gives nullopt for an instance never noted (stored while the
// plugin was stopped, replayed after a restart, or forgotten) and the reader then asks Orthanc.
// Bounded: beyond `capacity` hints, the oldest are forgotten first. Each hint is taken once.
// Thread-safe.
#pragma once

#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

namespace ecg::plugin {

class SopClassHints {
 public:
  explicit SopClassHints(size_t capacity) : capacity_(capacity) {}

  void Note(const std::string& instance_id, bool is_waveform);
  // The noted answer for the instance, forgotten once taken; nullopt when none was noted.
  std::optional<bool> Take(const std::string& instance_id);

 private:
  const size_t capacity_;
  std::mutex mutex_;
  std::unordered_map<std::string, bool> hints_;
  std::deque<std::string> order_;  // noted IDs, oldest first (may hold IDs already taken)
};

}  // namespace ecg::plugin
