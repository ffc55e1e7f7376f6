// Test environment helpers shared by every test binary.
//
// TempDir: a fresh directory under $TMPDIR, removed with its contents on destruction.
// SharedDataDir(): ../shared/data beside the source tree (or $ORTHANC_ECG_SHARED_DATA), or
// nullopt when absent, so that tests which use the real data can GTEST_SKIP() without it.
// SourcePath()/BinaryPath(): absolute paths into the source and build trees.
#pragma once

#include <optional>
#include <string>

namespace ecg::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

std::optional<std::string> SharedDataDir();
std::string SourcePath(const std::string& relative);
std::string BinaryPath(const std::string& relative);

// Runs a shell command, returns its exit status and fills *output with stdout and stderr.
int RunCommand(const std::string& command, std::string* output);

// Runs the built `orthanc-ecg` with the given arguments (shell syntax), like RunCommand.
int RunCli(const std::string& arguments, std::string* output);

}  // namespace ecg::testing
