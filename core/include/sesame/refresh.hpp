#pragma once
// When to refresh an access token, and how long to wait after a failed refresh.
// Pure arithmetic on times passed in; the SDK turns the result into a timer.
//
// All times must come from one clock. A client whose clock differs from the
// server's should not mix the token's iat/exp with its own now: on receiving a
// TokenResponse it can pass its own receipt time as issued_at and
// receipt + expires_in as expires_at.

#include <cstdint>

#include "sesame/result.hpp"

namespace sesame {

struct RefreshPolicy {
  // Refresh once this share of the lifetime has elapsed (800 = 80%) ...
  std::int32_t refresh_after_permille = 800;
  // ... but no later than this long before expiry. Capped at half the lifetime, so a
  // token shorter than twice the margin is not refreshed the moment it arrives.
  std::int64_t refresh_margin_ms = 30'000;
  // Up to this much earlier (times the caller's jitter_unit), so that many tabs and
  // clients holding tokens of the same age do not all refresh at once. Capped at half
  // of the time from issue to the planned refresh.
  std::int64_t max_jitter_ms = 5'000;
  // The longest delay planned: 2^31 - 1 ms is the most setTimeout honours (a longer
  // delay fires at once). A plan capped here only wakes the client early.
  std::int64_t max_delay_ms = 2'147'483'647;
  // After the n-th failed refresh wait a uniform share of
  // min(retry_max_delay_ms, retry_base_delay_ms * 2^(n-1)) ("full jitter").
  std::int64_t retry_base_delay_ms = 1'000;
  std::int64_t retry_max_delay_ms = 60'000;
};

// Times beyond the year 9999 are refused as absurd (and keep the arithmetic far from
// overflow).
inline constexpr std::int64_t max_unix_seconds = 253'402'300'799;  // 9999-12-31T23:59:59Z
inline constexpr std::int64_t max_unix_ms = max_unix_seconds * 1000 + 999;

// invalid_argument unless 1 <= refresh_after_permille <= 1000, the margin and jitter
// are in [0, max_unix_ms], 1 <= max_delay_ms, and 1 <= retry_base_delay_ms <=
// retry_max_delay_ms <= max_unix_ms.
[[nodiscard]] Result<void> validate_refresh_policy(const RefreshPolicy& policy);

struct RefreshPlan {
  std::int64_t refresh_at_unix_ms = 0;  // always now_unix_ms + delay_ms
  std::int64_t delay_ms = 0;            // never negative; 0 means refresh now
  bool expired = false;                 // the token is already expired (delay is 0)
};

// Guarantees: delay_ms >= 0; unless expired, refresh_at_unix_ms is before expiry;
// expired exactly when now_unix_ms >= expires_at * 1000.
// invalid_argument for an invalid policy, expires_at <= issued_at, times outside
// [0, max_unix_seconds] / [0, max_unix_ms], or a jitter_unit outside [0, 1) (NaN included).
[[nodiscard]] Result<RefreshPlan> plan_refresh(std::int64_t issued_at_unix_seconds, std::int64_t expires_at_unix_seconds,
                                               std::int64_t now_unix_ms, const RefreshPolicy& policy,
                                               double jitter_unit);

// The wait before retry number `attempt` (1 after the first failure) of a failed
// refresh: floor(jitter_unit * min(retry_max_delay_ms, retry_base_delay_ms * 2^(attempt-1))).
// invalid_argument for attempt 0, an invalid policy or a jitter_unit outside [0, 1).
[[nodiscard]] Result<std::int64_t> retry_delay_ms(std::uint32_t attempt, const RefreshPolicy& policy,
                                                  double jitter_unit);

}  // namespace sesame
