#include "plugin/training/training_worker_process.h"

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <cstring>
#include <thread>
#include <vector>

#include "waveform/error.h"

extern char** environ;

namespace ecg::plugin {
namespace {

constexpr const char* kUriVariable = "ORTHANC_ECG_DB";

std::vector<std::string> Arguments(const WorkerLaunch& launch) {
  std::vector<std::string> args = {launch.executable,    "worker",       "--once",
                                   "--exit-with-parent", "--name",       launch.name,
                                   "--work-dir",         launch.work_dir};
  if (!launch.device.empty()) args.insert(args.end(), {"--device", launch.device});
  if (!launch.config_file.empty()) args.insert(args.end(), {"--config", launch.config_file});
  return args;
}

// The plugin's environment with ORTHANC_ECG_DB set to the URI.
std::vector<std::string> Environment(const std::string& uri) {
  std::vector<std::string> env;
  const std::string prefix = std::string(kUriVariable) + "=";
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    if (std::strncmp(*e, prefix.c_str(), prefix.size()) != 0) env.emplace_back(*e);
  }
  env.push_back(prefix + uri);
  return env;
}

std::vector<char*> Pointers(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  for (std::string& s : strings) pointers.push_back(s.data());
  pointers.push_back(nullptr);
  return pointers;
}

WorkerExit Describe(int status) {
  if (WIFEXITED(status)) {
    return {WEXITSTATUS(status) == 0, "exited with status " + std::to_string(WEXITSTATUS(status))};
  }
  if (WIFSIGNALED(status)) {
    return {false, "was killed by signal " + std::to_string(WTERMSIG(status))};
  }
  return {false, "ended with wait status " + std::to_string(status)};
}

// Spawn attributes: no signal blocked, default dispositions for the termination signals.
struct SpawnAttributes {
  posix_spawnattr_t attr;
  SpawnAttributes() {
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig : {SIGTERM, SIGINT, SIGPIPE, SIGHUP}) sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  }
  ~SpawnAttributes() { posix_spawnattr_destroy(&attr); }
};

struct FileActions {
  posix_spawn_file_actions_t actions;
  explicit FileActions(const std::string& log_path) {
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log_path.c_str(),
                                     O_WRONLY | O_CREAT | O_APPEND, 0640);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  }
  ~FileActions() { posix_spawn_file_actions_destroy(&actions); }
};

}  // namespace

LocalWorkerProcess::~LocalWorkerProcess() {
  Terminate(std::chrono::seconds(10));
}

void LocalWorkerProcess::Start(const WorkerLaunch& launch) {
  if (running()) throw Error::Conflict("the local training worker is already running");
  std::vector<std::string> args = Arguments(launch);
  std::vector<std::string> env = Environment(launch.connection_uri);
  std::vector<char*> argv = Pointers(args);
  std::vector<char*> envp = Pointers(env);
  SpawnAttributes attributes;
  FileActions actions(launch.log_path);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, launch.executable.c_str(), &actions.actions, &attributes.attr,
                              argv.data(), envp.data());
  if (rc != 0) {
    throw Error::Unavailable("cannot start the training worker '" + launch.executable +
                             "': " + std::strerror(rc));
  }
  pid_ = pid;
}

std::optional<WorkerExit> LocalWorkerProcess::Poll() {
  if (!running()) return std::nullopt;
  int status = 0;
  const pid_t r = waitpid(pid_, &status, WNOHANG);
  if (r == 0) return std::nullopt;
  pid_ = -1;
  if (r < 0)
    return WorkerExit{false, "could not be waited for: " + std::string(std::strerror(errno))};
  return Describe(status);
}

void LocalWorkerProcess::Terminate(std::chrono::milliseconds grace) {
  if (!running()) return;
  kill(pid_, SIGTERM);
  const auto deadline = std::chrono::steady_clock::now() + grace;
  while (std::chrono::steady_clock::now() < deadline) {
    if (Poll()) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace ecg::plugin
