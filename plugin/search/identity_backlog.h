// IdentityBacklog: computes, in the background, the identity check (plugin/search/search_query.h)
// of every ECG embedded by the served model and stores it (EcgStore::WriteIdentityChecks), so
// that the patient's timeline shows each ECG's identity flag from one read instead of one index
// search per ECG (a timeline of 200 ECGs answers within 50 ms).
//
// A check is made again when it is stale: the patient's number of embedded ECGs changed since (a
// new ECG came, one was deleted), or it is older than kRefreshDays, so that the population side
// (the nearest other patients), which moves slowly with the archive, follows it.
//
// After new ECGs are embedded (EmbeddingsChanged(patients)) the backlog looks at those patients
// only (EcgStore::EcgsToCheckIdentityOf: their ECGs, through the patient index), so that steady
// ingest costs what it brings whatever the archive's size. A full look
// (EcgStore::EcgsToCheckIdentity, one pass over the model's embeddings) comes first (a model just
// switched to), every kRecheckInterval (deleted ECGs' patients, checks past kRefreshDays), and
// instead of the patients' look when more than kMaxNewsPatients patients wait (then at most once
// per kNewsInterval). Each look takes at most `batch` ECGs, patient by patient, reading each
// patient's embeddings once.
//
// An ECG whose check fails (a zero vector, a damaged embedding) is stored with the reason, so
// that it does not come back at every look. Not thread-safe: the search service's thread calls
// it. Errors: the store's (Error::Unavailable) propagate; the caller retries later.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <set>
#include <vector>

#include "plugin/search/search_model.h"
#include "plugin/search/search_query.h"
#include "storage/ecg_store.h"

namespace ecg::plugin {

class IdentityBacklog {
 public:
  IdentityBacklog(EcgStore& store, const ServedModel& served) : store_(store), served_(served) {}

  // New embeddings of these patients' ECGs were written: the next CheckBatch looks at them.
  void EmbeddingsChanged(const std::vector<int64_t>& patient_keys);
  // When a look is due, checks at most `batch` ECGs and stores the results; returns how many
  // were stored (batch: more may wait; 0: nothing pending or no look due).
  size_t CheckBatch(size_t batch);

  // How often the backlog looks without new embeddings (catches deleted ECGs' patients and
  // checks past kRefreshDays).
  static constexpr std::chrono::seconds kRecheckInterval{600};
  // Shortest time between the end of one look and a look for new embeddings' checks (bounds
  // the passes over the embeddings while ECGs keep arriving).
  static constexpr std::chrono::seconds kNewsInterval{10};
  // Age after which a check is made again whatever happened.
  static constexpr int kRefreshDays = 30;
  // Patients remembered for a patients' look; beyond, one full look instead.
  static constexpr size_t kMaxNewsPatients = 4096;

 private:
  using Clock = std::chrono::steady_clock;

  // Missing or stale checks: from a full look when one is due, else from the patients' look when
  // news wait; empty when no look is due.
  std::vector<IdentityToCheck> Pending(size_t batch);
  // The checks of one patient's pending ECGs, from the patient's embeddings read once.
  void CheckPatient(const std::vector<IdentityToCheck>& pending,
                    std::vector<StoredIdentityCheck>* out);

  EcgStore& store_;
  const ServedModel& served_;
  bool look_now_ = true;    // a full look is due (start, or too many news)
  std::set<int64_t> news_;  // patients with new embeddings, not looked at yet
  Clock::time_point next_look_{};
  Clock::time_point last_end_{};  // when the last look saw the end of the pending checks
};

}  // namespace ecg::plugin
