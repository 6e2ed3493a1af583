#pragma once
// HMAC (RFC 2104) over SHA-1 (our own, see sha1.hpp) and SHA-256 / SHA-512
// (libsodium). Keys of any length are accepted; keys longer than the hash's
// block are hashed first, as RFC 2104 §2 says.

#include <array>
#include <cstdint>

#include "sesame/bytes.hpp"

namespace sesame {

enum class HmacHash { sha1, sha256, sha512 };

inline constexpr std::size_t kHmacSha1Bytes = 20;
inline constexpr std::size_t kHmacSha256Bytes = 32;
inline constexpr std::size_t kHmacSha512Bytes = 64;

[[nodiscard]] std::array<std::uint8_t, kHmacSha1Bytes> hmac_sha1(ByteView key, ByteView message) noexcept;
[[nodiscard]] std::array<std::uint8_t, kHmacSha256Bytes> hmac_sha256(ByteView key, ByteView message) noexcept;
[[nodiscard]] std::array<std::uint8_t, kHmacSha512Bytes> hmac_sha512(ByteView key, ByteView message) noexcept;

// The MAC of `hash` (20, 32 or 64 bytes). The caller wipes it when it is secret.
[[nodiscard]] Bytes hmac(HmacHash hash, ByteView key, ByteView message);

}  // namespace sesame
