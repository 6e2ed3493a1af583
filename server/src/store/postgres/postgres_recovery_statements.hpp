#pragma once
// The prepared statements of postgres_recovery_store.cpp (mail outbox, account
// tokens), prepared on every pooled connection with those of postgres_store.cpp.
#include <span>

#include "store/postgres/postgres_pool.hpp"
#include "store/records.hpp"

namespace sesame::server {

[[nodiscard]] std::span<const postgres::PreparedStatement> postgres_recovery_statements() noexcept;

namespace postgres {
// Writes an outbox message inside another store call's transaction, so that a
// change and the mail it causes commit together.
void insert_mail(pqxx::transaction_base& transaction, const MailRecord& mail);
}  // namespace postgres

}  // namespace sesame::server
