#pragma once
// The users table, shared by the PostgreSQL TUs (accounts, recovery, admin):
// one insert, one row reader, the column list they agree on; and the prepared
// statements of postgres_admin_store.cpp.
#include <span>

#include "sesame/result.hpp"
#include "store/postgres/postgres_pool.hpp"
#include "store/records.hpp"

namespace sesame::server {

// Every SELECT of users lists exactly these columns, in this order.
#define SESAME_POSTGRES_USER_COLUMNS                                                                              \
  "id, email, email_key, name, tenant_id, roles::text, password_hash, email_verified, disabled, created_at, " \
  "updated_at, password_must_change"

[[nodiscard]] std::span<const postgres::PreparedStatement> postgres_admin_statements() noexcept;

namespace postgres {
[[nodiscard]] Result<UserRecord> read_user(const pqxx::row& row);
// 1 row affected when inserted, 0 when the tenant has a user with this email_key already.
[[nodiscard]] pqxx::result insert_user(pqxx::transaction_base& transaction, const UserRecord& user);
}  // namespace postgres

}  // namespace sesame::server
