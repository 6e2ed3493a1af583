#pragma once
// The server's randomness: libsodium's CSPRNG behind the core's RandomSource,
// so the core's generators (keys, backup codes, TOTP secrets) and ours draw
// from the operating system. Tests pass a seeded source instead.

#include <cstdint>
#include <span>

#include "sesame/random.hpp"

namespace sesame::server {

// Calls sodium_init() once (thread-safe, idempotent). libsodium only fails to
// initialise when the kernel's random source is unavailable; the server cannot
// run safely then, so this aborts with a message instead of limping on.
void require_sodium();

// Thread-safe: randombytes_buf may be called from any thread.
class SodiumRandom final : public RandomSource {
 public:
  SodiumRandom() { require_sodium(); }
  void fill(std::span<std::uint8_t> out) noexcept override;
};

}  // namespace sesame::server
