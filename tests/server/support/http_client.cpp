#include "http_client.hpp"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cctype>
#include <memory>
#include <mutex>
#include <stdexcept>

namespace sesame::test {
namespace {

std::string lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r' || text.back() == '\n')) {
    text.remove_suffix(1);
  }
  return text;
}

void ensure_curl_initialised() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

size_t collect_body(char* data, size_t size, size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

// One header line at a time; a status line (a new response after a 1xx)
// starts the list over.
size_t collect_header(char* data, size_t size, size_t count, void* user) {
  auto* headers = static_cast<HeaderList*>(user);
  const std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) {
    headers->clear();
  } else if (const auto colon = line.find(':'); colon != std::string_view::npos) {
    headers->emplace_back(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
  return size * count;
}

bool has_header(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (lower(key) == lower(name)) return true;
  }
  return false;
}

// Parses "HTTP/1.1 200 OK\r\nName: value\r\n...\r\n\r\n" into `out`.
void parse_head(std::string_view head, HttpResponse& out) {
  const auto line_end = head.find("\r\n");
  const std::string_view status_line = head.substr(0, line_end);
  const auto space = status_line.find(' ');
  if (!status_line.starts_with("HTTP/") || space == std::string_view::npos) {
    throw std::runtime_error("send_raw: not an HTTP response");
  }
  out.status = std::stol(std::string(status_line.substr(space + 1, 3)));
  std::string_view rest = line_end == std::string_view::npos ? std::string_view{} : head.substr(line_end + 2);
  while (!rest.empty()) {
    const auto end = rest.find("\r\n");
    const std::string_view line = rest.substr(0, end);
    if (const auto colon = line.find(':'); colon != std::string_view::npos) {
      out.headers.emplace_back(lower(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
    }
    if (end == std::string_view::npos) break;
    rest = rest.substr(end + 2);
  }
}

}  // namespace

std::optional<std::string> HttpResponse::header(std::string_view name) const {
  const std::string wanted = lower(name);
  for (const auto& [key, value] : headers) {
    if (key == wanted) return value;
  }
  return std::nullopt;
}

std::vector<std::string> HttpResponse::headers_named(std::string_view name) const {
  const std::string wanted = lower(name);
  std::vector<std::string> out;
  for (const auto& [key, value] : headers) {
    if (key == wanted) out.push_back(value);
  }
  return out;
}

nlohmann::json HttpResponse::json() const { return nlohmann::json::parse(body); }

HttpClient::HttpClient(std::string host, std::uint16_t port)
    : host_(std::move(host)), port_(port), base_url_("http://" + host_ + ":" + std::to_string(port_)) {}

HttpResponse HttpClient::request(std::string_view method, std::string_view path, const HeaderList& headers,
                                 const std::string& body) const {
  ensure_curl_initialised();
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) throw std::runtime_error("curl_easy_init failed");

  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) list = curl_slist_append(list, (name + ": " + value).c_str());
  // No 100-continue round trip, and no form content type curl would add itself.
  list = curl_slist_append(list, "Expect:");
  if (!has_header(headers, "Content-Type")) list = curl_slist_append(list, "Content-Type:");
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(list, curl_slist_free_all);

  HttpResponse response;
  const std::string url = base_url_ + std::string(path);
  const std::string method_text(method);
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, collect_body);
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response.body);
  curl_easy_setopt(handle, CURLOPT_HEADERFUNCTION, collect_header);
  curl_easy_setopt(handle, CURLOPT_HEADERDATA, &response.headers);
  if (method_text == "HEAD") {
    curl_easy_setopt(handle, CURLOPT_NOBODY, 1L);
  } else if (method_text != "GET" || !body.empty()) {
    curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method_text.c_str());
  }
  if (!body.empty() || method_text == "POST" || method_text == "PUT" || method_text == "PATCH") {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }

  const CURLcode result = curl_easy_perform(handle);
  // An early answer (413 before the whole body went out) is still an answer.
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  if (result != CURLE_OK && response.status == 0) {
    throw std::runtime_error(method_text + " " + url + ": " + curl_easy_strerror(result));
  }
  return response;
}

HttpResponse HttpClient::get(std::string_view path, const HeaderList& headers) const {
  return request("GET", path, headers);
}

HttpResponse HttpClient::post_json(std::string_view path, const nlohmann::json& body, HeaderList headers) const {
  return send_json("POST", path, body, std::move(headers));
}

HttpResponse HttpClient::send_json(std::string_view method, std::string_view path, const nlohmann::json& body,
                                   HeaderList headers) const {
  if (!has_header(headers, "Content-Type")) headers.emplace_back("Content-Type", "application/json");
  return request(method, path, headers, body.dump());
}

HttpResponse HttpClient::send_raw(std::string_view bytes) const {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host_.c_str(), std::to_string(port_).c_str(), &hints, &found) != 0 || found == nullptr) {
    throw std::runtime_error("send_raw: cannot resolve " + host_);
  }
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> addresses(found, freeaddrinfo);
  const int fd = ::socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd < 0) throw std::runtime_error("send_raw: socket failed");
  std::unique_ptr<int, void (*)(int*)> closer(new int(fd), [](int* p) {
    ::close(*p);
    delete p;
  });
  timeval timeout{60, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  if (::connect(fd, found->ai_addr, found->ai_addrlen) != 0) throw std::runtime_error("send_raw: connect failed");

  // Written in a loop; a server that answers early and stops reading is fine.
  std::size_t written = 0;
  while (written < bytes.size()) {
    const ssize_t n = ::send(fd, bytes.data() + written, bytes.size() - written, MSG_NOSIGNAL);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }

  std::string received;
  std::size_t head_end = std::string::npos;
  HttpResponse response;
  std::size_t body_length = 0;
  char buffer[4096];
  while (true) {
    if (head_end == std::string::npos) {
      head_end = received.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        parse_head(std::string_view(received).substr(0, head_end), response);
        const auto length = response.header("Content-Length");
        body_length = length ? std::stoul(*length) : 0;
      }
    }
    if (head_end != std::string::npos && received.size() >= head_end + 4 + body_length) break;
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, 0);
    if (n <= 0) throw std::runtime_error("send_raw: the connection closed before a whole response");
    received.append(buffer, static_cast<std::size_t>(n));
  }
  response.body = received.substr(head_end + 4, body_length);
  return response;
}

}  // namespace sesame::test
