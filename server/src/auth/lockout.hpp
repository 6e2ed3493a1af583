#pragma once
// The per-account lockout, shared by every step that checks a credential of a
// known account: the password at sign-in, the second factor, and the password
// asked again for sensitive changes. Counted in the store, so several instances
// share it; keyed by email, so unknown emails are counted and answer alike.
#include <algorithm>
#include <string>
#include <string_view>

#include "auth/audit_trail.hpp"
#include "auth/service.hpp"
#include "security/password_hasher.hpp"
#include "store/store.hpp"

namespace sesame::server {

// The store key of an account's failure counter.
[[nodiscard]] inline std::string lockout_key(std::string_view email_key) { return "email:" + std::string(email_key); }

[[nodiscard]] inline Failure locked_failure(std::int64_t locked_until, std::int64_t now) {
  return Failure{ErrorCode::account_locked, "too many failed sign-ins; try again later", {},
                 std::max<std::int64_t>(1, locked_until - now)};
}

class AccountLockout {
 public:
  AccountLockout(LockoutStore& store, AuditTrail& audit, LockoutPolicy policy)
      : store_(store), audit_(audit), policy_(policy) {}

  // account_locked (with Retry-After) while the account is locked.
  [[nodiscard]] Outcome<void> refuse_while_locked(std::string_view email_key, std::int64_t now);

  // Counts one failed try: audits `event` with the count, and account.locked
  // when this try locked the account.
  [[nodiscard]] Outcome<void> count_failure(std::string_view email_key, std::int64_t now, std::string_view user_id,
                                            const ClientContext& client, std::string_view event);

  [[nodiscard]] Outcome<void> clear(std::string_view email_key);

  // The signed-in user's password asked again (password change, TOTP setup
  // after the re-authentication window, TOTP disable): refused while locked,
  // and a wrong one counts, so a stolen access token cannot guess the password
  // faster than sign-in allows. invalid_credentials when wrong.
  [[nodiscard]] Outcome<void> verify_password(const PasswordHasher& hasher, const UserRecord& user,
                                              std::string_view password, std::int64_t now,
                                              const ClientContext& client, std::string_view failed_event);

 private:
  LockoutStore& store_;
  AuditTrail& audit_;
  LockoutPolicy policy_;
};

}  // namespace sesame::server
