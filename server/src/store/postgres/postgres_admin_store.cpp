// PostgresStore: what admins read and change (users across a tenant, tenants).
// Changes that end sessions do so in the same transaction.
#include <algorithm>
#include <string>

#include "store/json_columns.hpp"
#include "store/store_rules.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/postgres/postgres_users.hpp"

namespace sesame::server {

namespace {

using postgres::NullableParam;
using postgres::PreparedStatement;


// Keyset pages: (created_at, id) after the cursor; '' / NULL turn a filter off.
constexpr PreparedStatement kListUsers{
    "admin_list_users",
    "SELECT " SESAME_POSTGRES_USER_COLUMNS " FROM users"
    " WHERE ($1 = '' OR tenant_id = $1) AND ($2 = '' OR email_key LIKE $2 ESCAPE '\\')"
    " AND ($3::boolean IS NULL OR disabled = $3::boolean)"
    " AND ($4::bigint IS NULL OR (created_at, id) > ($4::bigint, $5))"
    " ORDER BY created_at, id LIMIT $6::integer"};
constexpr PreparedStatement kLockUser{
    "admin_lock_user", "SELECT " SESAME_POSTGRES_USER_COLUMNS " FROM users WHERE id = $1 FOR UPDATE"};
constexpr PreparedStatement kUpdateUser{
    "admin_update_user",
    "UPDATE users SET name = $2, roles = $3::jsonb, disabled = $4::boolean, email_verified = $5::boolean,"
    " updated_at = $6::bigint WHERE id = $1"};
constexpr PreparedStatement kRevokeUserSessions{
    "admin_revoke_user_sessions",
    "UPDATE sessions SET revoked_at = $2::bigint, revoked_reason = $3 WHERE user_id = $1 AND revoked_at IS NULL"};
constexpr PreparedStatement kInsertTenant{
    "admin_insert_tenant",
    "INSERT INTO tenants (id, name, disabled, created_at) VALUES ($1, $2, $3::boolean, $4::bigint)"
    " ON CONFLICT (id) DO NOTHING"};
constexpr PreparedStatement kSelectTenant{"admin_select_tenant",
                                          "SELECT id, name, disabled, created_at FROM tenants WHERE id = $1"};
constexpr PreparedStatement kListTenants{"admin_list_tenants",
                                         "SELECT id, name, disabled, created_at FROM tenants ORDER BY id"};
constexpr PreparedStatement kSetTenantDisabled{
    "admin_set_tenant_disabled",
    "UPDATE tenants SET disabled = $2::boolean WHERE id = $1 RETURNING id, name, disabled, created_at"};
constexpr PreparedStatement kRevokeTenantSessions{
    "admin_revoke_tenant_sessions",
    "UPDATE sessions SET revoked_at = $2::bigint, revoked_reason = $3"
    " WHERE revoked_at IS NULL AND user_id IN (SELECT id FROM users WHERE tenant_id = $1)"};

constexpr PreparedStatement kAdminStatements[] = {
    kListUsers,    kLockUser,    kUpdateUser,        kRevokeUserSessions,   kInsertTenant,
    kSelectTenant, kListTenants, kSetTenantDisabled, kRevokeTenantSessions,
};

TenantRecord read_tenant(const pqxx::row& row) {
  return {row[0].as<std::string>(), row[1].as<std::string>(), row[2].as<bool>(), row[3].as<std::int64_t>()};
}

}  // namespace

std::span<const postgres::PreparedStatement> postgres_admin_statements() noexcept { return kAdminStatements; }

Result<std::vector<UserRecord>> PostgresStore::list_users(const UserQuery& query) {
  return pool_.run([&](pqxx::connection& connection) -> Result<std::vector<UserRecord>> {
    pqxx::nontransaction session(connection);
    std::optional<std::int64_t> after_created;
    std::string after_id;
    if (query.after) {
      after_created = query.after->first;
      after_id = query.after->second;
    }
    const auto rows = session.exec_prepared(kListUsers.name, query.tenant_id, like_prefix_pattern(query.email_key_prefix),
                                            query.disabled, after_created, after_id,
                                            user_page_limit(query.limit));
    std::vector<UserRecord> users;
    users.reserve(rows.size());
    for (const auto& row : rows) {
      auto user = postgres::read_user(row);
      if (!user) return user.error();
      users.push_back(std::move(user).value());
    }
    return users;
  });
}

Result<std::optional<UserRecord>> PostgresStore::update_user(const UserId& id, const UserChanges& changes,
                                                             std::int64_t now, std::string_view revoke_reason) {
  return pool_.run([&](pqxx::connection& connection) -> Result<std::optional<UserRecord>> {
    pqxx::work transaction(connection);
    const auto rows = transaction.exec_prepared(kLockUser.name, id.value);
    if (rows.empty()) return std::optional<UserRecord>{};
    auto found = postgres::read_user(rows[0]);
    if (!found) return found.error();
    UserRecord user = std::move(found).value();
    if (changes.name) user.name = *changes.name;
    if (changes.roles) user.roles = *changes.roles;
    if (changes.disabled) user.disabled = *changes.disabled;
    if (changes.email_verified) user.email_verified = *changes.email_verified;
    user.updated_at = now;
    transaction.exec_prepared(kUpdateUser.name, id.value, user.name, encode_string_list(user.roles), user.disabled,
                              user.email_verified, now);
    if (changes.disabled.value_or(false)) {
      transaction.exec_prepared(kRevokeUserSessions.name, id.value, now, std::string(revoke_reason));
    }
    transaction.commit();
    return std::optional<UserRecord>(std::move(user));
  });
}

Result<void> PostgresStore::create_tenant(const TenantRecord& tenant) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::nontransaction session(connection);
    const auto inserted =
        session.exec_prepared(kInsertTenant.name, tenant.id, tenant.name, tenant.disabled, tenant.created_at);
    if (inserted.affected_rows() == 0) return Error{ErrorCode::tenant_exists, "a tenant with this id exists"};
    return {};
  });
}

Result<std::optional<TenantRecord>> PostgresStore::find_tenant(std::string_view id) {
  return pool_.run([&](pqxx::connection& connection) -> Result<std::optional<TenantRecord>> {
    pqxx::nontransaction session(connection);
    const auto rows = session.exec_prepared(kSelectTenant.name, std::string(id));
    if (rows.empty()) return std::optional<TenantRecord>{};
    return std::optional<TenantRecord>(read_tenant(rows[0]));
  });
}

Result<std::vector<TenantRecord>> PostgresStore::list_tenants() {
  return pool_.run([&](pqxx::connection& connection) -> Result<std::vector<TenantRecord>> {
    pqxx::nontransaction session(connection);
    std::vector<TenantRecord> tenants;
    for (const auto& row : session.exec_prepared(kListTenants.name)) tenants.push_back(read_tenant(row));
    return tenants;
  });
}

Result<std::optional<TenantRecord>> PostgresStore::set_tenant_disabled(std::string_view id, bool disabled,
                                                                       std::int64_t now,
                                                                       std::string_view revoke_reason) {
  return pool_.run([&](pqxx::connection& connection) -> Result<std::optional<TenantRecord>> {
    pqxx::work transaction(connection);
    const auto rows = transaction.exec_prepared(kSetTenantDisabled.name, std::string(id), disabled);
    if (rows.empty()) return std::optional<TenantRecord>{};
    if (disabled) transaction.exec_prepared(kRevokeTenantSessions.name, std::string(id), now, std::string(revoke_reason));
    TenantRecord tenant = read_tenant(rows[0]);
    transaction.commit();
    return std::optional<TenantRecord>(std::move(tenant));
  });
}

}  // namespace sesame::server
