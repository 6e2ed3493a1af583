#pragma once
// The per-account lockout, shared by every step that checks a credential of a
// known account: the password at sign-in, the second factor, and the password
// asked again for sensitive changes. Counted in the store, so several instances
// share it; keyed by email, so unknown emails are counted and answer alike.
//
// It cannot be turned against the owner (OWASP "device cookies", docs/SECURITY.md):
//  - a client that shows a valid device token of the account (ClientContext::
//    device_token, handed out by remember_device after a sign-in) has a counter
//    of its own ("device:<id>"): its failures lock only that device, and the
//    failures of others never lock it;
//  - every other client shares the account's counter ("email:<email_key>"), as before;
//  - a hard ceiling over all of them ("ceiling:<email_key>", NIST SP 800-63B:
//    at most 100 consecutive failures) locks the account for every client.
#include <algorithm>
#include <string>
#include <string_view>

#include "auth/audit_trail.hpp"
#include "auth/service.hpp"
#include "security/device_token.hpp"
#include "security/password_hasher.hpp"
#include "store/store.hpp"

namespace sesame::server {

// The store key of an account's failure counter (of clients without a device
// token), under which its other counters are filed.
[[nodiscard]] inline std::string lockout_key(std::string_view email_key) { return "email:" + std::string(email_key); }

[[nodiscard]] inline Failure locked_failure(std::int64_t locked_until, std::int64_t now) {
  return Failure{ErrorCode::account_locked, "too many failed sign-ins; try again later", {},
                 std::max<std::int64_t>(1, locked_until - now)};
}

struct LockoutLimits {
  LockoutPolicy per_client;  // unknown clients together, and each known device
  int account_ceiling = 100;  // consecutive failures of all clients together
  std::int64_t ceiling_window_seconds = 24 * 3600;
};

class AccountLockout {
 public:
  AccountLockout(LockoutStore& store, AuditTrail& audit, const DeviceTokens& devices, RandomSource& random,
                 LockoutLimits limits)
      : store_(store), audit_(audit), devices_(devices), random_(random), limits_(limits) {}

  // account_locked (with Retry-After) while the client's counter or the
  // account's ceiling is locked. `user_id` (empty for an unknown email) is what
  // a device token must be bound to.
  [[nodiscard]] Outcome<void> refuse_while_locked(std::string_view email_key, std::string_view user_id,
                                                  const ClientContext& client, std::int64_t now);

  // Counts one failed try on the client's counter and the ceiling: audits
  // `event` with the count, and account.locked when this try locked either.
  [[nodiscard]] Outcome<void> count_failure(std::string_view email_key, std::int64_t now, std::string_view user_id,
                                            const ClientContext& client, std::string_view event);

  // Clears every counter of the account (every device's too): after a right
  // credential, an admin unlock.
  [[nodiscard]] Outcome<void> clear(std::string_view email_key);

  // The device token to hand the client after a full sign-in of `user_id`: the
  // one it showed when valid (the device keeps its identity), else a new one.
  [[nodiscard]] std::string remember_device(std::string_view user_id, const ClientContext& client) const;

  // The signed-in user's password asked again (password change, TOTP setup
  // after the re-authentication window, TOTP disable): refused while locked,
  // and a wrong one counts, so a stolen access token cannot guess the password
  // faster than sign-in allows. invalid_credentials when wrong.
  [[nodiscard]] Outcome<void> verify_password(const PasswordHasher& hasher, const UserRecord& user,
                                              std::string_view password, std::int64_t now,
                                              const ClientContext& client, std::string_view failed_event);

 private:
  // The counter this client's tries land on.
  [[nodiscard]] std::string client_key(std::string_view email_key, std::string_view user_id,
                                       const ClientContext& client) const;

  LockoutStore& store_;
  AuditTrail& audit_;
  const DeviceTokens& devices_;
  RandomSource& random_;
  LockoutLimits limits_;
};

}  // namespace sesame::server
