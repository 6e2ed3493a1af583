#pragma once
// The prepared statements of postgres_recovery_store.cpp (mail outbox, account
// tokens), prepared on every pooled connection with those of postgres_store.cpp.
#include <span>

#include "store/postgres/postgres_pool.hpp"

namespace sesame::server {

[[nodiscard]] std::span<const postgres::PreparedStatement> postgres_recovery_statements() noexcept;

}  // namespace sesame::server
