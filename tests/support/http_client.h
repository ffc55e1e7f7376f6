// HttpClient: a minimal HTTP/1.1 client over a TCP socket for tests and benchmarks (no libcurl
// -dev package is installed, and spawning curl per request would distort benchmarks).
//
// One client keeps one keep-alive connection to host:port and reconnects when the server closed
// it. Answers must carry Content-Length (Orthanc's do) or end with the connection.
// SetBasicAuth() makes every later request carry HTTP Basic credentials (an Orthanc started with
// authentication, OrthancServerOptions::authentication); without it no Authorization header is
// sent. The credentials are never part of an error message.
// Errors: std::runtime_error when the server cannot be reached or answers garbage; HTTP error
// statuses are returned, not thrown. Not thread-safe: one client per thread.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

namespace ecg::testing {

struct HttpResponse {
  int status = 0;
  std::string body;
  std::string content_type;
  std::map<std::string, std::string> headers;  // every header, by its name in lower case
};

// Extra request headers, e.g. {{"If-None-Match", etag}}.
using HttpHeaders = std::vector<std::pair<std::string, std::string>>;

class HttpClient {
 public:
  HttpClient(std::string host, int port);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse Get(const std::string& path, const HttpHeaders& headers = {}) {
    return Request("GET", path, "", headers);
  }
  HttpResponse Post(const std::string& path, const std::string& body) {
    return Request("POST", path, body);
  }
  HttpResponse Delete(const std::string& path) { return Request("DELETE", path, ""); }
  HttpResponse Request(const std::string& method, const std::string& path, const std::string& body,
                       const HttpHeaders& headers = {});

  // Sends "Authorization: Basic base64(user:password)" with every later request.
  void SetBasicAuth(const std::string& user, const std::string& password);

 private:
  void Connect();
  void Close();
  bool SendAll(const std::string& data);
  HttpResponse ReadResponse();
  bool Fill();  // reads more bytes into buffer_; false on EOF

  std::string host_;
  int port_;
  std::string authorization_;  // the header line with its CRLF, or empty
  int fd_ = -1;
  std::string buffer_;
};

}  // namespace ecg::testing
