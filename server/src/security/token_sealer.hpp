#pragma once
// Small secrets kept recoverable at rest: a refresh token's successor during
// the reuse grace interval, TOTP secrets. Sealed with crypto_secretbox
// (XSalsa20-Poly1305) under a subkey of the at-rest key, derived per purpose
// (crypto_kdf), so a value sealed for one purpose never opens as another even
// if someone with database access moves it between columns.
//
// Sealed form: base64url(nonce (24 random bytes) || ciphertext with its tag).
// seal/open are const and thread-safe (given a thread-safe RandomSource, as SodiumRandom is).

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <sodium.h>

#include "security/secret_bytes.hpp"
#include "sesame/random.hpp"
#include "sesame/result.hpp"

namespace sesame::server {

// Subkey ids: never renumber, sealed values in databases depend on them.
enum class SealPurpose : std::uint64_t {
  refresh_successor = 1,
  totp_secret = 2,
};

inline constexpr std::size_t kMaxSealedPlaintextBytes = 4096;

class TokenSealer {
 public:
  // invalid_argument unless `at_rest_key` has crypto_secretbox_KEYBYTES bytes.
  [[nodiscard]] static Result<TokenSealer> create(const SecretBytes& at_rest_key, SealPurpose purpose);

  TokenSealer(const TokenSealer&) = delete;
  TokenSealer& operator=(const TokenSealer&) = delete;
  TokenSealer(TokenSealer&& other) noexcept : key_(other.key_) { sodium_memzero(other.key_.data(), other.key_.size()); }
  TokenSealer& operator=(TokenSealer&&) = delete;
  ~TokenSealer() { sodium_memzero(key_.data(), key_.size()); }

  // input_too_large beyond kMaxSealedPlaintextBytes. The nonce comes from
  // `random`: it must be a real CSPRNG (a repeated nonce leaks plaintext).
  [[nodiscard]] Result<std::string> seal(std::string_view plaintext, RandomSource& random) const;

  // The plaintext; invalid_argument when `sealed` is malformed, was tampered
  // with, or was sealed under another key or purpose.
  [[nodiscard]] Result<std::string> open(std::string_view sealed) const;

 private:
  TokenSealer() = default;
  std::array<std::uint8_t, crypto_secretbox_KEYBYTES> key_{};
};

}  // namespace sesame::server
