#include "http/middleware.hpp"

#include <arpa/inet.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <cstdio>
#include <mutex>

#include <nlohmann/json.hpp>

#include "sesame/contract.hpp"

namespace sesame::server::http {
namespace {

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool is_ip_address(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return false;
  const std::string copy(text);
  std::array<unsigned char, sizeof(struct in6_addr)> buffer{};
  return inet_pton(AF_INET, copy.c_str(), buffer.data()) == 1 || inet_pton(AF_INET6, copy.c_str(), buffer.data()) == 1;
}

// Cuts at most `max_bytes`, never inside a UTF-8 sequence.
std::string_view truncate_utf8(std::string_view text, std::size_t max_bytes) noexcept {
  if (text.size() <= max_bytes) return text;
  std::size_t end = max_bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

bool is_api_path(std::string_view path) noexcept { return path == "/api" || path.starts_with("/api/"); }

void set_if_absent(Response& response, std::string name, std::string value) {
  if (!response.header(name)) response.set_header(std::move(name), std::move(value));
}

}  // namespace

bool is_acceptable_request_id(std::string_view id) noexcept {
  if (id.empty() || id.size() > kMaxRequestIdLength) return false;
  for (const char c : id) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string generate_request_id() {
  std::array<unsigned char, 16> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, bytes.size() * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  return std::string(hex.data(), bytes.size() * 2);
}

std::string client_ip_for(std::string_view socket_ip, std::optional<std::string_view> forwarded_for,
                          bool trust_forwarded_for) {
  if (trust_forwarded_for && forwarded_for) {
    const std::size_t comma = forwarded_for->rfind(',');
    const std::string_view last =
        trim(comma == std::string_view::npos ? *forwarded_for : forwarded_for->substr(comma + 1));
    if (is_ip_address(last)) return std::string(last);
  }
  return std::string(socket_ip);
}

CorsPolicy::CorsPolicy(std::vector<std::string> allowed_origins, std::vector<std::string> allowed_headers,
                       std::int64_t max_age_seconds)
    : allowed_origins_(std::move(allowed_origins)), max_age_seconds_(max_age_seconds) {
  for (const std::string& header : allowed_headers) {
    if (!allowed_headers_.empty()) allowed_headers_ += ", ";
    allowed_headers_ += header;
  }
}

bool CorsPolicy::allows(std::string_view origin) const noexcept {
  if (origin.empty() || origin == "null") return false;
  for (const std::string& allowed : allowed_origins_) {
    if (allowed == origin) return true;
  }
  return false;
}

void CorsPolicy::add_preflight_headers(Response& response, std::string_view origin,
                                       const std::vector<Method>& allowed_methods) const {
  response.set_header("Access-Control-Allow-Origin", std::string(origin));
  response.set_header("Access-Control-Allow-Credentials", "true");
  response.set_header("Access-Control-Allow-Methods", join_methods(allowed_methods));
  response.set_header("Access-Control-Allow-Headers", allowed_headers_);
  response.set_header("Access-Control-Max-Age", std::to_string(max_age_seconds_));
}

void CorsPolicy::add_response_headers(Response& response, std::string_view origin) const {
  response.set_header("Access-Control-Allow-Origin", std::string(origin));
  response.set_header("Access-Control-Allow-Credentials", "true");
  // Not CORS-safelisted, yet the SDK reads them (Retry-After on 429/503).
  response.set_header("Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
}

bool is_preflight(const Request& request) noexcept {
  return request.method() == Method::options && request.header("Origin").has_value() &&
         request.header("Access-Control-Request-Method").has_value();
}

std::string join_methods(const std::vector<Method>& methods) {
  std::string out;
  for (const Method method : methods) {
    if (!out.empty()) out += ", ";
    out += method_name(method);
  }
  return out;
}

void add_security_headers(Response& response, std::string_view path, const HstsPolicy& hsts) {
  response.set_header("X-Content-Type-Options", "nosniff");
  response.set_header("Referrer-Policy", "no-referrer");
  response.set_header("X-Frame-Options", "DENY");
  // JSON is never rendered as a document, so it may load nothing (ASVS 3.4.3);
  // the SDK's scripts and wasm are fetched, not framed, and keep frame-ancestors.
  const bool document_or_asset = !response.problem() && !is_api_path(path) && !path.starts_with("/.well-known/") &&
                                 path != "/healthz" && path != "/readyz";
  set_if_absent(response, "Content-Security-Policy",
                document_or_asset ? std::string("frame-ancestors 'none'") : std::string(kApiContentSecurityPolicy));
  if (is_api_path(path) || response.problem()) set_if_absent(response, "Cache-Control", "no-store");
  if (hsts.enabled) {
    response.set_header("Strict-Transport-Security", "max-age=" + std::to_string(kHstsMaxAgeSeconds) +
                                                         (hsts.include_subdomains ? "; includeSubDomains" : ""));
  }
}

void add_bearer_challenge(Response& response, bool bearer_presented) {
  if (response.status() != 401 || response.header("WWW-Authenticate") || !response.problem()) return;
  const std::string& code = response.problem()->code;
  if (!bearer_presented && code != "unauthorized") return;
  const bool token_refused = bearer_presented && (code == "invalid_token" || code == "token_expired" ||
                                                  code == "session_revoked");
  response.set_header("WWW-Authenticate", token_refused ? R"(Bearer realm="sesame", error="invalid_token")"
                                                        : R"(Bearer realm="sesame")");
}

std::optional<std::string_view> security_event_for(const Response& response) {
  if (!response.problem()) return std::nullopt;
  static constexpr std::pair<std::string_view, std::string_view> kEvents[] = {
    {"rate_limited", "rate_limit_exceeded"},
    {"account_locked", "account_locked_out"},
    {"csrf_check_failed", "csrf_rejected"},
    {"invalid_token", "invalid_token_rejected"},
    {"refresh_token_reused", "refresh_token_reuse_detected"},
    {"bad_request", "malformed_request_rejected"},
    {"headers_too_large", "oversized_headers_rejected"},
    {"payload_too_large", "oversized_body_rejected"},
    {"request_timeout", "slow_request_rejected"},
    {"method_not_allowed", "method_not_allowed"},
  };
  for (const auto& [code, event] : kEvents) {
    if (response.problem()->code == code) return event;
  }
  return std::nullopt;
}

std::string format_security_event_line(const SecurityEventEntry& entry) {
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(entry.time.time_since_epoch());
  nlohmann::ordered_json line{{"time", format_rfc3339_utc(seconds.count())},
                              {"event", entry.event},
                              {"request_id", entry.request_id},
                              {"method", entry.method},
                              {"path", entry.path},
                              {"status", entry.status},
                              {"ip", entry.client_ip}};
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::string format_access_log_line(const AccessLogEntry& entry) {
  const auto since_epoch = entry.time.time_since_epoch();
  const auto seconds = std::chrono::duration_cast<std::chrono::seconds>(since_epoch);
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(since_epoch - seconds).count();
  std::string time = format_rfc3339_utc(seconds.count());  // "...:SSZ"
  std::array<char, 8> fraction{};
  std::snprintf(fraction.data(), fraction.size(), ".%03d", static_cast<int>(millis));
  time.insert(time.size() - 1, fraction.data());

  // Microsecond resolution is plenty and keeps the line short.
  const double duration_ms = static_cast<double>(static_cast<std::int64_t>(entry.duration_ms * 1000.0)) / 1000.0;
  // Insertion order (time first) reads best in a terminal.
  nlohmann::ordered_json line{{"time", time},
                      {"request_id", entry.request_id},
                      {"method", entry.method},
                      {"path", entry.path},
                      {"status", entry.status},
                      {"duration_ms", duration_ms},
                      {"ip", entry.client_ip},
                      {"user_agent", truncate_utf8(entry.user_agent, kMaxLoggedUserAgentBytes)}};
  if (!entry.note.empty()) line["note"] = truncate_utf8(entry.note, 512);
  return line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

void write_to_stderr(std::string_view line) {
  static std::mutex mutex;
  std::lock_guard lock(mutex);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace sesame::server::http
