#include "plugin/sop_class_hints.h"

namespace ecg::plugin {

void SopClassHints::Note(const std::string& instance_id, bool is_waveform) {
  if (capacity_ == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  while (order_.size() >= capacity_) {
    hints_.erase(order_.front());
    order_.pop_front();
  }
  hints_[instance_id] = is_waveform;
  order_.push_back(instance_id);
}

std::optional<bool> SopClassHints::Take(const std::string& instance_id) {
  std::lock_guard<std::mutex> lock(mutex_);
  const auto hint = hints_.find(instance_id);
  if (hint == hints_.end()) return std::nullopt;
  const bool is_waveform = hint->second;
  hints_.erase(hint);
  return is_waveform;
}

}  // namespace ecg::plugin
