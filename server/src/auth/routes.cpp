#include "auth/routes.hpp"

#include <chrono>

#include "http/async_response.hpp"
#include "http/cookies.hpp"
#include "http/json_body.hpp"

namespace sesame::server {
namespace {

using http::Method;
using http::Request;
using http::Response;

ClientContext client_of(const Request& request) {
  return {request.client_ip(), std::string(request.user_agent()), request.request_id()};
}

std::optional<std::string_view> bearer_token(const Request& request) {
  const auto header = request.header("Authorization");
  if (!header) return std::nullopt;
  constexpr std::string_view kScheme = "Bearer ";
  if (header->size() <= kScheme.size() || !http::equals_ignoring_case(header->substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  return header->substr(kScheme.size());
}

Outcome<Principal> authenticate(const Request& request, TokenService& tokens) {
  const auto token = bearer_token(request);
  if (!token) return Failure{ErrorCode::unauthorized, "a Bearer access token is required", {}, std::nullopt};
  return tokens.authenticate(*token);
}

// CSRF protection for requests authenticated by the refresh cookie: the custom
// header (a cross-site page cannot send it without a CORS preflight) and, when
// the browser names an Origin, that origin must be this server's own or on the
// CORS allow-list.
std::optional<Failure> csrf_failure(const Request& request) {
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

// Per-IP limit on the endpoints that take credentials; checked before any
// hashing work is queued.
std::optional<Response> rate_limited(const Request& request, IpRateLimiter& limiter) {
  const auto decision = limiter.check(request.client_ip(), std::chrono::steady_clock::now());
  if (decision.allowed) return std::nullopt;
  return failure_response(
      Failure{ErrorCode::rate_limited, "too many requests from this address", {}, decision.retry_after_seconds});
}

http::CookieOptions refresh_cookie_options(const RefreshCookie& cookie, std::int64_t max_age) {
  http::CookieOptions options;
  options.path = "/";
  options.http_only = true;
  options.secure = cookie.secure;
  options.same_site = http::SameSite::strict;
  options.max_age = max_age;
  return options;
}

Response token_response(const IssuedTokens& issued, api::TokenDelivery delivery, const RefreshCookie& cookie) {
  api::TokenResponse body = issued.response;
  if (delivery == api::TokenDelivery::body) body.refresh_token = issued.refresh_token;
  Response response = Response::json(200, api::to_json(body));
  if (delivery == api::TokenDelivery::cookie) {
    if (auto set = http::set_cookie(response, cookie.name, issued.refresh_token,
                                    refresh_cookie_options(cookie, issued.response.refresh_expires_in));
        !set.ok()) {
      return Response::error(set.error());
    }
  }
  return response;
}

Response clear_refresh_cookie(Response response, const RefreshCookie& cookie) {
  (void)http::clear_cookie(response, cookie.name, refresh_cookie_options(cookie, 0));
  return response;
}

// A credential route: the per-IP limit and the body are checked on the HTTP
// thread, then `work(body, client)` (which hashes) runs on the hashing pool.
template <class Body, class Work>
http::AsyncHandler limited_on_hashing_pool(const AuthRoutes& r, Work work) {
  return [r, work](const Request& request, http::AsyncResponse out) {
    if (auto limited = rate_limited(request, r.ip_limiter)) {
      out.send(std::move(*limited));
      return;
    }
    auto body = http::parse_json_body<Body>(request, r.max_body_bytes);
    if (!body) {
      out.send(Response::problem(body.problem()));
      return;
    }
    http::respond_from_pool(r.hashing_pool, out, [work, body = std::move(*body), client = client_of(request)] {
      return work(body, client);
    });
  };
}

template <class T>
Response or_failure(const Outcome<T>& outcome, const std::function<Response(const T&)>& success) {
  return outcome.ok() ? success(outcome.value()) : failure_response(outcome.error());
}

}  // namespace

Response failure_response(const Failure& failure) {
  api::Problem problem = api::make_problem(failure.code, failure.detail);
  if (!failure.violations.empty()) problem.violations = failure.violations;
  Response response = Response::problem(std::move(problem));
  if (failure.retry_after_seconds) response.set_retry_after(*failure.retry_after_seconds);
  return response;
}

void add_auth_routes(http::Router& router, const AuthRoutes& r) {
  // Registration and the password step of sign-in: Argon2 on the hashing pool.
  router.add_async(Method::post, "/api/v1/auth/register",
                   limited_on_hashing_pool<api::RegisterRequest>(r, [r](const api::RegisterRequest& body,
                                                                        const ClientContext& client) {
                     auto user = r.accounts.register_account(body, client);
                     if (!user.ok()) return failure_response(user.error());
                     return Response::json(201, api::to_json(api::RegisterResponse{user.value()}));
                   }));
  router.add_async(Method::post, "/api/v1/auth/token",
                   limited_on_hashing_pool<api::TokenRequest>(r, [r](const api::TokenRequest& body,
                                                                     const ClientContext& client) {
                     auto issued = r.login.sign_in(body, client);
                     if (!issued.ok()) return failure_response(issued.error());
                     return token_response(issued.value(), body.delivery, r.refresh_cookie);
                   }));

  // Refresh: the token from the body, or from the cookie with the CSRF header.
  router.add(Method::post, "/api/v1/auth/refresh", [r](const Request& request) {
    if (auto limited = rate_limited(request, r.ip_limiter)) return std::move(*limited);
    std::string token;
    api::TokenDelivery delivery = api::TokenDelivery::body;
    if (auto cookie = http::read_cookie(request, r.refresh_cookie.name); cookie && request.body().empty()) {
      if (auto refused = csrf_failure(request)) return failure_response(*refused);
      token = *cookie;
      delivery = api::TokenDelivery::cookie;
    } else if (request.body().empty()) {
      return failure_response(Failure{ErrorCode::invalid_token, "no refresh token was sent", {}, std::nullopt});
    } else {
      auto body = http::parse_json_body<api::RefreshRequest>(request, r.max_body_bytes);
      if (!body) return Response::problem(body.problem());
      if (!body->refresh_token) {
        return failure_response(Failure{ErrorCode::invalid_token, "no refresh token was sent", {}, std::nullopt});
      }
      token = *body->refresh_token;
    }
    auto issued = r.tokens.refresh(token, client_of(request));
    if (!issued.ok()) {
      Response failed = failure_response(issued.error());
      return delivery == api::TokenDelivery::cookie ? clear_refresh_cookie(std::move(failed), r.refresh_cookie) : failed;
    }
    return token_response(issued.value(), delivery, r.refresh_cookie);
  });

  // Logout: the Bearer token's session, or the refresh cookie's (with CSRF checks).
  router.add(Method::post, "/api/v1/auth/logout", [r](const Request& request) {
    const auto cookie = http::read_cookie(request, r.refresh_cookie.name);
    Outcome<void> signed_out = Failure{};
    if (!request.header("Authorization") && cookie) {
      if (auto refused = csrf_failure(request)) return failure_response(*refused);
      signed_out = r.sessions.sign_out_with_refresh_token(*cookie, client_of(request));
    } else {
      auto principal = authenticate(request, r.tokens);
      if (!principal.ok()) return failure_response(principal.error());
      signed_out = r.sessions.sign_out(principal.value(), client_of(request));
    }
    if (!signed_out.ok()) return clear_refresh_cookie(failure_response(signed_out.error()), r.refresh_cookie);
    return clear_refresh_cookie(Response::no_content(), r.refresh_cookie);
  });

  router.add(Method::get, "/api/v1/auth/me", [r](const Request& request) {
    auto principal = authenticate(request, r.tokens);
    if (!principal.ok()) return failure_response(principal.error());
    return or_failure<api::User>(r.accounts.me(principal.value()),
                                 [](const api::User& user) { return Response::json(200, api::to_json(user)); });
  });

  router.add_async(Method::post, "/api/v1/auth/password/change", [r](const Request& request, http::AsyncResponse out) {
    auto principal = authenticate(request, r.tokens);
    if (!principal.ok()) {
      out.send(failure_response(principal.error()));
      return;
    }
    auto body = http::parse_json_body<api::PasswordChangeRequest>(request, r.max_body_bytes);
    if (!body) {
      out.send(Response::problem(body.problem()));
      return;
    }
    http::respond_from_pool(r.hashing_pool, out,
                            [r, who = principal.value(), body = std::move(*body), client = client_of(request)] {
                              auto changed = r.accounts.change_password(who, body, client);
                              return changed.ok() ? Response::no_content() : failure_response(changed.error());
                            });
  });

  router.add(Method::get, "/api/v1/auth/sessions", [r](const Request& request) {
    auto principal = authenticate(request, r.tokens);
    if (!principal.ok()) return failure_response(principal.error());
    return or_failure<api::SessionsResponse>(r.sessions.list(principal.value()), [](const api::SessionsResponse& list) {
      return Response::json(200, api::to_json(list));
    });
  });

  router.add(Method::delete_, "/api/v1/auth/sessions/:id", [r](const Request& request) {
    auto principal = authenticate(request, r.tokens);
    if (!principal.ok()) return failure_response(principal.error());
    auto revoked = r.sessions.revoke(principal.value(), SessionId{std::string(request.path_param("id"))},
                                     client_of(request));
    return revoked.ok() ? Response::no_content() : failure_response(revoked.error());
  });

  router.add(Method::delete_, "/api/v1/auth/sessions", [r](const Request& request) {
    auto principal = authenticate(request, r.tokens);
    if (!principal.ok()) return failure_response(principal.error());
    auto revoked = r.sessions.revoke_others(principal.value(), client_of(request));
    return revoked.ok() ? Response::no_content() : failure_response(revoked.error());
  });

  router.add(Method::get, "/.well-known/jwks.json",
             [r](const Request&) { return Response::json(200, r.tokens.jwks()); });
}

}  // namespace sesame::server
