// The README's core example, built and run by ctest so that it stays true.
#include <sodium.h>

#include <cstdio>
#include <string>

#include "sesame/jwt.hpp"
#include "sesame/otpauth.hpp"
#include "sesame/password_policy.hpp"
#include "sesame/totp.hpp"

// The server's randomness: libsodium's CSPRNG behind the core's interface.
struct SodiumRandom final : sesame::RandomSource {
  void fill(std::span<std::uint8_t> out) noexcept override { randombytes_buf(out.data(), out.size()); }
};

int main() {
  if (sodium_init() < 0) return 1;  // once, before using the core
  SodiumRandom random;
  const std::int64_t now = 1'763'777'736;  // the clock is a parameter

  // TOTP enrolment and a verification with replay protection.
  const sesame::Bytes secret = sesame::generate_totp_secret(random);
  auto uri = sesame::build_otpauth_uri({"Sesame", "alice@example.com", secret, {}});
  if (!uri) return 1;
  std::printf("%s\n", uri->c_str());
  auto code = sesame::totp(secret, now);
  const sesame::TotpVerifier verifier;  // SHA-1, 6 digits, 30 s, window of one step
  auto check = verifier.verify(secret, *code, now, /*last_accepted_step=*/std::nullopt);
  std::printf("accepted=%d step=%lld\n", check->accepted(), static_cast<long long>(check->step));

  // An access token, signed and verified.
  auto key = sesame::Ed25519SigningKey::generate(random);
  sesame::AccessTokenClaims claims;
  claims.iss = "https://auth.example.com";
  claims.sub = "user-1";
  claims.aud = "example-api";
  claims.iat = now;
  claims.exp = now + 900;
  claims.jti = "jti-1";
  claims.sid = "session-1";
  auto token = sesame::sign_access_token(claims, *key);
  sesame::JwkSet keys;
  if (!keys.add(key->public_key())) return 1;
  auto verified = sesame::verify_access_token(*token, keys, {"https://auth.example.com", "example-api", now});
  if (!verified) {
    std::printf("rejected: %s\n", std::string(sesame::error_code_name(verified.code())).c_str());
    return 1;
  }
  std::printf("token for %s, kid %s\n", verified->claims.sub.c_str(), verified->kid.c_str());

  // The password verdict lists every violation.
  const sesame::PasswordVerdict verdict = sesame::check_password("password1", {}, {"alice@example.com", {}});
  for (const auto& violation : verdict.violations) std::printf("%s\n", std::string(violation.name()).c_str());
}
