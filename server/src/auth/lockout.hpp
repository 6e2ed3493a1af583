#pragma once
// The per-account lockout shared by sign-in and password change.
#include <algorithm>
#include <string>
#include <string_view>

#include "auth/service.hpp"

namespace sesame::server {

// The store key of an account's failure counter (by email, so unknown emails
// are counted too and answer like known ones).
[[nodiscard]] inline std::string lockout_key(std::string_view email_key) { return "email:" + std::string(email_key); }

[[nodiscard]] inline Failure locked_failure(std::int64_t locked_until, std::int64_t now) {
  return Failure{ErrorCode::account_locked, "too many failed sign-ins; try again later", {},
                 std::max<std::int64_t>(1, locked_until - now)};
}

}  // namespace sesame::server
