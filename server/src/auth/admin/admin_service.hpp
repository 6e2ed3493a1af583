#pragma once
// What admins do: list, create and change users, end a user's sessions, clear
// a lockout, read the audit log, and (global admins) manage tenants. The api
// layer lets only admins in (authenticate_admin); here each call is confined to
// the actor's tenant unless the actor is a global admin, and every change is
// audited with the actor's id. A user of another tenant is not_found, so an
// admin learns nothing about other tenants.

#include <optional>
#include <string>

#include "auth/accounts/account_service.hpp"
#include "auth/audit_trail.hpp"
#include "auth/lockout.hpp"
#include "auth/service.hpp"
#include "auth/tokens/token_service.hpp"
#include "sesame/contract.hpp"
#include "store/store.hpp"

namespace sesame::server {

// GET /admin/users?email=&disabled=&limit=&cursor=
struct AdminUserFilter {
  std::string email;  // a prefix of the address (case-insensitive)
  std::optional<bool> disabled;
  int limit = 50;
  std::string cursor;  // next_cursor of the previous page
};

// GET /admin/audit?user_id=&type=&limit=&cursor=
struct AdminAuditFilter {
  std::string user_id;
  std::string type;
  int limit = 50;
  std::string cursor;
};

class AdminService {
 public:
  AdminService(Store& store, AccountService& accounts, AccountLockout& lockout, const Clock& clock, AuditTrail& audit)
      : store_(store), accounts_(accounts), lockout_(lockout), clock_(clock), audit_(audit) {}

  [[nodiscard]] Outcome<api::AdminUserList> list_users(const Principal& actor, const AdminUserFilter& filter);
  // With a password the user must change it at the first sign-in; without
  // one they get an invitation mail. Only a global admin names another tenant
  // or gives the global_admin role.
  [[nodiscard]] Outcome<api::User> create_user(const Principal& actor, const api::AdminCreateUserRequest& request,
                                               const ClientContext& client);
  // Disabling ends every session of the user at once.
  [[nodiscard]] Outcome<api::User> update_user(const Principal& actor, const UserId& id,
                                               const api::AdminUpdateUserRequest& request, const ClientContext& client);
  [[nodiscard]] Outcome<int> revoke_sessions(const Principal& actor, const UserId& id, const ClientContext& client);
  [[nodiscard]] Outcome<void> clear_lockout(const Principal& actor, const UserId& id, const ClientContext& client);
  [[nodiscard]] Outcome<api::AuditEventList> list_audit(const Principal& actor, const AdminAuditFilter& filter);

  // Global admins only (forbidden otherwise).
  [[nodiscard]] Outcome<api::TenantList> list_tenants(const Principal& actor);
  [[nodiscard]] Outcome<api::Tenant> create_tenant(const Principal& actor, const api::AdminCreateTenantRequest& request,
                                                   const ClientContext& client);
  // Disabling ends every session of the tenant's users at once.
  [[nodiscard]] Outcome<api::Tenant> update_tenant(const Principal& actor, std::string_view id,
                                                   const api::AdminUpdateTenantRequest& request,
                                                   const ClientContext& client);

 private:
  // The user, when the actor may see it (same tenant, or a global admin).
  [[nodiscard]] Outcome<UserRecord> visible_user(const Principal& actor, const UserId& id);

  Store& store_;
  AccountService& accounts_;
  AccountLockout& lockout_;
  const Clock& clock_;
  AuditTrail& audit_;
};

}  // namespace sesame::server
