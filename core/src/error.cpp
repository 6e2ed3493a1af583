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
    SESAME_CODE(invalid_json)
    SESAME_CODE(missing_field)
    SESAME_CODE(invalid_field)
#undef SESAME_CODE
  }
  return "unknown_error";
}

}  // namespace sesame
