#include "api/route_support.hpp"

#include <chrono>

#include "http/cookies.hpp"

namespace sesame::server {
namespace {

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
  return {request.client_ip(), std::string(request.user_agent()), request.request_id()};
}

Outcome<Principal> authenticate_allowing_enrolment(const http::Request& request, TokenService& tokens) {
  const auto token = http::bearer_token(request);
  if (!token) return Failure{ErrorCode::unauthorized, "a Bearer access token is required", {}, std::nullopt};
  return tokens.authenticate(*token);
}

Outcome<Principal> authenticate(const http::Request& request, TokenService& tokens) {
  auto principal = authenticate_allowing_enrolment(request, tokens);
  if (principal.ok() && principal->scope == kEnrolmentScope) {
    return Failure{ErrorCode::mfa_enrollment_required,
                   "this account must set up TOTP first: /mfa/totp/setup, then /mfa/totp/confirm", {}, std::nullopt};
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
  http::Response response = never_cached(http::Response::json(200, api::to_json(body)));
  if (delivery == api::TokenDelivery::cookie) {
    if (auto set = http::set_cookie(response, cookie.name, issued.refresh_token,
                                    refresh_cookie_options(cookie, issued.response.refresh_expires_in));
        !set.ok()) {
      return http::Response::error(set.error());
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
  api::Problem problem = api::make_problem(failure.code, failure.detail);
  if (!failure.violations.empty()) problem.violations = failure.violations;
  http::Response response = http::Response::problem(std::move(problem));
  if (failure.retry_after_seconds) response.set_retry_after(*failure.retry_after_seconds);
  return response;
}

}  // namespace sesame::server
