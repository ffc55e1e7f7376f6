#include "tests/support/orthanc_server.h"

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace ecg::testing {
namespace {

constexpr const char* kOrthanc = "/usr/sbin/Orthanc";
constexpr auto kStartTimeout = std::chrono::seconds(60);
constexpr auto kStopTimeout = std::chrono::seconds(30);

// Waits for pid to exit within timeout; true if it did.
bool WaitForExit(pid_t pid, std::chrono::seconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid, &status, WNOHANG) == pid) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// 24 random letters and digits.
std::string RandomPassword() {
  static const char kAlphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::random_device device;
  std::uniform_int_distribution<size_t> pick(0, sizeof(kAlphabet) - 2);
  std::string password;
  for (int i = 0; i < 24; ++i) password += kAlphabet[pick(device)];
  return password;
}

}  // namespace

int FreeTcpPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("FreeTcpPort: cannot bind a socket on 127.0.0.1");
  }
  const int port = ntohs(address.sin_port);
  close(fd);
  return port;
}

bool OrthancServer::Available() {
  return access(kOrthanc, X_OK) == 0;
}

std::string OrthancServer::PluginPath() {
  return BinaryPath("libOrthancEcg.so");
}

OrthancServer::OrthancServer(OrthancServerOptions options)
    : options_(std::move(options)), password_(RandomPassword()) {
  http_port_ = FreeTcpPort();
  dicom_port_ = FreeTcpPort();
  while (dicom_port_ == http_port_) dicom_port_ = FreeTcpPort();
  WriteConfiguration();
  if (options_.start) Start();
}

OrthancServer::~OrthancServer() {
  try {
    Stop();
  } catch (...) {
  }
}

void OrthancServer::SetEcgSection(const nlohmann::json& section) {
  options_.ecg_section = section;
  WriteConfiguration();
}

void OrthancServer::SetAuthentication(bool on) {
  options_.authentication = on;
  WriteConfiguration();
}

void OrthancServer::WriteConfiguration() {
  nlohmann::json config = {
      {"Name", "orthanc-ecg-test"},
      {"StorageDirectory", dir_.File("storage")},
      {"IndexDirectory", dir_.File("storage")},
      {"HttpPort", http_port_},
      {"DicomPort", dicom_port_},
      {"DicomAet", "ORTHANC"},
      {"RemoteAccessAllowed", false},
      {"AuthenticationEnabled", options_.authentication},
      {"HttpDescribeErrors", true},
      {"DicomCheckCalledAet", false},
      {"StorageCompression", false},
      {"Plugins", nlohmann::json::array()},
  };
  if (options_.authentication) config["RegisteredUsers"] = {{user_, password_}};
  if (!options_.plugin_path.empty()) config["Plugins"].push_back(options_.plugin_path);
  if (!options_.ecg_section.is_null()) config["Ecg"] = options_.ecg_section;
  for (const auto& item : options_.extra_settings.items()) config[item.key()] = item.value();
  std::ofstream(dir_.File("orthanc.json")) << config.dump(2);
}

void OrthancServer::Start() {
  if (pid_ > 0) return;
  const std::string config_path = dir_.File("orthanc.json");
  const std::string log_path = dir_.File("orthanc.log");
  pid_ = fork();
  if (pid_ < 0) throw std::runtime_error("OrthancServer: fork failed");
  if (pid_ == 0) {
    std::FILE* log = std::fopen(log_path.c_str(), "a");
    if (log != nullptr) {
      dup2(fileno(log), STDOUT_FILENO);
      dup2(fileno(log), STDERR_FILENO);
    }
    setenv("TCP_NODELAY", "1", 1);
    if (options_.verbose_log) {
      execl(kOrthanc, kOrthanc, "--verbose", config_path.c_str(), static_cast<char*>(nullptr));
    } else {
      execl(kOrthanc, kOrthanc, config_path.c_str(), static_cast<char*>(nullptr));
    }
    _exit(127);
  }
  http_.reset();
  WaitUntilAnswering();
}

void OrthancServer::WaitUntilAnswering() {
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      throw std::runtime_error("OrthancServer: Orthanc exited at start:\n" + LogTail());
    }
    try {
      if (NewClient()->Get("/system").status == 200) return;
    } catch (const std::runtime_error&) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  Kill();
  throw std::runtime_error("OrthancServer: /system did not answer within 60 s:\n" + LogTail());
}

void OrthancServer::Stop() {
  if (pid_ <= 0) return;
  http_.reset();
  kill(pid_, SIGTERM);
  if (!WaitForExit(pid_, kStopTimeout)) {
    kill(pid_, SIGKILL);
    WaitForExit(pid_, kStopTimeout);
  }
  pid_ = -1;
}

void OrthancServer::Kill() {
  if (pid_ <= 0) return;
  http_.reset();
  kill(pid_, SIGKILL);
  WaitForExit(pid_, kStopTimeout);
  pid_ = -1;
}

HttpClient& OrthancServer::http() {
  if (!http_) http_ = NewClient();
  return *http_;
}

std::unique_ptr<HttpClient> OrthancServer::NewClient() const {
  std::unique_ptr<HttpClient> client = AnonymousClient();
  if (options_.authentication) client->SetBasicAuth(user_, password_);
  return client;
}

std::unique_ptr<HttpClient> OrthancServer::AnonymousClient() const {
  return std::make_unique<HttpClient>("127.0.0.1", http_port_);
}

void OrthancServer::StoreScu(const std::string& path) const {
  std::string output;
  const std::string command =
      "storescu -aec ORTHANC 127.0.0.1 " + std::to_string(dicom_port_) + " '" + path + "'";
  if (RunCommand(command, &output) != 0) {
    throw std::runtime_error("OrthancServer: storescu failed: " + output);
  }
}

std::string OrthancServer::LogTail(size_t bytes) const {
  std::ifstream log(dir_.File("orthanc.log"));
  std::stringstream content;
  content << log.rdbuf();
  const std::string text = content.str();
  return text.size() > bytes ? text.substr(text.size() - bytes) : text;
}

}  // namespace ecg::testing
