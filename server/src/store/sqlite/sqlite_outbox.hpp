#pragma once
// Writing an outbox message inside a transaction another store call opened, so
// that a change and the mail it causes commit together (both SQLite TUs).
#include "sesame/result.hpp"
#include "store/records.hpp"
#include "store/sqlite/sqlite_connection.hpp"

namespace sesame::server::sqlite {

[[nodiscard]] Result<void> insert_mail(Connection& connection, const MailRecord& mail);

}  // namespace sesame::server::sqlite
