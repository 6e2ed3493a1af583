#include "config/config.hpp"

#include <charconv>
#include <fstream>
#include <limits>
#include <optional>

extern char** environ;

namespace sesame::server {
namespace {

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return std::string(text.substr(first, last - first + 1));
}

// KEY=VALUE lines; '#' starts a comment line.
Result<Environment> read_config_file(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Error{ErrorCode::invalid_argument, "SESAME_CONFIG_FILE: cannot read " + path};
  Environment values;
  std::string line;
  int number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string text = trim(line);
    if (text.empty() || text[0] == '#') continue;
    const auto equals = text.find('=');
    if (equals == std::string::npos) {
      return Error{ErrorCode::invalid_argument, path + ":" + std::to_string(number) + ": expected KEY=VALUE"};
    }
    values[trim(std::string_view(text).substr(0, equals))] = trim(std::string_view(text).substr(equals + 1));
  }
  return values;
}

class Reader {
 public:
  explicit Reader(const Environment& values) : values_(values) {}

  void text(const char* name, std::string& target) {
    if (auto it = values_.find(name); it != values_.end()) target = it->second;
  }

  template <class Int>
  void integer(const char* name, Int& target, Int min, Int max) {
    auto it = values_.find(name);
    if (it == values_.end() || !error_.empty()) return;
    long long value = 0;
    const auto& s = it->second;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
    if (ec != std::errc() || end != s.data() + s.size() || value < static_cast<long long>(min) ||
        value > static_cast<long long>(max)) {
      error_ = std::string(name) + " must be an integer from " + std::to_string(min) + " to " + std::to_string(max);
      return;
    }
    target = static_cast<Int>(value);
  }

  void flag(const char* name, bool& target) {
    auto it = values_.find(name);
    if (it == values_.end() || !error_.empty()) return;
    if (it->second == "1" || it->second == "true") target = true;
    else if (it->second == "0" || it->second == "false" || it->second.empty()) target = false;
    else error_ = std::string(name) + " must be 1 or 0";
  }

  void list(const char* name, std::vector<std::string>& target) {
    auto it = values_.find(name);
    if (it == values_.end()) return;
    target.clear();
    std::string_view rest = it->second;
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string item = trim(rest.substr(0, comma));
      if (!item.empty()) target.push_back(item);
      if (comma == std::string_view::npos) break;
      rest.remove_prefix(comma + 1);
    }
  }

  [[nodiscard]] const std::string& error() const { return error_; }

 private:
  const Environment& values_;
  std::string error_;
};

constexpr std::int64_t kYearSeconds = 366LL * 86400;

// invalid_argument unless `url` starts with "<scheme>://" or "<scheme>s://".
std::optional<Error> scheme_error(std::string_view variable, std::string_view url, std::string_view scheme) {
  const std::string plain = std::string(scheme) + "://";
  const std::string secure = std::string(scheme) + "s://";
  if (url.starts_with(plain) || url.starts_with(secure)) return std::nullopt;
  return Error{ErrorCode::invalid_argument, std::string(variable) + " must start with " + plain + " or " + secure};
}

// "https://auth.example.com:8443/x" → "auth.example.com": what an authenticator app shows.
std::string url_host(std::string_view url) {
  url.remove_prefix(url.find("://") + 3);
  url = url.substr(0, url.find_first_of("/?#"));
  if (const auto at = url.rfind('@'); at != std::string_view::npos) url.remove_prefix(at + 1);
  if (!url.empty() && url.front() == '[') return std::string(url.substr(0, url.find(']') + 1));
  return std::string(url.substr(0, url.find(':')));
}

}  // namespace

Result<Config> load_config(const Environment& env) {
  Environment values;
  if (auto file = env.find("SESAME_CONFIG_FILE"); file != env.end() && !file->second.empty()) {
    auto from_file = read_config_file(file->second);
    if (!from_file.ok()) return from_file.error();
    values = std::move(from_file.value());
  }
  for (const auto& [key, value] : env) values[key] = value;  // the environment wins

  Config config;
  Reader read(values);
  read.text("SESAME_LISTEN", config.listen);
  read.text("DATABASE_URL", config.database_url);
  read.text("SESAME_DATA_DIR", config.data_dir);
  read.flag("SESAME_DEV", config.dev);
  read.text("SESAME_PUBLIC_URL", config.public_url);
  read.text("SESAME_ISSUER", config.issuer);
  read.text("SESAME_AUDIENCE", config.audience);
  read.integer<std::int64_t>("SESAME_ACCESS_TOKEN_TTL", config.access_token_ttl_seconds, 30, 86400);
  read.integer<std::int64_t>("SESAME_ACCESS_TOKEN_LEEWAY", config.access_token_leeway_seconds, 0, 60);
  read.integer<std::int64_t>("SESAME_REFRESH_TOKEN_TTL", config.refresh_token_ttl_seconds, 60, kYearSeconds);
  read.integer<std::int64_t>("SESAME_SESSION_MAX_AGE", config.session_max_age_seconds, 60, kYearSeconds);
  read.integer<std::int64_t>("SESAME_REFRESH_REUSE_GRACE", config.refresh_reuse_grace_seconds, 0, 300);
  read.integer<int>("SESAME_RATE_LIMIT_PER_IP", config.rate_limit_per_ip, 0, 1'000'000);
  read.integer<int>("SESAME_LOCKOUT_MAX_FAILURES", config.lockout_max_failures, 1, 1000);
  read.integer<std::int64_t>("SESAME_LOCKOUT_WINDOW", config.lockout_window_seconds, 1, 86400);
  read.integer<int>("SESAME_LOCKOUT_ACCOUNT_CEILING", config.lockout_account_ceiling, 1, 100'000);
  read.integer<int>("SESAME_MAX_SESSIONS_PER_USER", config.max_sessions_per_user, 1, 100'000);
  read.integer<std::size_t>("SESAME_TOKEN_CACHE_ENTRIES", config.token_cache_entries, 0, 10'000'000);
  read.list("SESAME_CORS_ORIGINS", config.cors_origins);
  read.flag("SESAME_BEHIND_TLS", config.behind_tls);
  read.flag("SESAME_HSTS_INCLUDE_SUBDOMAINS", config.hsts_include_subdomains);
  read.flag("SESAME_TRUST_PROXY", config.trust_proxy);
  read.integer<std::uint32_t>("SESAME_ARGON2_MEMORY_KIB", config.argon2_memory_kib, 8, 4u * 1024 * 1024);
  read.integer<std::uint32_t>("SESAME_ARGON2_ITERATIONS", config.argon2_iterations, 1, 100);
  read.integer<int>("SESAME_HTTP_THREADS", config.http_threads, 1, 256);
  read.integer<int>("SESAME_HASH_WORKERS", config.hash_workers, 1, 256);
  read.integer<int>("SESAME_HASH_QUEUE", config.hash_queue, 0, 100'000);
  read.integer<std::size_t>("SESAME_MAX_BODY_BYTES", config.max_body_bytes, 1024, 16 * 1024 * 1024);
  read.flag("SESAME_REQUIRE_MFA", config.require_mfa);
  read.text("SESAME_TOTP_ISSUER", config.totp_issuer);
  read.flag("SESAME_DEMO", config.demo);
  read.text("SESAME_WEB_DIR", config.web_dir);
  read.text("SESAME_SDK_DIR", config.sdk_dir);
  read.text("SESAME_PRODUCT_NAME", config.product_name);
  read.text("SESAME_SMTP_URL", config.smtp_url);
  read.text("SESAME_SMTP_CREDENTIALS_FILE", config.smtp_credentials_file);
  read.text("SESAME_MAIL_FROM", config.mail_from);
  read.integer<int>("SESAME_MAIL_POLL_MS", config.mail_poll_ms, 10, 600'000);
  read.integer<int>("SESAME_MAIL_MAX_ATTEMPTS", config.mail_max_attempts, 1, 100);
  read.flag("SESAME_REQUIRE_VERIFIED_EMAIL", config.require_verified_email);
  read.integer<int>("SESAME_RESET_MAILS_PER_HOUR", config.reset_mails_per_hour, 1, 100);
  read.text("SESAME_BREACHED_PASSWORDS_URL", config.breached_passwords_url);
  std::string registration = "open";
  read.text("SESAME_REGISTRATION", registration);
  read.text("SESAME_ADMIN_EMAIL", config.admin_email);
  read.text("SESAME_ADMIN_PASSWORD_FILE", config.admin_password_file);
  read.integer<int>("SESAME_BREACHED_PASSWORDS_TIMEOUT_MS", config.breached_passwords_timeout_ms, 100, 30'000);
  read.integer<std::int64_t>("SESAME_SWEEP_INTERVAL", config.sweep_interval_seconds, 0, 30 * 86400);
  read.integer<std::int64_t>("SESAME_MAIL_RETENTION", config.mail_retention_seconds, 0, 10 * kYearSeconds);
  if (!read.error().empty()) return Error{ErrorCode::invalid_argument, read.error()};

  if (config.listen.rfind(':') == std::string::npos) {
    return Error{ErrorCode::invalid_argument, "SESAME_LISTEN must be HOST:PORT"};
  }
  if (config.data_dir.empty()) return Error{ErrorCode::invalid_argument, "SESAME_DATA_DIR must not be empty"};
  if (config.public_url.empty()) config.public_url = "http://" + config.listen;
  while (config.public_url.size() > 1 && config.public_url.back() == '/') config.public_url.pop_back();
  if (auto refused = scheme_error("SESAME_PUBLIC_URL", config.public_url, "http")) return *refused;
  // Every instance behind one load balancer, given the balancer's URL, agrees on the issuer.
  if (config.issuer.empty()) config.issuer = config.public_url;
  if (config.totp_issuer.empty()) config.totp_issuer = url_host(config.public_url);
  // Run from a checkout, the demo page and the SDK the wasm build staged are found without settings.
  if (config.web_dir.empty()) config.web_dir = std::string(SESAME_SOURCE_DIR) + "/web-demo";
  if (config.sdk_dir.empty()) config.sdk_dir = std::string(SESAME_SOURCE_DIR) + "/build/wasm/package";
  if (!config.smtp_url.empty()) {
    if (auto refused = scheme_error("SESAME_SMTP_URL", config.smtp_url, "smtp")) return *refused;
  }
  if (!config.breached_passwords_url.empty()) {
    if (auto refused = scheme_error("SESAME_BREACHED_PASSWORDS_URL", config.breached_passwords_url, "http")) {
      return *refused;
    }
  }
  if (config.product_name.empty()) return Error{ErrorCode::invalid_argument, "SESAME_PRODUCT_NAME must not be empty"};
  if (registration != "open" && registration != "admin") {
    return Error{ErrorCode::invalid_argument, "SESAME_REGISTRATION must be \"open\" or \"admin\""};
  }
  config.open_registration = registration == "open";
  if (config.admin_email.empty() != config.admin_password_file.empty()) {
    return Error{ErrorCode::invalid_argument, "SESAME_ADMIN_EMAIL and SESAME_ADMIN_PASSWORD_FILE go together"};
  }
  if (config.mail_from.empty()) {
    std::string host = url_host(config.public_url);
    if (host.empty() || host.front() == '[' || (host.front() >= '0' && host.front() <= '9') || host.find('.') == std::string::npos) host = "localhost";
    config.mail_from = config.product_name + " <no-reply@" + host + ">";
  }
  if (config.session_max_age_seconds < config.refresh_token_ttl_seconds) {
    // A refresh token never outlives its session's absolute lifetime.
    config.refresh_token_ttl_seconds = config.session_max_age_seconds;
  }
  return config;
}

Environment process_environment() {
  Environment env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    const std::string_view text(*entry);
    const auto equals = text.find('=');
    if (equals != std::string_view::npos) env.emplace(text.substr(0, equals), text.substr(equals + 1));
  }
  return env;
}

}  // namespace sesame::server
