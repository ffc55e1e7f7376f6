// orthanc-ecg worker --db URI [--once] [--device auto|cpu|cuda:N] [--config FILE]
//                     [--work-dir DIR] [--name NAME] [--poll-seconds S] [--exit-with-parent]
//
// The training worker (tools/worker_run.h): claims the queued training run of the store, if
// any (a row lock in the database: any number of workers on any machines may share one store),
// exports, trains, evaluates, gates and, when the new model is promoted, embeds every ECG and
// activates the model. Without --once it then polls for the next run every S seconds (default
// 10) until SIGTERM or SIGINT; with --once it handles at most one run and exits. A run in
// progress when SIGTERM arrives ends as interrupted.
//
// --db may also come from the environment variable ORTHANC_ECG_DB (the plugin passes it that
// way, so that a password never shows in the process list). --name is recorded as the run's
// worker (default "<host>/<pid>"). --exit-with-parent asks Linux to send SIGTERM to the worker
// when the process that started it ends (the plugin's local worker).
//
// Prints one JSON line per run on stdout: {"run_id", "status", "promoted", "model_id", "reason"}
// ({"run_id": null} with --once when nothing was queued). Exit status: 0 when every run handled
// succeeded (promoted or not) or was cancelled, 1 when one failed or was interrupted or the
// store cannot be reached, 2 for bad options (tools/main.cc).
#include <signal.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <iostream>
#include <memory>
#include <thread>

#include "storage/ecg_store.h"
#include "tools/command.h"
#include "tools/worker_run.h"
#include "waveform/error.h"

namespace ecg::tools {
namespace {

std::atomic<bool> g_terminate{false};

void OnTerminate(int) {
  g_terminate = true;
}

struct WorkerCommandOptions {
  std::string uri;
  bool once = false;
  double poll_seconds = 10;
  bool exit_with_parent = false;
  std::string name;
  WorkerOptions worker;
};

std::string DefaultName() {
  char host[256] = {};
  gethostname(host, sizeof host - 1);
  return std::string(host) + "/" + std::to_string(getpid());
}

void InstallSignalHandlers(bool exit_with_parent) {
  struct sigaction action {};
  action.sa_handler = OnTerminate;
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  if (exit_with_parent) prctl(PR_SET_PDEATHSIG, SIGTERM);
}

void PrintOutcome(int64_t run_id, const RunOutcome& outcome) {
  std::cout << nlohmann::json({{"run_id", run_id},
                               {"status", RunStatusName(outcome.status)},
                               {"promoted", outcome.promoted},
                               {"model_id", outcome.model_id ? nlohmann::json(*outcome.model_id)
                                                             : nlohmann::json(nullptr)},
                               {"reason", outcome.reason}})
                   .dump()
            << std::endl;
}

bool Healthy(RunStatus status) {
  return status == RunStatus::kSucceeded || status == RunStatus::kCancelled;
}

// Sleeps up to `seconds`, waking early on a termination signal.
void Pause(double seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  while (!g_terminate && std::chrono::steady_clock::now() < until) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

void RunWorker(WorkerCommandOptions& o) {
  if (o.uri.empty()) throw Error::InvalidArgument("--db (or ORTHANC_ECG_DB) is required");
  InstallSignalHandlers(o.exit_with_parent);
  StoreOptions store_options;
  store_options.connection_uri = o.uri;
  store_options.pool_size = 2;  // the run and its heartbeat
  EcgStore store(store_options);
  o.worker.store_identity = std::to_string(std::hash<std::string>()(o.uri));
  const std::string name = o.name.empty() ? DefaultName() : o.name;
  bool healthy = true;
  while (!g_terminate) {
    const std::optional<TrainingRun> run = store.ClaimRun(name);
    if (run) {
      const RunOutcome outcome = ExecuteRun(store, *run, o.worker, g_terminate);
      PrintOutcome(run->run_id, outcome);
      healthy = healthy && Healthy(outcome.status);
    } else if (o.once) {
      std::cout << nlohmann::json({{"run_id", nullptr}}).dump() << std::endl;
    }
    if (o.once) break;
    if (!run) Pause(o.poll_seconds);
  }
  if (!healthy) throw ExitStatus{1};
}

void Setup(CLI::App& app) {
  auto options = std::make_shared<WorkerCommandOptions>();
  CLI::App* cmd = app.add_subcommand("worker", "Claim and execute queued training runs");
  cmd->add_option("--db", options->uri, "PostgreSQL connection URI")->envname("ORTHANC_ECG_DB");
  cmd->add_flag("--once", options->once, "handle at most one run, then exit");
  cmd->add_option("--device", options->worker.device, "auto, cpu or cuda:N (default: config)");
  cmd->add_option("--config", options->worker.config_path, "training configuration JSON");
  cmd->add_option("--work-dir", options->worker.work_dir, "folder for exported data and runs");
  cmd->add_option("--name", options->name, "worker name recorded in the run");
  cmd->add_option("--poll-seconds", options->poll_seconds, "pause between two claims")
      ->check(CLI::Range(0.1, 3600.0));
  cmd->add_option("--max-eval-ecgs", options->worker.max_eval_ecgs, "held-out ECGs evaluated")
      ->check(CLI::Range(size_t{2}, size_t{1000000}));
  cmd->add_flag("--exit-with-parent", options->exit_with_parent,
                "terminate when the starting process ends");
  cmd->callback([options] { RunWorker(*options); });
}

}  // namespace

ORTHANC_ECG_COMMAND("worker", Setup);

}  // namespace ecg::tools
