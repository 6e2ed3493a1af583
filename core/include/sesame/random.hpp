#pragma once
// Randomness is a parameter of the core: the server passes libsodium's CSPRNG,
// the browser passes crypto.getRandomValues, and tests pass a seeded source.

#include <cstdint>
#include <span>

namespace sesame {

class RandomSource {
 public:
  virtual ~RandomSource() = default;
  // Fills `out` with uniformly random bytes.
  virtual void fill(std::span<std::uint8_t> out) noexcept = 0;
};

}  // namespace sesame
