#pragma once
// Device tokens (OWASP "device cookies"): after a successful sign-in the
// client gets `<device id>.<MAC>`, the MAC (HMAC-SHA-256 under a subkey of the
// at-rest key) binding the random device id to the account's user id. A
// client that shows a valid token for an account is a device that knew the
// account's password before, and the lockout counts its failures apart from
// everyone else's, so strangers cannot lock it out. The token is a credential:
// it is never logged or stored (only its device id is, as a lockout key).
// Thread-safe (const).

#include <array>
#include <optional>
#include <string>
#include <string_view>

#include <sodium.h>

#include "security/secret_bytes.hpp"
#include "sesame/random.hpp"
#include "sesame/result.hpp"

namespace sesame::server {

class DeviceTokens {
 public:
  // invalid_argument unless `at_rest_key` has 32 bytes.
  [[nodiscard]] static Result<DeviceTokens> create(const SecretBytes& at_rest_key);

  DeviceTokens(const DeviceTokens&) = delete;
  DeviceTokens& operator=(const DeviceTokens&) = delete;
  DeviceTokens(DeviceTokens&& other) noexcept : key_(other.key_) { sodium_memzero(other.key_.data(), other.key_.size()); }
  DeviceTokens& operator=(DeviceTokens&&) = delete;
  ~DeviceTokens() { sodium_memzero(key_.data(), key_.size()); }

  // A token for a new device of `user_id`.
  [[nodiscard]] std::string issue(std::string_view user_id, RandomSource& random) const;

  // The device id of `token` when it is well formed and was issued for
  // `user_id` (compared in constant time); empty otherwise.
  [[nodiscard]] std::optional<std::string> device_of(std::string_view user_id, std::string_view token) const;

 private:
  DeviceTokens() = default;
  [[nodiscard]] std::string mac(std::string_view user_id, std::string_view device_id) const;

  std::array<unsigned char, crypto_auth_hmacsha256_KEYBYTES> key_{};
};

}  // namespace sesame::server
