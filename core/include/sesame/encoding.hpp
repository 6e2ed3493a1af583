#pragma once
// RFC 4648 base32 (TOTP secrets) and base64url without padding (JWS, tokens).

#include <string>
#include <string_view>

#include "sesame/bytes.hpp"
#include "sesame/result.hpp"

namespace sesame {

enum class Base32Padding { with_padding, without_padding };

[[nodiscard]] std::string base32_encode(ByteView data, Base32Padding padding = Base32Padding::with_padding);

// Case-insensitive; '=' padding is optional but, when present, must be complete.
// Rejects characters outside the alphabet, impossible lengths and non-zero
// trailing bits (RFC 4648 §3.5 canonical encoding).
[[nodiscard]] Result<Bytes> base32_decode(std::string_view text);

[[nodiscard]] std::string base64url_encode(ByteView data);

// Strict: URL-safe alphabet, no padding, no whitespace, canonical trailing bits.
[[nodiscard]] Result<Bytes> base64url_decode(std::string_view text);

}  // namespace sesame
