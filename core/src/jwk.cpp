// Ed25519 keys as JWKs (RFC 7517, RFC 8037 §2), JWK sets and RFC 7638
// thumbprints.

#include <sodium.h>

#include <algorithm>
#include <cstring>

#include "jws_compact.hpp"
#include "sesame/encoding.hpp"
#include "sesame/jwt.hpp"

namespace sesame {

static_assert(kEd25519PublicKeyBytes == crypto_sign_PUBLICKEYBYTES);
static_assert(kEd25519SeedBytes == crypto_sign_SEEDBYTES);

using nlohmann::json;

namespace {

bool is_valid_kid(std::string_view kid) noexcept {
  if (kid.empty() || kid.size() > kMaxKidBytes) return false;
  return std::all_of(kid.begin(), kid.end(), [](char c) { return c >= 0x20 && c <= 0x7E; });
}

std::string thumbprint_of(const Ed25519PublicKey::Bytes32& x) {
  // RFC 7638 §3.2: the required members in lexicographic order, no whitespace.
  const std::string canonical = R"({"crv":"Ed25519","kty":"OKP","x":")" + base64url_encode(x) + R"("})";
  std::array<std::uint8_t, crypto_hash_sha256_BYTES> digest{};
  crypto_hash_sha256(digest.data(), reinterpret_cast<const unsigned char*>(canonical.data()), canonical.size());
  return base64url_encode(digest);
}

const std::string* string_member(const json& object, const char* name) {
  const auto it = object.find(name);
  return it == object.end() ? nullptr : it->get_ptr<const std::string*>();
}

}  // namespace

// ---------------------------------------------------------------------------
// Ed25519PublicKey

Result<Ed25519PublicKey> Ed25519PublicKey::from_bytes(ByteView x, std::string kid) {
  if (x.size() != kEd25519PublicKeyBytes) return Error{ErrorCode::jwt_invalid_key, "an Ed25519 public key is 32 bytes"};
  // Small-order and non-canonical encodings would let forged signatures verify
  // under some implementations; a real public key is never one of them.
  if (crypto_core_ed25519_is_valid_point(x.data()) != 1) {
    return Error{ErrorCode::jwt_invalid_key, "not a valid Ed25519 public key"};
  }
  Bytes32 bytes{};
  std::copy(x.begin(), x.end(), bytes.begin());
  if (kid.empty()) kid = thumbprint_of(bytes);
  if (!is_valid_kid(kid)) return Error{ErrorCode::jwt_invalid_key, "kid must be 1-256 printable ASCII characters"};
  return Ed25519PublicKey(bytes, std::move(kid));
}

Result<Ed25519PublicKey> Ed25519PublicKey::from_jwk(const json& jwk) {
  if (!jwk.is_object()) return Error{ErrorCode::jwt_invalid_key, "a JWK is a JSON object"};
  const auto* kty = string_member(jwk, "kty");
  const auto* crv = string_member(jwk, "crv");
  if (kty == nullptr || *kty != "OKP" || crv == nullptr || *crv != "Ed25519") {
    return Error{ErrorCode::jwt_invalid_key, "not an Ed25519 OKP key"};
  }
  if (jwk.contains("d")) return Error{ErrorCode::jwt_invalid_key, "private key material in a public JWK"};
  if (jwk.contains("alg")) {
    const auto* alg = string_member(jwk, "alg");
    if (alg == nullptr || *alg != "EdDSA") return Error{ErrorCode::jwt_invalid_key, "alg must be EdDSA"};
  }
  std::string kid;
  if (jwk.contains("kid")) {
    const auto* given = string_member(jwk, "kid");
    if (given == nullptr || given->empty()) return Error{ErrorCode::jwt_invalid_key, "kid must be a non-empty string"};
    kid = *given;
  }
  const auto* x = string_member(jwk, "x");
  if (x == nullptr) return Error{ErrorCode::jwt_invalid_key, "x is missing"};
  auto bytes = base64url_decode(*x);
  if (!bytes) return Error{ErrorCode::jwt_invalid_key, "x is not base64url"};
  return from_bytes(*bytes, std::move(kid));
}

json Ed25519PublicKey::to_jwk() const {
  return json{{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", base64url_encode(x_)},
              {"kid", kid_},  {"alg", "EdDSA"},   {"use", "sig"}};
}

std::string Ed25519PublicKey::thumbprint() const { return thumbprint_of(x_); }

// ---------------------------------------------------------------------------
// Ed25519SigningKey

Result<Ed25519SigningKey> Ed25519SigningKey::from_seed(ByteView seed, std::string kid) {
  if (seed.size() != crypto_sign_SEEDBYTES) return Error{ErrorCode::jwt_invalid_key, "an Ed25519 seed is 32 bytes"};
  std::array<std::uint8_t, crypto_sign_PUBLICKEYBYTES> public_bytes{};
  std::array<std::uint8_t, crypto_sign_SECRETKEYBYTES> secret{};
  static_assert(sizeof(secret) == sizeof(Ed25519SigningKey::secret_));
  if (crypto_sign_seed_keypair(public_bytes.data(), secret.data(), seed.data()) != 0) {
    sodium_memzero(secret.data(), secret.size());
    return Error{ErrorCode::jwt_invalid_key, "key derivation failed"};
  }
  auto public_key = Ed25519PublicKey::from_bytes(public_bytes, std::move(kid));
  if (!public_key) {
    sodium_memzero(secret.data(), secret.size());
    return public_key.error();
  }
  Ed25519SigningKey key(std::move(*public_key));
  std::memcpy(key.secret_.data(), secret.data(), secret.size());
  sodium_memzero(secret.data(), secret.size());
  return key;
}

Result<Ed25519SigningKey> Ed25519SigningKey::generate(RandomSource& random, std::string kid) {
  std::array<std::uint8_t, crypto_sign_SEEDBYTES> seed{};
  random.fill(seed);
  auto key = from_seed(seed, std::move(kid));
  sodium_memzero(seed.data(), seed.size());
  return key;
}

Ed25519SigningKey::Ed25519SigningKey(Ed25519SigningKey&& other) noexcept
    : secret_(other.secret_), public_(std::move(other.public_)) {
  sodium_memzero(other.secret_.data(), other.secret_.size());
}

Ed25519SigningKey& Ed25519SigningKey::operator=(Ed25519SigningKey&& other) noexcept {
  if (this != &other) {
    secret_ = other.secret_;
    public_ = std::move(other.public_);
    sodium_memzero(other.secret_.data(), other.secret_.size());
  }
  return *this;
}

Ed25519SigningKey::~Ed25519SigningKey() { sodium_memzero(secret_.data(), secret_.size()); }

ByteView Ed25519SigningKey::seed() const noexcept { return ByteView(secret_.data(), crypto_sign_SEEDBYTES); }

std::array<std::uint8_t, kEd25519SignatureBytes> Ed25519SigningKey::sign(ByteView message) const {
  std::array<std::uint8_t, kEd25519SignatureBytes> signature{};
  // Cannot fail for a key built by from_seed (it returns 0 unconditionally).
  crypto_sign_detached(signature.data(), nullptr, message.data(), message.size(), secret_.data());
  return signature;
}

// ---------------------------------------------------------------------------
// JwkSet

Result<void> JwkSet::add(Ed25519PublicKey key) {
  if (find(key.kid()) != nullptr) return Error{ErrorCode::jwt_invalid_key, "duplicate kid " + key.kid()};
  keys_.push_back(std::move(key));
  return {};
}

const Ed25519PublicKey* JwkSet::find(std::string_view kid) const noexcept {
  const auto it = std::find_if(keys_.begin(), keys_.end(), [&](const Ed25519PublicKey& key) { return key.kid() == kid; });
  return it == keys_.end() ? nullptr : &*it;
}

json JwkSet::to_json() const {
  json keys = json::array();
  for (const auto& key : keys_) keys.push_back(key.to_jwk());
  return json{{"keys", std::move(keys)}};
}

Result<JwkSet> JwkSet::parse(std::string_view text) {
  if (text.size() > kMaxJwksBytes) return Error{ErrorCode::input_too_large, "JWKS larger than the limit"};
  const auto document = jws::parse_object(text);
  if (!document) return Error{ErrorCode::jwt_invalid_key, "JWKS is not a JSON object"};
  const auto keys = document->find("keys");
  if (keys == document->end() || !keys->is_array()) return Error{ErrorCode::jwt_invalid_key, "JWKS has no keys array"};

  JwkSet set;
  for (const auto& jwk : *keys) {
    if (!jwk.is_object()) return Error{ErrorCode::jwt_invalid_key, "a JWK is a JSON object"};
    const auto* kty = string_member(jwk, "kty");
    if (kty == nullptr) return Error{ErrorCode::jwt_invalid_key, "kty must be a string"};
    if (*kty != "OKP") continue;  // RSA, EC, oct: not ours to use
    const auto* crv = string_member(jwk, "crv");
    if (crv == nullptr) return Error{ErrorCode::jwt_invalid_key, "crv must be a string"};
    if (*crv != "Ed25519") continue;  // Ed448, X25519, X448
    if (jwk.contains("use")) {
      const auto* use = string_member(jwk, "use");
      if (use == nullptr) return Error{ErrorCode::jwt_invalid_key, "use must be a string"};
      if (*use != "sig") continue;
    }
    if (jwk.contains("alg")) {
      const auto* alg = string_member(jwk, "alg");
      if (alg == nullptr) return Error{ErrorCode::jwt_invalid_key, "alg must be a string"};
      if (*alg != "EdDSA") continue;  // a key declared for another algorithm is not used for EdDSA
    }
    auto key = Ed25519PublicKey::from_jwk(jwk);
    if (!key) return key.error();
    if (auto added = set.add(std::move(*key)); !added) return added.error();
  }
  return set;
}

}  // namespace sesame
