#pragma once
// What every auth service shares: how it fails, who is calling, and the clock.
// Services never see HTTP: the routes translate requests into these and a
// Failure into problem+json (http/problem), in one place.

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sesame/contract.hpp"
#include "sesame/result.hpp"

namespace sesame::server {

struct Failure {
  ErrorCode code = ErrorCode::internal_error;
  std::string detail;  // shown to the client: never secrets, never whether an email exists
  std::vector<api::ProblemViolation> violations;
  std::optional<std::int64_t> retry_after_seconds;
};

template <class T>
using Outcome = Result<T, Failure>;

// Store and core errors keep their code and detail.
[[nodiscard]] inline Failure to_failure(const Error& error) { return {error.code, error.detail, {}, std::nullopt}; }

// A query parameter that is malformed or out of range: 422 with a violation at /<name>.
[[nodiscard]] inline Failure invalid_query_parameter(std::string_view name, std::string detail) {
  Failure failure{ErrorCode::validation_failed, "invalid query parameter " + std::string(name), {}, std::nullopt};
  failure.violations.push_back({"invalid_field", std::move(detail), "/" + std::string(name)});
  return failure;
}

// Who is calling, for audit events and the per-IP limiter.
struct ClientContext {
  std::string ip;
  std::string user_agent;
  std::string request_id;
  // The device token the client showed (cookie or X-Sesame-Device header), for
  // the lockout: a credential, never logged or audited.
  std::string device_token;
  // The refresh token the client already holds (refresh cookie or
  // X-Sesame-Refresh header): a new sign-in ends its session (ASVS 7.2.4). A
  // credential too, never logged.
  std::string refresh_token;
};

// The clock is a parameter of every service so tests can move time.
class Clock {
 public:
  virtual ~Clock() = default;
  [[nodiscard]] virtual std::int64_t now_unix_seconds() const = 0;
};

class SystemClock final : public Clock {
 public:
  [[nodiscard]] std::int64_t now_unix_seconds() const override { return static_cast<std::int64_t>(std::time(nullptr)); }
};

}  // namespace sesame::server
