#pragma once
// Server configuration from the environment (DESIGN.md fixes the names it
// lists; the rest follow the same SESAME_ prefix). An optional file named by
// SESAME_CONFIG_FILE adds KEY=VALUE lines; the environment wins over the file.

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "sesame/result.hpp"

namespace sesame::server {

struct Config {
  std::string listen = "127.0.0.1:8080";            // SESAME_LISTEN
  std::string database_url;                         // DATABASE_URL; empty: SQLite in data_dir
  std::string data_dir = "./data";                  // SESAME_DATA_DIR
  bool dev = false;                                 // SESAME_DEV=1
  std::string public_url;                           // SESAME_PUBLIC_URL; default http://<listen>
  std::string issuer;                               // SESAME_ISSUER; default public_url
  std::string audience = "sesame";                  // SESAME_AUDIENCE
  std::int64_t access_token_ttl_seconds = 900;      // SESAME_ACCESS_TOKEN_TTL
  std::int64_t refresh_token_ttl_seconds = 30 * 86400;  // SESAME_REFRESH_TOKEN_TTL
  std::int64_t session_max_age_seconds = 30 * 86400;    // SESAME_SESSION_MAX_AGE (absolute lifetime)
  std::int64_t refresh_reuse_grace_seconds = 10;    // SESAME_REFRESH_REUSE_GRACE; 0 turns it off
  int rate_limit_per_ip = 60;                       // SESAME_RATE_LIMIT_PER_IP per minute; 0 turns it off
  int lockout_max_failures = 5;                     // SESAME_LOCKOUT_MAX_FAILURES
  std::int64_t lockout_window_seconds = 15 * 60;    // SESAME_LOCKOUT_WINDOW
  int lockout_account_ceiling = 100;                // SESAME_LOCKOUT_ACCOUNT_CEILING: all clients, in a day
  int max_sessions_per_user = 100;                  // SESAME_MAX_SESSIONS_PER_USER: the oldest end past it
  std::size_t token_cache_entries = 16384;          // SESAME_TOKEN_CACHE_ENTRIES: verified access tokens kept; 0: off
  std::vector<std::string> cors_origins;            // SESAME_CORS_ORIGINS, comma-separated
  bool behind_tls = false;                          // SESAME_BEHIND_TLS=1: HSTS, Secure cookies
  bool hsts_include_subdomains = true;              // SESAME_HSTS_INCLUDE_SUBDOMAINS
  std::int64_t access_token_leeway_seconds = 5;     // SESAME_ACCESS_TOKEN_LEEWAY: clock skew allowed on exp/nbf/iat
  bool trust_proxy = false;                         // SESAME_TRUST_PROXY=1: client IP from X-Forwarded-For
  std::uint32_t argon2_memory_kib = 19 * 1024;      // SESAME_ARGON2_MEMORY_KIB (OWASP: 19 MiB)
  std::uint32_t argon2_iterations = 2;              // SESAME_ARGON2_ITERATIONS (OWASP: 2)
  int http_threads = 4;                             // SESAME_HTTP_THREADS (handlers wait on the database)
  int hash_workers = 2;                             // SESAME_HASH_WORKERS
  int hash_queue = 64;                              // SESAME_HASH_QUEUE: waiting hash jobs before 503
  std::size_t max_body_bytes = 64 * 1024;           // SESAME_MAX_BODY_BYTES
  bool require_mfa = false;                         // SESAME_REQUIRE_MFA=1: no full session without TOTP
  std::string totp_issuer;                          // SESAME_TOTP_ISSUER; default the host of public_url
  bool demo = true;                                 // SESAME_DEMO=0 turns the demo page and /sdk/ off
  std::string web_dir;                              // SESAME_WEB_DIR; default the checkout's web-demo/
  std::string sdk_dir;                              // SESAME_SDK_DIR; default the checkout's build/wasm/package/
  // Mail and recovery.
  std::string product_name = "Sesame";              // SESAME_PRODUCT_NAME: in mail subjects and bodies
  std::string smtp_url;                             // SESAME_SMTP_URL: smtp://host:port or smtps://user:pass@host:port
  std::string smtp_credentials_file;                // SESAME_SMTP_CREDENTIALS_FILE: "user:password" on one line
  std::string mail_from;                            // SESAME_MAIL_FROM; default "<product> <no-reply@host of public_url>"
  int mail_poll_ms = 1000;                          // SESAME_MAIL_POLL_MS: how often the sender looks at the outbox
  int mail_max_attempts = 10;                       // SESAME_MAIL_MAX_ATTEMPTS before a message is given up
  bool require_verified_email = false;              // SESAME_REQUIRE_VERIFIED_EMAIL=1: no sign-in before verification
  bool open_registration = true;                    // SESAME_REGISTRATION: "open" (default) or "admin" (only admins create users)
  std::string admin_email;                          // SESAME_ADMIN_EMAIL: the bootstrap admin, created once at start
  std::string admin_password_file;                  // SESAME_ADMIN_PASSWORD_FILE: its password (first line)
  int reset_mails_per_hour = 3;                     // SESAME_RESET_MAILS_PER_HOUR per address
  std::string breached_passwords_url;               // SESAME_BREACHED_PASSWORDS_URL: range API base; empty: off
  int breached_passwords_timeout_ms = 2000;         // SESAME_BREACHED_PASSWORDS_TIMEOUT_MS
  // Housekeeping.
  std::int64_t sweep_interval_seconds = 3600;       // SESAME_SWEEP_INTERVAL; 0 turns the periodic sweep off
  std::int64_t mail_retention_seconds = 7 * 86400;  // SESAME_MAIL_RETENTION: sent or given-up mail kept this long
};

using Environment = std::map<std::string, std::string>;

// Builds the configuration from `env` (and the file it may name). Errors are
// invalid_argument with a detail naming the variable and what it must be.
[[nodiscard]] Result<Config> load_config(const Environment& env);

// The process environment as a map.
[[nodiscard]] Environment process_environment();

}  // namespace sesame::server
