#pragma once
// Stable error codes shared by the server, the browser SDK and the tests.
// The snake_case names returned by error_code_name() are part of the public
// contract (they appear as `code` in problem+json responses and in the SDK's
// typed errors): add new codes, never rename or renumber existing ones.

#include <cstdint>
#include <string>
#include <string_view>

namespace sesame {

enum class ErrorCode : std::uint16_t {
  // General
  invalid_argument = 1,
  input_too_large,

  // Encodings
  invalid_base32 = 100,
  invalid_base64url,

  // HOTP / TOTP / otpauth / QR
  invalid_otp_parameters = 200,
  invalid_otpauth_uri,
  qr_data_too_long,

  // JWS / JWT
  jwt_malformed = 300,
  jwt_unsupported_algorithm,
  jwt_unsupported_type,
  jwt_unknown_key,
  jwt_invalid_signature,
  jwt_expired,
  jwt_not_yet_valid,
  jwt_issued_in_future,
  jwt_invalid_issuer,
  jwt_invalid_audience,
  jwt_missing_claim,
  jwt_invalid_key,

  // Refresh planning and the client session state machine
  invalid_session_transition = 400,

  // Backup codes
  invalid_backup_code = 450,

  // API contract (request/response parsing)
  invalid_json = 500,
  missing_field,
  invalid_field,
  invalid_timestamp,

  // API problems: the `code` of the server's problem+json answers (RFC 9457).
  // The SDK branches on these, so they name the situation, not the status.
  malformed_json = 600,
  validation_failed,
  payload_too_large,
  unsupported_media_type,
  method_not_allowed,
  not_found,
  unauthorized,            // no credentials presented
  invalid_credentials,     // wrong email/password (never says which)
  invalid_token,           // bearer token malformed, badly signed or unknown
  token_expired,
  session_revoked,
  refresh_token_reused,    // a rotated refresh token came back: family revoked
  forbidden,
  csrf_check_failed,
  account_locked,
  account_disabled,
  rate_limited,
  email_taken,
  password_policy_violation,
  invalid_mfa_code,
  mfa_token_invalid,       // unknown, expired or already used MFA challenge
  mfa_not_enabled,
  mfa_already_enabled,
  mfa_setup_not_started,   // TOTP confirm without a pending setup
  reset_token_invalid,
  verification_token_invalid,
  server_busy,             // bounded work queue full: retry after Retry-After
  service_unavailable,     // a dependency (the store) is down
  internal_error,
  reauthentication_required,  // a sensitive change needs a recent sign-in or the password again
  mfa_enrollment_required,    // an enrolment-only token (SESAME_REQUIRE_MFA) used for anything else
  password_breached,          // the password appears in known breaches (k-anonymity range API)
  email_not_verified,         // sign-in refused until the address is verified (SESAME_REQUIRE_VERIFIED_EMAIL)
  registration_closed,        // SESAME_REGISTRATION=admin: only admins create accounts
  password_change_required,   // an admin chose the password: only password/change, me and logout until it is changed
  tenant_disabled,            // the user's tenant is disabled: no sign-in
  tenant_exists,              // a tenant with this id exists already
  bad_request,                // broken HTTP framing (Content-Length, Transfer-Encoding, request line)
  request_timeout,            // the request line, headers or body did not arrive in time
  headers_too_large,          // the request line and headers exceed the server's limit
};

// The stable wire name of a code, e.g. "invalid_base32".
[[nodiscard]] std::string_view error_code_name(ErrorCode code) noexcept;

struct Error {
  ErrorCode code;
  std::string detail;  // human-readable; never contains secret material
};

}  // namespace sesame
