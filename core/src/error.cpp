#include "sesame/error.hpp"

namespace sesame {

std::string_view error_code_name(ErrorCode code) noexcept {
  switch (code) {
#define SESAME_CODE(name) \
  case ErrorCode::name:   \
    return #name;
    SESAME_CODE(invalid_argument)
    SESAME_CODE(input_too_large)
    SESAME_CODE(invalid_base32)
    SESAME_CODE(invalid_base64url)
    SESAME_CODE(invalid_otp_parameters)
    SESAME_CODE(invalid_otpauth_uri)
    SESAME_CODE(qr_data_too_long)
    SESAME_CODE(jwt_malformed)
    SESAME_CODE(jwt_unsupported_algorithm)
    SESAME_CODE(jwt_unsupported_type)
    SESAME_CODE(jwt_unknown_key)
    SESAME_CODE(jwt_invalid_signature)
    SESAME_CODE(jwt_expired)
    SESAME_CODE(jwt_not_yet_valid)
    SESAME_CODE(jwt_issued_in_future)
    SESAME_CODE(jwt_invalid_issuer)
    SESAME_CODE(jwt_invalid_audience)
    SESAME_CODE(jwt_missing_claim)
    SESAME_CODE(jwt_invalid_key)
    SESAME_CODE(invalid_session_transition)
    SESAME_CODE(invalid_backup_code)
    SESAME_CODE(invalid_json)
    SESAME_CODE(missing_field)
    SESAME_CODE(invalid_field)
    SESAME_CODE(invalid_timestamp)
    SESAME_CODE(malformed_json)
    SESAME_CODE(validation_failed)
    SESAME_CODE(payload_too_large)
    SESAME_CODE(unsupported_media_type)
    SESAME_CODE(method_not_allowed)
    SESAME_CODE(not_found)
    SESAME_CODE(unauthorized)
    SESAME_CODE(invalid_credentials)
    SESAME_CODE(invalid_token)
    SESAME_CODE(token_expired)
    SESAME_CODE(session_revoked)
    SESAME_CODE(refresh_token_reused)
    SESAME_CODE(forbidden)
    SESAME_CODE(csrf_check_failed)
    SESAME_CODE(account_locked)
    SESAME_CODE(account_disabled)
    SESAME_CODE(rate_limited)
    SESAME_CODE(email_taken)
    SESAME_CODE(password_policy_violation)
    SESAME_CODE(invalid_mfa_code)
    SESAME_CODE(mfa_token_invalid)
    SESAME_CODE(mfa_not_enabled)
    SESAME_CODE(mfa_already_enabled)
    SESAME_CODE(mfa_setup_not_started)
    SESAME_CODE(reauthentication_required)
    SESAME_CODE(mfa_enrollment_required)
    SESAME_CODE(reset_token_invalid)
    SESAME_CODE(verification_token_invalid)
    SESAME_CODE(password_breached)
    SESAME_CODE(email_not_verified)
    SESAME_CODE(bad_request)
    SESAME_CODE(request_timeout)
    SESAME_CODE(headers_too_large)
    SESAME_CODE(server_busy)
    SESAME_CODE(service_unavailable)
    SESAME_CODE(internal_error)
#undef SESAME_CODE
  }
  return "unknown_error";
}

}  // namespace sesame
