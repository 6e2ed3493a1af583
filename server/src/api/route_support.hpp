#pragma once
// What the thin handlers of every routes file share: who is calling, the
// bearer token, CSRF and per-IP checks, token answers (body or cookie), and
// failure_response, the one place a service Failure becomes problem+json.

#include <functional>
#include <optional>
#include <utility>

#include "api/routes.hpp"
#include "auth/service.hpp"
#include "http/async_response.hpp"
#include "http/json_body.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace sesame::server {

[[nodiscard]] ClientContext client_of(const http::Request& request);
// The same with what the client already holds, for the routes that check a
// credential: its device token (X-Sesame-Device, else the device cookie) and
// refresh token (X-Sesame-Refresh, else the refresh cookie).
[[nodiscard]] ClientContext client_holding(const http::Request& request, const RefreshCookie& cookies);

// The principal of the request's `Authorization: Bearer` access token. A
// restricted token is refused: an enrolment-only one (SESAME_REQUIRE_MFA) with
// mfa_enrollment_required, a password-change-only one with password_change_required.
[[nodiscard]] Outcome<Principal> authenticate(const http::Request& request, TokenService& tokens);
// The same, accepting enrolment-only tokens: for TOTP enrolment.
[[nodiscard]] Outcome<Principal> authenticate_allowing_enrolment(const http::Request& request, TokenService& tokens);
// The same, accepting password-change-only tokens: for password/change.
[[nodiscard]] Outcome<Principal> authenticate_for_password_change(const http::Request& request, TokenService& tokens);
// Any valid token, restricted or not: for me and logout.
[[nodiscard]] Outcome<Principal> authenticate_allowing_restricted(const http::Request& request, TokenService& tokens);
// A full token of a user with the admin (or global_admin) role: 401 without
// one, 403 forbidden for other roles. The one check in front of every admin route.
[[nodiscard]] Outcome<Principal> authenticate_admin(const http::Request& request, TokenService& tokens);

// CSRF checks for requests authenticated by the refresh cookie.
[[nodiscard]] std::optional<Failure> csrf_failure(const http::Request& request);

// The per-IP limit on endpoints that take credentials: the 429 to send, if any.
[[nodiscard]] std::optional<http::Response> rate_limited(const http::Request& request, IpRateLimiter& limiter);

// 200 TokenResponse; the refresh token (and after a sign-in the device token)
// in the body or in HttpOnly cookies.
[[nodiscard]] http::Response token_response(const IssuedTokens& issued, api::TokenDelivery delivery,
                                            const RefreshCookie& cookie);
// RFC 6749 §5.1: an answer with credentials in it (tokens, an mfa_token) is
// kept by no cache: Cache-Control: no-store, and Pragma: no-cache for HTTP/1.0 caches.
[[nodiscard]] http::Response never_cached(http::Response response);
[[nodiscard]] http::Response clear_refresh_cookie(http::Response response, const RefreshCookie& cookie);

// The problem+json answer for a service failure (code → status via the core's
// problem_status, violations, Retry-After).
[[nodiscard]] http::Response failure_response(const Failure& failure);

template <class T, class Success>
[[nodiscard]] http::Response or_failure(const Outcome<T>& outcome, Success success) {
  if (!outcome.ok()) return failure_response(outcome.error());
  if constexpr (std::is_void_v<T>) {
    return success();
  } else {
    return success(outcome.value());
  }
}

// A credential route without a bearer token (register, token, mfa/verify):
// the per-IP limit and the body are checked on the HTTP thread, then
// `work(body, client)`, which hashes, runs on the hashing pool. When
// `hashes(body)` says this one does not (a TOTP code), it runs on the HTTP
// thread instead, not queued behind sign-ins on the pool's few workers.
template <class Body, class Work>
[[nodiscard]] http::AsyncHandler limited_on_hashing_pool(const ApiServices& services, Work work,
                                                         bool (*hashes)(const Body&) = nullptr) {
  return [services, work, hashes](const http::Request& request, http::AsyncResponse out) {
    if (auto limited = rate_limited(request, services.ip_limiter)) {
      out.send(std::move(*limited));
      return;
    }
    auto body = http::parse_json_body<Body>(request, services.max_body_bytes);
    if (!body) {
      out.send(http::Response::problem(body.problem()));
      return;
    }
    if (hashes != nullptr && !hashes(*body)) {
      out.send(work(*body, client_holding(request, services.refresh_cookie)));
      return;
    }
    http::respond_from_pool(services.hashing_pool, out,
                            [work, body = std::move(*body), client = client_holding(request, services.refresh_cookie)] {
      return work(body, client);
    });
  };
}

// Whether a route takes an empty body as `{}` (its members are all optional).
enum class BodyRequirement { required, optional };

using Authenticator = Outcome<Principal> (*)(const http::Request&, TokenService&);

// A bearer-authenticated route whose service hashes (password change, TOTP
// disable, backup codes): the token and the body are checked on the HTTP
// thread, then `work(principal, body, client)` runs on the hashing pool.
// `authenticate_with` decides which tokens are accepted.
template <class Body, class Work>
[[nodiscard]] http::AsyncHandler authorized_on_hashing_pool(const ApiServices& services, Work work,
                                                            Authenticator authenticate_with = &authenticate,
                                                            BodyRequirement requirement = BodyRequirement::required) {
  return [services, work, authenticate_with, requirement](const http::Request& request, http::AsyncResponse out) {
    auto principal = authenticate_with(request, services.tokens);
    if (!principal.ok()) {
      out.send(failure_response(principal.error()));
      return;
    }
    auto body = requirement == BodyRequirement::optional && request.body().empty()
                    ? http::ParsedBody<Body>(Body{})
                    : http::parse_json_body<Body>(request, services.max_body_bytes);
    if (!body) {
      out.send(http::Response::problem(body.problem()));
      return;
    }
    http::respond_from_pool(services.hashing_pool, out,
                            [work, who = std::move(principal).value(), body = std::move(*body),
                             client = client_holding(request, services.refresh_cookie)] {
                              return work(who, body, client);
                            });
  };
}

}  // namespace sesame::server
