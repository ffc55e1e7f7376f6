// OrthancServer: a real Orthanc 1.10 (/usr/sbin/Orthanc, Debian's `orthanc`) for integration
// tests and benchmarks, with a generated configuration in its own temporary directory.
//
// The constructor picks free HTTP and DICOM ports, writes orthanc.json (SQLite index and storage
// in the directory, RemoteAccessAllowed false, "Plugins": [plugin_path] when given, the "Ecg"
// section when given; no authentication unless options.authentication) and starts Orthanc with
// TCP_NODELAY=1 (Debian's build otherwise waits for delayed ACKs on C-STORE). Orthanc listens on
// all interfaces; tests send to 127.0.0.1 only. Start() returns once GET /system answers. Stop()
// terminates Orthanc (SIGTERM, then SIGKILL after 30 s) and Kill() simulates a crash; the storage
// survives both, so Start() brings the same Orthanc back on the same ports. The destructor stops it
// and removes the directory.
//
//   ecg::testing::OrthancServer orthanc({.plugin_path = PluginPath(), .ecg_section = section});
//   orthanc.http().Post("/instances", dicom_bytes);
//
// With options.authentication, Orthanc's own HTTP Basic authentication is on
// ("AuthenticationEnabled": true) with one registered user, user(), whose password() is
// generated at random for this server; Start()'s readiness probe, http() and NewClient() send
// these credentials, AnonymousClient() sends none. The password is never logged or put in a URL.
//
// Available() is false when /usr/sbin/Orthanc is missing: tests then GTEST_SKIP().
// Errors: std::runtime_error with the failing step and the tail of Orthanc's log.
// Thread safety: none for Start/Stop; http() returns a client for the calling thread only
// (NewClient() gives each thread its own).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/support/http_client.h"
#include "tests/support/test_env.h"

namespace ecg::testing {

struct OrthancServerOptions {
  // libOrthancEcg.so to load; empty: no plugin.
  std::string plugin_path;
  // The "Ecg" section of the configuration; null: no section.
  nlohmann::json ecg_section;
  // Orthanc's own settings merged over the generated ones (e.g. {"ConcurrentJobs": 1}).
  nlohmann::json extra_settings = nlohmann::json::object();
  // Start in the constructor.
  bool start = true;
  // Orthanc's --verbose (info-level log, including the plugin's); benchmarks turn it off.
  bool verbose_log = true;
  // Orthanc's HTTP Basic authentication with a generated user and password (see above).
  bool authentication = false;
};

class OrthancServer {
 public:
  static bool Available();
  // The plugin built beside the tests (BinaryPath("libOrthancEcg.so")).
  static std::string PluginPath();

  explicit OrthancServer(OrthancServerOptions options = {});
  ~OrthancServer();
  OrthancServer(const OrthancServer&) = delete;
  OrthancServer& operator=(const OrthancServer&) = delete;

  void Start();
  void Stop();
  void Kill();
  void Restart() {
    Stop();
    Start();
  }
  bool running() const { return pid_ > 0; }

  int http_port() const { return http_port_; }
  int dicom_port() const { return dicom_port_; }
  const std::string& directory() const { return dir_.path(); }
  // Rewrites orthanc.json with a new "Ecg" section (takes effect at the next Start()).
  void SetEcgSection(const nlohmann::json& section);
  // Rewrites orthanc.json with authentication on or off (takes effect at the next Start()).
  void SetAuthentication(bool on);
  bool authentication() const { return options_.authentication; }
  // The registered user and its generated password (meaningful with authentication on).
  const std::string& user() const { return user_; }
  const std::string& password() const { return password_; }

  HttpClient& http();
  // A client with the credentials when authentication is on.
  std::unique_ptr<HttpClient> NewClient() const;
  // A client that sends no credentials.
  std::unique_ptr<HttpClient> AnonymousClient() const;
  // Sends a file with DCMTK's storescu (C-STORE, AE title ORTHANC); throws on failure.
  void StoreScu(const std::string& path) const;

  std::string LogTail(size_t bytes = 4000) const;

 private:
  void WriteConfiguration();
  void WaitUntilAnswering();

  OrthancServerOptions options_;
  TempDir dir_;
  int http_port_ = 0;
  int dicom_port_ = 0;
  std::string user_ = "ecg-test";
  std::string password_;
  pid_t pid_ = -1;
  std::unique_ptr<HttpClient> http_;
};

// A TCP port on 127.0.0.1 that nothing listens on right now.
int FreeTcpPort();

}  // namespace ecg::testing
