#include "api/route_support.hpp"

#include <chrono>

#include "http/cookies.hpp"

namespace sesame::server {
namespace {


// Browsers cap cookie lifetimes at 400 days; a device stays known that long.
constexpr std::int64_t kDeviceCookieMaxAge = 400LL * 86400;

http::CookieOptions refresh_cookie_options(const RefreshCookie& cookie, std::int64_t max_age) {
  http::CookieOptions options;
  options.path = "/";
  options.http_only = true;
  options.secure = cookie.secure;
  options.same_site = http::SameSite::strict;
  options.max_age = max_age;
  return options;
}

}  // namespace

ClientContext client_of(const http::Request& request) {
  ClientContext client;
  client.ip = request.client_ip();
  client.user_agent = std::string(request.user_agent());
  client.request_id = request.request_id();
  return client;
}

ClientContext client_holding(const http::Request& request, const RefreshCookie& cookies) {
  ClientContext client = client_of(request);
  const auto header_or_cookie = [&](std::string_view header, const std::string& cookie) {
    if (auto value = request.header(header)) return std::string(*value);
    return http::read_cookie(request, cookie).value_or(std::string());
  };
  client.device_token = header_or_cookie(kDeviceHeader, cookies.device_name);
  client.refresh_token = header_or_cookie(kHeldRefreshHeader, cookies.name);
  return client;
}

Outcome<Principal> authenticate_allowing_restricted(const http::Request& request, TokenService& tokens) {
  const auto token = http::bearer_token(request);
  if (!token) return Failure{ErrorCode::unauthorized, "a Bearer access token is required", {}, std::nullopt};
  return tokens.authenticate(*token);
}

namespace {

// A restricted token outside the routes its scope allows: what it must do first.
Outcome<Principal> refuse_scope(Outcome<Principal> principal, std::string_view allowed) {
  if (!principal.ok() || principal->scope.empty() || principal->scope == allowed) return principal;
  if (principal->scope == kEnrolmentScope) {
    return Failure{ErrorCode::mfa_enrollment_required,
                   "this account must set up TOTP first: /mfa/totp/setup, then /mfa/totp/confirm", {}, std::nullopt};
  }
  return Failure{ErrorCode::password_change_required,
                 "an administrator set this password: change it first with /api/v1/auth/password/change", {},
                 std::nullopt};
}

}  // namespace

Outcome<Principal> authenticate(const http::Request& request, TokenService& tokens) {
  return refuse_scope(authenticate_allowing_restricted(request, tokens), {});
}

Outcome<Principal> authenticate_allowing_enrolment(const http::Request& request, TokenService& tokens) {
  return refuse_scope(authenticate_allowing_restricted(request, tokens), kEnrolmentScope);
}

Outcome<Principal> authenticate_for_password_change(const http::Request& request, TokenService& tokens) {
  return refuse_scope(authenticate_allowing_restricted(request, tokens), kPasswordChangeScope);
}

Outcome<Principal> authenticate_admin(const http::Request& request, TokenService& tokens) {
  auto principal = authenticate(request, tokens);
  if (principal.ok() && !is_admin(*principal)) {
    return Failure{ErrorCode::forbidden, "this needs the admin role", {}, std::nullopt};
  }
  return principal;
}

// The custom header (a cross-site page cannot send it without a CORS
// preflight) and, when the browser names an Origin, that origin must be this
// server's own or on the CORS allow-list.
std::optional<Failure> csrf_failure(const http::Request& request) {
  if (!request.header(kCsrfHeader)) {
    return Failure{ErrorCode::csrf_check_failed, "requests with the refresh cookie need the " + std::string(kCsrfHeader) + " header",
                   {}, std::nullopt};
  }
  const auto origin = request.header("Origin");
  if (!origin || request.origin_allowed()) return std::nullopt;
  const std::string host(request.header("Host").value_or(""));
  if (!host.empty() && (*origin == "http://" + host || *origin == "https://" + host)) return std::nullopt;
  return Failure{ErrorCode::csrf_check_failed, "this origin may not use the refresh cookie", {}, std::nullopt};
}

// Checked before any hashing work is queued.
std::optional<http::Response> rate_limited(const http::Request& request, IpRateLimiter& limiter) {
  const auto decision = limiter.check(request.client_ip(), std::chrono::steady_clock::now());
  if (decision.allowed) return std::nullopt;
  return failure_response(
      Failure{ErrorCode::rate_limited, "too many requests from this address", {}, decision.retry_after_seconds});
}

http::Response token_response(const IssuedTokens& issued, api::TokenDelivery delivery, const RefreshCookie& cookie) {
  api::TokenResponse body = issued.response;
  if (delivery == api::TokenDelivery::body) body.refresh_token = issued.refresh_token;
  nlohmann::json json = api::to_json(body);
  if (delivery == api::TokenDelivery::body && !issued.device_token.empty()) json["device_token"] = issued.device_token;
  http::Response response = never_cached(http::Response::json(200, json));
  if (delivery == api::TokenDelivery::cookie) {
    if (auto set = http::set_cookie(response, cookie.name, issued.refresh_token,
                                    refresh_cookie_options(cookie, issued.response.refresh_expires_in));
        !set.ok()) {
      return http::Response::error(set.error());
    }
    if (!issued.device_token.empty()) {
      if (auto set = http::set_cookie(response, cookie.device_name, issued.device_token,
                                      refresh_cookie_options(cookie, kDeviceCookieMaxAge));
          !set.ok()) {
        return http::Response::error(set.error());
      }
    }
  }
  return response;
}

http::Response never_cached(http::Response response) {
  response.set_header("Cache-Control", "no-store");
  response.set_header("Pragma", "no-cache");
  return response;
}

http::Response clear_refresh_cookie(http::Response response, const RefreshCookie& cookie) {
  (void)http::clear_cookie(response, cookie.name, refresh_cookie_options(cookie, 0));
  return response;
}

http::Response failure_response(const Failure& failure) {
  // The store is down (PostgreSQL away, a full disk): the store's own message
  // goes to the log only, as in Response::error; every 503 carries Retry-After.
  if (failure.code == ErrorCode::service_unavailable) {
    http::Response response = http::Response::problem(api::make_problem(failure.code, "the store is unavailable; retry shortly"));
    response.set_log_note("service_unavailable: " + failure.detail);
    if (failure.retry_after_seconds) response.set_retry_after(*failure.retry_after_seconds);
    return response;
  }
  api::Problem problem = api::make_problem(failure.code, failure.detail);
  if (!failure.violations.empty()) problem.violations = failure.violations;
  http::Response response = http::Response::problem(std::move(problem));
  if (failure.retry_after_seconds) response.set_retry_after(*failure.retry_after_seconds);
  return response;
}

}  // namespace sesame::server
