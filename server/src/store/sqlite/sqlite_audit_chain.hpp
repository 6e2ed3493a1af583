#pragma once
// The audit chain inside a transaction another SqliteStore call opened (the
// migration runner chains the events that predate 0004_audit_chain).
#include "sesame/result.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace sesame::server::sqlite {

// Chains every unchained event, oldest (by seq) first, after the head; the
// caller holds the write lock.
[[nodiscard]] Result<void> chain_existing_audit_events(Connection& connection);

}  // namespace sesame::server::sqlite
