#include "security/device_token.hpp"

#include "sesame/encoding.hpp"

namespace sesame::server {
namespace {

// crypto_kdf's 8-byte context and subkey id: name this use of the at-rest key
// (TokenSealer uses another context, so no subkey is shared).
constexpr char kKdfContext[crypto_kdf_CONTEXTBYTES + 1] = "sesameDV";
constexpr std::uint64_t kDeviceMacSubkey = 1;
constexpr std::size_t kDeviceIdBytes = 16;
constexpr std::size_t kMaxTokenBytes = 128;
static_assert(crypto_kdf_KEYBYTES == crypto_auth_hmacsha256_KEYBYTES);

}  // namespace

Result<DeviceTokens> DeviceTokens::create(const SecretBytes& at_rest_key) {
  if (at_rest_key.view().size() != crypto_kdf_KEYBYTES) {
    return Error{ErrorCode::invalid_argument, "the at-rest key must be 32 bytes"};
  }
  DeviceTokens tokens;
  if (crypto_kdf_derive_from_key(tokens.key_.data(), tokens.key_.size(), kDeviceMacSubkey, kKdfContext,
                                 at_rest_key.view().data()) != 0) {
    return Error{ErrorCode::internal_error, "cannot derive the device token key"};
  }
  return tokens;
}

std::string DeviceTokens::mac(std::string_view user_id, std::string_view device_id) const {
  // The id is base64url (no '\n'), so the message splits one way only.
  const std::string message = std::string(device_id) + "\n" + std::string(user_id);
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> tag{};
  crypto_auth_hmacsha256(tag.data(), reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                         key_.data());
  return base64url_encode(ByteView(tag.data(), tag.size()));
}

std::string DeviceTokens::issue(std::string_view user_id, RandomSource& random) const {
  std::array<std::uint8_t, kDeviceIdBytes> id{};
  random.fill(id);
  const std::string device_id = base64url_encode(ByteView(id.data(), id.size()));
  return device_id + "." + mac(user_id, device_id);
}

std::optional<std::string> DeviceTokens::device_of(std::string_view user_id, std::string_view token) const {
  if (token.empty() || token.size() > kMaxTokenBytes || user_id.empty()) return std::nullopt;
  const auto dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view device_id = token.substr(0, dot);
  const std::string expected = mac(user_id, device_id);
  const std::string_view presented = token.substr(dot + 1);
  if (presented.size() != expected.size() ||
      sodium_memcmp(presented.data(), expected.data(), expected.size()) != 0) {
    return std::nullopt;
  }
  return std::string(device_id);
}

}  // namespace sesame::server
