#include "sesame/refresh.hpp"

#include <algorithm>

namespace sesame {
namespace {

constexpr std::int64_t kMsPerSecond = 1000;

// NaN fails both comparisons, so it is refused too.
bool is_jitter_unit(double jitter_unit) noexcept { return jitter_unit >= 0.0 && jitter_unit < 1.0; }

// floor(jitter_unit * span) for span <= max_unix_ms (< 2^53, exact as a double).
std::int64_t jitter_share(double jitter_unit, std::int64_t span) noexcept {
  const auto share = static_cast<std::int64_t>(jitter_unit * static_cast<double>(span));
  return std::clamp<std::int64_t>(share, 0, span);
}

}  // namespace

Result<void> validate_refresh_policy(const RefreshPolicy& policy) {
  if (policy.refresh_after_permille < 1 || policy.refresh_after_permille > 1000) {
    return Error{ErrorCode::invalid_argument, "refresh_after_permille must be in [1, 1000]"};
  }
  if (policy.refresh_margin_ms < 0 || policy.refresh_margin_ms > max_unix_ms) {
    return Error{ErrorCode::invalid_argument, "refresh_margin_ms out of range"};
  }
  if (policy.max_jitter_ms < 0 || policy.max_jitter_ms > max_unix_ms) {
    return Error{ErrorCode::invalid_argument, "max_jitter_ms out of range"};
  }
  if (policy.max_delay_ms < 1) {
    return Error{ErrorCode::invalid_argument, "max_delay_ms must be positive"};
  }
  if (policy.retry_base_delay_ms < 1 || policy.retry_base_delay_ms > policy.retry_max_delay_ms ||
      policy.retry_max_delay_ms > max_unix_ms) {
    return Error{ErrorCode::invalid_argument, "retry delays must satisfy 1 <= base <= max"};
  }
  return {};
}

Result<RefreshPlan> plan_refresh(std::int64_t issued_at_unix_seconds, std::int64_t expires_at_unix_seconds,
                                 std::int64_t now_unix_ms, const RefreshPolicy& policy, double jitter_unit) {
  if (auto valid = validate_refresh_policy(policy); !valid) return valid.error();
  if (issued_at_unix_seconds < 0 || issued_at_unix_seconds > max_unix_seconds || expires_at_unix_seconds < 0 ||
      expires_at_unix_seconds > max_unix_seconds) {
    return Error{ErrorCode::invalid_argument, "token times out of range"};
  }
  if (expires_at_unix_seconds <= issued_at_unix_seconds) {
    return Error{ErrorCode::invalid_argument, "token expires before it is issued"};
  }
  if (now_unix_ms < 0 || now_unix_ms > max_unix_ms) return Error{ErrorCode::invalid_argument, "now out of range"};
  if (!is_jitter_unit(jitter_unit)) return Error{ErrorCode::invalid_argument, "jitter_unit must be in [0, 1)"};

  // Every quantity below is at most max_unix_ms (< 2^48), and the product with the
  // permille at most 2^58: no overflow.
  const std::int64_t issued_at_ms = issued_at_unix_seconds * kMsPerSecond;
  const std::int64_t expires_at_ms = expires_at_unix_seconds * kMsPerSecond;
  const std::int64_t lifetime_ms = expires_at_ms - issued_at_ms;

  if (now_unix_ms >= expires_at_ms) return RefreshPlan{now_unix_ms, 0, true};

  const std::int64_t by_share_ms = lifetime_ms * policy.refresh_after_permille / 1000;
  const std::int64_t by_margin_ms = lifetime_ms - std::min(policy.refresh_margin_ms, lifetime_ms / 2);
  // From issue; strictly inside the lifetime, since a token is expired at its exp.
  const std::int64_t offset_ms = std::min({by_share_ms, by_margin_ms, lifetime_ms - 1});
  const std::int64_t jitter_ms = jitter_share(jitter_unit, std::min(policy.max_jitter_ms, offset_ms / 2));
  const std::int64_t planned_ms = issued_at_ms + offset_ms - jitter_ms;

  const std::int64_t delay_ms = std::clamp<std::int64_t>(planned_ms - now_unix_ms, 0, policy.max_delay_ms);
  return RefreshPlan{now_unix_ms + delay_ms, delay_ms, false};
}

Result<std::int64_t> retry_delay_ms(std::uint32_t attempt, const RefreshPolicy& policy, double jitter_unit) {
  if (auto valid = validate_refresh_policy(policy); !valid) return valid.error();
  if (attempt == 0) return Error{ErrorCode::invalid_argument, "attempt counts from 1"};
  if (!is_jitter_unit(jitter_unit)) return Error{ErrorCode::invalid_argument, "jitter_unit must be in [0, 1)"};

  // Double until the cap; stops before any overflow since the cap is <= max_unix_ms.
  std::int64_t ceiling_ms = policy.retry_base_delay_ms;
  for (std::uint32_t i = 1; i < attempt && ceiling_ms < policy.retry_max_delay_ms; ++i) ceiling_ms *= 2;
  ceiling_ms = std::min(ceiling_ms, policy.retry_max_delay_ms);
  return jitter_share(jitter_unit, ceiling_ms);
}

}  // namespace sesame
