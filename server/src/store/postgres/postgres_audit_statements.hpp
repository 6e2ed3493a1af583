#pragma once
// The prepared statements of postgres_audit_store.cpp and
// postgres_housekeeping_store.cpp, prepared on every pooled connection with
// those of postgres_store.cpp; and the chaining of the audit events that
// predate 0004_audit_chain, which the migration runner calls.
#include <pqxx/pqxx>
#include <span>

#include "store/postgres/postgres_pool.hpp"

namespace sesame::server {

[[nodiscard]] std::span<const postgres::PreparedStatement> postgres_audit_statements() noexcept;
[[nodiscard]] std::span<const postgres::PreparedStatement> postgres_housekeeping_statements() noexcept;

namespace postgres {
// Chains every unchained event, oldest (by seq) first, after the head, in the
// caller's transaction (which holds the migration lock).
void chain_existing_audit_events(pqxx::transaction_base& transaction);
}  // namespace postgres

}  // namespace sesame::server
