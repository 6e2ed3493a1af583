#include "auth/lockout.hpp"

namespace sesame::server {
namespace {

std::string ceiling_key(std::string_view email_key) { return "ceiling:" + std::string(email_key); }

}  // namespace

std::string AccountLockout::client_key(std::string_view email_key, std::string_view user_id,
                                       const ClientContext& client) const {
  if (!client.device_token.empty()) {
    if (auto device = devices_.device_of(user_id, client.device_token)) return "device:" + *device;
  }
  return lockout_key(email_key);
}

Outcome<void> AccountLockout::refuse_while_locked(std::string_view email_key, std::string_view user_id,
                                                  const ClientContext& client, std::int64_t now) {
  for (const std::string& key : {client_key(email_key, user_id, client), ceiling_key(email_key)}) {
    auto state = store_.lockout_state(key, now);
    if (!state.ok()) return to_failure(state.error());
    if (state->locked_until && *state->locked_until > now) return locked_failure(*state->locked_until, now);
  }
  return {};
}

Outcome<void> AccountLockout::count_failure(std::string_view email_key, std::int64_t now, std::string_view user_id,
                                            const ClientContext& client, std::string_view event) {
  const std::string account = lockout_key(email_key);
  const std::string key = client_key(email_key, user_id, client);
  auto failed = store_.record_login_failure(key, now, limits_.per_client, account);
  if (!failed.ok()) return to_failure(failed.error());
  const LockoutPolicy ceiling{limits_.account_ceiling, limits_.ceiling_window_seconds, limits_.per_client.lock_seconds};
  auto all = store_.record_login_failure(ceiling_key(email_key), now, ceiling, account);
  if (!all.ok()) return to_failure(all.error());
  const bool known_device = key != account;
  audit_.record(event, now, user_id, client,
                {{"email_key", email_key},
                 {"failures", failed->failures},
                 {"account_failures", all->failures},
                 {"known_device", known_device}});
  // Each lock is audited once: on the try that reached its limit.
  if (failed->locked_until && failed->failures == limits_.per_client.max_failures) {
    audit_.record("account.locked", now, user_id, client,
                  {{"email_key", email_key}, {"until", *failed->locked_until}, {"known_device", known_device}});
  }
  if (all->locked_until && all->failures == limits_.account_ceiling) {
    audit_.record("account.locked", now, user_id, client,
                  {{"email_key", email_key}, {"until", *all->locked_until}, {"ceiling", true}});
  }
  return {};
}

Outcome<void> AccountLockout::clear(std::string_view email_key) {
  if (auto cleared = store_.clear_login_failures(lockout_key(email_key)); !cleared.ok()) {
    return to_failure(cleared.error());
  }
  return {};
}

std::string AccountLockout::remember_device(std::string_view user_id, const ClientContext& client) const {
  if (!client.device_token.empty() && devices_.device_of(user_id, client.device_token)) return client.device_token;
  return devices_.issue(user_id, random_);
}

Outcome<void> AccountLockout::verify_password(const PasswordHasher& hasher, const UserRecord& user,
                                              std::string_view password, std::int64_t now,
                                              const ClientContext& client, std::string_view failed_event) {
  if (auto locked = refuse_while_locked(user.email_key, user.id.value, client, now); !locked.ok()) return locked;
  if (!hasher.verify(user.password_hash, password)) {
    if (auto counted = count_failure(user.email_key, now, user.id.value, client, failed_event); !counted.ok()) {
      return counted;
    }
    return Failure{ErrorCode::invalid_credentials, "the password is wrong", {}, std::nullopt};
  }
  return clear(user.email_key);
}

}  // namespace sesame::server
