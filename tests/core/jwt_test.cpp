#define BOOST_TEST_MODULE core_jwt
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <limits>
#include <string>
#include <vector>

#include "sesame/encoding.hpp"
#include "sesame/jwt.hpp"
#include "printing.hpp"
#include "vectors.hpp"

using namespace sesame;
using nlohmann::json;
using sesame::test::hex;
using sesame::test::unhex;
using sesame::test::vector_table;

namespace {

constexpr std::int64_t kNow = 1700000000;
const std::string kIssuer = "https://auth.sesame.test";
const std::string kAudience = "sesame-api";

Bytes decoded(const std::string& base64url) {
  auto bytes = base64url_decode(base64url);
  BOOST_TEST_REQUIRE(bytes.ok());
  return *bytes;
}

std::string text_of(const Bytes& bytes) { return {bytes.begin(), bytes.end()}; }

Ed25519SigningKey key_from_seed_hex(const std::string& seed_hex, std::string kid = {}) {
  auto key = Ed25519SigningKey::from_seed(unhex(seed_hex), std::move(kid));
  BOOST_TEST_REQUIRE(key.ok());
  return std::move(key).value();
}

// The two keys of tests/vectors/jwt_negative.json, with their kids.
Ed25519SigningKey table_key(std::size_t index) {
  const auto keys = vector_table("jwt_negative.json", "keys");
  const auto& entry = keys.at(index);
  auto key = key_from_seed_hex(entry.at("seed_hex").get<std::string>(), entry.at("kid").get<std::string>());
  BOOST_TEST_REQUIRE(hex({key.public_key().bytes().begin(), key.public_key().bytes().end()}) ==
                     entry.at("public_hex").get<std::string>());
  return key;
}

JwkSet table_key_set() {
  JwkSet set;
  BOOST_TEST_REQUIRE(set.add(table_key(0).public_key()).ok());
  BOOST_TEST_REQUIRE(set.add(table_key(1).public_key()).ok());
  return set;
}

AccessTokenVerifyOptions table_options() {
  const auto options = vector_table("jwt_negative.json", "verify_options").at(0);
  AccessTokenVerifyOptions out;
  out.expected_issuer = options.at("issuer").get<std::string>();
  out.expected_audience = options.at("audience").get<std::string>();
  out.now_unix_seconds = options.at("now_unix_seconds").get<std::int64_t>();
  out.leeway_seconds = options.at("leeway_seconds").get<std::int64_t>();
  return out;
}

AccessTokenVerifyOptions options_at(std::int64_t now) {
  AccessTokenVerifyOptions options;
  options.expected_issuer = kIssuer;
  options.expected_audience = kAudience;
  options.now_unix_seconds = now;
  return options;
}

AccessTokenClaims sample_claims() {
  AccessTokenClaims claims;
  claims.iss = kIssuer;
  claims.sub = "user-123";
  claims.aud = kAudience;
  claims.iat = kNow;
  claims.exp = kNow + 900;
  claims.jti = "jti-1";
  claims.sid = "sid-1";
  claims.tenant_id = "tenant-1";
  claims.roles = {"member", "admin"};
  claims.amr = {"pwd", "otp"};
  return claims;
}

std::string signed_token(const AccessTokenClaims& claims, const Ed25519SigningKey& key) {
  auto token = sign_access_token(claims, key);
  BOOST_TEST_REQUIRE(token.ok());
  return *token;
}

std::vector<std::string> segments(const std::string& token) {
  std::vector<std::string> out(1);
  for (char c : token) {
    if (c == '.') out.emplace_back(); else out.back().push_back(c);
  }
  return out;
}

template <class T>
std::string outcome(const Result<T>& result) {
  return result.ok() ? "ok" : std::string(error_code_name(result.code()));
}

std::string expected_outcome(const json& value) { return value.is_null() ? "ok" : value.get<std::string>(); }

class CountingRandom final : public RandomSource {
 public:
  void fill(std::span<std::uint8_t> out) noexcept override {
    for (auto& byte : out) byte = next_++;
  }

 private:
  std::uint8_t next_ = 0;
};

}  // namespace

// ---------------------------------------------------------------------------
// RFC 8037 Appendix A

BOOST_AUTO_TEST_CASE(rfc8037_a1_seed_gives_the_published_public_key) {
  for (const auto& v : vector_table("rfc8037.json", "private_keys")) {
    BOOST_TEST_CONTEXT(v.at("section").get<std::string>()) {
      const Bytes seed = decoded(v.at("d").get<std::string>());
      BOOST_TEST(hex(seed) == v.at("seed_hex").get<std::string>());
      auto key = Ed25519SigningKey::from_seed(seed);
      BOOST_TEST_REQUIRE(key.ok());
      const auto& x = key->public_key().bytes();
      BOOST_TEST(hex({x.begin(), x.end()}) == v.at("public_hex").get<std::string>());
      BOOST_TEST(base64url_encode(x) == v.at("x").get<std::string>());
      BOOST_TEST(hex({key->seed().begin(), key->seed().end()}) == v.at("seed_hex").get<std::string>());
    }
  }
}

BOOST_AUTO_TEST_CASE(rfc8037_a1_private_jwk_is_refused_as_a_public_key) {
  for (const auto& v : vector_table("rfc8037.json", "private_keys")) {
    auto key = Ed25519PublicKey::from_jwk(json::parse(v.at("jwk").get<std::string>()));
    BOOST_TEST_REQUIRE(!key.ok());
    BOOST_TEST(key.code() == ErrorCode::jwt_invalid_key);
  }
}

BOOST_AUTO_TEST_CASE(rfc8037_a2_public_jwk_parses_and_is_emitted) {
  for (const auto& v : vector_table("rfc8037.json", "public_keys")) {
    const json jwk = json::parse(v.at("jwk").get<std::string>());
    auto key = Ed25519PublicKey::from_jwk(jwk);
    BOOST_TEST_REQUIRE(key.ok());
    BOOST_TEST(hex({key->bytes().begin(), key->bytes().end()}) == v.at("public_hex").get<std::string>());
    const json emitted = key->to_jwk();
    BOOST_TEST(emitted.at("kty") == jwk.at("kty"));
    BOOST_TEST(emitted.at("crv") == jwk.at("crv"));
    BOOST_TEST(emitted.at("x") == jwk.at("x"));
  }
}

BOOST_AUTO_TEST_CASE(rfc8037_a3_thumbprint_matches) {
  for (const auto& v : vector_table("rfc8037.json", "thumbprints")) {
    auto key = Ed25519PublicKey::from_bytes(decoded(v.at("x").get<std::string>()));
    BOOST_TEST_REQUIRE(key.ok());
    const auto thumbprint = key->thumbprint();
    BOOST_TEST(thumbprint == v.at("thumbprint").get<std::string>());
    BOOST_TEST(hex(decoded(thumbprint)) == v.at("sha256_hex").get<std::string>());
    // Without an explicit kid the thumbprint is the kid.
    BOOST_TEST(key->kid() == v.at("thumbprint").get<std::string>());
  }
}

BOOST_AUTO_TEST_CASE(rfc8037_a4_signing_reproduces_the_published_jws) {
  for (const auto& v : vector_table("rfc8037.json", "signatures")) {
    auto key = Ed25519SigningKey::from_seed(decoded(v.at("d").get<std::string>()));
    BOOST_TEST_REQUIRE(key.ok());
    BOOST_TEST(base64url_encode(key->public_key().bytes()) == v.at("x").get<std::string>());
    const auto payload = v.at("payload").get<std::string>();
    auto jws = sign_compact_jws(v.at("protected_header").get<std::string>(), as_bytes(payload), *key);
    BOOST_TEST_REQUIRE(jws.ok());
    BOOST_TEST(*jws == v.at("jws").get<std::string>());
    const auto parts = segments(*jws);
    BOOST_TEST_REQUIRE(parts.size() == 3U);
    BOOST_TEST(parts[0] == v.at("encoded_header").get<std::string>());
    BOOST_TEST(parts[1] == v.at("encoded_payload").get<std::string>());
    BOOST_TEST(parts[0] + "." + parts[1] == v.at("signing_input").get<std::string>());
    BOOST_TEST(parts[2] == v.at("signature").get<std::string>());
  }
}

BOOST_AUTO_TEST_CASE(rfc8037_a5_published_jws_verifies) {
  for (const auto& v : vector_table("rfc8037.json", "verifications")) {
    auto key = Ed25519PublicKey::from_bytes(decoded(v.at("x").get<std::string>()));
    BOOST_TEST_REQUIRE(key.ok());
    auto verified = verify_compact_jws(v.at("jws").get<std::string>(), *key);
    BOOST_TEST_REQUIRE(verified.ok());
    BOOST_TEST(verified->header == json::parse(v.at("protected_header").get<std::string>()));
    BOOST_TEST(text_of(verified->payload) == v.at("payload").get<std::string>());
  }
}

BOOST_AUTO_TEST_CASE(rfc8037_a5_jws_fails_under_another_key_and_after_any_signature_bit_flip) {
  for (const auto& v : vector_table("rfc8037.json", "verifications")) {
    const auto jws = v.at("jws").get<std::string>();
    auto other = Ed25519SigningKey::from_seed(unhex(std::string(64, '7')));
    BOOST_TEST_REQUIRE(other.ok());
    auto wrong_key = verify_compact_jws(jws, other->public_key());
    BOOST_TEST_REQUIRE(!wrong_key.ok());
    BOOST_TEST(wrong_key.code() == ErrorCode::jwt_invalid_signature);

    auto key = Ed25519PublicKey::from_bytes(decoded(v.at("x").get<std::string>()));
    BOOST_TEST_REQUIRE(key.ok());
    const auto parts = segments(jws);
    const Bytes signature = decoded(parts[2]);
    int accepted = 0;
    for (std::size_t bit = 0; bit < signature.size() * 8; ++bit) {
      Bytes flipped = signature;
      flipped[bit / 8] = static_cast<std::uint8_t>(flipped[bit / 8] ^ (1U << (bit % 8)));
      auto result = verify_compact_jws(parts[0] + "." + parts[1] + "." + base64url_encode(flipped), *key);
      if (result.ok() || result.code() != ErrorCode::jwt_invalid_signature) ++accepted;
    }
    BOOST_TEST(accepted == 0);
  }
}

// ---------------------------------------------------------------------------
// JWS layer

BOOST_AUTO_TEST_CASE(jws_sign_refuses_headers_that_are_not_eddsa_objects) {
  const auto key = table_key(0);
  const auto payload = as_bytes("x");
  struct Case { const char* header; ErrorCode code; };
  for (const auto& c : {Case{R"({})", ErrorCode::jwt_unsupported_algorithm},
                        Case{R"({"alg":"none"})", ErrorCode::jwt_unsupported_algorithm},
                        Case{R"({"alg":"HS256"})", ErrorCode::jwt_unsupported_algorithm},
                        Case{R"({"alg":"eddsa"})", ErrorCode::jwt_unsupported_algorithm},
                        Case{R"({"alg":"EdDSA","crit":["b64"],"b64":false})", ErrorCode::invalid_argument},
                        Case{R"({"alg":"EdDSA","alg":"EdDSA"})", ErrorCode::invalid_argument},
                        Case{R"(["alg","EdDSA"])", ErrorCode::invalid_argument},
                        Case{"not json", ErrorCode::invalid_argument},
                        Case{"", ErrorCode::invalid_argument}}) {
    BOOST_TEST_CONTEXT(c.header) {
      auto jws = sign_compact_jws(c.header, payload, key);
      BOOST_TEST_REQUIRE(!jws.ok());
      BOOST_TEST(jws.code() == c.code);
    }
  }
}

BOOST_AUTO_TEST_CASE(jws_round_trips_binary_and_empty_payloads) {
  const auto key = table_key(0);
  for (const Bytes& payload : {Bytes{}, Bytes{0x00, 0xff, 0x2e, 0x00}, Bytes(1000, 0x2e)}) {
    auto jws = sign_compact_jws(R"({"alg":"EdDSA","cty":"application/octet-stream"})", payload, key);
    BOOST_TEST_REQUIRE(jws.ok());
    auto verified = verify_compact_jws(*jws, key.public_key());
    BOOST_TEST_REQUIRE(verified.ok());
    BOOST_TEST(verified->payload == payload);
  }
}

BOOST_AUTO_TEST_CASE(jws_verify_checks_a_kid_in_the_header_against_the_key) {
  const auto key = table_key(0);
  auto matching = sign_compact_jws(R"({"alg":"EdDSA","kid":"sesame-test-1"})", as_bytes("p"), key);
  BOOST_TEST_REQUIRE(matching.ok());
  BOOST_TEST(verify_compact_jws(*matching, key.public_key()).ok());

  auto other_kid = sign_compact_jws(R"({"alg":"EdDSA","kid":"sesame-test-2"})", as_bytes("p"), key);
  BOOST_TEST_REQUIRE(other_kid.ok());
  auto refused = verify_compact_jws(*other_kid, key.public_key());
  BOOST_TEST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.code() == ErrorCode::jwt_unknown_key);

  auto numeric_kid = sign_compact_jws(R"({"alg":"EdDSA","kid":7})", as_bytes("p"), key);
  BOOST_TEST_REQUIRE(numeric_kid.ok());
  auto malformed = verify_compact_jws(*numeric_kid, key.public_key());
  BOOST_TEST_REQUIRE(!malformed.ok());
  BOOST_TEST(malformed.code() == ErrorCode::jwt_malformed);
}

BOOST_AUTO_TEST_CASE(jws_verify_refuses_tokens_over_the_size_limit) {
  const auto key = table_key(0);
  auto jws = sign_compact_jws(R"({"alg":"EdDSA"})", Bytes(100, 1), key);
  BOOST_TEST_REQUIRE(jws.ok());
  BOOST_TEST(verify_compact_jws(*jws, key.public_key(), jws->size()).ok());
  auto refused = verify_compact_jws(*jws, key.public_key(), jws->size() - 1);
  BOOST_TEST_REQUIRE(!refused.ok());
  BOOST_TEST(refused.code() == ErrorCode::input_too_large);
}

// ---------------------------------------------------------------------------
// Keys

BOOST_AUTO_TEST_CASE(signing_key_rejects_seeds_of_the_wrong_length) {
  for (std::size_t length : {0U, 16U, 31U, 33U, 64U}) {
    BOOST_TEST_CONTEXT("length " << length) {
      auto key = Ed25519SigningKey::from_seed(Bytes(length, 1));
      BOOST_TEST_REQUIRE(!key.ok());
      BOOST_TEST(key.code() == ErrorCode::jwt_invalid_key);
    }
  }
}

BOOST_AUTO_TEST_CASE(public_key_rejects_wrong_lengths_and_invalid_points) {
  for (const auto& x : {Bytes(31, 0x11), Bytes(33, 0x11), Bytes{}, Bytes(32, 0x00),
                        unhex("0100000000000000000000000000000000000000000000000000000000000000"),
                        unhex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f")}) {
    BOOST_TEST_CONTEXT(hex(x)) {
      auto key = Ed25519PublicKey::from_bytes(x, "k");
      BOOST_TEST_REQUIRE(!key.ok());
      BOOST_TEST(key.code() == ErrorCode::jwt_invalid_key);
    }
  }
}

BOOST_AUTO_TEST_CASE(kid_must_be_short_printable_ascii) {
  const auto key = table_key(0);
  const auto& x = key.public_key().bytes();
  BOOST_TEST(Ed25519PublicKey::from_bytes(x, std::string(kMaxKidBytes, 'k')).ok());
  for (const std::string& kid : {std::string(kMaxKidBytes + 1, 'k'), std::string("a\nb"), std::string("tab\t"),
                                 std::string("caf\xc3\xa9"), std::string(1, '\0')}) {
    BOOST_TEST_CONTEXT("kid of " << kid.size() << " bytes") {
      auto public_key = Ed25519PublicKey::from_bytes(x, kid);
      BOOST_TEST_REQUIRE(!public_key.ok());
      BOOST_TEST(public_key.code() == ErrorCode::jwt_invalid_key);
      auto signing_key = Ed25519SigningKey::from_seed(key.seed(), kid);
      BOOST_TEST_REQUIRE(!signing_key.ok());
      BOOST_TEST(signing_key.code() == ErrorCode::jwt_invalid_key);
    }
  }
}

BOOST_AUTO_TEST_CASE(signing_key_defaults_its_kid_to_the_thumbprint) {
  const auto key = key_from_seed_hex(std::string(64, 'a'));
  BOOST_TEST(key.kid() == key.public_key().thumbprint());
  BOOST_TEST(key.kid().size() == 43U);
}

BOOST_AUTO_TEST_CASE(moving_a_signing_key_wipes_the_source) {
  const std::string seed_hex(64, 'c');
  auto original = key_from_seed_hex(seed_hex, "moved");
  Ed25519SigningKey moved(std::move(original));
  BOOST_TEST(hex({moved.seed().begin(), moved.seed().end()}) == seed_hex);
  BOOST_TEST(moved.kid() == "moved");
  const auto wiped = original.seed();  // NOLINT(bugprone-use-after-move): the wipe is what we check
  BOOST_TEST(std::all_of(wiped.begin(), wiped.end(), [](std::uint8_t b) { return b == 0; }));

  auto assigned = key_from_seed_hex(std::string(64, 'd'), "other");
  assigned = std::move(moved);
  BOOST_TEST(hex({assigned.seed().begin(), assigned.seed().end()}) == seed_hex);
  const auto wiped_again = moved.seed();  // NOLINT(bugprone-use-after-move)
  BOOST_TEST(std::all_of(wiped_again.begin(), wiped_again.end(), [](std::uint8_t b) { return b == 0; }));
}

BOOST_AUTO_TEST_CASE(generated_key_uses_the_given_random_source) {
  CountingRandom random;
  auto key = Ed25519SigningKey::generate(random, "gen");
  BOOST_TEST_REQUIRE(key.ok());
  const auto expected = key_from_seed_hex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
  BOOST_TEST(key->public_key().bytes() == expected.public_key().bytes());
  BOOST_TEST(key->kid() == "gen");
}

BOOST_AUTO_TEST_CASE(signatures_are_deterministic_and_depend_on_the_message) {
  const auto key = table_key(0);
  const auto first = key.sign(as_bytes("message"));
  BOOST_TEST(first == key.sign(as_bytes("message")));
  BOOST_TEST(first != key.sign(as_bytes("messagf")));
}

// ---------------------------------------------------------------------------
// JWK sets

BOOST_AUTO_TEST_CASE(jwks_round_trips_through_json) {
  JwkSet set;
  const auto first = table_key(0);
  const auto second = table_key(1);
  BOOST_TEST_REQUIRE(set.add(first.public_key()).ok());
  BOOST_TEST_REQUIRE(set.add(second.public_key()).ok());

  const json document = set.to_json();
  const json expected_first = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"x", base64url_encode(first.public_key().bytes())},
                               {"kid", "sesame-test-1"}, {"alg", "EdDSA"}, {"use", "sig"}};
  BOOST_TEST_REQUIRE(document.at("keys").size() == 2U);
  BOOST_TEST(document.at("keys").at(0) == expected_first);

  auto parsed = JwkSet::parse(document.dump());
  BOOST_TEST_REQUIRE(parsed.ok());
  BOOST_TEST_REQUIRE(parsed->keys().size() == 2U);
  BOOST_TEST((parsed->keys() == set.keys()));
  const auto* found = parsed->find("sesame-test-2");
  BOOST_TEST_REQUIRE(found != nullptr);
  BOOST_TEST(found->bytes() == second.public_key().bytes());
  BOOST_TEST(parsed->find("sesame-test-3") == nullptr);
  BOOST_TEST(parsed->find("") == nullptr);
}

BOOST_AUTO_TEST_CASE(jwks_parse_gives_a_key_without_kid_its_thumbprint) {
  for (const auto& v : vector_table("rfc8037.json", "thumbprints")) {
    auto parsed = JwkSet::parse(R"({"keys":[{"kty":"OKP","crv":"Ed25519","x":")" + v.at("x").get<std::string>() + R"("}]})");
    BOOST_TEST_REQUIRE(parsed.ok());
    BOOST_TEST(parsed->find(v.at("thumbprint").get<std::string>()) != nullptr);
  }
}

BOOST_AUTO_TEST_CASE(jwks_skips_keys_it_cannot_use_for_eddsa) {
  const auto mine = table_key(0).public_key().to_jwk();
  for (const auto& v : vector_table("jwt_negative.json", "jwks_skipped")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      const json document = {{"keys", json::array({v.at("jwk"), mine})}};
      auto parsed = JwkSet::parse(document.dump());
      BOOST_TEST_REQUIRE(parsed.ok());
      BOOST_TEST_REQUIRE(parsed->keys().size() == 1U);
      BOOST_TEST(parsed->keys().front().kid() == "sesame-test-1");
    }
  }
}

BOOST_AUTO_TEST_CASE(jwks_rejects_malformed_documents) {
  for (const auto& v : vector_table("jwt_negative.json", "jwks_invalid")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      auto parsed = JwkSet::parse(v.at("jwks").get<std::string>());
      BOOST_TEST(outcome(parsed) == v.at("error").get<std::string>());
    }
  }
}

BOOST_AUTO_TEST_CASE(jwks_refuses_oversized_documents) {
  const std::string padding(kMaxJwksBytes, ' ');
  auto parsed = JwkSet::parse(R"({"keys":[]})" + padding);
  BOOST_TEST_REQUIRE(!parsed.ok());
  BOOST_TEST(parsed.code() == ErrorCode::input_too_large);
  BOOST_TEST(JwkSet::parse(R"({"keys":[]})").ok());
}

BOOST_AUTO_TEST_CASE(key_set_refuses_a_second_key_with_the_same_kid) {
  JwkSet set;
  BOOST_TEST_REQUIRE(set.add(table_key(0).public_key()).ok());
  auto again = set.add(table_key(0).public_key());
  BOOST_TEST_REQUIRE(!again.ok());
  BOOST_TEST(again.code() == ErrorCode::jwt_invalid_key);
  BOOST_TEST(set.keys().size() == 1U);
}

// ---------------------------------------------------------------------------
// Access tokens

BOOST_AUTO_TEST_CASE(access_token_round_trips_every_claim) {
  const auto key = table_key(0);
  JwkSet set;
  BOOST_TEST_REQUIRE(set.add(key.public_key()).ok());
  auto claims = sample_claims();
  claims.nbf = kNow - 5;
  claims.extra = {{"email", "ada@example.test"}, {"org", {{"id", 7}, {"tags", {"a", "b"}}}}};

  const auto token = signed_token(claims, key);
  auto verified = verify_access_token(token, set, options_at(kNow));
  BOOST_TEST_REQUIRE(verified.ok());
  BOOST_TEST(verified->kid == "sesame-test-1");
  const auto& got = verified->claims;
  BOOST_TEST(got.iss == claims.iss);
  BOOST_TEST(got.sub == claims.sub);
  BOOST_TEST(got.aud == claims.aud);
  BOOST_TEST(got.exp == claims.exp);
  BOOST_TEST_REQUIRE(got.nbf.has_value());
  BOOST_TEST(*got.nbf == *claims.nbf);
  BOOST_TEST(got.iat == claims.iat);
  BOOST_TEST(got.jti == claims.jti);
  BOOST_TEST(got.sid == claims.sid);
  BOOST_TEST(got.tenant_id == claims.tenant_id);
  BOOST_TEST(got.roles == claims.roles);
  BOOST_TEST(got.amr == claims.amr);
  BOOST_TEST(got.extra == claims.extra);
}

BOOST_AUTO_TEST_CASE(access_token_header_is_eddsa_at_jwt_with_kid) {
  const auto key = table_key(0);
  const auto parts = segments(signed_token(sample_claims(), key));
  BOOST_TEST_REQUIRE(parts.size() == 3U);
  const json header = json::parse(text_of(decoded(parts[0])));
  BOOST_TEST(header == json({{"alg", "EdDSA"}, {"typ", "at+jwt"}, {"kid", "sesame-test-1"}}));
  const json payload = json::parse(text_of(decoded(parts[1])));
  BOOST_TEST(payload.at("aud").is_string());
  BOOST_TEST(payload.at("exp").is_number_integer());
  BOOST_TEST(!payload.contains("nbf"));
}

BOOST_AUTO_TEST_CASE(optional_claims_may_be_absent) {
  const auto key = table_key(0);
  auto claims = sample_claims();
  claims.tenant_id.clear();
  claims.roles.clear();
  claims.amr.clear();
  const auto token = signed_token(claims, key);
  const json payload = json::parse(text_of(decoded(segments(token)[1])));
  BOOST_TEST(!payload.contains("tenant_id"));
  auto decoded_token = decode_jwt(token);
  BOOST_TEST_REQUIRE(decoded_token.ok());
  BOOST_TEST(decoded_token->claims.tenant_id.empty());
  BOOST_TEST(decoded_token->claims.roles.empty());
  BOOST_TEST(!decoded_token->claims.nbf.has_value());
  BOOST_TEST(decoded_token->claims.extra == json::object());
}

BOOST_AUTO_TEST_CASE(decode_jwt_reads_claims_without_checking_signature_or_time) {
  const auto key = table_key(0);
  auto claims = sample_claims();
  claims.iat = 1000;
  claims.exp = 2000;  // long expired, and the verifier's issuer does not matter here
  const auto token = signed_token(claims, key);
  auto decoded_token = decode_jwt(token);
  BOOST_TEST_REQUIRE(decoded_token.ok());
  BOOST_TEST(decoded_token->kid == "sesame-test-1");
  BOOST_TEST(decoded_token->claims.exp == 2000);
  BOOST_TEST(decoded_token->claims.iat == 1000);
  BOOST_TEST(decoded_token->claims.sub == "user-123");

  JwkSet set;
  BOOST_TEST_REQUIRE(set.add(key.public_key()).ok());
  auto verified = verify_access_token(token, set, options_at(kNow));
  BOOST_TEST_REQUIRE(!verified.ok());
  BOOST_TEST(verified.code() == ErrorCode::jwt_expired);
}

BOOST_AUTO_TEST_CASE(access_tokens_follow_the_negative_table) {
  const auto set = table_key_set();
  const auto options = table_options();
  for (const auto& v : vector_table("jwt_negative.json", "tokens")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      const auto token = v.at("token").get<std::string>();
      BOOST_TEST(outcome(decode_jwt(token)) == expected_outcome(v.at("decode_error")));
      BOOST_TEST(outcome(verify_access_token(token, set, options)) == expected_outcome(v.at("verify_error")));
    }
  }
}

BOOST_AUTO_TEST_CASE(verified_aud_array_reports_the_matching_audience) {
  const auto set = table_key_set();
  for (const auto& v : vector_table("jwt_negative.json", "tokens")) {
    if (v.at("why").get<std::string>() != "aud array that contains the audience") continue;
    auto verified = verify_access_token(v.at("token").get<std::string>(), set, table_options());
    BOOST_TEST_REQUIRE(verified.ok());
    BOOST_TEST(verified->claims.aud == kAudience);
    auto decoded_token = decode_jwt(v.at("token").get<std::string>());
    BOOST_TEST_REQUIRE(decoded_token.ok());
    BOOST_TEST(decoded_token->claims.aud == "other");
  }
}

BOOST_AUTO_TEST_CASE(expiry_is_checked_with_the_leeway) {
  const auto key = table_key(0);
  JwkSet set;
  BOOST_TEST_REQUIRE(set.add(key.public_key()).ok());
  const auto token = signed_token(sample_claims(), key);  // exp = kNow + 900
  const std::int64_t exp = kNow + 900;

  for (std::int64_t leeway : {0, 1, 60, 300}) {
    BOOST_TEST_CONTEXT("leeway " << leeway) {
      auto options = options_at(exp + leeway - 1);
      options.leeway_seconds = leeway;
      BOOST_TEST(verify_access_token(token, set, options).ok());
      options.now_unix_seconds = exp + leeway;
      auto expired = verify_access_token(token, set, options);
      BOOST_TEST_REQUIRE(!expired.ok());
      BOOST_TEST(expired.code() == ErrorCode::jwt_expired);
    }
  }
}

BOOST_AUTO_TEST_CASE(not_before_and_issued_at_are_checked_with_the_leeway) {
  const auto key = table_key(0);
  JwkSet set;
  BOOST_TEST_REQUIRE(set.add(key.public_key()).ok());
  auto claims = sample_claims();
  claims.iat = kNow;
  claims.nbf = kNow + 100;
  const auto token = signed_token(claims, key);

  BOOST_TEST(verify_access_token(token, set, options_at(kNow + 40)).ok());  // nbf - 60
  auto early = verify_access_token(token, set, options_at(kNow + 39));
  BOOST_TEST_REQUIRE(!early.ok());
  BOOST_TEST(early.code() == ErrorCode::jwt_not_yet_valid);

  claims.nbf.reset();
  const auto fresh = signed_token(claims, key);
  BOOST_TEST(verify_access_token(fresh, set, options_at(kNow - 60)).ok());
  auto future = verify_access_token(fresh, set, options_at(kNow - 61));
  BOOST_TEST_REQUIRE(!future.ok());
  BOOST_TEST(future.code() == ErrorCode::jwt_issued_in_future);
}

BOOST_AUTO_TEST_CASE(extreme_times_do_not_overflow) {
  const auto key = table_key(0);
  JwkSet set;
  BOOST_TEST_REQUIRE(set.add(key.public_key()).ok());
  auto claims = sample_claims();
  claims.iat = std::numeric_limits<std::int64_t>::min();
  claims.exp = std::numeric_limits<std::int64_t>::max();
  claims.nbf = std::numeric_limits<std::int64_t>::min();
  const auto token = signed_token(claims, key);
  BOOST_TEST(verify_access_token(token, set, options_at(std::numeric_limits<std::int64_t>::max() - 1)).ok());
  BOOST_TEST(verify_access_token(token, set, options_at(std::numeric_limits<std::int64_t>::min())).ok());

  claims.iat = std::numeric_limits<std::int64_t>::max() - 1;
  claims.nbf.reset();
  auto future = verify_access_token(signed_token(claims, key), set, options_at(std::numeric_limits<std::int64_t>::max() - 100));
  BOOST_TEST_REQUIRE(!future.ok());
  BOOST_TEST(future.code() == ErrorCode::jwt_issued_in_future);
}

BOOST_AUTO_TEST_CASE(issuer_and_audience_must_match) {
  const auto key = table_key(0);
  JwkSet set;
  BOOST_TEST_REQUIRE(set.add(key.public_key()).ok());
  const auto token = signed_token(sample_claims(), key);

  auto options = options_at(kNow);
  options.expected_issuer = kIssuer + "/";
  auto wrong_issuer = verify_access_token(token, set, options);
  BOOST_TEST_REQUIRE(!wrong_issuer.ok());
  BOOST_TEST(wrong_issuer.code() == ErrorCode::jwt_invalid_issuer);

  options = options_at(kNow);
  options.expected_audience = "sesame-admin";
  auto wrong_audience = verify_access_token(token, set, options);
  BOOST_TEST_REQUIRE(!wrong_audience.ok());
  BOOST_TEST(wrong_audience.code() == ErrorCode::jwt_invalid_audience);
}

BOOST_AUTO_TEST_CASE(verify_refuses_unusable_options) {
  const auto key = table_key(0);
  JwkSet set;
  BOOST_TEST_REQUIRE(set.add(key.public_key()).ok());
  const auto token = signed_token(sample_claims(), key);
  auto no_issuer = options_at(kNow);
  no_issuer.expected_issuer.clear();
  auto no_audience = options_at(kNow);
  no_audience.expected_audience.clear();
  auto negative_leeway = options_at(kNow);
  negative_leeway.leeway_seconds = -1;
  auto large_leeway = options_at(kNow);
  large_leeway.leeway_seconds = kMaxLeewaySeconds + 1;
  for (const auto& options : {no_issuer, no_audience, negative_leeway, large_leeway}) {
    auto result = verify_access_token(token, set, options);
    BOOST_TEST_REQUIRE(!result.ok());
    BOOST_TEST(result.code() == ErrorCode::invalid_argument);
  }
}

BOOST_AUTO_TEST_CASE(validity_checks_run_in_the_documented_order) {
  const std::vector<std::string> audiences{"other", kAudience};
  AccessTokenValidity claims{kIssuer, audiences, kNow + 900, std::nullopt, kNow};
  BOOST_TEST(check_access_token_validity(claims, options_at(kNow)).ok());

  auto code_of = [](const AccessTokenValidity& c, const AccessTokenVerifyOptions& o) {
    auto result = check_access_token_validity(c, o);
    BOOST_TEST_REQUIRE(!result.ok());
    return result.code();
  };
  // Each broken claim is reported before the ones after it in the list.
  AccessTokenValidity all_wrong{"https://elsewhere", std::span<const std::string>{}, kNow - 3600, kNow + 3600, kNow + 3600};
  auto options = options_at(kNow);
  BOOST_TEST(code_of(all_wrong, options) == ErrorCode::jwt_expired);
  all_wrong.exp = kNow + 900;
  BOOST_TEST(code_of(all_wrong, options) == ErrorCode::jwt_not_yet_valid);
  all_wrong.nbf.reset();
  BOOST_TEST(code_of(all_wrong, options) == ErrorCode::jwt_issued_in_future);
  all_wrong.iat = kNow;
  BOOST_TEST(code_of(all_wrong, options) == ErrorCode::jwt_invalid_issuer);
  all_wrong.issuer = kIssuer;
  BOOST_TEST(code_of(all_wrong, options) == ErrorCode::jwt_invalid_audience);
  options.expected_audience.clear();
  BOOST_TEST(code_of(claims, options) == ErrorCode::invalid_argument);
}

BOOST_AUTO_TEST_CASE(rfc8037_a5_signature_verifies_over_the_signing_input) {
  for (const auto& v : vector_table("rfc8037.json", "verifications")) {
    auto key = Ed25519PublicKey::from_bytes(decoded(v.at("x").get<std::string>()));
    BOOST_TEST_REQUIRE(key.ok());
    const auto parts = segments(v.at("jws").get<std::string>());
    const std::string signing_input = parts[0] + "." + parts[1];
    const Bytes signature = decoded(parts[2]);
    BOOST_TEST(verify_ed25519_signature(as_bytes(signing_input), signature, *key).ok());
    auto other_message = verify_ed25519_signature(as_bytes(signing_input + "."), signature, *key);
    BOOST_TEST_REQUIRE(!other_message.ok());
    BOOST_TEST(other_message.code() == ErrorCode::jwt_invalid_signature);
    auto short_signature = verify_ed25519_signature(as_bytes(signing_input), ByteView(signature).first(63), *key);
    BOOST_TEST_REQUIRE(!short_signature.ok());
    BOOST_TEST(short_signature.code() == ErrorCode::jwt_invalid_signature);
  }
}

BOOST_AUTO_TEST_CASE(token_from_a_key_outside_the_set_is_an_unknown_key) {
  const auto outsider = key_from_seed_hex(std::string(64, 'e'), "outsider");
  const auto token = signed_token(sample_claims(), outsider);
  auto result = verify_access_token(token, table_key_set(), options_at(kNow));
  BOOST_TEST_REQUIRE(!result.ok());
  BOOST_TEST(result.code() == ErrorCode::jwt_unknown_key);

  JwkSet empty;
  auto none = verify_access_token(token, empty, options_at(kNow));
  BOOST_TEST_REQUIRE(!none.ok());
  BOOST_TEST(none.code() == ErrorCode::jwt_unknown_key);
}

BOOST_AUTO_TEST_CASE(verify_rejects_every_single_bit_flip) {
  const auto key = table_key(0);
  JwkSet set;
  BOOST_TEST_REQUIRE(set.add(key.public_key()).ok());
  const auto token = signed_token(sample_claims(), key);
  BOOST_TEST_REQUIRE(verify_access_token(token, set, options_at(kNow)).ok());
  const auto parts = segments(token);
  int accepted = 0;
  int tried = 0;
  for (std::size_t segment = 0; segment < 3; ++segment) {
    const Bytes original = decoded(parts[segment]);
    for (std::size_t bit = 0; bit < original.size() * 8; ++bit) {
      Bytes flipped = original;
      flipped[bit / 8] = static_cast<std::uint8_t>(flipped[bit / 8] ^ (1U << (bit % 8)));
      auto copy = parts;
      copy[segment] = base64url_encode(flipped);
      ++tried;
      if (verify_access_token(copy[0] + "." + copy[1] + "." + copy[2], set, options_at(kNow)).ok()) ++accepted;
    }
  }
  BOOST_TEST(tried > 2000);
  BOOST_TEST(accepted == 0);
}

BOOST_AUTO_TEST_CASE(every_truncation_and_character_substitution_fails_cleanly) {
  const auto key = table_key(0);
  JwkSet set;
  BOOST_TEST_REQUIRE(set.add(key.public_key()).ok());
  const auto token = signed_token(sample_claims(), key);
  int accepted = 0;
  for (std::size_t length = 0; length < token.size(); ++length) {
    const auto prefix = token.substr(0, length);
    if (verify_access_token(prefix, set, options_at(kNow)).ok()) ++accepted;
  }
  const std::string replacements("A_-.z0=+/ \n", 11);
  for (std::size_t at = 0; at < token.size(); ++at) {
    for (char c : replacements) {
      if (token[at] == c) continue;
      auto changed = token;
      changed[at] = c;
      if (verify_access_token(changed, set, options_at(kNow)).ok()) ++accepted;
      (void)decode_jwt(changed);  // must return, whatever it decides
    }
    auto with_nul = token;
    with_nul[at] = '\0';
    if (verify_access_token(with_nul, set, options_at(kNow)).ok()) ++accepted;
  }
  BOOST_TEST(accepted == 0);
}

BOOST_AUTO_TEST_CASE(oversized_tokens_are_refused_before_parsing) {
  const std::string huge(kDefaultMaxTokenBytes + 1, 'A');
  auto decoded_token = decode_jwt(huge);
  BOOST_TEST_REQUIRE(!decoded_token.ok());
  BOOST_TEST(decoded_token.code() == ErrorCode::input_too_large);
  auto verified = verify_access_token(huge, table_key_set(), options_at(kNow));
  BOOST_TEST_REQUIRE(!verified.ok());
  BOOST_TEST(verified.code() == ErrorCode::input_too_large);

  // A validly signed token just over a configured limit is refused as well.
  const auto key = table_key(0);
  const auto token = signed_token(sample_claims(), key);
  auto options = options_at(kNow);
  options.max_token_bytes = token.size() - 1;
  auto limited = verify_access_token(token, table_key_set(), options);
  BOOST_TEST_REQUIRE(!limited.ok());
  BOOST_TEST(limited.code() == ErrorCode::input_too_large);
  options.max_token_bytes = token.size();
  BOOST_TEST(verify_access_token(token, table_key_set(), options).ok());
}

BOOST_AUTO_TEST_CASE(sign_refuses_claims_that_would_make_a_bad_token) {
  const auto key = table_key(0);
  std::vector<std::pair<std::string, AccessTokenClaims>> cases;
  auto with = [&](const std::string& why, auto change) {
    auto claims = sample_claims();
    change(claims);
    cases.emplace_back(why, std::move(claims));
  };
  with("empty iss", [](AccessTokenClaims& c) { c.iss.clear(); });
  with("empty sub", [](AccessTokenClaims& c) { c.sub.clear(); });
  with("empty aud", [](AccessTokenClaims& c) { c.aud.clear(); });
  with("empty jti", [](AccessTokenClaims& c) { c.jti.clear(); });
  with("empty sid", [](AccessTokenClaims& c) { c.sid.clear(); });
  with("exp equal to iat", [](AccessTokenClaims& c) { c.exp = c.iat; });
  with("exp before iat", [](AccessTokenClaims& c) { c.exp = c.iat - 1; });
  with("extra is an array", [](AccessTokenClaims& c) { c.extra = json::array({1}); });
  with("extra repeats sub", [](AccessTokenClaims& c) { c.extra = {{"sub", "admin"}}; });
  with("extra repeats roles", [](AccessTokenClaims& c) { c.extra = {{"roles", json::array({"admin"})}}; });
  with("sub is not UTF-8", [](AccessTokenClaims& c) { c.sub = "\xff\xfe"; });
  with("role is not UTF-8", [](AccessTokenClaims& c) { c.roles.push_back("\xc0\xaf"); });
  with("extra value is not UTF-8", [](AccessTokenClaims& c) { c.extra = {{"name", "\xed\xa0\x80"}}; });
  with("extra key is not UTF-8", [](AccessTokenClaims& c) { c.extra = {{"\xe2\x82", 1}}; });
  for (const auto& [why, claims] : cases) {
    BOOST_TEST_CONTEXT(why) {
      auto token = sign_access_token(claims, key);
      BOOST_TEST_REQUIRE(!token.ok());
      BOOST_TEST(token.code() == ErrorCode::invalid_argument);
    }
  }

  auto too_big = sample_claims();
  too_big.extra = {{"blob", std::string(kDefaultMaxTokenBytes, 'x')}};
  auto token = sign_access_token(too_big, key);
  BOOST_TEST_REQUIRE(!token.ok());
  BOOST_TEST(token.code() == ErrorCode::input_too_large);
}

BOOST_AUTO_TEST_CASE(sign_accepts_multilingual_utf8_claims) {
  const auto key = table_key(0);
  auto claims = sample_claims();
  claims.sub = "Zo\xc3\xab \xe6\x9d\xb1\xe4\xba\xac \xf0\x9f\x94\x91";
  const auto token = signed_token(claims, key);
  auto decoded_token = decode_jwt(token);
  BOOST_TEST_REQUIRE(decoded_token.ok());
  BOOST_TEST(decoded_token->claims.sub == claims.sub);
}
