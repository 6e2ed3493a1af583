#pragma once
// Registration (with its verification mail) and password change (with its alert).

#include "auth/audit_trail.hpp"
#include "auth/lockout.hpp"
#include "auth/password_screen.hpp"
#include "auth/recovery/account_mail.hpp"
#include "security/password_hasher.hpp"
#include "auth/service.hpp"
#include "auth/tokens/token_service.hpp"
#include "sesame/contract.hpp"
#include "sesame/password_policy.hpp"
#include "store/store.hpp"

namespace sesame::server {

// The API's view of a stored user.
[[nodiscard]] api::User to_api_user(const UserRecord& user);

// Every violation of the core's password policy, as problem+json violations.
[[nodiscard]] Failure password_policy_failure(const PasswordVerdict& verdict, std::string_view pointer);

class AccountService {
 public:
  AccountService(Store& store, const PasswordHasher& hasher, RandomSource& random, const Clock& clock,
                 AuditTrail& audit, AccountLockout& lockout, const PasswordScreen& screen, const AccountMail& mail)
      : store_(store), hasher_(hasher), random_(random), clock_(clock), audit_(audit), lockout_(lockout),
        screen_(screen), mail_(mail) {}

  // 201 {user}; password_policy_violation with every violation; email_taken.
  [[nodiscard]] Outcome<api::User> register_account(const api::RegisterRequest& request, const ClientContext& client);

  // `sesame-server admin create`: the same rules, with the admin role.
  [[nodiscard]] Outcome<api::User> create_admin(const api::RegisterRequest& request, const ClientContext& client);

  // Checks the current password, applies the policy to the new one, stores its
  // hash and revokes every other session of the user. A wrong current password
  // counts towards the account's sign-in lockout, so a stolen access token
  // cannot be used to guess the password faster than sign-in allows.
  [[nodiscard]] Outcome<void> change_password(const Principal& principal, const api::PasswordChangeRequest& request,
                                              const ClientContext& client);

  // The user, with mfa_enabled and (when it is) backup_codes_remaining.
  [[nodiscard]] Outcome<api::User> me(const Principal& principal);

 private:
  [[nodiscard]] Outcome<api::User> create_account(const api::RegisterRequest& request, std::vector<std::string> roles,
                                                  std::string_view event, const ClientContext& client);

  Store& store_;
  const PasswordHasher& hasher_;
  RandomSource& random_;
  const Clock& clock_;
  AuditTrail& audit_;
  AccountLockout& lockout_;
  const PasswordScreen& screen_;
  const AccountMail& mail_;
};

}  // namespace sesame::server
