#pragma once
// The decisions both dialects share, as pure functions of the rows read inside
// the store's transaction: each store reads, asks, then writes what was decided.
// One place for the rules keeps SQLite and PostgreSQL answering alike.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "store/records.hpp"
#include "store/store.hpp"

namespace sesame::server {

// Active: not revoked and before its absolute expiry.
// Why a session ends when one of its used refresh tokens comes back.
inline constexpr std::string_view kRefreshReuseReason = "refresh_reuse";

[[nodiscard]] bool session_is_active(const SessionRecord& session, std::int64_t now) noexcept;

// What rotate_refresh_token does with the presented token, checked in this order:
//   no token (or no session)        → unknown_token
//   session revoked or expired      → inactive_session
//   token already used:
//     grace_seconds > 0 and now - used_at <= grace_seconds → already_rotated
//     otherwise                                              → reuse_detected
//   token past its expires_at       → expired_token
//   else                            → rotated
// A used token is reuse even when it has since expired: it is the stolen-token
// signal RFC 9700 asks us to act on. grace_seconds <= 0 turns the grace off.
[[nodiscard]] RotationOutcome decide_rotation(const std::optional<RefreshTokenRecord>& token,
                                              const std::optional<SessionRecord>& session, std::int64_t now,
                                              std::int64_t grace_seconds) noexcept;

// The answer rotate_refresh_token gives, as it stands once the store has made
// the writes the outcome calls for (reuse_detected: revoke the session;
// rotated: mark the token used, insert the successor, touch the session):
// the session is dropped for unknown_token, already_rotated carries the sealed
// successor, and the session shows the revocation or the touch.
[[nodiscard]] RotationResult plan_rotation(const std::optional<RefreshTokenRecord>& token,
                                           const std::optional<SessionRecord>& session, std::int64_t now,
                                           std::int64_t grace_seconds);

// The successor as stored on rotation: it belongs to the presented token's
// session and never outlives it, whatever the caller filled in.
[[nodiscard]] RefreshTokenRecord successor_in_session(RefreshTokenRecord successor, const SessionRecord& session);

// The stored lockout row of one key.
struct LoginFailureRow {
  int failures = 0;
  std::int64_t window_ends_at = 0;           // failures older than this no longer count
  std::optional<std::int64_t> locked_until;  // set when failures reached the limit
};

// The row after one more failure at `now`: a lapsed window or a lapsed lock
// starts a new window of policy.window_seconds; reaching policy.max_failures
// (at least 1) locks for policy.lock_seconds. A failure while locked is counted
// but does not extend the lock.
[[nodiscard]] LoginFailureRow next_login_failure(const std::optional<LoginFailureRow>& current, std::int64_t now,
                                                 const LockoutPolicy& policy) noexcept;

// What a row means at `now`: a lapsed window or lock reads as no failures.
[[nodiscard]] LockoutState lockout_state_at(const std::optional<LoginFailureRow>& row, std::int64_t now) noexcept;

// The LIKE pattern (ESCAPE with a backslash) matching every text that starts with `prefix`:
// its %, _ and \ match only themselves.
[[nodiscard]] std::string like_prefix_pattern(std::string_view prefix);

// A page of the admin user listing holds 1 to kMaxUserPage users.
inline constexpr int kMaxUserPage = 1000;
[[nodiscard]] int user_page_limit(int requested) noexcept;

}  // namespace sesame::server
