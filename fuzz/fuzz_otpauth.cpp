// otpauth:// parsing (core/otpauth): never crashes; a URI that parses builds
// again, and what it builds parses to the same parameters.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sesame/otpauth.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto parsed = sesame::parse_otpauth_uri(text);
  if (!parsed.ok()) return 0;
  const auto built = sesame::build_otpauth_uri(*parsed);
  if (!built.ok()) return 0;  // parse is more lenient than build (e.g. label characters)
  const auto again = sesame::parse_otpauth_uri(*built);
  if (!again.ok() || !(*again == *parsed)) __builtin_trap();
  return 0;
}
