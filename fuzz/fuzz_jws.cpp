// JWS and JWT reading (core/jwt): decode without a key, verify against a
// fixed key (the RFC 8037 A.1 example key), JWKS parsing. Nothing may crash;
// a token that verifies must decode to the same claims.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sesame/encoding.hpp"
#include "sesame/jwt.hpp"

namespace {

const sesame::Ed25519PublicKey& rfc8037_key() {
  static const auto key = [] {
    const auto x = sesame::base64url_decode("11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo");
    return sesame::Ed25519PublicKey::from_bytes(*x, "rfc8037").value();
  }();
  return key;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)sesame::verify_compact_jws(text, rfc8037_key());
  const auto decoded = sesame::decode_jwt(text);

  sesame::JwkSet keys;
  (void)keys.add(rfc8037_key());
  sesame::AccessTokenVerifyOptions options;
  options.expected_issuer = "https://issuer.example";
  options.expected_audience = "sesame";
  options.now_unix_seconds = 1'700'000'000;
  const auto verified = sesame::verify_access_token(text, keys, options);
  if (verified.ok() && (!decoded.ok() || decoded->claims.sub != verified->claims.sub)) __builtin_trap();

  (void)sesame::JwkSet::parse(text);
  return 0;
}
