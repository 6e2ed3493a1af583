#include "hmac.hpp"

#include <sodium.h>

#include <algorithm>

#include "sha1.hpp"

namespace sesame {
namespace {

// libsodium declares its pointers non-null even for zero lengths; an empty span has none.
const unsigned char* data_or_empty(ByteView bytes) noexcept {
  static constexpr unsigned char kNothing = 0;
  return bytes.empty() ? &kNothing : bytes.data();
}

}  // namespace

std::array<std::uint8_t, kHmacSha1Bytes> hmac_sha1(ByteView key, ByteView message) noexcept {
  // K0 (FIPS 198-1 §4): the key, or its hash when longer than a block, zero-padded to a block.
  std::array<std::uint8_t, Sha1::kBlockBytes> block_key{};
  if (key.size() > Sha1::kBlockBytes) {
    Sha1::Digest hashed_key = sha1(key);
    std::copy(hashed_key.begin(), hashed_key.end(), block_key.begin());
    sodium_memzero(hashed_key.data(), hashed_key.size());
  } else {
    std::copy(key.begin(), key.end(), block_key.begin());
  }

  std::array<std::uint8_t, Sha1::kBlockBytes> pad;
  for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = static_cast<std::uint8_t>(block_key[i] ^ 0x36U);
  Sha1 inner;
  inner.update(pad);
  inner.update(message);
  Sha1::Digest inner_digest = inner.finish();

  for (std::size_t i = 0; i < pad.size(); ++i) pad[i] = static_cast<std::uint8_t>(block_key[i] ^ 0x5CU);
  Sha1 outer;
  outer.update(pad);
  outer.update(inner_digest);
  const Sha1::Digest mac = outer.finish();

  sodium_memzero(block_key.data(), block_key.size());
  sodium_memzero(pad.data(), pad.size());
  sodium_memzero(inner_digest.data(), inner_digest.size());
  return mac;
}

std::array<std::uint8_t, kHmacSha256Bytes> hmac_sha256(ByteView key, ByteView message) noexcept {
  static_assert(kHmacSha256Bytes == crypto_auth_hmacsha256_BYTES);
  // The _init/_update/_final API takes keys of any length (crypto_auth_hmacsha256() would
  // insist on exactly crypto_auth_hmacsha256_KEYBYTES).
  crypto_auth_hmacsha256_state state;
  std::array<std::uint8_t, kHmacSha256Bytes> mac;
  crypto_auth_hmacsha256_init(&state, data_or_empty(key), key.size());
  crypto_auth_hmacsha256_update(&state, data_or_empty(message), message.size());
  crypto_auth_hmacsha256_final(&state, mac.data());
  sodium_memzero(&state, sizeof(state));
  return mac;
}

std::array<std::uint8_t, kHmacSha512Bytes> hmac_sha512(ByteView key, ByteView message) noexcept {
  static_assert(kHmacSha512Bytes == crypto_auth_hmacsha512_BYTES);
  crypto_auth_hmacsha512_state state;
  std::array<std::uint8_t, kHmacSha512Bytes> mac;
  crypto_auth_hmacsha512_init(&state, data_or_empty(key), key.size());
  crypto_auth_hmacsha512_update(&state, data_or_empty(message), message.size());
  crypto_auth_hmacsha512_final(&state, mac.data());
  sodium_memzero(&state, sizeof(state));
  return mac;
}

Bytes hmac(HmacHash hash, ByteView key, ByteView message) {
  Bytes out;
  switch (hash) {
    case HmacHash::sha1: {
      auto mac = hmac_sha1(key, message);
      out.assign(mac.begin(), mac.end());
      sodium_memzero(mac.data(), mac.size());
      break;
    }
    case HmacHash::sha256: {
      auto mac = hmac_sha256(key, message);
      out.assign(mac.begin(), mac.end());
      sodium_memzero(mac.data(), mac.size());
      break;
    }
    case HmacHash::sha512: {
      auto mac = hmac_sha512(key, message);
      out.assign(mac.begin(), mac.end());
      sodium_memzero(mac.data(), mac.size());
      break;
    }
  }
  return out;
}

}  // namespace sesame
