// SqliteStore: what admins read and change (users across a tenant, tenants).
// Changes that end sessions do so in their own transaction (BEGIN IMMEDIATE).
#include <algorithm>
#include <string>

#include "store/json_columns.hpp"
#include "store/store_rules.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/sqlite_users.hpp"

namespace sesame::server {

namespace {

using sqlite::Connection;
using sqlite::ImmediateTransaction;
using sqlite::Statement;


// Keyset pages: (created_at, id) after the cursor; '' / -1 / NULL turn a filter off.
constexpr char kListUsers[] =
    "SELECT " SESAME_SQLITE_USER_COLUMNS " FROM users"
    " WHERE (?1 = '' OR tenant_id = ?1) AND (?2 = '' OR email_key LIKE ?2 ESCAPE '\\')"
    " AND (?3 < 0 OR disabled = ?3) AND (?4 IS NULL OR (created_at, id) > (?4, ?5))"
    " ORDER BY created_at, id LIMIT ?6";
constexpr char kSelectUser[] = "SELECT " SESAME_SQLITE_USER_COLUMNS " FROM users WHERE id = ?1";
constexpr char kUpdateUser[] =
    "UPDATE users SET name = ?2, roles = ?3, disabled = ?4, email_verified = ?5, updated_at = ?6 WHERE id = ?1";
constexpr char kRevokeUserSessions[] =
    "UPDATE sessions SET revoked_at = ?2, revoked_reason = ?3 WHERE user_id = ?1 AND revoked_at IS NULL";
constexpr char kInsertTenant[] =
    "INSERT INTO tenants (id, name, disabled, created_at) VALUES (?1, ?2, ?3, ?4) ON CONFLICT (id) DO NOTHING";
constexpr char kSelectTenant[] = "SELECT id, name, disabled, created_at FROM tenants WHERE id = ?1";
constexpr char kListTenants[] = "SELECT id, name, disabled, created_at FROM tenants ORDER BY id";
constexpr char kSetTenantDisabled[] = "UPDATE tenants SET disabled = ?2 WHERE id = ?1";
constexpr char kRevokeTenantSessions[] =
    "UPDATE sessions SET revoked_at = ?2, revoked_reason = ?3"
    " WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE tenant_id = ?1)";

TenantRecord read_tenant(const Statement& row) {
  return {row.text(0), row.text(1), row.integer(2) != 0, row.integer(3)};
}

template <class Read>
auto first_row(Result<Statement> stmt, Read read) -> Result<std::optional<decltype(read(std::declval<const Statement&>()))>> {
  using Value = decltype(read(std::declval<const Statement&>()));
  if (!stmt) return stmt.error();
  auto has_row = stmt->step();
  if (!has_row) return has_row.error();
  if (!*has_row) return std::optional<Value>{};
  return std::optional<Value>(read(*stmt));
}

Result<std::optional<UserRecord>> find_user(Connection& connection, const UserId& id) {
  auto row = first_row(connection.query(kSelectUser, id.value), sqlite::read_user);
  if (!row) return row.error();
  if (!row->has_value()) return std::optional<UserRecord>{};
  if (!**row) return (**row).error();
  return std::optional<UserRecord>(std::move(**row).value());
}

}  // namespace

Result<std::vector<UserRecord>> SqliteStore::list_users(const UserQuery& query) {
  std::vector<UserRecord> users;
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  const std::int64_t disabled = query.disabled ? (*query.disabled ? 1 : 0) : -1;
  std::optional<std::int64_t> after_created;
  std::string after_id;
  if (query.after) {
    after_created = query.after->first;
    after_id = query.after->second;
  }
  auto stmt = (*lease)->query(kListUsers, query.tenant_id, like_prefix_pattern(query.email_key_prefix), disabled,
                              after_created, after_id, user_page_limit(query.limit));
  if (!stmt) return stmt.error();
  for (;;) {
    auto has_row = stmt->step();
    if (!has_row) return has_row.error();
    if (!*has_row) break;
    auto user = sqlite::read_user(*stmt);
    if (!user) return user.error();
    users.push_back(std::move(user).value());
  }
  return users;
}

Result<std::optional<UserRecord>> SqliteStore::update_user(const UserId& id, const UserChanges& changes,
                                                           std::int64_t now, std::string_view revoke_reason) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  auto found = find_user(connection, id);
  if (!found) return found.error();
  if (!found->has_value()) return std::optional<UserRecord>{};
  UserRecord user = std::move(**found);
  if (changes.name) user.name = *changes.name;
  if (changes.roles) user.roles = *changes.roles;
  if (changes.disabled) user.disabled = *changes.disabled;
  if (changes.email_verified) user.email_verified = *changes.email_verified;
  user.updated_at = now;
  if (auto updated = connection.run(kUpdateUser, id.value, user.name, encode_string_list(user.roles), user.disabled,
                                    user.email_verified, now);
      !updated) {
    return updated.error();
  }
  if (changes.disabled.value_or(false)) {
    if (auto revoked = connection.run(kRevokeUserSessions, id.value, now, revoke_reason); !revoked) {
      return revoked.error();
    }
  }
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return std::optional<UserRecord>(std::move(user));
}

Result<void> SqliteStore::create_tenant(const TenantRecord& tenant) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto inserted = (*lease)->run(kInsertTenant, tenant.id, tenant.name, tenant.disabled, tenant.created_at);
  if (!inserted) return inserted.error();
  if (*inserted == 0) return Error{ErrorCode::tenant_exists, "a tenant with this id exists"};
  return {};
}

Result<std::optional<TenantRecord>> SqliteStore::find_tenant(std::string_view id) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  return first_row((*lease)->query(kSelectTenant, id), read_tenant);
}

Result<std::vector<TenantRecord>> SqliteStore::list_tenants() {
  std::vector<TenantRecord> tenants;
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto stmt = (*lease)->query(kListTenants);
  if (!stmt) return stmt.error();
  for (;;) {
    auto has_row = stmt->step();
    if (!has_row) return has_row.error();
    if (!*has_row) break;
    tenants.push_back(read_tenant(*stmt));
  }
  return tenants;
}

Result<std::optional<TenantRecord>> SqliteStore::set_tenant_disabled(std::string_view id, bool disabled,
                                                                     std::int64_t now,
                                                                     std::string_view revoke_reason) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  auto updated = connection.run(kSetTenantDisabled, id, disabled);
  if (!updated) return updated.error();
  if (*updated == 0) return std::optional<TenantRecord>{};
  if (disabled) {
    if (auto revoked = connection.run(kRevokeTenantSessions, id, now, revoke_reason); !revoked) return revoked.error();
  }
  auto tenant = first_row(connection.query(kSelectTenant, id), read_tenant);
  if (!tenant) return tenant.error();
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return tenant;
}

}  // namespace sesame::server
