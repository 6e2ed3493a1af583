#pragma once
// The numbered schema migrations of each dialect, compiled into the binary from
// migrations/<dialect>/NNNN_name.sql by cmake/EmbedMigrations.cmake.

#include <span>
#include <string_view>

namespace sesame::server {

struct Migration {
  int version;            // NNNN of the file name
  std::string_view name;  // the rest of the file name, without ".sql"
  std::string_view sql;   // the whole file: one or more statements, no transaction control
};

// 0004_audit_chain: the runner chains the audit events that exist then, in
// that migration's transaction (SQL alone cannot compute the hashes in SQLite).
inline constexpr int kAuditChainMigration = 4;

// Ascending by version; both dialects have the same versions and names.
[[nodiscard]] std::span<const Migration> sqlite_migrations() noexcept;
[[nodiscard]] std::span<const Migration> postgres_migrations() noexcept;

}  // namespace sesame::server
