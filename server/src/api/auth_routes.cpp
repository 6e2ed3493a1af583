// Registration, the password step of sign-in, refresh, logout, me, password
// change and the JWKS.
#include "api/route_support.hpp"
#include "http/cookies.hpp"
#include "http/form_body.hpp"

namespace sesame::server {

constexpr int kJwksMaxAgeSeconds = 300;

using http::Method;
using http::Request;
using http::Response;

namespace {

// RFC 7662 §2.1: a form, the usual shape; JSON as every other route.
http::ParsedBody<api::IntrospectionRequest> introspection_request(const Request& request, std::size_t max_bytes) {
  if (!http::is_form_media_type(request.header("Content-Type").value_or(std::string_view{}))) {
    return http::parse_json_body<api::IntrospectionRequest>(request, max_bytes);
  }
  if (request.body().size() > max_bytes) return api::make_problem(ErrorCode::payload_too_large, "the body is too large");
  auto fields = http::decode_form(request.body());
  if (!fields) return api::make_problem(ErrorCode::malformed_json, "the form is not well formed");
  auto parsed = api::from_json_checked<api::IntrospectionRequest>(*fields);
  if (!parsed.ok()) return api::problem_for_invalid_body(parsed.error());
  return std::move(parsed).value();
}

// RFC 7662 §2.2: only "active" for a token that is not.
nlohmann::json introspection_json(const Introspection& result) {
  if (!result.active) return {{"active", false}};
  const AccessTokenClaims& claims = result.claims;
  nlohmann::json out{{"active", true},     {"token_type", "Bearer"}, {"sub", claims.sub}, {"sid", claims.sid},
                     {"exp", claims.exp},  {"iat", claims.iat},      {"iss", claims.iss}, {"aud", claims.aud},
                     {"jti", claims.jti},  {"roles", claims.roles},  {"amr", claims.amr}};
  if (!claims.tenant_id.empty()) out["tenant_id"] = claims.tenant_id;
  if (const auto scope = claims.extra.find("scope"); scope != claims.extra.end() && scope->is_string()) {
    out["scope"] = *scope;
  }
  return out;
}

}  // namespace

void add_auth_routes(http::Router& router, const ApiServices& s) {
  router.add_async(Method::post, "/api/v1/auth/register",
                   limited_on_hashing_pool<api::RegisterRequest>(s, [s](const api::RegisterRequest& body,
                                                                        const ClientContext& client) {
                     return or_failure(s.accounts.register_account(body, client), [](const api::User& user) {
                       return Response::json(201, api::to_json(api::RegisterResponse{user}));
                     });
                   }));

  router.add_async(Method::post, "/api/v1/auth/token",
                   limited_on_hashing_pool<api::TokenRequest>(s, [s](const api::TokenRequest& body,
                                                                     const ClientContext& client) {
                     return or_failure(s.login.sign_in(body, client), [&](const SignInOutcome& outcome) {
                       if (const auto* challenge = std::get_if<api::MfaChallenge>(&outcome)) {
                         return never_cached(Response::json(200, api::to_json(*challenge)));
                       }
                       return token_response(std::get<IssuedTokens>(outcome), body.delivery, s.refresh_cookie);
                     });
                   }));

  // The token from the body, or from the cookie with the CSRF header.
  router.add(Method::post, "/api/v1/auth/refresh", [s](const Request& request) {
    if (auto limited = rate_limited(request, s.ip_limiter)) return std::move(*limited);
    std::string token;
    api::TokenDelivery delivery = api::TokenDelivery::body;
    if (auto cookie = http::read_cookie(request, s.refresh_cookie.name); cookie && request.body().empty()) {
      if (auto refused = csrf_failure(request)) return failure_response(*refused);
      token = *cookie;
      delivery = api::TokenDelivery::cookie;
    } else if (request.body().empty()) {
      return failure_response(Failure{ErrorCode::invalid_token, "no refresh token was sent", {}, std::nullopt});
    } else {
      auto body = http::parse_json_body<api::RefreshRequest>(request, s.max_body_bytes);
      if (!body) return Response::problem(body.problem());
      if (!body->refresh_token) {
        return failure_response(Failure{ErrorCode::invalid_token, "no refresh token was sent", {}, std::nullopt});
      }
      token = *body->refresh_token;
    }
    auto issued = s.tokens.refresh(token, client_of(request));
    if (!issued.ok()) {
      Response failed = failure_response(issued.error());
      return delivery == api::TokenDelivery::cookie ? clear_refresh_cookie(std::move(failed), s.refresh_cookie) : failed;
    }
    return token_response(issued.value(), delivery, s.refresh_cookie);
  });

  // The Bearer token's session, or the refresh cookie's (with CSRF checks).
  router.add(Method::post, "/api/v1/auth/logout", [s](const Request& request) {
    const auto cookie = http::read_cookie(request, s.refresh_cookie.name);
    Outcome<void> signed_out = Failure{};
    if (!request.header("Authorization") && cookie) {
      if (auto refused = csrf_failure(request)) return failure_response(*refused);
      signed_out = s.sessions.sign_out_with_refresh_token(*cookie, client_of(request));
    } else {
      auto principal = authenticate_allowing_restricted(request, s.tokens);
      if (!principal.ok()) return failure_response(principal.error());
      signed_out = s.sessions.sign_out(principal.value(), client_of(request));
    }
    if (!signed_out.ok()) return clear_refresh_cookie(failure_response(signed_out.error()), s.refresh_cookie);
    return clear_refresh_cookie(Response::no_content(), s.refresh_cookie);
  });

  router.add(Method::get, "/api/v1/auth/me", [s](const Request& request) {
    auto principal = authenticate_allowing_restricted(request, s.tokens);
    if (!principal.ok()) return failure_response(principal.error());
    return or_failure(s.accounts.me(principal.value()),
                      [](const api::User& user) { return Response::json(200, api::to_json(user)); });
  });

  router.add_async(Method::post, "/api/v1/auth/password/change",
                   authorized_on_hashing_pool<api::PasswordChangeRequest>(
                       s, [s](const Principal& who, const api::PasswordChangeRequest& body, const ClientContext& client) {
                         return or_failure(s.accounts.change_password(who, body, client),
                                           [] { return Response::no_content(); });
                       },
                       &authenticate_for_password_change));

  // Whoever holds an access token may ask whether it is still active: the
  // answer tells only what the token's own claims say, plus revocation. No
  // per-IP limit: a backend asks for every request it serves, and a signed
  // token cannot be guessed.
  router.add(Method::post, "/api/v1/auth/introspect", [s](const Request& request) {  // kIntrospectionPath
    auto body = introspection_request(request, s.max_body_bytes);
    if (!body) return Response::problem(body.problem());
    return or_failure(s.tokens.introspect(body->token), [](const Introspection& result) {
      return Response::json(200, introspection_json(result));
    });
  });

  router.add(Method::get, "/.well-known/jwks.json",
             [s](const Request&) {
               // Short enough that verifiers see a rotated key soon (the previous key stays published).
               Response keys = Response::json(200, s.tokens.jwks());
               keys.set_header("Cache-Control", "public, max-age=" + std::to_string(kJwksMaxAgeSeconds));
               return keys;
             });
}

}  // namespace sesame::server
