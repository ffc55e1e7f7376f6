#include "tests/support/test_env.h"

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <sys/wait.h>

namespace ecg::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "orthanc-ecg-test-XXXXXX").string();
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::optional<std::string> SharedDataDir() {
  if (const char* env = std::getenv("ORTHANC_ECG_SHARED_DATA")) {
    if (fs::is_directory(env)) return std::string(env);
    return std::nullopt;
  }
  const fs::path candidate = fs::path(ORTHANC_ECG_SOURCE_DIR) / ".." / "shared" / "data";
  if (fs::is_directory(candidate)) return fs::canonical(candidate).string();
  return std::nullopt;
}

std::string SourcePath(const std::string& relative) {
  return std::string(ORTHANC_ECG_SOURCE_DIR) + "/" + relative;
}

std::string BinaryPath(const std::string& relative) {
  return std::string(ORTHANC_ECG_BINARY_DIR) + "/" + relative;
}

int RunCommand(const std::string& command, std::string* output) {
  output->clear();
  std::FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  char buffer[4096];
  size_t n;
  while ((n = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output->append(buffer, n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

int RunCli(const std::string& arguments, std::string* output) {
  return RunCommand(BinaryPath("orthanc-ecg") + " " + arguments, output);
}

}  // namespace ecg::testing
