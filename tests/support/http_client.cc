#include "tests/support/http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <stdexcept>

namespace ecg::testing {
namespace {

std::string Lower(std::string text) {
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

std::string Base64(const std::string& bytes) {
  static const char kDigits[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (size_t i = 0; i < bytes.size(); i += 3) {
    const size_t n = std::min<size_t>(3, bytes.size() - i);
    uint32_t group = 0;
    for (size_t j = 0; j < 3; ++j) {
      group = (group << 8) | (j < n ? static_cast<unsigned char>(bytes[i + j]) : 0u);
    }
    for (size_t j = 0; j < 4; ++j) {
      out += j <= n ? kDigits[(group >> (18 - 6 * j)) & 63] : '=';
    }
  }
  return out;
}

}  // namespace

HttpClient::HttpClient(std::string host, int port) : host_(std::move(host)), port_(port) {}

HttpClient::~HttpClient() {
  Close();
}

void HttpClient::SetBasicAuth(const std::string& user, const std::string& password) {
  authorization_ = "Authorization: Basic " + Base64(user + ":" + password) + "\r\n";
}

void HttpClient::Connect() {
  fd_ = socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("HttpClient: socket() failed");
  int one = 1;
  setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port_));
  inet_pton(AF_INET, host_.c_str(), &address.sin_addr);
  if (connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    Close();
    throw std::runtime_error("HttpClient: cannot connect to " + host_ + ":" +
                             std::to_string(port_));
  }
  buffer_.clear();
}

void HttpClient::Close() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

bool HttpClient::SendAll(const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    const ssize_t n = ::send(fd_, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

bool HttpClient::Fill() {
  char chunk[65536];
  const ssize_t n = ::recv(fd_, chunk, sizeof(chunk), 0);
  if (n <= 0) return false;
  buffer_.append(chunk, static_cast<size_t>(n));
  return true;
}

HttpResponse HttpClient::Request(const std::string& method, const std::string& path,
                                 const std::string& body, const HttpHeaders& headers) {
  std::string head = method + " " + path + " HTTP/1.1\r\nHost: " + host_ +
                     "\r\nConnection: keep-alive\r\n" + authorization_;
  for (const auto& [name, value] : headers) head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (fd_ < 0) Connect();
    if (SendAll(head) && SendAll(body)) {
      try {
        return ReadResponse();
      } catch (const std::runtime_error& e) {
        if (attempt == 1)
          throw std::runtime_error(std::string(e.what()) + " (" + method + " " + path + ")");
      }
    }
    Close();  // a stale keep-alive connection: reconnect once
  }
  throw std::runtime_error("HttpClient: " + method + " " + path + " failed");
}

HttpResponse HttpClient::ReadResponse() {
  size_t header_end;
  while ((header_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!Fill()) throw std::runtime_error("HttpClient: connection closed before the headers");
  }
  const std::string headers = buffer_.substr(0, header_end);
  buffer_.erase(0, header_end + 4);
  HttpResponse response;
  if (headers.compare(0, 5, "HTTP/") != 0 || headers.size() < 12) {
    throw std::runtime_error("HttpClient: not an HTTP answer");
  }
  response.status = std::stoi(headers.substr(9, 3));
  long long length = -1;
  bool close_after = false;
  size_t line_start = headers.find("\r\n");
  while (line_start != std::string::npos) {
    line_start += 2;
    const size_t line_end = headers.find("\r\n", line_start);
    const std::string line = headers.substr(line_start, line_end - line_start);
    const size_t colon = line.find(':');
    if (colon != std::string::npos) {
      const std::string name = Lower(line.substr(0, colon));
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      response.headers[name] = value;
      if (name == "content-length") length = std::stoll(value);
      if (name == "content-type") response.content_type = value;
      if (name == "connection" && Lower(value) == "close") close_after = true;
    }
    line_start = line_end;
  }
  if (length < 0) {
    while (Fill()) {
    }
    response.body.swap(buffer_);
    Close();
    return response;
  }
  while (buffer_.size() < static_cast<size_t>(length)) {
    if (!Fill()) throw std::runtime_error("HttpClient: connection closed inside a body");
  }
  response.body = buffer_.substr(0, static_cast<size_t>(length));
  buffer_.erase(0, static_cast<size_t>(length));
  if (close_after) Close();
  return response;
}

}  // namespace ecg::testing
