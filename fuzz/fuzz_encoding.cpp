// base32 (RFC 4648) and base64url (core/encoding): decoding never crashes,
// and whatever decodes encodes back to text that decodes to the same bytes.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sesame/encoding.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (const auto bytes = sesame::base32_decode(text); bytes.ok()) {
    const auto again = sesame::base32_decode(sesame::base32_encode(*bytes));
    if (!again.ok() || *again != *bytes) __builtin_trap();
  }
  if (const auto bytes = sesame::base64url_decode(text); bytes.ok()) {
    const auto again = sesame::base64url_decode(sesame::base64url_encode(*bytes));
    if (!again.ok() || *again != *bytes) __builtin_trap();
  }
  // Any bytes survive a round trip through both encodings.
  const sesame::ByteView raw(data, size);
  const auto from_base32 = sesame::base32_decode(sesame::base32_encode(raw));
  const auto from_base64url = sesame::base64url_decode(sesame::base64url_encode(raw));
  if (!from_base32.ok() || !from_base64url.ok()) __builtin_trap();
  if (!std::equal(from_base32->begin(), from_base32->end(), data, data + size)) __builtin_trap();
  if (!std::equal(from_base64url->begin(), from_base64url->end(), data, data + size)) __builtin_trap();
  return 0;
}
