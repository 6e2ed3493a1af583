#pragma once
// What the server does to every request and response, whatever the route:
// request ids, client address, CORS, security headers and the access log.
// Pure functions, so each rule is tested on its own; http_server.cpp applies
// them in order.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/request.hpp"
#include "http/response.hpp"

namespace sesame::server::http {

// ---- Request id ---------------------------------------------------------------

inline constexpr std::size_t kMaxRequestIdLength = 128;

// A client's X-Request-Id is kept when it is 1..128 characters of
// [A-Za-z0-9._-]: safe in logs and headers as it is.
[[nodiscard]] bool is_acceptable_request_id(std::string_view id) noexcept;

// 32 hex characters from libsodium's CSPRNG.
[[nodiscard]] std::string generate_request_id();

// ---- Client address -------------------------------------------------------------

// The socket's address, or, when the server is told it sits behind a proxy,
// the last X-Forwarded-For entry (the one that proxy appended; earlier ones
// are the client's word). An entry that does not look like an IP address is
// ignored.
[[nodiscard]] std::string client_ip_for(std::string_view socket_ip, std::optional<std::string_view> forwarded_for,
                                        bool trust_forwarded_for);

// ---- CORS -------------------------------------------------------------------------

class CorsPolicy {
 public:
  CorsPolicy() = default;
  CorsPolicy(std::vector<std::string> allowed_origins, std::vector<std::string> allowed_headers,
             std::int64_t max_age_seconds);

  // Exact match against the allow-list ("https://app.example.com"); "null"
  // and empty origins are never allowed.
  [[nodiscard]] bool allows(std::string_view origin) const noexcept;

  // Preflight answer (the caller has checked allows(origin)).
  void add_preflight_headers(Response& response, std::string_view origin,
                             const std::vector<Method>& allowed_methods) const;
  // Headers of an actual response to an allowed origin.
  void add_response_headers(Response& response, std::string_view origin) const;

 private:
  std::vector<std::string> allowed_origins_;
  std::string allowed_headers_;
  std::int64_t max_age_seconds_ = 600;
};

// A preflight: OPTIONS with Origin and Access-Control-Request-Method.
[[nodiscard]] bool is_preflight(const Request& request) noexcept;

// "GET, POST"
[[nodiscard]] std::string join_methods(const std::vector<Method>& methods);

// ---- Security headers ---------------------------------------------------------------

struct HstsPolicy {
  bool enabled = false;  // only over https: browsers ignore it on http, and it would pin a dev host
  bool include_subdomains = true;
};

inline constexpr std::string_view kApiContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
inline constexpr std::int64_t kHstsMaxAgeSeconds = 31536000;  // one year

// nosniff, Referrer-Policy, X-Frame-Options; a CSP unless the handler set its
// own (the demo page): `default-src 'none'; frame-ancestors 'none'` on API
// answers, problems and everything else that is not a page, frame-ancestors
// only on the static files; Cache-Control: no-store on /api and on every
// problem (unless set); HSTS (ASVS 3.4.1) when the policy says so.
void add_security_headers(Response& response, std::string_view path, const HstsPolicy& hsts);

// RFC 6750 §3 / RFC 9110 §11.6.1: a 401 carries its challenge. Added to a
// 401 answering a request that presented a Bearer token (error="invalid_token"
// when the token itself was refused) or that lacked credentials
// (`unauthorized`); a handler's own WWW-Authenticate is kept.
void add_bearer_challenge(Response& response, bool bearer_presented);

// ---- Security events (ASVS 16.3.2, 16.3.3) ----------------------------------------------

// The event a refused request is logged as, beside its access-log line:
// rate limits, lockouts, CSRF refusals, bad tokens and requests the HTTP
// layer refused (framing, sizes, timeouts, methods). nullopt for the rest.
[[nodiscard]] std::optional<std::string_view> security_event_for(const Response& response);

struct SecurityEventEntry {
  std::chrono::system_clock::time_point time;
  std::string_view event;
  std::string_view request_id;
  std::string_view method;
  std::string_view path;  // without the query string
  int status = 0;
  std::string_view client_ip;
};

// One JSON line with "event"; never headers, bodies or credentials.
[[nodiscard]] std::string format_security_event_line(const SecurityEventEntry& entry);

// ---- Access log ------------------------------------------------------------------------

inline constexpr std::size_t kMaxLoggedUserAgentBytes = 256;

struct AccessLogEntry {
  std::chrono::system_clock::time_point time;
  std::string_view request_id;
  std::string_view method;
  std::string_view path;  // without the query string: it may carry secrets
  int status = 0;
  double duration_ms = 0;
  std::string_view client_ip;
  std::string_view user_agent;  // truncated to kMaxLoggedUserAgentBytes
  std::string_view note;        // the response's log_note, if any
};

// One JSON line, newline-terminated. Never headers, never bodies.
[[nodiscard]] std::string format_access_log_line(const AccessLogEntry& entry);

// Where access-log lines go, called from any thread (so it must be
// thread-safe); the default writes them to stderr.
using AccessLogSink = std::function<void(std::string_view line)>;
void write_to_stderr(std::string_view line);

}  // namespace sesame::server::http
