#define BOOST_TEST_MODULE core_otp
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <string>

#include "hmac.hpp"
#include "sha1.hpp"
#include "printing.hpp"
#include "vectors.hpp"

using namespace sesame;
using sesame::test::hex;
using sesame::test::unhex;
using sesame::test::vector_table;

namespace {

template <std::size_t N>
std::string hex_of(const std::array<std::uint8_t, N>& bytes) {
  return hex(Bytes(bytes.begin(), bytes.end()));
}

std::string repeated_input(const nlohmann::json& v) {
  std::string message;
  const auto piece = v.at("input").get<std::string>();
  for (int i = 0; i < v.at("repeat").get<int>(); ++i) message += piece;
  return message;
}

}  // namespace

BOOST_AUTO_TEST_CASE(sha1_matches_fips180_examples) {
  for (const auto& v : vector_table("fips180_sha1.json", "sha1")) {
    BOOST_TEST_CONTEXT(v.at("source").get<std::string>()) {
      BOOST_TEST(hex_of(sha1(as_bytes(repeated_input(v)))) == v.at("digest").get<std::string>());
    }
  }
}

BOOST_AUTO_TEST_CASE(sha1_streaming_gives_the_one_shot_digest_for_any_split) {
  for (const auto& v : vector_table("fips180_sha1.json", "sha1")) {
    const std::string message = repeated_input(v);
    const ByteView bytes = as_bytes(message);
    for (std::size_t chunk : {std::size_t{1}, std::size_t{3}, std::size_t{55}, std::size_t{63}, std::size_t{64},
                              std::size_t{65}, std::size_t{1000}}) {
      BOOST_TEST_CONTEXT(v.at("source").get<std::string>() << ", chunks of " << chunk) {
        Sha1 hash;
        for (std::size_t offset = 0; offset < bytes.size(); offset += chunk) {
          hash.update(bytes.subspan(offset, std::min(chunk, bytes.size() - offset)));
        }
        hash.update({});  // an empty update changes nothing
        BOOST_TEST(hex_of(hash.finish()) == v.at("digest").get<std::string>());
      }
      if (message.size() > 100000 && chunk < 64) break;  // one million single-byte updates is enough once
    }
  }
}

BOOST_AUTO_TEST_CASE(sha1_pads_correctly_at_block_boundaries) {
  for (const auto& v : vector_table("fips180_sha1.json", "padding_boundaries")) {
    BOOST_TEST_CONTEXT("length " << v.at("length").get<int>()) {
      const Bytes message = unhex(v.at("message_hex").get<std::string>());
      BOOST_TEST_REQUIRE(message.size() == v.at("length").get<std::size_t>());
      BOOST_TEST(hex_of(sha1(message)) == v.at("digest").get<std::string>());
    }
  }
}

BOOST_AUTO_TEST_CASE(hmac_sha1_matches_rfc2202) {
  for (const auto& v : vector_table("hmac.json", "rfc2202_hmac_sha1")) {
    BOOST_TEST_CONTEXT("RFC 2202 test case " << v.at("test_case").get<int>()) {
      const Bytes key = unhex(v.at("key_hex").get<std::string>());
      const Bytes data = unhex(v.at("data_hex").get<std::string>());
      BOOST_TEST(hex_of(hmac_sha1(key, data)) == v.at("mac").get<std::string>());
      BOOST_TEST(hex(hmac(HmacHash::sha1, key, data)) == v.at("mac").get<std::string>());
    }
  }
}

BOOST_AUTO_TEST_CASE(hmac_sha256_and_sha512_match_rfc4231) {
  for (const auto& v : vector_table("hmac.json", "rfc4231")) {
    BOOST_TEST_CONTEXT("RFC 4231 test case " << v.at("test_case").get<int>()) {
      const Bytes key = unhex(v.at("key_hex").get<std::string>());
      const Bytes data = unhex(v.at("data_hex").get<std::string>());
      BOOST_TEST(hex_of(hmac_sha256(key, data)) == v.at("hmac_sha256").get<std::string>());
      BOOST_TEST(hex_of(hmac_sha512(key, data)) == v.at("hmac_sha512").get<std::string>());
      BOOST_TEST(hex(hmac(HmacHash::sha256, key, data)) == v.at("hmac_sha256").get<std::string>());
      BOOST_TEST(hex(hmac(HmacHash::sha512, key, data)) == v.at("hmac_sha512").get<std::string>());
    }
  }
}

BOOST_AUTO_TEST_CASE(hmac_sha1_hashes_only_keys_longer_than_a_block) {
  const Bytes message = unhex("4869205468657265");
  // RFC 2104 §2: a key longer than the 64-byte block is replaced by its hash ...
  const Bytes long_key(65, 0x42);
  const auto long_key_hash = sha1(long_key);
  BOOST_TEST(hex_of(hmac_sha1(long_key, message)) ==
             hex_of(hmac_sha1(Bytes(long_key_hash.begin(), long_key_hash.end()), message)));
  // ... but a key of exactly one block is used as it is.
  const Bytes block_key(64, 0x42);
  const auto block_key_hash = sha1(block_key);
  BOOST_TEST(hex_of(hmac_sha1(block_key, message)) !=
             hex_of(hmac_sha1(Bytes(block_key_hash.begin(), block_key_hash.end()), message)));
}

BOOST_AUTO_TEST_CASE(hmac_accepts_an_empty_key_and_message) {
  for (const auto& v : vector_table("hmac.json", "empty_key_and_message")) {
    BOOST_TEST(hex_of(hmac_sha1({}, {})) == v.at("hmac_sha1").get<std::string>());
    BOOST_TEST(hex_of(hmac_sha256({}, {})) == v.at("hmac_sha256").get<std::string>());
    BOOST_TEST(hex_of(hmac_sha512({}, {})) == v.at("hmac_sha512").get<std::string>());
  }
}
