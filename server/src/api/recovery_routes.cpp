// Password reset by mail and email verification.
#include "api/route_support.hpp"

namespace sesame::server {

using http::Method;
using http::Request;
using http::Response;

void add_recovery_routes(http::Router& router, const ApiServices& s) {
  RecoveryService& recovery = *s.recovery;

  // 202 whatever the address: the answer never says whether it has an account.
  router.add(Method::post, "/api/v1/auth/password/reset/initiate", [s, &recovery](const Request& request) {
    if (auto limited = rate_limited(request, s.ip_limiter)) return std::move(*limited);
    auto body = http::parse_json_body<api::PasswordResetInitiateRequest>(request, s.max_body_bytes);
    if (!body) return Response::problem(body.problem());
    return or_failure(recovery.initiate_password_reset(*body, client_of(request)), [] { return Response(202); });
  });

  // Hashes the new password: on the hashing pool.
  router.add_async(Method::post, "/api/v1/auth/password/reset/complete",
                   limited_on_hashing_pool<api::PasswordResetCompleteRequest>(
                       s, [&recovery](const api::PasswordResetCompleteRequest& body, const ClientContext& client) {
                         return or_failure(recovery.complete_password_reset(body, client),
                                           [] { return Response::no_content(); });
                       }));

  router.add(Method::post, "/api/v1/auth/email/verify", [s, &recovery](const Request& request) {
    if (auto limited = rate_limited(request, s.ip_limiter)) return std::move(*limited);
    auto body = http::parse_json_body<api::EmailVerifyRequest>(request, s.max_body_bytes);
    if (!body) return Response::problem(body.problem());
    return or_failure(recovery.verify_email(*body, client_of(request)), [] { return Response::no_content(); });
  });

  // Bearer: a new link for the signed-in user. Without one, {email} (the body
  // of reset/initiate): for a user whose sign-in waits for the verification;
  // 202 whatever the address.
  router.add(Method::post, "/api/v1/auth/email/verify/resend", [s, &recovery](const Request& request) {
    if (request.header("Authorization")) {
      auto principal = authenticate(request, s.tokens);
      if (!principal.ok()) return failure_response(principal.error());
      return or_failure(recovery.resend_verification(principal.value(), client_of(request)),
                        [] { return Response(202); });
    }
    if (auto limited = rate_limited(request, s.ip_limiter)) return std::move(*limited);
    auto body = http::parse_json_body<api::PasswordResetInitiateRequest>(request, s.max_body_bytes);
    if (!body) return Response::problem(body.problem());
    return or_failure(recovery.resend_verification_to(body->email, client_of(request)), [] { return Response(202); });
  });
}

}  // namespace sesame::server
