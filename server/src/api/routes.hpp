#pragma once
// The HTTP API: one routes file per feature (auth_routes.cpp, session_routes.cpp,
// mfa_routes.cpp), each a short list of thin handlers that parse with the
// core's contract types, call one service function and map its Outcome. This
// folder is the only place that knows both HTTP and the services.

#include <cstddef>
#include <string>
#include <string_view>

#include "auth/accounts/account_service.hpp"
#include "auth/admin/admin_service.hpp"
#include "auth/recovery/recovery_service.hpp"
#include "auth/login/login_service.hpp"
#include "auth/mfa/mfa_service.hpp"
#include "auth/sessions/session_service.hpp"
#include "auth/tokens/token_service.hpp"
#include "http/router.hpp"
#include "http/worker_pool.hpp"
#include "mail/dev_mailbox.hpp"
#include "security/ip_rate_limiter.hpp"

namespace sesame::server {

struct RefreshCookie {
  std::string name;  // "__Host-sesame_refresh", or "sesame_refresh" in dev mode over plain http
  bool secure = true;
  // The device token's cookie (cookie delivery): "__Host-sesame_device", or
  // "sesame_device" in dev mode over plain http.
  std::string device_name;
};

// Body delivery: the header a client sends its device token in (the SDK keeps
// the `device_token` of its last sign-in), for the lockout.
inline constexpr std::string_view kDeviceHeader = "X-Sesame-Device";
// Body delivery: the refresh token a client holds, sent with a new sign-in so
// that its old session ends (ASVS 7.2.4); cookie delivery sends the cookie.
inline constexpr std::string_view kHeldRefreshHeader = "X-Sesame-Refresh";

// RFC 7662 token introspection; its body may be a form (HttpServerOptions::form_body_paths).
inline constexpr std::string_view kIntrospectionPath = "/api/v1/auth/introspect";

// The custom header a browser must send with cookie-authenticated requests: a
// cross-site form or fetch cannot add it without passing CORS, which the
// Origin allow-list decides (CSRF protection, OWASP "custom request header").
inline constexpr std::string_view kCsrfHeader = "X-Sesame-Csrf";

// What the routes call. Everything must outlive the router.
struct ApiServices {
  AccountService& accounts;
  LoginService& login;
  TokenService& tokens;
  SessionService& sessions;
  MfaService& mfa;
  http::WorkerPool& hashing_pool;
  IpRateLimiter& ip_limiter;
  RefreshCookie refresh_cookie;
  std::size_t max_body_bytes = 64 * 1024;
  RecoveryService* recovery = nullptr;       // password reset, email verification
  DevMailboxReader* dev_mailbox = nullptr;   // set only in dev mode (SESAME_DEV=1)
  AdminService* admin = nullptr;             // the admin routes are registered when set
};

// register, token, refresh, logout, me, password change, /.well-known/jwks.json
void add_auth_routes(http::Router& router, const ApiServices& services);
// sessions: list, revoke one, revoke the others
void add_session_routes(http::Router& router, const ApiServices& services);
// the second step of sign-in, TOTP setup/confirm/disable, backup codes
void add_mfa_routes(http::Router& router, const ApiServices& services);

// Where the demo page (web-demo/) and the SDK package it imports are.
struct DemoSite {
  std::string web_dir;
  std::string sdk_dir;
};
// GET / (the page), /demo/* (its scripts and styles) and /sdk/* (the package)
void add_demo_routes(http::Router& router, const DemoSite& site);
// password reset initiate/complete, email verify and verify/resend
void add_recovery_routes(http::Router& router, const ApiServices& services);
// GET /api/v1/dev/mailbox; registered only when services.dev_mailbox is set
void add_dev_routes(http::Router& router, const ApiServices& services);
// /api/v1/admin/users, /users/{id}, /users/{id}/sessions, /users/{id}/lockout, /audit, /tenants
void add_admin_routes(http::Router& router, const ApiServices& services);

}  // namespace sesame::server
