#pragma once
// The users table, shared by the SQLite TUs (accounts, recovery, admin): one
// insert, one row reader, the column list they agree on.
#include "sesame/result.hpp"
#include "store/records.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace sesame::server::sqlite {

// Every SELECT of users lists exactly these columns, in this order.
#define SESAME_SQLITE_USER_COLUMNS                                                                         \
  "id, email, email_key, name, tenant_id, roles, password_hash, email_verified, disabled, created_at, " \
  "updated_at, password_must_change"

[[nodiscard]] Result<UserRecord> read_user(const Statement& row);

// 1 when inserted, 0 when the tenant has a user with this email_key already.
[[nodiscard]] Result<int> insert_user(Connection& connection, const UserRecord& user);

}  // namespace sesame::server::sqlite
