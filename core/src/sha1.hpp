#pragma once
// SHA-1 (FIPS 180-4 §6.1), internal to the core. libsodium has no SHA-1, yet
// HMAC-SHA-1 is the TOTP default that every authenticator app implements.
// Used only inside HMAC (RFC 2104), where SHA-1's collision weakness does not
// apply; never use it as a stand-alone digest for anything new.

#include <array>
#include <cstddef>
#include <cstdint>

#include "sesame/bytes.hpp"

namespace sesame {

class Sha1 {
 public:
  static constexpr std::size_t kDigestBytes = 20;
  static constexpr std::size_t kBlockBytes = 64;
  using Digest = std::array<std::uint8_t, kDigestBytes>;

  Sha1() noexcept;
  ~Sha1();  // wipes the state: inside HMAC it is derived from the key
  Sha1(const Sha1&) = delete;
  Sha1& operator=(const Sha1&) = delete;

  void update(ByteView data) noexcept;
  // Pads, returns the digest and wipes the state; call update() no more after it.
  [[nodiscard]] Digest finish() noexcept;

 private:
  void compress(const std::uint8_t* block) noexcept;

  std::array<std::uint32_t, 5> state_;
  std::array<std::uint8_t, kBlockBytes> buffer_{};
  std::size_t buffered_ = 0;
  std::uint64_t total_bytes_ = 0;
};

[[nodiscard]] Sha1::Digest sha1(ByteView data) noexcept;

}  // namespace sesame
