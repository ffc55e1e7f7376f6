#include "tests/support/postgres_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/test_env.h"

namespace ecg::testing {

namespace fs = std::filesystem;

namespace {

constexpr const char* kBinDir = "/usr/lib/postgresql/15/bin";

// Single-quotes s for /bin/sh.
std::string ShellQuote(const std::string& s) {
  std::string quoted = "'";
  for (char c : s) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

// A port that was free a moment ago on 127.0.0.1 (the kernel's choice for port 0).
int FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("postgres harness: socket() failed");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0 &&
                  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  close(fd);
  if (!ok) throw std::runtime_error("postgres harness: no free loopback port");
  return ntohs(address.sin_port);
}

std::string MakePostgresOwnedDirectory() {
  std::string pattern = (fs::temp_directory_path() / "orthanc-ecg-pg-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("postgres harness: mkdtemp");
  const passwd* user = getpwnam("postgres");
  if (user == nullptr || chown(pattern.c_str(), user->pw_uid, user->pw_gid) != 0) {
    fs::remove_all(pattern);
    throw std::runtime_error("postgres harness: cannot give " + pattern + " to user postgres");
  }
  return pattern;
}

}  // namespace

bool PostgresServer::Available() {
  return fs::exists(std::string(kBinDir) + "/initdb") && getpwnam("postgres") != nullptr &&
         fs::exists("/usr/sbin/runuser");
}

PostgresServer& PostgresServer::Shared() {
  static PostgresServer server;
  return server;
}

PostgresServer::PostgresServer(PostgresServerOptions options) : options_(std::move(options)) {
  directory_ = MakePostgresOwnedDirectory();
  try {
    RunAsPostgres(std::string(kBinDir) + "/initdb -D data -A trust -U postgres -E UTF8" +
                  " --locale=C.UTF-8 --no-sync --no-instructions");
    StartWatchdog();
    for (int attempt = 0; !running_; ++attempt) {
      port_ = FreeLoopbackPort();
      try {
        Start();
      } catch (const std::exception&) {
        if (attempt == 2) throw;  // another process took the port between probe and start
      }
    }
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(directory_, ignored);
    throw;
  }
}

void PostgresServer::StartWatchdog() const {
  // A test process that dies without unwinding (abort, timeout kill) leaves no server behind:
  // a detached shell polls it and then stops the server and removes the directory.
  const std::string dir = ShellQuote(directory_);
  const std::string script = "while kill -0 " + std::to_string(getpid()) +
                             " 2>/dev/null; do sleep 1; done; if [ -d " + dir + " ]; then cd " +
                             dir + " && runuser -u postgres -- " + kBinDir +
                             "/pg_ctl -D data -m immediate -w stop; cd / && rm -rf " + dir + "; fi";
  std::string output;
  RunCommand("nohup setsid sh -c " + ShellQuote(script) + " >/dev/null 2>&1 </dev/null &", &output);
}

PostgresServer::~PostgresServer() {
  if (running_) {
    std::string output;
    RunCommand("cd " + ShellQuote(directory_) + " && runuser -u postgres -- " + kBinDir +
                   "/pg_ctl -D data -m immediate -w stop",
               &output);
  }
  std::error_code ignored;
  fs::remove_all(directory_, ignored);
}

pid_t PostgresServer::pid() const {
  if (!running_) return 0;
  std::ifstream pid_file(directory_ + "/data/postmaster.pid");
  pid_t pid = 0;
  pid_file >> pid;
  return pid;
}

std::string PostgresServer::Uri(const std::string& database) const {
  return "postgresql://postgres@127.0.0.1:" + std::to_string(port_) + "/" + database;
}

std::string PostgresServer::CreateDatabase(const std::string& prefix) {
  const std::string name = prefix + "_" + std::to_string(++databases_created_);
  Psql("postgres", "CREATE DATABASE " + name);
  return Uri(name);
}

void PostgresServer::Start() {
  std::string settings = "-c listen_addresses=127.0.0.1 -p " + std::to_string(port_) + " -k " +
                         directory_ + " -c max_connections=200";
  if (!options_.durable) {
    settings += " -c fsync=off -c full_page_writes=off -c synchronous_commit=off";
  }
  if (!options_.extra_settings.empty()) {
    std::istringstream pairs(options_.extra_settings);
    for (std::string pair; pairs >> pair;) settings += " -c " + pair;
  }
  RunAsPostgres(std::string(kBinDir) + "/pg_ctl -D data -l server.log -w -t 60 -o " +
                ShellQuote(settings) + " start");
  running_ = true;
}

void PostgresServer::Stop() {
  RunAsPostgres(std::string(kBinDir) + "/pg_ctl -D data -m fast -w -t 60 stop");
  running_ = false;
}

void PostgresServer::CrashImmediate() {
  RunAsPostgres(std::string(kBinDir) + "/pg_ctl -D data -m immediate -w -t 60 stop");
  running_ = false;
}

void PostgresServer::KillAll() {
  const pid_t postmaster = pid();
  if (postmaster <= 0) return;
  std::string output;
  // The backends first (children of the postmaster), then the postmaster: nothing flushes.
  RunCommand("pkill -KILL -P " + std::to_string(postmaster) + "; kill -KILL " +
                 std::to_string(postmaster),
             &output);
  running_ = false;
  // Wait until every process of the cluster is gone, or Start() finds its shared memory in use.
  for (int i = 0; i < 200; ++i) {
    if (RunCommand("pgrep -P " + std::to_string(postmaster) + " >/dev/null || kill -0 " +
                       std::to_string(postmaster) + " 2>/dev/null",
                   &output) != 0) {
      break;
    }
    usleep(50 * 1000);
  }
  RunCommand("rm -f " + ShellQuote(directory_ + "/data/postmaster.pid"), &output);
}

void PostgresServer::Restart() {
  Stop();
  Start();
}

std::string PostgresServer::Psql(const std::string& database, const std::string& sql) const {
  std::string output = RunAsPostgres(
      std::string(kBinDir) + "/psql -X -q -At -v ON_ERROR_STOP=1" + " -h " + directory_ + " -p " +
      std::to_string(port_) + " -U postgres -d " + ShellQuote(database) + " -c " + ShellQuote(sql));
  while (!output.empty() && output.back() == '\n') output.pop_back();
  return output;
}

std::string PostgresServer::RunAsPostgres(const std::string& command) const {
  std::string output;
  const int status = RunCommand("cd " + ShellQuote(directory_) + " && runuser -u postgres -- " +
                                    "sh -c " + ShellQuote(command),
                                &output);
  if (status != 0) {
    throw std::runtime_error("postgres harness: `" + command + "` failed (status " +
                             std::to_string(status) + "): " + output + "\nserver log:\n" +
                             LogTail());
  }
  return output;
}

std::string PostgresServer::LogTail() const {
  std::ifstream log(directory_ + "/server.log");
  std::stringstream content;
  content << log.rdbuf();
  const std::string all = content.str();
  return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

}  // namespace ecg::testing
