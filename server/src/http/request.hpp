#pragma once
// One HTTP request as a handler sees it: owned copies of everything, so a
// handler may hand parts of it to a worker thread after it returns. Built by
// the server (http_server.cpp) from Pistache's request; tests build their own.

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sesame::server::http {

enum class Method { get, head, post, put, patch, delete_, options, other };

// "GET", "DELETE", ...; "OTHER" for methods the router never serves (TRACE, CONNECT).
[[nodiscard]] std::string_view method_name(Method method) noexcept;

// ASCII case-insensitive equality, for header names and media types.
[[nodiscard]] bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept;

// Percent-decodes a path segment or a query component ('+' is a space only in
// queries). Malformed escapes are kept as they are.
[[nodiscard]] std::string percent_decode(std::string_view text, bool plus_is_space);

class Request;

// The credentials of `Authorization: Bearer <token>` (RFC 6750 §2.1: the
// scheme in any case, one space, a token68); nullopt when absent or malformed.
[[nodiscard]] std::optional<std::string_view> bearer_token(const Request& request) noexcept;

class Request {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;

  Request() = default;
  Request(Method method, std::string path, Fields query, Fields headers, std::string body)
      : method_(method),
        path_(std::move(path)),
        query_(std::move(query)),
        headers_(std::move(headers)),
        body_(std::move(body)) {}

  [[nodiscard]] Method method() const noexcept { return method_; }
  // The path as received, without the query string and not decoded.
  [[nodiscard]] const std::string& path() const noexcept { return path_; }
  // A `:name` segment of the matched route pattern, percent-decoded; empty when
  // the route has no such parameter.
  [[nodiscard]] std::string_view path_param(std::string_view name) const noexcept;
  // A query parameter, percent-decoded; the first when repeated.
  [[nodiscard]] std::optional<std::string_view> query(std::string_view name) const noexcept;
  // A header by case-insensitive name; the first when repeated.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const noexcept;
  [[nodiscard]] const Fields& headers() const noexcept { return headers_; }
  [[nodiscard]] const std::string& body() const noexcept { return body_; }

  // The peer's address (or the trusted proxy's X-Forwarded-For entry).
  [[nodiscard]] const std::string& client_ip() const noexcept { return client_ip_; }
  // The X-Request-Id this request is answered and logged with.
  [[nodiscard]] const std::string& request_id() const noexcept { return request_id_; }
  // The User-Agent header, or empty.
  [[nodiscard]] std::string_view user_agent() const noexcept;
  // True when the request carries an Origin header on the CORS allow-list
  // (what a CSRF check of cookie-authenticated requests needs).
  [[nodiscard]] bool origin_allowed() const noexcept { return origin_allowed_; }
  [[nodiscard]] std::chrono::steady_clock::time_point received_at() const noexcept { return received_at_; }

  // Set by the server before the handler runs (and by tests).
  void set_path_params(Fields params) { path_params_ = std::move(params); }
  void set_client_ip(std::string ip) { client_ip_ = std::move(ip); }
  void set_request_id(std::string id) { request_id_ = std::move(id); }
  void set_origin_allowed(bool allowed) noexcept { origin_allowed_ = allowed; }
  void set_received_at(std::chrono::steady_clock::time_point at) noexcept { received_at_ = at; }

 private:
  Method method_ = Method::get;
  std::string path_;
  Fields query_;
  Fields headers_;
  std::string body_;
  Fields path_params_;
  std::string client_ip_;
  std::string request_id_;
  bool origin_allowed_ = false;
  std::chrono::steady_clock::time_point received_at_ = std::chrono::steady_clock::now();
};

}  // namespace sesame::server::http
