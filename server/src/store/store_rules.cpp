#include "store/store_rules.hpp"

#include <algorithm>

namespace sesame::server {

bool session_is_active(const SessionRecord& session, std::int64_t now) noexcept {
  return !session.revoked_at.has_value() && now < session.expires_at;
}

RotationOutcome decide_rotation(const std::optional<RefreshTokenRecord>& token,
                                const std::optional<SessionRecord>& session, std::int64_t now,
                                std::int64_t grace_seconds) noexcept {
  if (!token || !session) return RotationOutcome::unknown_token;
  if (!session_is_active(*session, now)) return RotationOutcome::inactive_session;
  if (token->used_at) {
    const bool within_grace = grace_seconds > 0 && now - *token->used_at <= grace_seconds;
    return within_grace ? RotationOutcome::already_rotated : RotationOutcome::reuse_detected;
  }
  if (now >= token->expires_at) return RotationOutcome::expired_token;
  return RotationOutcome::rotated;
}

RotationResult plan_rotation(const std::optional<RefreshTokenRecord>& token,
                             const std::optional<SessionRecord>& session, std::int64_t now,
                             std::int64_t grace_seconds) {
  RotationResult result;
  result.outcome = decide_rotation(token, session, now, grace_seconds);
  switch (result.outcome) {
    case RotationOutcome::unknown_token:
      return result;
    case RotationOutcome::inactive_session:
    case RotationOutcome::expired_token:
      break;
    case RotationOutcome::already_rotated:
      result.successor_sealed = token->successor_sealed;
      break;
    case RotationOutcome::reuse_detected:
      result.session = session;
      result.session->revoked_at = now;
      result.session->revoked_reason = std::string(kRefreshReuseReason);
      return result;
    case RotationOutcome::rotated:
      result.session = session;
      result.session->last_active_at = std::max(result.session->last_active_at, now);
      return result;
  }
  result.session = session;
  return result;
}

RefreshTokenRecord successor_in_session(RefreshTokenRecord successor, const SessionRecord& session) {
  successor.session_id = session.id;
  successor.expires_at = std::min(successor.expires_at, session.expires_at);
  return successor;
}

namespace {

bool window_lapsed(const LoginFailureRow& row, std::int64_t now) noexcept {
  if (row.locked_until) return now >= *row.locked_until;
  return now >= row.window_ends_at;
}

}  // namespace

LoginFailureRow next_login_failure(const std::optional<LoginFailureRow>& current, std::int64_t now,
                                   const LockoutPolicy& policy) noexcept {
  LoginFailureRow next;
  if (!current || window_lapsed(*current, now)) {
    next.failures = 1;
    next.window_ends_at = now + policy.window_seconds;
  } else {
    next = *current;
    next.failures = current->failures + 1;
  }
  if (!next.locked_until && next.failures >= std::max(policy.max_failures, 1)) {
    next.locked_until = now + policy.lock_seconds;
  }
  return next;
}

LockoutState lockout_state_at(const std::optional<LoginFailureRow>& row, std::int64_t now) noexcept {
  if (!row || window_lapsed(*row, now)) return {};
  return LockoutState{row->failures, row->locked_until};
}

std::string like_prefix_pattern(std::string_view prefix) {
  std::string pattern;
  pattern.reserve(prefix.size() + 1);
  for (const char c : prefix) {
    if (c == '%' || c == '_' || c == '\\') pattern.push_back('\\');
    pattern.push_back(c);
  }
  pattern.push_back('%');
  return pattern;
}

int user_page_limit(int requested) noexcept { return std::clamp(requested, 1, kMaxUserPage); }

}  // namespace sesame::server
