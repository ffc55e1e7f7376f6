// RecentNotes<V>: what Orthanc's stored-instance callback learnt about the instances it has just
// stored, kept in memory for the change-log reader and the ingest workers so that they need not
// ask Orthanc's database again: whether an instance is a waveform (V = bool) and the ECG file
// itself (V = std::string, its bytes).
//
// A note is only a shortcut: Take() gives nullopt for an instance never noted (stored while the
// plugin was stopped, replayed after a restart, forgotten, or dropped on a deletion) and the
// caller then asks Orthanc. Each note is taken once; noting an instance again replaces its note.
// Bounded twice: at most `max_notes` notes and a total cost of `max_cost` (cost(value): 1 per
// note by default, the size in bytes for files); beyond either, the oldest are forgotten first,
// and a note that alone costs more than max_cost is not kept. Thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

namespace ecg::plugin {

template <typename V>
class RecentNotes {
 public:
  using Cost = std::function<size_t(const V&)>;

  RecentNotes(
      size_t max_notes, size_t max_cost, Cost cost = [](const V&) { return size_t{1}; })
      : max_notes_(max_notes), max_cost_(max_cost), cost_(std::move(cost)) {}

  void Note(const std::string& id, V value) {
    const size_t cost = cost_(value);
    std::lock_guard<std::mutex> lock(mutex_);
    TakeLocked(id);  // a new noting replaces the old one
    if (max_notes_ == 0 || cost > max_cost_) return;
    while (order_.size() >= max_notes_ || total_cost_ + cost > max_cost_) ForgetOldestLocked();
    const uint64_t serial = ++last_serial_;
    notes_[id] = {std::move(value), cost, serial};
    order_.emplace_back(id, serial);
    total_cost_ += cost;
  }

  // The note on the instance, forgotten once taken; nullopt when there is none.
  std::optional<V> Take(const std::string& id) {
    std::lock_guard<std::mutex> lock(mutex_);
    return TakeLocked(id);
  }

  void Clear() {
    std::lock_guard<std::mutex> lock(mutex_);
    notes_.clear();
    order_.clear();
    total_cost_ = 0;
  }

 private:
  struct Entry {
    V value;
    size_t cost;
    uint64_t serial;  // which noting of the ID this is, to match it with order_
  };

  std::optional<V> TakeLocked(const std::string& id) {
    const auto note = notes_.find(id);
    if (note == notes_.end()) return std::nullopt;
    std::optional<V> value(std::move(note->second.value));
    total_cost_ -= note->second.cost;
    notes_.erase(note);
    return value;
  }

  // Drops order_'s oldest entry and, if it is still a live note, that note.
  void ForgetOldestLocked() {
    const auto& [id, serial] = order_.front();
    const auto note = notes_.find(id);
    if (note != notes_.end() && note->second.serial == serial) TakeLocked(id);
    order_.pop_front();
  }

  const size_t max_notes_;
  const size_t max_cost_;
  const Cost cost_;
  std::mutex mutex_;
  // Guarded by mutex_:
  std::unordered_map<std::string, Entry> notes_;
  // Notings, oldest first: (ID, serial); may name notes already taken, replaced or erased.
  std::deque<std::pair<std::string, uint64_t>> order_;
  size_t total_cost_ = 0;
  uint64_t last_serial_ = 0;
};

}  // namespace ecg::plugin
