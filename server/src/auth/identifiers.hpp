#pragma once
// Identifiers the server hands out: random UUIDv4 for users and sessions,
// time-ordered UUIDv7 for audit events (so newest-first paging is by id).

#include <cstdint>
#include <string>
#include <string_view>

#include "sesame/random.hpp"

namespace sesame::server {

[[nodiscard]] std::string new_uuid_v4(RandomSource& random);
[[nodiscard]] std::string new_uuid_v7(std::int64_t unix_ms, RandomSource& random);

// The canonical form of an email for uniqueness and lookup: trimmed, ASCII-lowercased.
[[nodiscard]] std::string email_key(std::string_view email);

}  // namespace sesame::server
