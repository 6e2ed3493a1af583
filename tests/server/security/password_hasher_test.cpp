#define BOOST_TEST_MODULE server_security_password
#include <boost/test/unit_test.hpp>

#include <string>

#include <sodium.h>

#include "security/password_hasher.hpp"
#include "security/sodium_random.hpp"
#include "outcome.hpp"
#include "printing.hpp"

using namespace sesame;
using namespace sesame::server;
using sesame::test::outcome_of;

namespace {

// Small Argon2 parameters keep the suite quick; one test uses the defaults.
constexpr PasswordHashParameters kFast{64, 1};

SecretBytes pepper_of(std::uint8_t fill) { return SecretBytes(Bytes(kPepperBytes, fill)); }

PasswordHasher hasher(std::uint8_t pepper_fill = 1, PasswordHashParameters parameters = kFast) {
  auto created = PasswordHasher::create(pepper_of(pepper_fill), parameters);
  BOOST_TEST_REQUIRE(created.ok());
  return std::move(created).value();
}

std::string hash_of(const PasswordHasher& h, std::string_view password) {
  auto hashed = h.hash(password);
  BOOST_TEST_REQUIRE(hashed.ok());
  return *hashed;
}

}  // namespace

BOOST_AUTO_TEST_CASE(default_parameters_are_owasp_and_verify) {
  const auto h = hasher(1, {});
  BOOST_TEST(h.parameters().memory_kib == 19u * 1024u);
  BOOST_TEST(h.parameters().iterations == 2u);
  const auto hashed = hash_of(h, "correct horse battery staple");
  BOOST_TEST(hashed.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0u);
  BOOST_TEST(h.verify(hashed, "correct horse battery staple"));
  BOOST_TEST(!h.needs_rehash(hashed));
}

BOOST_AUTO_TEST_CASE(verify_rejects_a_wrong_password) {
  const auto h = hasher();
  const auto hashed = hash_of(h, "correct horse battery staple");
  BOOST_TEST(h.verify(hashed, "correct horse battery staple"));
  BOOST_TEST(!h.verify(hashed, "correct horse battery stapl"));
  BOOST_TEST(!h.verify(hashed, "Correct horse battery staple"));
  BOOST_TEST(!h.verify(hashed, ""));
}

BOOST_AUTO_TEST_CASE(another_pepper_cannot_verify_the_hash) {
  const auto hashed = hash_of(hasher(1), "correct horse battery staple");
  BOOST_TEST(!hasher(2).verify(hashed, "correct horse battery staple"));
  BOOST_TEST(hasher(1).verify(hashed, "correct horse battery staple"));
}

BOOST_AUTO_TEST_CASE(the_pepper_is_applied_before_argon2) {
  // A plain (unpeppered) Argon2id hash of the password must not verify: the
  // database alone is not enough to check guesses.
  const auto h = hasher();
  const std::string password = "correct horse battery staple";
  char plain[crypto_pwhash_STRBYTES];
  BOOST_TEST_REQUIRE(crypto_pwhash_str_alg(plain, password.data(), password.size(), kFast.iterations,
                                           std::size_t{kFast.memory_kib} * 1024, crypto_pwhash_ALG_ARGON2ID13) == 0);
  BOOST_TEST(!h.verify(plain, password));
  BOOST_TEST(crypto_pwhash_str_verify(hash_of(h, password).c_str(), password.data(), password.size()) != 0);
}

BOOST_AUTO_TEST_CASE(hashes_of_one_password_differ_by_salt) {
  const auto h = hasher();
  BOOST_TEST(hash_of(h, "same password") != hash_of(h, "same password"));
}

BOOST_AUTO_TEST_CASE(verify_rejects_tampered_and_malformed_hashes) {
  const auto h = hasher();
  const std::string password = "correct horse battery staple";
  const auto hashed = hash_of(h, password);

  // Change one character of the digest (the last field) and of the salt.
  const auto digest_start = hashed.rfind('$') + 1;
  const auto salt_start = hashed.rfind('$', digest_start - 2) + 1;
  for (const auto position : {digest_start + 3, salt_start + 3}) {
    std::string tampered = hashed;
    tampered[position] = tampered[position] == 'A' ? 'B' : 'A';
    BOOST_TEST(!h.verify(tampered, password), "tampered at " << position);
  }
  std::string weaker = hashed;
  weaker.replace(weaker.find("t=1"), 3, "t=2");
  BOOST_TEST(!h.verify(weaker, password));

  BOOST_TEST(!h.verify("", password));
  BOOST_TEST(!h.verify("not a hash", password));
  BOOST_TEST(!h.verify(hashed.substr(0, hashed.size() - 5), password));
  BOOST_TEST(!h.verify(hashed + std::string(200, 'A'), password));
  BOOST_TEST(!h.verify(hashed + std::string(1, '\0'), password));
}

BOOST_AUTO_TEST_CASE(passwords_are_hashed_whole_including_zero_bytes) {
  const auto h = hasher();
  const std::string with_zero("pass\0word-one", 13);
  const auto hashed = hash_of(h, with_zero);
  BOOST_TEST(h.verify(hashed, with_zero));
  BOOST_TEST(!h.verify(hashed, std::string("pass\0word-two", 13)));
  BOOST_TEST(!h.verify(hashed, "pass"));
}

BOOST_AUTO_TEST_CASE(needs_rehash_after_a_parameter_change) {
  const auto old_hasher = hasher(1, {64, 1});
  const auto hashed = hash_of(old_hasher, "password");
  BOOST_TEST(!old_hasher.needs_rehash(hashed));
  BOOST_TEST(hasher(1, {128, 1}).needs_rehash(hashed));  // more memory
  BOOST_TEST(hasher(1, {64, 2}).needs_rehash(hashed));   // more iterations
  // The old hash still verifies under the new parameters: login can rehash.
  BOOST_TEST(hasher(1, {128, 2}).verify(hashed, "password"));
}

BOOST_AUTO_TEST_CASE(needs_rehash_for_argon2i_and_malformed_hashes) {
  const auto h = hasher();
  char argon2i[crypto_pwhash_STRBYTES];
  BOOST_TEST_REQUIRE(crypto_pwhash_str_alg(argon2i, "x", 1, 3, std::size_t{kFast.memory_kib} * 1024,
                                           crypto_pwhash_ALG_ARGON2I13) == 0);
  BOOST_TEST(h.needs_rehash(argon2i));
  BOOST_TEST(h.needs_rehash(""));
  BOOST_TEST(h.needs_rehash("$2b$12$bcryptbcryptbcryptbcryptbcryptbcryptbcryptbcryptbcr"));
}

BOOST_AUTO_TEST_CASE(dummy_verify_runs) {
  const auto h = hasher();
  BOOST_CHECK_NO_THROW(h.dummy_verify("any password"));
  BOOST_CHECK_NO_THROW(h.dummy_verify(""));
  BOOST_CHECK_NO_THROW(h.dummy_verify(std::string(10'000, 'x')));
}

BOOST_AUTO_TEST_CASE(create_rejects_bad_pepper_and_parameters) {
  BOOST_TEST(outcome_of(PasswordHasher::create(SecretBytes(Bytes(16, 1)), kFast)) == "invalid_argument");
  BOOST_TEST(outcome_of(PasswordHasher::create(SecretBytes(), kFast)) == "invalid_argument");
  BOOST_TEST(outcome_of(PasswordHasher::create(pepper_of(1), {4, 1})) == "invalid_argument");
  BOOST_TEST(outcome_of(PasswordHasher::create(pepper_of(1), {64, 0})) == "invalid_argument");
}
