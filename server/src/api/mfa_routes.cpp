// The second step of sign-in, TOTP enrolment and removal, and backup codes.
// Each runs on the hashing pool (backup codes are Argon2id hashes, and setup
// and disable may check the password), but for a TOTP code at the second step.
#include "api/route_support.hpp"

namespace sesame::server {

using http::Method;
using http::Request;
using http::Response;

namespace {

Response backup_codes(const api::BackupCodesResponse& codes) { return Response::json(200, api::to_json(codes)); }

}  // namespace

void add_mfa_routes(http::Router& router, const ApiServices& s) {
  router.add_async(Method::post, "/api/v1/auth/mfa/verify",
                   limited_on_hashing_pool<api::MfaVerifyRequest>(
                       s,
                       [s](const api::MfaVerifyRequest& body, const ClientContext& client) {
                         return or_failure(s.mfa.verify(body, client), [&](const IssuedTokens& issued) {
                           return token_response(issued, body.delivery, s.refresh_cookie);
                         });
                       },
                       [](const api::MfaVerifyRequest& body) { return body.kind == api::MfaCodeKind::backup_code; }));

  // The body ({password?}) may be empty: a recent sign-in needs no password.
  router.add_async(Method::post, "/api/v1/auth/mfa/totp/setup",
                   authorized_on_hashing_pool<api::TotpSetupRequest>(
                       s,
                       [s](const Principal& who, const api::TotpSetupRequest& body, const ClientContext& client) {
                         return or_failure(s.mfa.setup(who, body, client), [](const api::TotpSetupResponse& setup) {
                           return Response::json(200, api::to_json(setup));
                         });
                       },
                       &authenticate_allowing_enrolment, BodyRequirement::optional));

  router.add_async(Method::post, "/api/v1/auth/mfa/totp/confirm",
                   authorized_on_hashing_pool<api::TotpConfirmRequest>(
                       s,
                       [s](const Principal& who, const api::TotpConfirmRequest& body, const ClientContext& client) {
                         return or_failure(s.mfa.confirm(who, body, client), backup_codes);
                       },
                       &authenticate_allowing_enrolment));

  router.add_async(Method::post, "/api/v1/auth/mfa/totp/disable",
                   authorized_on_hashing_pool<api::TotpDisableRequest>(
                       s, [s](const Principal& who, const api::TotpDisableRequest& body, const ClientContext& client) {
                         return or_failure(s.mfa.disable(who, body, client), [] { return Response::no_content(); });
                       }));

  router.add_async(Method::post, "/api/v1/auth/mfa/backup-codes/regenerate",
                   authorized_on_hashing_pool<api::BackupCodesRegenerateRequest>(
                       s, [s](const Principal& who, const api::BackupCodesRegenerateRequest& body,
                              const ClientContext& client) {
                         return or_failure(s.mfa.regenerate_backup_codes(who, body, client), backup_codes);
                       }));
}

}  // namespace sesame::server
