#include "auth/lockout.hpp"

namespace sesame::server {

Outcome<void> AccountLockout::refuse_while_locked(std::string_view email_key, std::int64_t now) {
  auto state = store_.lockout_state(lockout_key(email_key), now);
  if (!state.ok()) return to_failure(state.error());
  if (state->locked_until && *state->locked_until > now) return locked_failure(*state->locked_until, now);
  return {};
}

Outcome<void> AccountLockout::count_failure(std::string_view email_key, std::int64_t now, std::string_view user_id,
                                            const ClientContext& client, std::string_view event) {
  auto failed = store_.record_login_failure(lockout_key(email_key), now, policy_);
  if (!failed.ok()) return to_failure(failed.error());
  audit_.record(event, now, user_id, client, {{"email_key", email_key}, {"failures", failed->failures}});
  if (failed->locked_until && *failed->locked_until > now) {
    audit_.record("account.locked", now, user_id, client, {{"email_key", email_key}, {"until", *failed->locked_until}});
  }
  return {};
}

Outcome<void> AccountLockout::clear(std::string_view email_key) {
  if (auto cleared = store_.clear_login_failures(lockout_key(email_key)); !cleared.ok()) {
    return to_failure(cleared.error());
  }
  return {};
}

Outcome<void> AccountLockout::verify_password(const PasswordHasher& hasher, const UserRecord& user,
                                              std::string_view password, std::int64_t now,
                                              const ClientContext& client, std::string_view failed_event) {
  if (auto locked = refuse_while_locked(user.email_key, now); !locked.ok()) return locked;
  if (!hasher.verify(user.password_hash, password)) {
    if (auto counted = count_failure(user.email_key, now, user.id.value, client, failed_event); !counted.ok()) {
      return counted;
    }
    return Failure{ErrorCode::invalid_credentials, "the password is wrong", {}, std::nullopt};
  }
  return clear(user.email_key);
}

}  // namespace sesame::server
