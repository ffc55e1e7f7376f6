// EcgStore: training runs. A partial unique index (sql/0001) allows one queued-or-running run
// at a time; ClaimRun locks the queued row with SKIP LOCKED so that one worker wins.
#include "storage/connection_pool.h"
#include "storage/ecg_store.h"
#include "storage/sql_values.h"
#include "waveform/error.h"

namespace ecg {

namespace {

constexpr RunStatus kAllStatuses[] = {RunStatus::kQueued,      RunStatus::kRunning,
                                      RunStatus::kSucceeded,   RunStatus::kFailed,
                                      RunStatus::kInterrupted, RunStatus::kCancelled};

RunStatus ParseRunStatus(const std::string& name) {
  for (RunStatus status : kAllStatuses) {
    if (RunStatusName(status) == name) return status;
  }
  throw Error::DataLoss("training run: unknown status '" + name + "'");
}

const std::string& RunColumns() {
  static const std::string columns =
      "run_id, status, trigger, config_json::text, worker, device, phase, progress_percent,"
      " progress_json::text, cancel_requested, " +
      sql::TimestampToMillis("queued_at") + ", " + sql::TimestampToMillis("started_at") + ", " +
      sql::TimestampToMillis("heartbeat_at") + ", " + sql::TimestampToMillis("finished_at") +
      ", ecg_count, metrics_json::text, reason, model_id, promoted";
  return columns;
}

TrainingRun ReadRun(const pqxx::row& r) {
  TrainingRun run;
  run.run_id = r[0].as<int64_t>();
  run.status = ParseRunStatus(r[1].as<std::string>());
  run.trigger = r[2].as<std::string>();
  run.config_json = r[3].as<std::string>();
  run.worker = r[4].as<std::string>();
  run.device = r[5].as<std::string>();
  run.phase = r[6].as<std::string>();
  run.progress_percent = r[7].as<double>();
  run.progress_json = r[8].as<std::string>();
  run.cancel_requested = r[9].as<bool>();
  run.queued_at_ms = r[10].as<int64_t>();
  run.started_at_ms = sql::ReadOptional<int64_t>(r[11]);
  run.heartbeat_at_ms = sql::ReadOptional<int64_t>(r[12]);
  run.finished_at_ms = sql::ReadOptional<int64_t>(r[13]);
  run.ecg_count = r[14].as<int64_t>();
  run.metrics_json = r[15].as<std::string>();
  run.reason = r[16].as<std::string>();
  run.model_id = sql::ReadOptional<int64_t>(r[17]);
  run.promoted = r[18].as<bool>();
  return run;
}

std::vector<int64_t> ReadRunIds(const pqxx::result& result) {
  std::vector<int64_t> ids;
  for (const auto& r : result) ids.push_back(r[0].as<int64_t>());
  return ids;
}

}  // namespace

std::string RunStatusName(RunStatus status) {
  switch (status) {
    case RunStatus::kQueued:
      return "queued";
    case RunStatus::kRunning:
      return "running";
    case RunStatus::kSucceeded:
      return "succeeded";
    case RunStatus::kFailed:
      return "failed";
    case RunStatus::kInterrupted:
      return "interrupted";
    case RunStatus::kCancelled:
      return "cancelled";
  }
  return "unknown";
}

int64_t EcgStore::QueueRun(const std::string& trigger, const std::string& config_json) {
  int64_t run_id = 0;
  pool_->Run("queue training run", [&](pqxx::work& txn) {
    const pqxx::result r = txn.exec_params(
        "INSERT INTO training_runs (trigger, config_json) VALUES ($1, $2::jsonb)"
        " ON CONFLICT DO NOTHING RETURNING run_id",
        trigger, config_json);
    if (!r.empty()) {
      run_id = r[0][0].as<int64_t>();
      return;
    }
    const pqxx::result open =
        txn.exec("SELECT run_id, status FROM training_runs WHERE status IN ('queued', 'running')");
    throw Error::Conflict("a training run is already queued or running" +
                          (open.empty() ? std::string()
                                        : " (run " + open[0][0].as<std::string>() + ", " +
                                              open[0][1].as<std::string>() + ")"));
  });
  return run_id;
}

std::optional<TrainingRun> EcgStore::ClaimRun(const std::string& worker) {
  std::optional<TrainingRun> run;
  pool_->Run("claim training run", [&](pqxx::work& txn) {
    const pqxx::result r = txn.exec_params(
        "UPDATE training_runs SET status = 'running', worker = $1, started_at = now(),"
        " heartbeat_at = now() WHERE run_id = (SELECT run_id FROM training_runs"
        " WHERE status = 'queued' AND NOT cancel_requested ORDER BY run_id"
        " FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING " +
            RunColumns(),
        worker);
    run = r.empty() ? std::nullopt : std::optional<TrainingRun>(ReadRun(r[0]));
  });
  return run;
}

TrainingRun EcgStore::Heartbeat(int64_t run_id, const RunProgress& progress) {
  std::optional<TrainingRun> run;
  pool_->Run("training run heartbeat", [&](pqxx::work& txn) {
    const pqxx::result r = txn.exec_params(
        "UPDATE training_runs SET heartbeat_at = now(), phase = $2, progress_percent = $3,"
        " progress_json = $4::jsonb, device = CASE WHEN $5 = '' THEN device ELSE $5 END,"
        " ecg_count = CASE WHEN $6 < 0 THEN ecg_count ELSE $6 END"
        " WHERE run_id = $1 AND status = 'running' RETURNING " +
            RunColumns(),
        run_id, progress.phase, progress.percent, progress.progress_json, progress.device,
        progress.ecg_count);
    if (r.empty()) {
      throw Error::Conflict("training run " + std::to_string(run_id) + " is not running");
    }
    run = ReadRun(r[0]);
  });
  return *run;
}

void EcgStore::FinishRun(int64_t run_id, const RunOutcome& outcome) {
  if (outcome.status == RunStatus::kQueued || outcome.status == RunStatus::kRunning) {
    throw Error::InvalidArgument("finish training run " + std::to_string(run_id) + ": status " +
                                 RunStatusName(outcome.status) + " is not final");
  }
  pool_->Run("finish training run", [&](pqxx::work& txn) {
    const pqxx::result r = txn.exec_params(
        "UPDATE training_runs SET status = $2, finished_at = now(), metrics_json = $3::jsonb,"
        " reason = $4, model_id = NULLIF($5, '')::bigint, promoted = $6"
        " WHERE run_id = $1 AND status = 'running' RETURNING run_id",
        run_id, RunStatusName(outcome.status), outcome.metrics_json, outcome.reason,
        sql::OptionalText(outcome.model_id), outcome.promoted);
    if (r.empty()) {
      throw Error::Conflict("finish training run " + std::to_string(run_id) +
                            ": it is not running");
    }
  });
}

bool EcgStore::RequestCancel(int64_t run_id) {
  bool found = false;
  pool_->Run("cancel training run", [&](pqxx::work& txn) {
    const pqxx::result r = txn.exec_params(
        "UPDATE training_runs SET cancel_requested = true,"
        " status = CASE WHEN status = 'queued' THEN 'cancelled' ELSE status END,"
        " finished_at = CASE WHEN status = 'queued' THEN now() ELSE finished_at END,"
        " reason = CASE WHEN status = 'queued' THEN 'cancelled before it started' ELSE reason END"
        " WHERE run_id = $1 AND status IN ('queued', 'running') RETURNING run_id",
        run_id);
    found = !r.empty();
  });
  return found;
}

std::vector<int64_t> EcgStore::FailStaleRuns(std::chrono::seconds timeout) {
  std::vector<int64_t> ids;
  pool_->Run("fail stale training runs", [&](pqxx::work& txn) {
    ids = ReadRunIds(txn.exec_params(
        "UPDATE training_runs SET status = 'failed', finished_at = now(),"
        " reason = 'no heartbeat for ' || $1::bigint || ' s: the worker stopped or crashed'"
        " WHERE status = 'running' AND heartbeat_at < now() - $1::bigint * interval '1 second'"
        " RETURNING run_id",
        static_cast<int64_t>(timeout.count())));
  });
  return ids;
}

std::vector<int64_t> EcgStore::InterruptRunsOf(const std::string& worker,
                                               const std::string& reason) {
  std::vector<int64_t> ids;
  pool_->Run("interrupt training runs", [&](pqxx::work& txn) {
    ids = ReadRunIds(txn.exec_params(
        "UPDATE training_runs SET status = 'interrupted', finished_at = now(), reason = $2"
        " WHERE status = 'running' AND worker = $1 RETURNING run_id",
        worker, reason));
  });
  return ids;
}

std::optional<TrainingRun> EcgStore::FindRun(int64_t run_id) {
  std::optional<TrainingRun> run;
  pool_->Run("find training run", [&](pqxx::work& txn) {
    const pqxx::result r =
        txn.exec_params("SELECT " + RunColumns() + " FROM training_runs WHERE run_id = $1", run_id);
    if (!r.empty()) run = ReadRun(r[0]);
  });
  return run;
}

std::vector<TrainingRun> EcgStore::ListRuns(size_t limit, size_t offset) {
  std::vector<TrainingRun> runs;
  pool_->Run("list training runs", [&](pqxx::work& txn) {
    runs.clear();
    for (const auto& r :
         txn.exec_params("SELECT " + RunColumns() +
                             " FROM training_runs ORDER BY run_id DESC"
                             " LIMIT $1 OFFSET $2",
                         static_cast<int64_t>(limit), static_cast<int64_t>(offset))) {
      runs.push_back(ReadRun(r));
    }
  });
  return runs;
}

}  // namespace ecg
