#include "plugin/ingest/ingester.h"

#include <algorithm>
#include <numeric>
#include <tuple>

#include <spdlog/spdlog.h>

#include "plugin/ingest/ingest_pipeline.h"
#include "plugin/ingest/orthanc_changes.h"
#include "plugin/ingest/orthanc_ids.h"
#include "plugin/orthanc_api.h"
#include "plugin/thread_name.h"
#include "plugin/thread_priority.h"
#include "waveform/dicom/sop_class.h"
#include "waveform/error.h"

namespace ecg::plugin {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kFirstRetryDelay{100};
constexpr milliseconds kCursorSavePeriod{1000};
constexpr milliseconds kReaderErrorPause{1000};
// The shortest time between two reads of the change log: Orthanc notifies every stored instance,
// and one read per notification would cost Orthanc a database transaction per instance during a
// burst. The first notification after a quiet spell is read at once.
constexpr milliseconds kMinReadGap{50};
constexpr int kConflictRetries = 5;
constexpr size_t kInstancesPage = 500;
// Tasks a worker writes in one transaction, at most: enough to make commits rare during a burst,
// few enough to keep a transaction's ECGs (about 250 KB each, decoded) small in memory.
constexpr size_t kMaxBatch = 32;
// Stored instances whose SOP class the reader may learn without asking Orthanc: a few MB, far
// more than the instances stored during one read gap, even at thousands per second.
constexpr size_t kMaxNotes = 65536;
// ECG files kept from the stored-instance callback for the workers: a few hundred ECGs, the
// backlog of a burst; beyond it the workers fetch the files from Orthanc.
constexpr size_t kMaxNotedFileBytes = 64 << 20;

bool IsWaveformClass(const std::string& sop_class_uid) {
  return dicom::ClassifySopClass(sop_class_uid) != dicom::SopClassKind::kNotWaveform;
}

milliseconds Ms(double seconds) {
  return milliseconds(static_cast<int64_t>(seconds * 1000));
}

// Orders a batch by patient (then SOPInstanceUID), keeping tasks[i] with ecgs[i]: concurrent
// batches then lock the patients they share in the same order and cannot deadlock on them.
void SortByPatient(std::vector<const IngestTask*>* tasks, std::vector<IngestedEcg>* ecgs) {
  auto key = [&](size_t i) {
    const EcgMetadata& m = (*ecgs)[i].metadata;
    return std::tie(m.patient_id, m.issuer_of_patient_id, m.sop_instance_uid);
  };
  std::vector<size_t> order(tasks->size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) { return key(a) < key(b); });
  std::vector<const IngestTask*> sorted_tasks;
  std::vector<IngestedEcg> sorted_ecgs;
  for (size_t i : order) {
    sorted_tasks.push_back((*tasks)[i]);
    sorted_ecgs.push_back(std::move((*ecgs)[i]));
  }
  *tasks = std::move(sorted_tasks);
  *ecgs = std::move(sorted_ecgs);
}

}  // namespace

Ingester::Ingester(const PluginConfig& config, std::shared_ptr<EcgStore> store)
    : config_(config),
      store_(std::move(store)),
      queue_(config.queue_size),
      is_waveform_notes_(kMaxNotes, kMaxNotes),
      file_notes_(kMaxNotes, kMaxNotedFileBytes,
                  [](const std::string& bytes) { return bytes.size(); }) {}

Ingester::~Ingester() {
  Stop();
}

void Ingester::Start() {
  if (started_.exchange(true)) return;
  threads_.emplace_back([this] { ReaderLoop(); });
  for (size_t i = 0; i < config_.threads; ++i) threads_.emplace_back([this] { WorkerLoop(); });
  spdlog::info("ingest started: {} worker threads, queue of {}", config_.threads,
               config_.queue_size);
}

void Ingester::Stop() {
  if (!started_ || stopping_.exchange(true)) return;
  queue_.Close();
  {
    std::lock_guard<std::mutex> lock(mutex_);  // no waiter can miss stopping_ now
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  SaveFinalCursor();
  spdlog::info("ingest stopped: {} ECGs ingested, {} failed since start", ingested_.load(),
               failed_.load());
}

void Ingester::WakeUp() {
  std::lock_guard<std::mutex> lock(mutex_);
  woken_ = true;
  wake_.notify_all();
}

void Ingester::OnDeleted(ResourceLevel level, const std::string& orthanc_id) {
  // A worker must find a deleted instance gone from Orthanc, not ingest its noted copy. The
  // instances of a deleted patient, study or series are not named: drop every noted file.
  if (level == ResourceLevel::kInstance) {
    file_notes_.Take(orthanc_id);
  } else {
    file_notes_.Clear();
  }
  std::lock_guard<std::mutex> lock(mutex_);
  deletions_.push_back({level, orthanc_id});
  wake_.notify_all();
}

void Ingester::RequestReindex() {
  std::lock_guard<std::mutex> lock(mutex_);
  reindex_requested_ = true;
  wake_.notify_all();
}

IngestStats Ingester::Stats() const {
  IngestStats stats;
  stats.queued = queue_.queued();
  stats.in_progress = queue_.in_progress();
  stats.read_seq = published_read_seq_;
  stats.cursor = published_cursor_;
  stats.ingested = ingested_;
  stats.failed = failed_;
  stats.backfilling = backfilling_;
  stats.recoveries = recoveries_;
  stats.unconfirmed = stats.ingested - std::min<uint64_t>(stats.ingested, published_confirmed_);
  std::lock_guard<std::mutex> lock(mutex_);
  stats.database_ok = database_ok_;
  stats.database_error = database_error_;
  stats.last_error = last_error_;
  return stats;
}

// --- reader ------------------------------------------------------------------------------------

void Ingester::ReaderLoop() {
  NameCurrentThread("ecg-reader");
  while (!stopping_) {
    try {
      if (!prepared_) prepared_ = PrepareDatabase();
      if (prepared_) ReaderIteration();
    } catch (const std::exception& e) {
      spdlog::warn("change-log reader: {} (retrying)", e.what());
      SleepUnlessStopping(kReaderErrorPause);
    }
  }
}

void Ingester::SaveFinalCursor() {
  if (!prepared_) return;
  try {
    SaveCursor(/*force=*/true);
  } catch (const std::exception& e) {
    spdlog::warn("could not save the ingest cursor at stop ({}); changes after {} are replayed",
                 e.what(), saved_cursor_);
  }
}

void Ingester::ReaderIteration() {
  ApplyDeletions();
  bool reindex = false;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    std::swap(reindex, reindex_requested_);
  }
  if (reindex) {
    reindex_unconfirmed_ = true;  // until a durable cursor covers its writes
    reindex_seq_ = read_seq_;
    Backfill(/*clear_errors=*/true);
  }
  QueueMissing();
  ReadNewChanges();
  try {
    SaveCursor(/*force=*/false);
  } catch (const Error& e) {
    if (!e.IsUnavailable()) throw;
    SetDatabaseState(false, std::string("save the ingest cursor: ") + e.what());
  }
  PublishMetrics();
  WaitForWakeUp();
}

bool Ingester::PrepareDatabase() {
  std::optional<int64_t> cursor;
  const bool ready = Retry("prepare the ECG store", [&] {
    store_->Migrate();
    // The token first: a crash after this read erases it, so the cursor read next is never
    // trusted beyond what that crash kept.
    life_token_ = store_->ServerLifeToken();
    cursor = store_->LoadCursor();
  });
  if (!ready) return false;
  ready_ = true;
  if (cursor) {
    read_seq_ = saved_cursor_ = *cursor;
    backfill_floor_ = 0;
    published_read_seq_ = *cursor;
    published_cursor_ = *cursor;
    spdlog::info("replaying Orthanc's change log after change {}", *cursor);
  } else {
    read_seq_ = LastChangeSeq();
    backfill_floor_ = read_seq_;
    published_read_seq_ = read_seq_;
    spdlog::info("first start: backfilling the instances Orthanc already holds");
    Backfill(/*clear_errors=*/false);
  }
  return true;
}

void Ingester::Backfill(bool clear_errors) {
  const int64_t hold_seq = read_seq_;
  queue_.Hold(hold_seq);
  backfilling_ = true;
  size_t seen = 0;
  size_t queued = 0;
  try {
    for (;;) {
      const std::vector<std::string> ids = ListInstances(seen, kInstancesPage);
      if (ids.empty() || stopping_) break;
      seen += ids.size();
      for (const std::string& id : ids) {
        if (!IsWaveform(id)) continue;
        if (!queue_.Push({hold_seq, id, Clock::now(), clear_errors})) break;
        ++queued;
      }
    }
  } catch (...) {
    backfilling_ = false;
    queue_.Release(hold_seq);
    throw;
  }
  backfilling_ = false;
  queue_.Release(hold_seq);
  spdlog::info("backfill: {} instances looked at, {} ECGs queued", seen, queued);
}

void Ingester::ReadNewChanges() {
  last_read_ = Clock::now();
  while (!stopping_) {
    const size_t room = config_.queue_size - std::min(config_.queue_size, queue_.queued());
    if (room == 0) return;  // the change log keeps the backlog; read again when workers drain
    const ChangesPage page = ReadChanges(read_seq_, std::min(room, config_.changes_batch));
    for (const OrthancChange& change : page.changes) {
      if (change.change_type == "NewInstance" && IsWaveform(change.id)) {
        if (!queue_.Push({change.seq, change.id, Clock::now(), false})) return;
      }
      read_seq_ = change.seq;
    }
    read_seq_ = std::max(read_seq_, page.last);
    published_read_seq_ = read_seq_;
    if (page.done || page.changes.empty()) return;
  }
}

bool Ingester::IsWaveform(const std::string& instance_id) {
  if (const std::optional<bool> noted = is_waveform_notes_.Take(instance_id)) return *noted;
  const std::optional<std::string> sop_class = InstanceSopClass(instance_id);
  return sop_class && IsWaveformClass(*sop_class);
}

void Ingester::NoteStoredInstance(const std::string& instance_id, const std::string& sop_class_uid,
                                  const void* dicom, size_t dicom_size) {
  const bool is_waveform = IsWaveformClass(sop_class_uid);
  is_waveform_notes_.Note(instance_id, is_waveform);
  if (is_waveform) ecg_arrivals_.Note(Clock::now());
  // A file over the whole budget would not be kept: do not copy it.
  if (is_waveform && dicom != nullptr && dicom_size <= kMaxNotedFileBytes) {
    file_notes_.Note(instance_id, std::string(static_cast<const char*>(dicom), dicom_size));
  }
}

void Ingester::ApplyDeletions() {
  for (;;) {
    Deletion deletion;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (deletions_.empty()) return;
      deletion = deletions_.front();
    }
    // Tasks queued before the deletion may still write the ECG: let them finish first.
    if (!queue_.WaitIdle()) return;
    size_t deleted = 0;
    const bool done = Retry("delete ECGs", [&] {
      switch (deletion.level) {
        case ResourceLevel::kInstance:
          deleted = store_->DeleteByOrthancInstance(deletion.orthanc_id);
          store_->ClearIngestError(deletion.orthanc_id);
          break;
        case ResourceLevel::kSeries:
          deleted = store_->DeleteByOrthancSeries(deletion.orthanc_id);
          break;
        case ResourceLevel::kStudy:
          deleted = store_->DeleteByOrthancStudy(deletion.orthanc_id);
          break;
        case ResourceLevel::kPatient:
          deleted = store_->DeleteByOrthancPatient(deletion.orthanc_id);
          break;
      }
    });
    if (!done) return;
    if (deleted > 0)
      spdlog::info("deleted {} ECGs of Orthanc resource {}", deleted, deletion.orthanc_id);
    std::lock_guard<std::mutex> lock(mutex_);
    deletions_.pop_front();
  }
}

void Ingester::SaveCursor(bool force) {
  const int64_t watermark = std::max(queue_.Watermark(read_seq_), saved_cursor_);
  // Writes whose worker finished before this point are covered by the flush below; a save with
  // an unchanged watermark still confirms writes that no change covers (reindex, reconciliation).
  const uint64_t written = ingested_;
  if (watermark == saved_cursor_ && written == confirmed_writes_) return;
  if (watermark < backfill_floor_) return;
  if (!force && Clock::now() - last_save_ < kCursorSavePeriod) return;
  if (!store_->SaveCursorIfServerLife(watermark, life_token_)) {
    RecoverFromLostCommits();
    return;
  }
  saved_cursor_ = watermark;
  confirmed_writes_ = written;
  published_confirmed_ = written;
  published_cursor_ = watermark;
  last_save_ = Clock::now();
  if (watermark >= reindex_seq_ && !backfilling_) reindex_unconfirmed_ = false;
}

void Ingester::RecoverFromLostCommits() {
  ++recoveries_;
  spdlog::warn(
      "the ECG database restarted after a crash and may have lost its last unflushed ingest "
      "commits: replaying Orthanc's change log from the last cursor it holds (saved cursor was {})",
      saved_cursor_);
  {
    std::lock_guard<std::mutex> lock(mutex_);
    last_error_ = "the ECG database restarted after a crash; its last changes are being replayed";
    if (reindex_unconfirmed_) reindex_requested_ = true;
  }
  prepared_ = false;  // the next reader turn reloads the token and the cursor
}

void Ingester::IngestMissing(std::vector<std::string> instance_ids) {
  std::lock_guard<std::mutex> lock(mutex_);
  for (std::string& id : instance_ids) missing_.push_back(std::move(id));
  wake_.notify_all();
}

void Ingester::QueueMissing() {
  for (;;) {
    std::string id;
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (missing_.empty()) return;
      id = std::move(missing_.front());
      missing_.pop_front();
    }
    // Held below the current read position until written, like a backfill's tasks.
    if (!queue_.Push({read_seq_, id, Clock::now(), false})) return;
  }
}

void Ingester::WaitForWakeUp() {
  std::unique_lock<std::mutex> lock(mutex_);
  wake_.wait_for(lock, Ms(config_.poll_interval_s), [&] {
    return stopping_ || woken_ || reindex_requested_ || !deletions_.empty() || !missing_.empty();
  });
  woken_ = false;
  wake_.wait_until(lock, last_read_ + kMinReadGap, [&] { return stopping_.load(); });
}

// --- workers -----------------------------------------------------------------------------------

void Ingester::WorkerLoop() {
  NameCurrentThread("ecg-ingest");
  LowerCurrentThreadPriority();
  for (;;) {
    const std::vector<IngestTask> tasks = queue_.PopUpTo(kMaxBatch);
    if (tasks.empty()) return;  // closed
    bool finished = false;
    try {
      finished = ProcessBatch(tasks);
    } catch (const std::exception& e) {
      spdlog::error("ingest of {} instances from {} on failed unexpectedly: {}", tasks.size(),
                    tasks.front().instance_id, e.what());
      finished = !stopping_;
    }
    if (!finished) return;  // stopping: the tasks stay outstanding and are replayed next start
    for (const IngestTask& task : tasks) queue_.Done(task);
  }
}

bool Ingester::ProcessBatch(const std::vector<IngestTask>& tasks) {
  DecodedBatch batch;
  for (const IngestTask& task : tasks) {
    if (!FetchAndDecode(task, &batch)) return false;
  }
  if (batch.tasks.empty()) return true;
  SortByPatient(&batch.tasks, &batch.ecgs);
  if (!WriteBatch(batch)) return false;
  if (batch.unmeasured && unmeasured_listener_) unmeasured_listener_();
  return true;
}

bool Ingester::Busy() const {
  return queue_.queued() >= kBurstQueued ||
         ecg_arrivals_.Count(Clock::now()) >= kBurstEcgsPerSecond;
}

bool Ingester::FetchAndDecode(const IngestTask& task, DecodedBatch* batch) {
  std::optional<std::string> dicom;
  try {
    dicom = DicomFile(task.instance_id);
  } catch (const Error& e) {
    if (stopping_) return false;
    return RecordFailure(task, std::string("Orthanc could not provide the file: ") + e.what());
  }
  if (!dicom) return true;  // deleted meanwhile: nothing to ingest
  IngestedEcg ecg;
  try {
    ecg = DecodeForStore(*dicom, /*measure=*/!Busy());
  } catch (const std::exception& e) {
    return RecordFailure(task, e.what());
  }
  std::optional<OrthancIds> ids;
  try {
    ids = ParentIds(task.instance_id, ecg.metadata);
  } catch (const Error& e) {
    if (stopping_) return false;
    return RecordFailure(
        task, std::string("Orthanc could not give the instance's patient, study and series: ") +
                  e.what());
  }
  if (!ids) return true;  // deleted meanwhile
  ecg.orthanc = std::move(*ids);
  batch->unmeasured |= ecg.product_measurements_json.empty();
  batch->ecgs.push_back(std::move(ecg));
  batch->tasks.push_back(&task);
  return true;
}

std::optional<std::string> Ingester::DicomFile(const std::string& instance_id) {
  if (std::optional<std::string> noted = file_notes_.Take(instance_id)) return noted;
  return orthanc::GetDicomForInstance(instance_id);
}

std::optional<OrthancIds> Ingester::ParentIds(const std::string& instance_id,
                                              const EcgMetadata& metadata) {
  std::optional<OrthancIds> ids = ComputeOrthancIds(metadata, instance_id, orthanc::Sha1);
  return ids ? ids : InstanceParents(instance_id);
}

bool Ingester::WriteBatch(const DecodedBatch& batch) {
  try {
    const bool stored = Retry("store ECGs", [&] {
      // Not waiting for the flush: the cursor that covers these ECGs is saved only by a flushed
      // commit in the same server life (SaveCursor), which flushes these too; a crash before it
      // makes the reader replay them (RecoverFromLostCommits).
      store_->UpsertEcgs(batch.ecgs, CommitWait::kBeforeFlush);
      for (const IngestTask* task : batch.tasks) {
        if (task->clear_error) store_->ClearIngestError(task->instance_id);
      }
    });
    if (!stored) return false;
  } catch (const Error& e) {
    if (batch.tasks.size() == 1) return RecordFailure(*batch.tasks.front(), e.what());
    spdlog::warn("a batch of {} ECGs was refused ({}); writing them one by one", batch.tasks.size(),
                 e.what());
    return WriteEach(batch);
  }
  for (const IngestTask* task : batch.tasks) CountIngested(*task);
  return true;
}

bool Ingester::WriteEach(const DecodedBatch& batch) {
  for (size_t i = 0; i < batch.tasks.size(); ++i) {
    if (!WriteBatch({{batch.tasks[i]}, {batch.ecgs[i]}})) return false;
  }
  return true;
}

void Ingester::CountIngested(const IngestTask& task) {
  ++ingested_;
  latency_sum_ms_ += std::chrono::duration_cast<milliseconds>(Clock::now() - task.seen_at).count();
  ++latency_count_;
}

bool Ingester::RecordFailure(const IngestTask& task, const std::string& reason) {
  spdlog::warn("instance {} not ingested: {}", task.instance_id, reason);
  ++failed_;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    last_error_ = "instance " + task.instance_id + ": " + reason;
  }
  return Retry("record an ingest error",
               [&] { store_->RecordIngestError(task.instance_id, reason); });
}

template <typename Fn>
bool Ingester::Retry(const char* what, Fn fn) {
  milliseconds delay = kFirstRetryDelay;
  int conflicts = 0;
  while (!stopping_) {
    try {
      fn();
      SetDatabaseState(true, "");
      return true;
    } catch (const Error& e) {
      if (e.IsConflict() && ++conflicts > kConflictRetries) throw;
      if (!e.IsUnavailable() && !e.IsConflict()) throw;
      if (e.IsUnavailable()) SetDatabaseState(false, std::string(what) + ": " + e.what());
      if (!SleepUnlessStopping(delay)) return false;
      delay = std::min(delay * 2, Ms(config_.max_retry_delay_s));
    }
  }
  return false;
}

bool Ingester::SleepUnlessStopping(milliseconds delay) {
  std::unique_lock<std::mutex> lock(mutex_);
  return !wake_.wait_for(lock, delay, [&] { return stopping_.load(); });
}

void Ingester::SetDatabaseState(bool ok, const std::string& error) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (ok && !database_ok_) spdlog::info("the ECG database answers");
  if (!ok && (database_ok_ || database_error_.empty())) {
    spdlog::warn("the ECG database is unavailable, retrying: {}", error);
  }
  database_ok_ = ok;
  database_error_ = error;
  if (!ok) last_error_ = error;
}

void Ingester::PublishMetrics() {
  orthanc::SetMetric("orthanc_ecg_ingested_total", ingested_);
  orthanc::SetMetric("orthanc_ecg_failed_total", failed_);
  orthanc::SetMetric("orthanc_ecg_queue_depth", queue_.queued() + queue_.in_progress());
  const uint64_t count = latency_count_.exchange(0);
  const uint64_t sum = latency_sum_ms_.exchange(0);
  if (count > 0) orthanc::SetMetric("orthanc_ecg_ingest_latency_ms", double(sum) / count);
  orthanc::SetMetric("orthanc_ecg_cursor_lag", read_seq_ - saved_cursor_);
}

}  // namespace ecg::plugin
