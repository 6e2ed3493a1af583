#include "sha1.hpp"

#include <sodium.h>

#include <algorithm>

namespace sesame {
namespace {

constexpr std::array<std::uint32_t, 5> kInitialState = {0x67452301U, 0xEFCDAB89U, 0x98BADCFEU, 0x10325476U,
                                                        0xC3D2E1F0U};

constexpr std::uint32_t rotl(std::uint32_t x, int n) noexcept { return (x << n) | (x >> (32 - n)); }

}  // namespace

Sha1::Sha1() noexcept : state_(kInitialState) {}

Sha1::~Sha1() {
  sodium_memzero(state_.data(), sizeof(state_));
  sodium_memzero(buffer_.data(), buffer_.size());
}

void Sha1::compress(const std::uint8_t* block) noexcept {
  std::array<std::uint32_t, 80> w;
  for (std::size_t t = 0; t < 16; ++t) {
    w[t] = (std::uint32_t{block[4 * t]} << 24) | (std::uint32_t{block[4 * t + 1]} << 16) |
           (std::uint32_t{block[4 * t + 2]} << 8) | std::uint32_t{block[4 * t + 3]};
  }
  for (std::size_t t = 16; t < 80; ++t) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);

  std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3], e = state_[4];
  for (std::size_t t = 0; t < 80; ++t) {
    std::uint32_t f = 0;
    std::uint32_t k = 0;
    if (t < 20) {
      f = (b & c) | (~b & d);
      k = 0x5A827999U;
    } else if (t < 40) {
      f = b ^ c ^ d;
      k = 0x6ED9EBA1U;
    } else if (t < 60) {
      f = (b & c) | (b & d) | (c & d);
      k = 0x8F1BBCDCU;
    } else {
      f = b ^ c ^ d;
      k = 0xCA62C1D6U;
    }
    const std::uint32_t temp = rotl(a, 5) + f + e + k + w[t];
    e = d;
    d = c;
    c = rotl(b, 30);
    b = a;
    a = temp;
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
  state_[4] += e;
  sodium_memzero(w.data(), sizeof(w));
}

void Sha1::update(ByteView data) noexcept {
  if (data.empty()) return;  // an empty span may have no data() to copy from
  total_bytes_ += data.size();
  std::size_t offset = 0;
  if (buffered_ > 0) {
    const std::size_t take = std::min(kBlockBytes - buffered_, data.size());
    std::copy_n(data.data(), take, buffer_.data() + buffered_);
    buffered_ += take;
    offset = take;
    if (buffered_ < kBlockBytes) return;
    compress(buffer_.data());
    buffered_ = 0;
  }
  for (; data.size() - offset >= kBlockBytes; offset += kBlockBytes) compress(data.data() + offset);
  std::copy(data.begin() + static_cast<std::ptrdiff_t>(offset), data.end(), buffer_.begin());
  buffered_ = data.size() - offset;
}

Sha1::Digest Sha1::finish() noexcept {
  // FIPS 180-4 §5.1.1: a 1 bit, zeros up to 56 mod 64, then the length in bits (big-endian).
  const std::uint64_t total_bits = total_bytes_ * 8;
  buffer_[buffered_++] = 0x80;
  if (buffered_ > kBlockBytes - 8) {
    std::fill(buffer_.begin() + static_cast<std::ptrdiff_t>(buffered_), buffer_.end(), std::uint8_t{0});
    compress(buffer_.data());
    buffered_ = 0;
  }
  std::fill(buffer_.begin() + static_cast<std::ptrdiff_t>(buffered_), buffer_.end() - 8, std::uint8_t{0});
  for (std::size_t i = 0; i < 8; ++i) {
    buffer_[kBlockBytes - 1 - i] = static_cast<std::uint8_t>(total_bits >> (8 * i));
  }
  compress(buffer_.data());

  Digest digest;
  for (std::size_t i = 0; i < state_.size(); ++i) {
    digest[4 * i] = static_cast<std::uint8_t>(state_[i] >> 24);
    digest[4 * i + 1] = static_cast<std::uint8_t>(state_[i] >> 16);
    digest[4 * i + 2] = static_cast<std::uint8_t>(state_[i] >> 8);
    digest[4 * i + 3] = static_cast<std::uint8_t>(state_[i]);
  }
  sodium_memzero(state_.data(), sizeof(state_));
  sodium_memzero(buffer_.data(), buffer_.size());
  buffered_ = 0;
  total_bytes_ = 0;
  return digest;
}

Sha1::Digest sha1(ByteView data) noexcept {
  Sha1 hash;
  hash.update(data);
  return hash.finish();
}

}  // namespace sesame
