#pragma once
// Compact JWS signed with EdDSA over Ed25519 (RFC 7515, RFC 8037) and, on top
// of it, the Sesame access token: a JWT with typ "at+jwt" (RFC 9068).
//
// Three layers, so each can be checked against its own specification:
//   keys   Ed25519 signing and verification keys, JWK / JWKS, RFC 7638 thumbprints
//   JWS    sign / verify a compact JWS over arbitrary payload bytes
//   JWT    access token claims, signing, unverified decoding and full verification
//
// Only "EdDSA" is ever accepted as alg: no "none", no HMAC, no algorithm chosen
// by the token. Nothing here reads a clock; time is a parameter.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "sesame/bytes.hpp"
#include "sesame/random.hpp"
#include "sesame/result.hpp"

namespace sesame {

inline constexpr std::size_t kEd25519PublicKeyBytes = 32;
inline constexpr std::size_t kEd25519SeedBytes = 32;
inline constexpr std::size_t kEd25519SignatureBytes = 64;

// Access tokens are a few hundred bytes; anything far larger is hostile.
inline constexpr std::size_t kDefaultMaxTokenBytes = 8 * 1024;
inline constexpr std::size_t kMaxJwksBytes = 64 * 1024;
inline constexpr std::size_t kMaxKidBytes = 256;
inline constexpr std::int64_t kDefaultLeewaySeconds = 60;
inline constexpr std::int64_t kMaxLeewaySeconds = 300;

// ---------------------------------------------------------------------------
// Keys

// An Ed25519 public key with its key id. A kid is 1..kMaxKidBytes printable
// ASCII characters; when none is given, the RFC 7638 thumbprint is used.
class Ed25519PublicKey {
 public:
  using Bytes32 = std::array<std::uint8_t, kEd25519PublicKeyBytes>;

  // Rejects (jwt_invalid_key) a wrong length, an invalid kid and encodings that
  // are not a point of the main subgroup (small-order keys accept forgeries).
  [[nodiscard]] static Result<Ed25519PublicKey> from_bytes(ByteView x, std::string kid = {});

  // One public JWK {"kty":"OKP","crv":"Ed25519","x":...}; "kid" optional,
  // "alg" (if present) must be "EdDSA", private material ("d") is refused.
  [[nodiscard]] static Result<Ed25519PublicKey> from_jwk(const nlohmann::json& jwk);

  [[nodiscard]] const Bytes32& bytes() const noexcept { return x_; }
  [[nodiscard]] const std::string& kid() const noexcept { return kid_; }

  // {"kty":"OKP","crv":"Ed25519","x":...,"kid":...,"alg":"EdDSA","use":"sig"}
  [[nodiscard]] nlohmann::json to_jwk() const;

  // RFC 7638 SHA-256 JWK thumbprint, base64url (RFC 8037 §2 members crv, kty, x).
  [[nodiscard]] std::string thumbprint() const;

  friend bool operator==(const Ed25519PublicKey&, const Ed25519PublicKey&) = default;

 private:
  Ed25519PublicKey(const Bytes32& x, std::string kid) : x_(x), kid_(std::move(kid)) {}
  Bytes32 x_;
  std::string kid_;
};

// An Ed25519 signing key derived from a 32-byte seed. Move-only: the secret
// is wiped on destruction and when moved from, so copies never linger.
class Ed25519SigningKey {
 public:
  [[nodiscard]] static Result<Ed25519SigningKey> from_seed(ByteView seed, std::string kid = {});
  [[nodiscard]] static Result<Ed25519SigningKey> generate(RandomSource& random, std::string kid = {});

  Ed25519SigningKey(Ed25519SigningKey&& other) noexcept;
  Ed25519SigningKey& operator=(Ed25519SigningKey&& other) noexcept;
  Ed25519SigningKey(const Ed25519SigningKey&) = delete;
  Ed25519SigningKey& operator=(const Ed25519SigningKey&) = delete;
  ~Ed25519SigningKey();

  [[nodiscard]] const Ed25519PublicKey& public_key() const noexcept { return public_; }
  [[nodiscard]] const std::string& kid() const noexcept { return public_.kid(); }

  // The seed, for persisting the key (e.g. a 0600 file). Valid while *this lives.
  [[nodiscard]] ByteView seed() const noexcept;

  // Detached Ed25519 signature of `message`.
  [[nodiscard]] std::array<std::uint8_t, kEd25519SignatureBytes> sign(ByteView message) const;

 private:
  explicit Ed25519SigningKey(Ed25519PublicKey public_key) : public_(std::move(public_key)) {}
  std::array<std::uint8_t, 64> secret_{};  // libsodium layout: seed || public key
  Ed25519PublicKey public_;
};

// The verification keys a verifier trusts, found by kid (a JWKS).
class JwkSet {
 public:
  // jwt_invalid_key when the kid is already present: a kid names one key.
  [[nodiscard]] Result<void> add(Ed25519PublicKey key);
  [[nodiscard]] const Ed25519PublicKey* find(std::string_view kid) const noexcept;
  [[nodiscard]] const std::vector<Ed25519PublicKey>& keys() const noexcept { return keys_; }
  [[nodiscard]] bool empty() const noexcept { return keys_.empty(); }

  // {"keys":[<to_jwk()>...]}, as served at /.well-known/jwks.json.
  [[nodiscard]] nlohmann::json to_json() const;

  // Parses a JWKS document. Keys of another kty/crv, or declared for another
  // use or alg, are skipped; a malformed Ed25519 key, a duplicate kid or a
  // malformed document is jwt_invalid_key; more than kMaxJwksBytes is
  // input_too_large.
  [[nodiscard]] static Result<JwkSet> parse(std::string_view text);

 private:
  std::vector<Ed25519PublicKey> keys_;
};

// ---------------------------------------------------------------------------
// JWS (compact serialization, EdDSA only)

struct VerifiedJws {
  nlohmann::json header;  // the protected header, a JSON object
  Bytes payload;
};

// Signs `protected_header` (JSON text, used byte for byte) and `payload`.
// The header must be a JSON object with "alg":"EdDSA" and without "crit".
[[nodiscard]] Result<std::string> sign_compact_jws(std::string_view protected_header, ByteView payload,
                                                   const Ed25519SigningKey& key);

// crypto_sign_verify_detached of `signature` over `message`: jwt_invalid_signature
// when it does not hold (or is not 64 bytes). The JWS layer and the browser SDK,
// which reads JSON in JavaScript, both check signatures through this one call.
[[nodiscard]] Result<void> verify_ed25519_signature(ByteView message, ByteView signature, const Ed25519PublicKey& key);

// Verifies a compact JWS against one key. A "kid" in the header, if present,
// must equal the key's kid (jwt_unknown_key). The payload may be any bytes.
[[nodiscard]] Result<VerifiedJws> verify_compact_jws(std::string_view token, const Ed25519PublicKey& key,
                                                     std::size_t max_token_bytes = kDefaultMaxTokenBytes);

// ---------------------------------------------------------------------------
// JWT: Sesame access tokens

inline constexpr std::string_view kAccessTokenType = "at+jwt";

struct AccessTokenClaims {
  std::string iss;
  std::string sub;
  // Emitted as a string. A token may carry an array: after verification this is
  // the audience that matched, after decode_jwt the array's first entry.
  std::string aud;
  std::int64_t exp = 0;  // unix seconds
  std::optional<std::int64_t> nbf;
  std::int64_t iat = 0;
  std::string jti;
  std::string sid;
  std::string tenant_id;  // optional: omitted when empty
  std::vector<std::string> roles;
  std::vector<std::string> amr;  // RFC 8176 values, e.g. "pwd", "otp"
  // Every other claim, as a JSON object; must not repeat the names above.
  nlohmann::json extra = nlohmann::json::object();
};

struct AccessToken {
  std::string kid;
  AccessTokenClaims claims;
};

struct AccessTokenVerifyOptions {
  std::string expected_issuer;
  std::string expected_audience;
  std::int64_t now_unix_seconds = 0;
  std::int64_t leeway_seconds = kDefaultLeewaySeconds;  // 0..kMaxLeewaySeconds
  std::size_t max_token_bytes = kDefaultMaxTokenBytes;
};

// The claims verify_access_token checks once the signature holds, for callers
// that read the payload themselves (the browser SDK parses JSON in JavaScript).
struct AccessTokenValidity {
  std::string_view issuer;
  std::span<const std::string> audiences;  // "aud": its one string, or every entry of its array
  std::int64_t exp = 0;
  std::optional<std::int64_t> nbf;
  std::int64_t iat = 0;
};

// invalid_argument for options without issuer or audience or with a leeway
// outside 0..kMaxLeewaySeconds; then jwt_expired, jwt_not_yet_valid,
// jwt_issued_in_future (all with the leeway), jwt_invalid_issuer and
// jwt_invalid_audience, in that order.
[[nodiscard]] Result<void> check_access_token_validity(const AccessTokenValidity& claims,
                                                       const AccessTokenVerifyOptions& options);

// Header {"alg":"EdDSA","typ":"at+jwt","kid":<key.kid()>}. invalid_argument
// when a required claim (iss, sub, aud, jti, sid) is empty, exp <= iat, a
// string is not UTF-8, or `extra` is not an object or repeats a known claim.
[[nodiscard]] Result<std::string> sign_access_token(const AccessTokenClaims& claims, const Ed25519SigningKey& key);

// Reads an access token WITHOUT checking its signature, issuer, audience or
// times: for clients that only schedule refreshes from exp/iat. Structure,
// header (alg, typ, kid) and claim types are still checked strictly.
[[nodiscard]] Result<AccessToken> decode_jwt(std::string_view token,
                                             std::size_t max_token_bytes = kDefaultMaxTokenBytes);

// Full verification: structure, alg "EdDSA", typ at+jwt, no crit, kid in
// `keys`, the signature, then exp/nbf/iat against now (with leeway), iss and
// aud, and the required claims (iss, sub, aud, exp, iat, jti, sid).
[[nodiscard]] Result<AccessToken> verify_access_token(std::string_view token, const JwkSet& keys,
                                                      const AccessTokenVerifyOptions& options);

}  // namespace sesame
