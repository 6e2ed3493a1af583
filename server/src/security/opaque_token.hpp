#pragma once
// Opaque bearer secrets (refresh tokens; later reset and verification tokens):
// 32 random bytes, base64url. Stores keep only hash_opaque_token(token), so a
// database leak yields nothing usable. A plain SHA-256 suffices: with 256 bits
// of entropy there is nothing to guess, unlike passwords.

#include <cstddef>
#include <string>
#include <string_view>

#include "sesame/random.hpp"

namespace sesame::server {

inline constexpr std::size_t kOpaqueTokenBytes = 32;

// 43 base64url characters.
[[nodiscard]] std::string generate_opaque_token(RandomSource& random);

// SHA-256 of the token's characters, 64 lowercase hex digits.
[[nodiscard]] std::string hash_opaque_token(std::string_view token);

}  // namespace sesame::server
