// EcgStore: the longitudinal ECG store in PostgreSQL. Every ECG of every patient, in time order,
// with its losslessly compressed signal (storage/signal_codec.h), the device's measurements, the
// embeddings per model, the models themselves, the training runs, the ingest errors and the
// ingest cursor. Schema: sql/NNNN_*.sql, applied by Migrate().
//
// Keys: int64 store keys (ecg_key, patient_key, model_id, run_id), never reused. Every table that
// grows with the number of ECGs carries patient_key, the Citus distribution key
// (docs/scaling.md). Patients are identified by (PatientID, IssuerOfPatientID); the patient's
// name is never stored; PatientID, issuer and birth date are never logged nor put in messages.
//
// Transactions: every method is ONE transaction (writes are all or nothing: a crash or a lost
// connection leaves no partial ECG); batch methods are one transaction per batch. Methods are
// retried once on a fresh connection when the connection breaks (connection_pool.h), so a
// server restart costs at most one failed call per thread.
//
// Thread safety: an EcgStore may be used from many threads at once; at most options.pool_size
// calls talk to the server at a time, the others wait. Callbacks of the streaming methods run
// on the calling thread, inside the method's transaction: keep them short and do not call the
// store from inside them (that could wait for a pool slot held by the caller).
//
// Errors: ecg::Error. kUnavailable: the server cannot be reached (retrying later may help);
// kConflict: the state forbids it (a training run already queued or running, a run that is no
// longer running); kInvalidArgument: a value outside the contract (e.g. a signal that is not
// canonical); kDataLoss: stored bytes that do not decode (the message names the column and the
// ECG key). Lookups that miss return std::optional or an empty vector; deleting something absent
// deletes nothing (returns 0).
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "storage/commit_wait.h"
#include "storage/identity_check.h"
#include "storage/signal_codec.h"
#include "waveform/ecg_archive.h"
#include "waveform/ecg_record.h"
#include "waveform/ecg_signal.h"

namespace ecg {

class ConnectionPool;

struct StoreOptions {
  // libpq URI, e.g. "postgresql://orthanc@127.0.0.1:5432/ecg". May hold a password: never logged.
  std::string connection_uri;
  // Connections to the server, at most. One per ingest worker plus one or two for REST is enough.
  size_t pool_size = 4;
  // Apply missing migrations in the constructor (the plugin does; tools ask explicitly).
  bool migrate = false;
  // zstd level of stored signals (storage/signal_codec.h).
  int zstd_level = kDefaultSignalZstdLevel;
  // How long a call waits for a free connection before kUnavailable.
  std::chrono::milliseconds acquire_timeout{30000};
};

// Orthanc's own identifiers of an instance and its parents (opaque strings).
struct OrthancIds {
  std::string instance;
  std::string series;
  std::string study;
  std::string patient;
};

// One reconciliation of the store with Orthanc (plugin/ingest/reconciler.h), as recorded.
struct ReconciliationRecord {
  int64_t reconciliation_id = 0;
  std::string trigger;  // "start", "schedule", "rest", "recovery"
  int64_t started_at_ms = 0;
  std::optional<int64_t> finished_at_ms;  // nullopt while running (or if it died)
  int64_t orthanc_instances = 0;          // instances Orthanc listed
  int64_t store_instances = 0;            // ECGs and ingest errors the store held
  int64_t removed = 0;                    // gone from Orthanc, removed from the store
  int64_t added = 0;                      // ECGs the store lacked, queued for ingest
  std::string error;                      // why it stopped early; empty when it finished
};

// FNV-1a 64 of an Orthanc ID: what the reconciliation compares (plugin/ingest/reconciler.h).
uint64_t HashOrthancId(const std::string& id);

// One decoded ECG as the ingest path hands it to the store.
struct IngestedEcg {
  OrthancIds orthanc;
  EcgMetadata metadata;       // sop_instance_uid is required; patient_id may be empty (then "")
  EcgSignal signal;           // canonical (waveform/canonical.h): whole microvolts
  double source_rate_hz = 0;  // the rhythm group's rate in the file; 0: the signal's rate
  std::optional<EcgSignal> median_beat;  // canonical too, when the file had one
  // The product's measurements (waveform/measurements_json.h) as JSON text, and the method's
  // version; empty: not measured (the background measurer will).
  std::string product_measurements_json;
  int product_measurements_version = 0;
};

enum class UpsertOutcome {
  kCreated,    // a new SOPInstanceUID
  kReplaced,   // same SOPInstanceUID, other content: the old row and its derived rows are gone
  kUnchanged,  // same SOPInstanceUID, same content (Orthanc IDs are refreshed if they moved)
};

struct UpsertResult {
  int64_t ecg_key = 0;
  int64_t patient_key = 0;
  UpsertOutcome outcome = UpsertOutcome::kCreated;
};

// One ECG's row, without its signal. What GET /ecg/ecgs/{id} and the timeline show.
struct EcgRow {
  int64_t ecg_key = 0;
  int64_t patient_key = 0;
  OrthancIds orthanc;
  std::string sop_instance_uid;
  std::string study_instance_uid;
  std::string series_instance_uid;
  std::string sop_class_uid;
  std::optional<int64_t> acquisition_time_ms;  // as in EcgMetadata
  std::optional<int> utc_offset_minutes;
  std::string acquisition_time_source;
  std::string sex;  // the patient's, "M", "F", "O" or empty
  std::optional<int> patient_age_years;
  double source_rate_hz = 0;  // the rhythm group's rate in the file
  double duration_ms = 0;     // of the canonical signal
  LeadMask lead_mask;
  std::string manufacturer;
  std::string model;
  std::optional<double> low_frequency_filter_hz;
  std::optional<double> high_frequency_filter_hz;
  std::optional<double> notch_filter_hz;
  std::vector<Measurement> measurements;
  std::vector<std::string> statements;
  int64_t ingested_at_ms = 0;  // when the row was last created or replaced
  // The product's measurements (JSON text, waveform/measurements_json.h) and their method
  // version; empty and 0 while not measured.
  std::string product_measurements_json;
  int product_measurements_version = 0;
};

// An ECG the background measurer has to measure (EcgStore::EcgsToMeasure).
struct EcgToMeasure {
  int64_t ecg_key = 0;
  double source_rate_hz = 0;  // the rhythm group's rate in the file
};

// Measurements to store (EcgStore::WriteMeasurements).
struct StoredMeasurements {
  int64_t ecg_key = 0;
  int version = 0;
  std::string json;  // waveform/measurements_json.h
};

struct IngestError {
  std::string orthanc_instance_id;
  std::string reason;
  int64_t first_seen_ms = 0;
  int64_t last_seen_ms = 0;
  int64_t attempts = 0;
};

// One embedding. The vector's length is the model's dimension (not checked against the model).
struct Embedding {
  int64_t ecg_key = 0;
  int64_t patient_key = 0;  // filled by ReadEmbeddings; ignored by WriteEmbeddings
  std::vector<float> vector;
};

// Two consecutive ECGs of a patient's timeline with their embeddings for one model
// (EcgStore::ForEachConsecutivePair).
struct EmbeddingPair {
  int64_t patient_key = 0;
  Embedding earlier;  // timeline position i
  Embedding later;    // timeline position i + 1
  std::optional<int64_t> earlier_acquisition_time_ms;
  std::optional<int64_t> later_acquisition_time_ms;
};

// The answer of EcgStore::EcgsWithoutEmbedding.
struct PendingEmbeddings {
  std::vector<int64_t> ecg_keys;  // without an embedding for the model, ascending
  // Every ECG key above the query's after_ecg_key and up to this one that was visible to the
  // query has been examined (the last key returned when the limit was reached, else the highest
  // key in the store; after_ecg_key when there was nothing above it).
  int64_t checked_through = 0;
};

// A stored identity check of one ECG under one model (sql/0005_identity_checks.sql).
struct StoredIdentityCheck {
  int64_t ecg_key = 0;
  int64_t patient_key = 0;
  int64_t patient_embedded = 0;        // the patient's ECGs embedded for the model when checked
  std::optional<IdentityScore> score;  // storage/identity_check.h; nullopt: see reason
  std::string reason;                  // why there is no score
};

// An ECG whose identity check is missing or stale (EcgStore::EcgsToCheckIdentity).
struct IdentityToCheck {
  int64_t ecg_key = 0;
  int64_t patient_key = 0;
  int64_t patient_embedded = 0;  // the patient's ECGs embedded for the model now
};

struct ModelInfo {
  int64_t model_id = 0;
  std::string name;
  std::string config_json;   // the trainer's configuration, JSON text
  std::string metrics_json;  // evaluation metrics, JSON text
  int64_t size_bytes = 0;
  int64_t created_at_ms = 0;
  bool active = false;
  std::string kind = "learned";  // "learned" (trained) or "zero" (learning/model_zero.h, no bytes)
};

enum class RunStatus {
  kQueued,
  kRunning,
  kSucceeded,
  kFailed,
  kInterrupted,
  kCancelled,
};
// "queued", "running", "succeeded", "failed", "interrupted", "cancelled" (stored; do not change).
std::string RunStatusName(RunStatus status);

struct TrainingRun {
  int64_t run_id = 0;
  RunStatus status = RunStatus::kQueued;
  std::string trigger;      // "schedule", "rest", "cli", ...
  std::string config_json;  // the run's configuration, JSON text
  std::string worker;       // who claimed it, empty while queued
  std::string device;       // "cpu", "cuda:0", ... as reported by the worker
  std::string phase;        // the worker's current phase ("export", "train", ...)
  double progress_percent = 0;
  std::string progress_json;  // free JSON for the job's content (ECG/s, losses)
  bool cancel_requested = false;
  int64_t queued_at_ms = 0;
  std::optional<int64_t> started_at_ms;
  std::optional<int64_t> heartbeat_at_ms;
  std::optional<int64_t> finished_at_ms;
  int64_t ecg_count = 0;            // data size, as reported by the worker
  std::string metrics_json;         // final metrics, JSON text
  std::string reason;               // why it failed, or why it was (not) promoted
  std::optional<int64_t> model_id;  // the model it produced, if any
  bool promoted = false;
};

// What a worker reports with each heartbeat.
struct RunProgress {
  std::string phase;
  double percent = 0;
  std::string progress_json = "{}";
  std::string device;      // empty: leave unchanged
  int64_t ecg_count = -1;  // negative: leave unchanged
};

// How a run ended. REQUIRES: status is kSucceeded, kFailed, kInterrupted or kCancelled.
struct RunOutcome {
  RunStatus status = RunStatus::kSucceeded;
  std::string metrics_json = "{}";
  std::string reason;
  std::optional<int64_t> model_id;
  bool promoted = false;
};

// One ECG as exported for training.
struct ExportedEcg {
  ArchiveKeys keys;
  EcgSignal signal;  // canonical, as stored
};

struct ExportOptions {
  // Only ECGs with ecg_key > after_ecg_key (incremental export; keys only grow).
  int64_t after_ecg_key = 0;
  // Rows fetched per round trip from the server-side cursor; memory is about this many signals.
  size_t batch_rows = 64;
};

class EcgStore {
 public:
  // Creates the pool (connecting lazily) and, if options.migrate, applies missing migrations.
  explicit EcgStore(StoreOptions options);
  ~EcgStore();
  EcgStore(const EcgStore&) = delete;
  EcgStore& operator=(const EcgStore&) = delete;

  // --- schema ---------------------------------------------------------------------------------
  // Applies the migrations not yet recorded, each in its own transaction, in version order, and
  // returns the versions applied (empty when up to date). Safe to run concurrently from several
  // processes (a transaction-level advisory lock serialises them).
  std::vector<int> Migrate();
  // Versions recorded as applied, ascending; and the versions this build knows.
  std::vector<int> AppliedMigrations();
  static std::vector<int> KnownMigrations();
  // Throws kUnavailable if the server does not answer a trivial query.
  void Ping();

  // --- ECGs -----------------------------------------------------------------------------------
  // Upserts by SOPInstanceUID (see UpsertOutcome), creating or updating the patient row.
  // Throws kInvalidArgument for an empty SOPInstanceUID or a non-canonical signal.
  UpsertResult UpsertEcg(const IngestedEcg& ecg);
  // The same for many ECGs in one transaction (all or nothing), results in input order. Faster
  // per ECG than UpsertEcg; keep batches to a few hundred ECGs. Two batches written at once that
  // share patients may deadlock; PostgreSQL then aborts one (kConflict): retry it. `wait`:
  // storage/commit_wait.h (the ingester, which replays Orthanc's change log after a crash, does
  // not wait for the flush).
  std::vector<UpsertResult> UpsertEcgs(const std::vector<IngestedEcg>& ecgs,
                                       CommitWait wait = CommitWait::kFlushed);

  // Delete the ECGs with these Orthanc IDs and everything derived from them (signals,
  // embeddings); patients left without ECGs go too. Return the number of ECGs deleted.
  size_t DeleteByOrthancInstance(const std::string& orthanc_instance_id);
  size_t DeleteByOrthancSeries(const std::string& orthanc_series_id);
  size_t DeleteByOrthancStudy(const std::string& orthanc_study_id);
  size_t DeleteByOrthancPatient(const std::string& orthanc_patient_id);

  std::optional<EcgRow> FindEcgByOrthancId(const std::string& orthanc_instance_id);
  std::optional<EcgRow> FindEcgByKey(int64_t ecg_key);
  // Rows of these keys, in the order given; keys not found are skipped.
  std::vector<EcgRow> FindEcgsByKeys(const std::vector<int64_t>& ecg_keys);

  // A patient's ECGs ordered by acquisition time (unknown times last, then by ecg_key).
  std::vector<EcgRow> Timeline(const std::string& orthanc_patient_id);
  std::vector<EcgRow> TimelineByPatientKey(int64_t patient_key);

  // The canonical signal / median beat, decoded. nullopt if the ECG (or its median beat) is absent.
  std::optional<EcgSignal> LoadSignal(int64_t ecg_key);
  std::optional<EcgSignal> LoadMedianBeat(int64_t ecg_key);
  // The signals of these keys in one query, decoded, in the order given; keys without a signal
  // are left out. Error::DataLoss when any is damaged (LoadSignal one by one then finds which).
  std::vector<std::pair<int64_t, EcgSignal>> LoadSignals(const std::vector<int64_t>& ecg_keys);

  int64_t CountEcgs();
  int64_t CountPatients();

  // --- ingest bookkeeping ---------------------------------------------------------------------
  // Records (or, if already recorded, updates reason, last_seen and attempts + 1) why an instance
  // could not be ingested. The reason must hold no PHI.
  void RecordIngestError(const std::string& orthanc_instance_id, const std::string& reason);
  // Forgets the error of an instance that has now been ingested or deleted (no-op if none).
  void ClearIngestError(const std::string& orthanc_instance_id);
  // Most recently seen first.
  std::vector<IngestError> ListIngestErrors(size_t limit, size_t offset = 0);
  int64_t CountIngestErrors();

  // The last Orthanc change sequence number fully processed, per named cursor.
  std::optional<int64_t> LoadCursor(const std::string& name = "orthanc-changes");
  // Saves the cursor unconditionally, waiting for the flush (tools and tests).
  void SaveCursor(int64_t change_seq, const std::string& name = "orthanc-changes");

  // The server's life token (sql/0002_durability.sql): created when missing. A crash of the
  // PostgreSQL server (immediate stop, killed postmaster or backend) erases it; a clean restart
  // keeps it. Read it before loading the cursor.
  std::string ServerLifeToken();
  // Saves the cursor in a transaction that waits for the flush, but only while the server's life
  // token is still `token`: then every commit made before this call (also those that did not wait
  // for the flush) is durable too. Returns false, saving nothing, when the token changed (the
  // server lost commits since the token was read: reload the token and the cursor, replay).
  bool SaveCursorIfServerLife(int64_t change_seq, const std::string& token,
                              const std::string& name = "orthanc-changes");

  // --- reconciliation -------------------------------------------------------------------------
  // Calls on_id for every Orthanc instance ID the store knows: its ECGs, then its ingest errors,
  // read in pages of `page_rows` (memory stays bounded; not one snapshot: an ID written or
  // deleted meanwhile may or may not come; an ID may come twice if it is in both tables).
  void ForEachOrthancInstanceId(const std::function<void(const std::string&)>& on_id,
                                size_t page_rows = 10000);
  // HashOrthancId of each of those IDs, sorted and unique: 8 bytes per ECG.
  std::vector<uint64_t> OrthancInstanceIdHashes();
  // Starts a reconciliation record; returns its id.
  int64_t StartReconciliation(const std::string& trigger);
  // Records the counts and the end of a reconciliation (error empty when it finished).
  void FinishReconciliation(const ReconciliationRecord& record);
  // The most recent reconciliation, finished or not; nullopt when none ran yet.
  std::optional<ReconciliationRecord> LastReconciliation();

  // --- the product's measurements (sql/0003_measurements.sql) ---------------------------------
  // ECGs above after_ecg_key without measurements of `version` or newer, ascending, at most
  // limit (bounded by the primary key: a poll that passes the last key it saw costs O(new rows)).
  std::vector<EcgToMeasure> EcgsToMeasure(int version, size_t limit, int64_t after_ecg_key = 0);
  // Inserts or overwrites measurements in one transaction; keys of deleted ECGs are skipped.
  // Returns the rows written.
  size_t WriteMeasurements(const std::vector<StoredMeasurements>& measurements);
  // ECGs whose measurements are of `version` or newer.
  int64_t CountMeasured(int version);

  // --- embeddings -----------------------------------------------------------------------------
  // Inserts or overwrites the embeddings of these ECGs for model_id, in one transaction; ECG keys
  // that no longer exist are skipped (the ECG was deleted meanwhile). Returns the rows written.
  // Throws kNotFound if model_id does not exist.
  size_t WriteEmbeddings(int64_t model_id, const std::vector<Embedding>& embeddings);
  // Streams the model's embeddings in ecg_key order, batch by batch (bounded memory), starting
  // after after_ecg_key. Returns the number read. `dimension` is the model's: here and in
  // ReadEmbedding, a stored embedding of another dimension or that no longer decodes is left out,
  // logged and deleted, so that it counts as missing and the embedder computes it again.
  size_t ReadEmbeddings(int64_t model_id, int dimension,
                        const std::function<void(const std::vector<Embedding>&)>& on_batch,
                        int64_t after_ecg_key = 0, size_t batch_rows = 4096);
  std::optional<Embedding> ReadEmbedding(int64_t model_id, int dimension, int64_t ecg_key);
  // ECG keys above after_ecg_key that have no embedding for model_id, ascending, at most limit.
  // The primary-key index bounds the work to the rows above after_ecg_key (0: every ECG), so a
  // poll that passes the last key it checked costs O(new rows). One snapshot for the whole answer.
  PendingEmbeddings EcgsWithoutEmbedding(int64_t model_id, size_t limit, int64_t after_ecg_key = 0);
  int64_t CountEmbeddings(int64_t model_id);
  // The model's embeddings of one patient's ECGs, in ecg_key order (damaged ones left out and
  // deleted, as in ReadEmbeddings).
  std::vector<Embedding> ReadPatientEmbeddings(int64_t model_id, int dimension,
                                               int64_t patient_key);

  // --- identity checks (sql/0005_identity_checks.sql) -----------------------------------------
  // ECGs embedded for model_id whose identity check is missing, or stale: their patient's number
  // of embedded ECGs changed since it was made, or it is older than refresh_days (so that the
  // other-patient population it compares with follows the archive); ordered by patient, then
  // key; at most limit. Costs one pass over the model's embeddings (run it when something may
  // have changed).
  std::vector<IdentityToCheck> EcgsToCheckIdentity(int64_t model_id, size_t limit,
                                                   int refresh_days = 30);
  // The same, for these patients only (the patients of newly embedded ECGs): reads their ECGs
  // through the patient index, so it costs what they hold, not the archive's size.
  std::vector<IdentityToCheck> EcgsToCheckIdentityOf(int64_t model_id,
                                                     const std::vector<int64_t>& patient_keys,
                                                     size_t limit, int refresh_days = 30);
  // Inserts or overwrites checks in one transaction; ECGs deleted meanwhile are skipped. Returns
  // the rows written.
  size_t WriteIdentityChecks(int64_t model_id, const std::vector<StoredIdentityCheck>& checks);
  // The stored checks of these ECGs (any staleness), in ecg_key order; keys without one are
  // left out.
  std::vector<StoredIdentityCheck> ReadIdentityChecks(int64_t model_id,
                                                      const std::vector<int64_t>& ecg_keys);
  // The model's stored checks, stale or not.
  int64_t CountIdentityChecks(int64_t model_id);
  // Streams every patient's consecutive ECG pairs (timeline i, i + 1, in Timeline()'s order:
  // acquisition time, unknown times last, then ecg_key) with their embeddings for model_id,
  // patient after patient in patient_key order, from one snapshot, in one pass. A pair where
  // either ECG has no intact embedding of `dimension` is left out (ECGs are not paired across
  // it). patient_key: only that patient's pairs. Memory: one page of patients_per_page
  // patients' embeddings. Not retried after a broken connection (kUnavailable): the pairs
  // already streamed would come again. Returns the number of pairs streamed.
  size_t ForEachConsecutivePair(int64_t model_id, int dimension,
                                const std::function<void(const EmbeddingPair&)>& on_pair,
                                std::optional<int64_t> patient_key = std::nullopt,
                                size_t patients_per_page = 256);

  // --- models ---------------------------------------------------------------------------------
  // Stores a model (TorchScript or any bytes), not active. Returns its id.
  int64_t SaveModel(const std::string& name, const std::string& bytes,
                    const std::string& config_json, const std::string& metrics_json);
  std::optional<std::string> LoadModelBytes(int64_t model_id);
  std::optional<ModelInfo> FindModel(int64_t model_id);
  std::optional<ModelInfo> ActiveModel();
  // Makes model_id the only active model (atomically). Throws kNotFound if it does not exist.
  void ActivateModel(int64_t model_id);
  // Model zero, the non-learned embedding (learning/model_zero.h): registers it when the store
  // has none (kind "zero", empty bytes, this name and configuration) and activates it when no
  // model is active, in one transaction (serialised with activations, so several servers
  // starting at once register one). When model zero exists with another configuration (a new
  // formula), the configuration is replaced and its embeddings deleted in the same transaction,
  // so that they are computed again. Returns its model id.
  int64_t EnsureModelZero(const std::string& name, const std::string& config_json);
  // Newest first, without bytes.
  std::vector<ModelInfo> ListModels();

  // --- training runs --------------------------------------------------------------------------
  // At most one run is queued or running at any time, across all processes sharing the store.
  // Queues a run; throws kConflict ("a training run is already queued or running (run N)").
  int64_t QueueRun(const std::string& trigger, const std::string& config_json = "{}");
  // Claims the queued run, if any, for worker (status running, heartbeat now). Two workers never
  // claim the same run (row lock, SKIP LOCKED).
  std::optional<TrainingRun> ClaimRun(const std::string& worker);
  // Records progress and refreshes the heartbeat; returns the run as stored (check
  // cancel_requested). Throws kConflict if the run is no longer running (e.g. failed as stale).
  TrainingRun Heartbeat(int64_t run_id, const RunProgress& progress);
  // Ends a running run. Throws kConflict if it is not running, kInvalidArgument for a non-final
  // status.
  void FinishRun(int64_t run_id, const RunOutcome& outcome);
  // Asks the worker to stop (seen in its next heartbeat); a queued run is cancelled at once.
  // Returns false if the run is not queued or running.
  bool RequestCancel(int64_t run_id);
  // Marks failed every running run whose last heartbeat is older than timeout, with a reason.
  // Returns the runs it failed.
  std::vector<int64_t> FailStaleRuns(std::chrono::seconds timeout);
  // Marks interrupted every running run claimed by worker (a local worker found dead at start).
  std::vector<int64_t> InterruptRunsOf(const std::string& worker, const std::string& reason);
  std::optional<TrainingRun> FindRun(int64_t run_id);
  // Newest first.
  std::vector<TrainingRun> ListRuns(size_t limit, size_t offset = 0);

  // --- export ---------------------------------------------------------------------------------
  // Streams every ECG (ecg_key order) with its keys and canonical signal from one consistent
  // snapshot, through a server-side cursor: memory stays bounded by options.batch_rows signals.
  // Not retried after a broken connection (kUnavailable): start again with after_ecg_key.
  // An ECG whose stored signal is damaged is left out, with an error log line naming its key.
  // Returns the number of ECGs streamed.
  size_t ExportForTraining(const std::function<void(const ExportedEcg&)>& on_ecg,
                           const ExportOptions& options = {});
  // The same into an archive file (waveform/ecg_archive.h) at the canonical rate,
  // samples_per_lead samples per record (5000: 10 s at 500 Hz).
  size_t ExportToArchive(const std::string& path, uint32_t samples_per_lead = 5000,
                         const ExportOptions& options = {});

 private:
  const StoreOptions options_;
  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace ecg
