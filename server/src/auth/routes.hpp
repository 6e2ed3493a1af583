#pragma once
// The auth API's routes. Each handler parses (core contract types), calls one
// service function and maps its Outcome; slow work (Argon2) runs on the
// hashing pool. Failures become problem+json in one place: failure_response.

#include <memory>
#include <string>

#include "auth/accounts/account_service.hpp"
#include "auth/ip_rate_limiter.hpp"
#include "auth/login/login_service.hpp"
#include "auth/sessions/session_service.hpp"
#include "auth/tokens/token_service.hpp"
#include "http/router.hpp"
#include "http/worker_pool.hpp"

namespace sesame::server {

struct RefreshCookie {
  std::string name;  // "__Host-sesame_refresh", or "sesame_refresh" in dev mode over plain http
  bool secure = true;
};

// The custom header a browser must send with cookie-authenticated requests: a
// cross-site form or fetch cannot add it without passing CORS, which the
// Origin allow-list decides (CSRF protection, OWASP "custom request header").
inline constexpr std::string_view kCsrfHeader = "X-Sesame-Csrf";

struct AuthRoutes {
  AccountService& accounts;
  LoginService& login;
  TokenService& tokens;
  SessionService& sessions;
  http::WorkerPool& hashing_pool;
  IpRateLimiter& ip_limiter;
  RefreshCookie refresh_cookie;
  std::size_t max_body_bytes = 64 * 1024;
};

// Registers every auth route (and /.well-known/jwks.json) on `router`. The
// services and pool must outlive the router.
void add_auth_routes(http::Router& router, const AuthRoutes& routes);

// The problem+json answer for a service failure (code → status via the core's
// problem_status, violations, Retry-After).
[[nodiscard]] http::Response failure_response(const Failure& failure);

}  // namespace sesame::server
