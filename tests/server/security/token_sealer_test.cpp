#define BOOST_TEST_MODULE server_security_tokens
#include <boost/test/unit_test.hpp>

#include <array>
#include <set>
#include <string>

#include "security/opaque_token.hpp"
#include "security/sodium_random.hpp"
#include "security/token_sealer.hpp"
#include "outcome.hpp"
#include "printing.hpp"
#include "sesame/encoding.hpp"

using namespace sesame;
using namespace sesame::server;
using sesame::test::outcome_of;

namespace {

SecretBytes key_of(std::uint8_t fill) { return SecretBytes(Bytes(crypto_secretbox_KEYBYTES, fill)); }

TokenSealer sealer(std::uint8_t key_fill = 1, SealPurpose purpose = SealPurpose::refresh_successor) {
  auto created = TokenSealer::create(key_of(key_fill), purpose);
  BOOST_TEST_REQUIRE(created.ok());
  return std::move(created).value();
}

std::string sealed_with(const TokenSealer& s, std::string_view plaintext) {
  SodiumRandom random;
  auto sealed = s.seal(plaintext, random);
  BOOST_TEST_REQUIRE(sealed.ok());
  return *sealed;
}

}  // namespace

BOOST_AUTO_TEST_CASE(sealed_values_open_to_the_plaintext) {
  const auto s = sealer();
  for (const std::string& plaintext : {std::string("a-refresh-token-value"), std::string(), std::string(4096, 'x'),
                                      std::string("with\0zero", 9)}) {
    const auto sealed = sealed_with(s, plaintext);
    auto opened = s.open(sealed);
    BOOST_TEST_REQUIRE(opened.ok());
    BOOST_TEST(*opened == plaintext);
  }
}

BOOST_AUTO_TEST_CASE(sealing_twice_uses_fresh_nonces) {
  const auto s = sealer();
  BOOST_TEST(sealed_with(s, "same") != sealed_with(s, "same"));
}

BOOST_AUTO_TEST_CASE(tampered_sealed_values_are_rejected) {
  const auto s = sealer();
  const auto sealed = sealed_with(s, "a-refresh-token-value");
  auto box = base64url_decode(sealed);
  BOOST_TEST_REQUIRE(box.ok());
  // Flip one bit in the nonce, the tag and the ciphertext in turn.
  for (std::size_t position : {std::size_t{0}, std::size_t{30}, box->size() - 1}) {
    Bytes tampered = *box;
    tampered[position] ^= 0x01;
    BOOST_TEST(outcome_of(s.open(base64url_encode(tampered))) == "invalid_argument", "byte " << position);
  }
  BOOST_TEST(outcome_of(s.open(sealed.substr(0, sealed.size() - 4))) == "invalid_argument");
  BOOST_TEST(outcome_of(s.open("")) == "invalid_argument");
  BOOST_TEST(outcome_of(s.open("not base64url!")) == "invalid_argument");
  BOOST_TEST(outcome_of(s.open(std::string(20'000, 'A'))) == "input_too_large");
}

BOOST_AUTO_TEST_CASE(other_keys_and_purposes_cannot_open) {
  const auto sealed = sealed_with(sealer(1, SealPurpose::refresh_successor), "secret");
  BOOST_TEST(outcome_of(sealer(2, SealPurpose::refresh_successor).open(sealed)) == "invalid_argument");
  BOOST_TEST(outcome_of(sealer(1, SealPurpose::totp_secret).open(sealed)) == "invalid_argument");
  BOOST_TEST(sealer(1, SealPurpose::refresh_successor).open(sealed).ok());
}

BOOST_AUTO_TEST_CASE(sealer_requires_a_full_key_and_small_plaintexts) {
  const SecretBytes short_key(Bytes(16, 1));
  BOOST_TEST(outcome_of(TokenSealer::create(short_key, SealPurpose::totp_secret)) == "invalid_argument");
  SodiumRandom random;
  BOOST_TEST(outcome_of(sealer().seal(std::string(kMaxSealedPlaintextBytes + 1, 'x'), random)) == "input_too_large");
}

BOOST_AUTO_TEST_CASE(opaque_tokens_are_32_random_bytes_in_base64url) {
  SodiumRandom random;
  std::set<std::string> seen;
  for (int i = 0; i < 1000; ++i) {
    const std::string token = generate_opaque_token(random);
    BOOST_TEST_REQUIRE(token.size() == 43u);
    auto bytes = base64url_decode(token);
    BOOST_TEST_REQUIRE(bytes.ok());
    BOOST_TEST(bytes->size() == kOpaqueTokenBytes);
    seen.insert(token);
  }
  BOOST_TEST(seen.size() == 1000u);
}

BOOST_AUTO_TEST_CASE(opaque_token_hash_is_sha256_hex) {
  // FIPS 180-2 example: SHA-256("abc").
  BOOST_TEST(hash_opaque_token("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(hash_opaque_token("") == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  SodiumRandom random;
  const std::string token = generate_opaque_token(random);
  BOOST_TEST(hash_opaque_token(token) == hash_opaque_token(token));
  BOOST_TEST(hash_opaque_token(token) != hash_opaque_token(generate_opaque_token(random)));
  BOOST_TEST(hash_opaque_token(token).find(token) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(sodium_random_fills_every_byte) {
  SodiumRandom random;
  // Each of 64 positions is nonzero in at least one of 8 draws (a false failure: 64 in 2^64).
  std::array<bool, 64> touched{};
  for (int draw = 0; draw < 8; ++draw) {
    std::array<std::uint8_t, 64> bytes{};
    random.fill(bytes);
    for (std::size_t i = 0; i < bytes.size(); ++i) touched[i] = touched[i] || bytes[i] != 0;
  }
  for (std::size_t i = 0; i < touched.size(); ++i) BOOST_TEST(touched[i], "byte " << i);
}
