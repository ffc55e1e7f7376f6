#include "plugin/search/identity_backlog.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "waveform/error.h"

namespace ecg::plugin {

void IdentityBacklog::EmbeddingsChanged(const std::vector<int64_t>& patient_keys) {
  if (look_now_) return;  // a full look is due anyway
  news_.insert(patient_keys.begin(), patient_keys.end());
  if (news_.size() > kMaxNewsPatients) {
    news_.clear();
    look_now_ = true;
  }
}

std::vector<IdentityToCheck> IdentityBacklog::Pending(size_t batch) {
  const Clock::time_point now = Clock::now();
  const bool full_due = (look_now_ && now >= last_end_ + kNewsInterval) || now >= next_look_;
  if (full_due) {
    news_.clear();  // the full look covers them
    std::vector<IdentityToCheck> pending =
        store_.EcgsToCheckIdentity(served_.model_id, batch, kRefreshDays);
    if (pending.size() < batch) {  // this look sees the end: wait for news or the interval
      look_now_ = false;
      last_end_ = now;
      next_look_ = now + kRecheckInterval;
    }
    return pending;
  }
  if (news_.empty() || look_now_) return {};
  std::vector<IdentityToCheck> pending = store_.EcgsToCheckIdentityOf(
      served_.model_id, std::vector<int64_t>(news_.begin(), news_.end()), batch, kRefreshDays);
  if (pending.size() < batch) news_.clear();  // every news patient is checked after this batch
  return pending;
}

size_t IdentityBacklog::CheckBatch(size_t batch) {
  const std::vector<IdentityToCheck> pending = Pending(batch);
  if (pending.empty()) return 0;
  std::vector<StoredIdentityCheck> checks;
  for (size_t begin = 0; begin < pending.size();) {
    size_t end = begin;
    while (end < pending.size() && pending[end].patient_key == pending[begin].patient_key) ++end;
    CheckPatient({pending.begin() + begin, pending.begin() + end}, &checks);
    begin = end;
  }
  store_.WriteIdentityChecks(served_.model_id, checks);
  return pending.size();
}

void IdentityBacklog::CheckPatient(const std::vector<IdentityToCheck>& pending,
                                   std::vector<StoredIdentityCheck>* out) {
  const std::vector<Embedding> embeddings = store_.ReadPatientEmbeddings(
      served_.model_id, served_.index->dimension(), pending.front().patient_key);
  for (const IdentityToCheck& ecg : pending) {
    const auto own = std::find_if(embeddings.begin(), embeddings.end(),
                                  [&](const Embedding& e) { return e.ecg_key == ecg.ecg_key; });
    if (own == embeddings.end()) continue;  // deleted meanwhile: nothing to store
    std::vector<float> others;
    size_t compared = 0;
    // The highest keys first; the route takes the most recent by acquisition time (the same
    // ECGs for every patient with at most kMaxIdentityPatientEcgs).
    for (auto it = embeddings.rbegin();
         it != embeddings.rend() && compared < kMaxIdentityPatientEcgs; ++it) {
      if (it->ecg_key == ecg.ecg_key) continue;
      others.insert(others.end(), it->vector.begin(), it->vector.end());
      ++compared;
    }
    IdentityCheck check;
    try {
      check = CheckIdentityOf(store_, served_, ecg.ecg_key, ecg.patient_key, own->vector, others,
                              compared);
    } catch (const Error& e) {
      if (e.IsUnavailable()) throw;
      spdlog::warn("identity check of ECG {} (model {}): {}", ecg.ecg_key, served_.model_id,
                   e.what());
      check = {std::nullopt, std::string("could not be checked: ") + e.what()};
    }
    out->push_back({ecg.ecg_key, ecg.patient_key, ecg.patient_embedded, check.score, check.reason});
  }
}

}  // namespace ecg::plugin
