#include "security/opaque_token.hpp"

#include <array>

#include <sodium.h>

#include "sesame/encoding.hpp"

namespace sesame::server {

std::string generate_opaque_token(RandomSource& random) {
  std::array<std::uint8_t, kOpaqueTokenBytes> bytes{};
  random.fill(bytes);
  std::string token = base64url_encode(bytes);
  sodium_memzero(bytes.data(), bytes.size());
  return token;
}

std::string hash_opaque_token(std::string_view token) {
  std::array<unsigned char, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(token.data()), token.size());
  std::array<char, crypto_hash_sha256_BYTES * 2 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return std::string(hex.data(), crypto_hash_sha256_BYTES * 2);
}

}  // namespace sesame::server
