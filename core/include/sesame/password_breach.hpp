#pragma once
// The k-anonymity range query for breached passwords (the "Pwned Passwords"
// range API shape): only the first 5 hex characters of the password's SHA-1
// leave the machine; the service answers every suffix it knows for that prefix
// as `SUFFIX:COUNT` lines, possibly padded with entries of count 0. The I/O is
// the caller's; this is the hashing and the reading of the answer.

#include <cstdint>
#include <string>
#include <string_view>

namespace sesame {

struct BreachRangeQuery {
  std::string prefix;  // 5 upper-case hex characters: what is sent
  std::string suffix;  // the other 35: what is looked for in the answer
};

[[nodiscard]] BreachRangeQuery breach_range_query(std::string_view password);

// How often the answer lists `suffix` (case-insensitive); 0 when it is absent
// or only a padding entry. Malformed lines are skipped.
[[nodiscard]] std::int64_t breach_count(std::string_view range_body, std::string_view suffix) noexcept;

}  // namespace sesame
