// Untrusted text to a JSON object, and the problem+json answers for the API's
// error codes.

#include "sesame/contract.hpp"

namespace sesame {
namespace {

// The deepest nesting of arrays/objects in `text`, counting brackets outside
// strings. Exact for valid JSON, and for invalid JSON exact up to the first
// error, which is as far as the parser gets: so it bounds what the parser
// would build. Stops counting once `limit` is exceeded.
int max_nesting_depth(std::string_view text, int limit) noexcept {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  bool escaped = false;
  for (const char c : text) {
    if (in_string) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    switch (c) {
      case '"':
        in_string = true;
        break;
      case '[':
      case '{':
        if (++depth > deepest) deepest = depth;
        if (deepest > limit) return deepest;
        break;
      case ']':
      case '}':
        --depth;
        break;
      default:
        break;
    }
  }
  return deepest;
}

}  // namespace

Result<nlohmann::json> parse_json_object(std::string_view text, std::size_t max_bytes) {
  if (text.size() > max_bytes) {
    return Error{ErrorCode::input_too_large, "body larger than " + std::to_string(max_bytes) + " bytes"};
  }
  if (max_nesting_depth(text, kMaxJsonDepth) > kMaxJsonDepth) {
    return Error{ErrorCode::invalid_json, "nested deeper than " + std::to_string(kMaxJsonDepth) + " levels"};
  }
  // nlohmann/json stops at a NUL byte as if the input ended there, which would
  // let anything after it through unread; JSON text never holds a raw NUL.
  if (text.find('\0') != std::string_view::npos) return Error{ErrorCode::invalid_json, "NUL byte in JSON text"};
  nlohmann::json value = nlohmann::json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return Error{ErrorCode::invalid_json, "not valid JSON"};
  if (!value.is_object()) return Error{ErrorCode::invalid_json, "expected a JSON object"};
  return value;
}

std::string_view error_field_pointer(const Error& error) noexcept {
  if (error.code != ErrorCode::missing_field && error.code != ErrorCode::invalid_field) return {};
  const std::string_view detail = error.detail;
  if (detail.empty() || detail.front() != '/') return {};
  return detail.substr(0, detail.find(": "));
}

namespace api {
namespace {

std::string_view reason_phrase(int status) noexcept {
  switch (status) {
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 413: return "Content Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Content";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

}  // namespace

int problem_status(ErrorCode code) noexcept {
  switch (code) {
    case ErrorCode::malformed_json:
    case ErrorCode::reset_token_invalid:
    case ErrorCode::verification_token_invalid:
      return 400;
    case ErrorCode::unauthorized:
    case ErrorCode::invalid_credentials:
    case ErrorCode::invalid_token:
    case ErrorCode::token_expired:
    case ErrorCode::session_revoked:
    case ErrorCode::refresh_token_reused:
    case ErrorCode::invalid_mfa_code:
    case ErrorCode::mfa_token_invalid:
      return 401;
    case ErrorCode::forbidden:
    case ErrorCode::csrf_check_failed:
    case ErrorCode::account_disabled:
    case ErrorCode::reauthentication_required:
    case ErrorCode::mfa_enrollment_required:
    case ErrorCode::email_not_verified:
    case ErrorCode::registration_closed:
    case ErrorCode::password_change_required:
    case ErrorCode::tenant_disabled:
      return 403;
    case ErrorCode::not_found:
      return 404;
    case ErrorCode::method_not_allowed:
      return 405;
    case ErrorCode::email_taken:
    case ErrorCode::tenant_exists:
    case ErrorCode::mfa_not_enabled:
    case ErrorCode::mfa_already_enabled:
    case ErrorCode::mfa_setup_not_started:
      return 409;
    case ErrorCode::payload_too_large:
      return 413;
    case ErrorCode::unsupported_media_type:
      return 415;
    case ErrorCode::validation_failed:
    case ErrorCode::password_policy_violation:
    case ErrorCode::password_breached:
      return 422;
    // Both carry Retry-After; a locked account answers like a throttled one.
    case ErrorCode::account_locked:
    case ErrorCode::rate_limited:
      return 429;
    case ErrorCode::server_busy:
    case ErrorCode::service_unavailable:
      return 503;
    case ErrorCode::bad_request:
      return 400;
    case ErrorCode::request_timeout:
      return 408;
    case ErrorCode::headers_too_large:
      return 431;
    default:
      return 500;
  }
}

Problem make_problem(ErrorCode code, std::string detail) {
  Problem problem;
  problem.status = problem_status(code);
  problem.title = std::string(reason_phrase(problem.status));
  problem.code = std::string(error_code_name(code));
  if (!detail.empty()) problem.detail = std::move(detail);
  return problem;
}

Problem problem_for_invalid_body(const Error& error) {
  switch (error.code) {
    case ErrorCode::invalid_json:
      return make_problem(ErrorCode::malformed_json, error.detail);
    case ErrorCode::input_too_large:
      return make_problem(ErrorCode::payload_too_large, error.detail);
    case ErrorCode::missing_field:
    case ErrorCode::invalid_field: {
      Problem problem = make_problem(ErrorCode::validation_failed, error.detail);
      ProblemViolation violation;
      violation.code = std::string(error_code_name(error.code));
      const std::string_view pointer = error_field_pointer(error);
      if (!pointer.empty()) {
        violation.pointer = std::string(pointer);
        // The reason without the pointer, which has its own member.
        if (pointer.size() + 2 <= error.detail.size()) violation.detail = error.detail.substr(pointer.size() + 2);
      } else if (!error.detail.empty()) {
        violation.detail = error.detail;
      }
      problem.violations = std::vector<ProblemViolation>{std::move(violation)};
      return problem;
    }
    default:
      return make_problem(ErrorCode::internal_error);
  }
}

}  // namespace api
}  // namespace sesame
