#pragma once
// Registration (with its verification mail) and password change (with its alert).

#include "auth/accounts/account_view_cache.hpp"
#include "auth/audit_trail.hpp"
#include "auth/lockout.hpp"
#include "auth/password_screen.hpp"
#include "auth/roles.hpp"
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

// An account to create: by registration, the admin CLI or an admin.
struct NewAccount {
  std::string email;
  std::optional<std::string> password;  // absent: an invitation mail lets the user choose one
  std::optional<std::string> name;
  std::string tenant_id = kDefaultTenant;
  std::vector<std::string> roles{kUserRole};
  bool password_must_change = false;
  std::string event;     // the audit event
  std::string actor_id;  // the admin who created it, if one did
};

class AccountService {
 public:
  AccountService(Store& store, const PasswordHasher& hasher, RandomSource& random, const Clock& clock,
                 AuditTrail& audit, AccountLockout& lockout, const PasswordScreen& screen, const AccountMail& mail,
                 InvalidationWatch& invalidations, bool open_registration = true,
                 std::size_t view_cache_entries = 16384)
      : store_(store), hasher_(hasher), random_(random), clock_(clock), audit_(audit), lockout_(lockout),
        screen_(screen), mail_(mail), open_registration_(open_registration),
        views_(invalidations, view_cache_entries) {}

  // 201 {user}; password_policy_violation with every violation; email_taken;
  // registration_closed (SESAME_REGISTRATION=admin); tenant_disabled.
  [[nodiscard]] Outcome<api::User> register_account(const api::RegisterRequest& request, const ClientContext& client);

  // `sesame-server admin create` and the bootstrap admin: the same rules, with
  // the admin role (and global_admin when `global`), in the default tenant.
  [[nodiscard]] Outcome<api::User> create_admin(const api::RegisterRequest& request, const ClientContext& client,
                                                bool global = false);

  // The password policy, the hash (or an invitation), the user and its mail in
  // one transaction, and the audit event. The tenant must exist and be enabled.
  [[nodiscard]] Outcome<api::User> create_account(const NewAccount& account, const ClientContext& client);

  // Checks the current password, applies the policy to the new one, stores its
  // hash and revokes every other session of the user. A wrong current password
  // counts towards the account's sign-in lockout, so a stolen access token
  // cannot be used to guess the password faster than sign-in allows.
  [[nodiscard]] Outcome<void> change_password(const Principal& principal, const api::PasswordChangeRequest& request,
                                              const ClientContext& client);

  // The user, with mfa_enabled and (when it is) backup_codes_remaining; from
  // AccountViewCache when it was read before and has not changed since.
  [[nodiscard]] Outcome<api::User> me(const Principal& principal);

 private:

  Store& store_;
  const PasswordHasher& hasher_;
  RandomSource& random_;
  const Clock& clock_;
  AuditTrail& audit_;
  AccountLockout& lockout_;
  const PasswordScreen& screen_;
  const AccountMail& mail_;
  bool open_registration_;
  AccountViewCache views_;
};

}  // namespace sesame::server
