// LocalWorkerProcess: the plugin's local training worker, one `orthanc-ecg worker --once`
// process at a time (Training.Worker "local", docs/admin.md).
//
// Start() spawns the executable (posix_spawnp: found on PATH when it holds no '/') with
//   worker --once --exit-with-parent --name NAME --work-dir DIR [--device D] [--config FILE]
// and the store's URI in the environment variable ORTHANC_ECG_DB (never on the command line,
// where the process list would show a password). The child inherits the calling thread's nice
// value (call it from a thread lowered with plugin/thread_priority.h), starts with no signal
// blocked, and writes stdout and stderr to the log file (appended). --exit-with-parent makes
// Linux send it SIGTERM when the starting thread ends. Poll() reaps it without blocking;
// Terminate() sends SIGTERM, waits up to `grace`, then SIGKILL, and reaps it.
//
// Thread safety: none; one owner thread (the training supervisor). Errors: Start() throws
// Error::Unavailable naming the executable when the spawn fails.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>

namespace ecg::plugin {

struct WorkerLaunch {
  std::string executable;      // path, or a name looked up on PATH
  std::string connection_uri;  // passed as ORTHANC_ECG_DB
  std::string name;            // --name: the worker name recorded in the run
  std::string work_dir;        // --work-dir
  std::string device;          // --device
  std::string config_file;     // --config; empty: none
  std::string log_path;        // stdout and stderr, appended
};

struct WorkerExit {
  bool clean = false;       // exit status 0
  std::string description;  // "exited with status 1", "was killed by signal 9"
};

class LocalWorkerProcess {
 public:
  LocalWorkerProcess() = default;
  ~LocalWorkerProcess();
  LocalWorkerProcess(const LocalWorkerProcess&) = delete;
  LocalWorkerProcess& operator=(const LocalWorkerProcess&) = delete;

  void Start(const WorkerLaunch& launch);
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  // The child's end when it has ended since the last call (then running() is false).
  std::optional<WorkerExit> Poll();
  void Terminate(std::chrono::milliseconds grace);

 private:
  pid_t pid_ = -1;
};

}  // namespace ecg::plugin
