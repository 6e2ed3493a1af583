#pragma once
// One-time backup codes for when the authenticator app is lost. Codes use
// Crockford's base32 alphabet in lowercase (no i, l, o, u: nothing to confuse), so a
// person can read them off paper and type them back. Hashing and storing them, and
// accepting each once, is the server's job.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "sesame/random.hpp"
#include "sesame/result.hpp"

namespace sesame {

inline constexpr std::string_view backup_code_alphabet = "0123456789abcdefghjkmnpqrstvwxyz";
inline constexpr std::size_t backup_code_length = 10;  // 50 bits each
inline constexpr std::size_t default_backup_code_count = 10;
inline constexpr std::size_t max_backup_code_count = 100;

// `count` distinct codes of backup_code_length characters, each character drawn
// uniformly by rejection sampling. invalid_argument when count is 0 or above
// max_backup_code_count, or when the source keeps repeating itself.
[[nodiscard]] Result<std::vector<std::string>> generate_backup_codes(RandomSource& random,
                                                                    std::size_t count = default_backup_code_count);

// For display: groups of five joined by '-', "abcde-fghjk".
[[nodiscard]] std::string format_backup_code(std::string_view code);

// What a person typed, back to the canonical code: spaces and dashes dropped,
// lowercased, and o -> 0, i/l -> 1 as Crockford decodes them. invalid_backup_code for
// any other character outside the alphabet (u included) or a wrong length.
[[nodiscard]] Result<std::string> normalize_backup_code(std::string_view typed);

}  // namespace sesame
