#include "security/sodium_random.hpp"

#include <cstdio>
#include <cstdlib>

#include <sodium.h>

namespace sesame::server {

void require_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) {
      std::fputs("sesame-server: libsodium failed to initialise (no kernel random source?)\n", stderr);
      std::abort();
    }
    return true;
  }();
  (void)ready;
}

void SodiumRandom::fill(std::span<std::uint8_t> out) noexcept {
  if (!out.empty()) randombytes_buf(out.data(), out.size());
}

}  // namespace sesame::server
