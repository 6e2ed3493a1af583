#pragma once
// Bytes that are secret (pepper, at-rest key, file contents holding seeds):
// wiped with sodium_memzero when destroyed or overwritten, so copies made on
// purpose do not outlive their use. Copying is allowed but always deliberate.

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <sodium.h>

#include "sesame/bytes.hpp"

namespace sesame::server {

class SecretBytes {
 public:
  SecretBytes() = default;
  explicit SecretBytes(ByteView bytes) : bytes_(bytes.begin(), bytes.end()) {}
  explicit SecretBytes(Bytes&& bytes) noexcept : bytes_(std::move(bytes)) {}
  SecretBytes(const SecretBytes& other) : bytes_(other.bytes_) {}
  SecretBytes(SecretBytes&& other) noexcept : bytes_(std::move(other.bytes_)) { other.wipe(); }
  SecretBytes& operator=(const SecretBytes& other) {
    if (this != &other) {
      wipe();
      bytes_ = other.bytes_;
    }
    return *this;
  }
  SecretBytes& operator=(SecretBytes&& other) noexcept {
    if (this != &other) {
      wipe();
      bytes_ = std::move(other.bytes_);
      other.wipe();
    }
    return *this;
  }
  ~SecretBytes() { wipe(); }

  [[nodiscard]] ByteView view() const noexcept { return bytes_; }
  [[nodiscard]] const std::uint8_t* data() const noexcept { return bytes_.data(); }
  [[nodiscard]] std::size_t size() const noexcept { return bytes_.size(); }
  [[nodiscard]] bool empty() const noexcept { return bytes_.empty(); }

  // Constant time in the length of the shorter operand; lengths are not secret.
  friend bool operator==(const SecretBytes& a, const SecretBytes& b) noexcept {
    return a.size() == b.size() && (a.empty() || sodium_memcmp(a.data(), b.data(), a.size()) == 0);
  }

 private:
  void wipe() noexcept {
    if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
    bytes_.clear();
  }
  Bytes bytes_;
};

// Wipes a string that held a secret (a password, a serialized key) before it is freed.
inline void wipe_string(std::string& text) noexcept {
  if (!text.empty()) sodium_memzero(text.data(), text.size());
  text.clear();
}

}  // namespace sesame::server
