#define BOOST_TEST_MODULE core_encoding
#include <boost/test/unit_test.hpp>

#include "sesame/encoding.hpp"
#include "printing.hpp"
#include "vectors.hpp"

using namespace sesame;
using sesame::test::vector_table;

BOOST_AUTO_TEST_CASE(base32_matches_rfc4648_section10) {
  for (const auto& v : vector_table("rfc4648.json", "base32")) {
    const auto input = v.at("input").get<std::string>();
    const auto expected = v.at("output").get<std::string>();
    BOOST_TEST_CONTEXT("input '" << input << "'") {
      BOOST_TEST(base32_encode(as_bytes(input)) == expected);
      auto decoded = base32_decode(expected);
      BOOST_TEST_REQUIRE(decoded.ok());
      BOOST_TEST(std::string(decoded->begin(), decoded->end()) == input);
    }
  }
}

BOOST_AUTO_TEST_CASE(base32_decodes_lowercase_and_unpadded) {
  auto decoded = base32_decode("mzxw6ytboi");
  BOOST_TEST_REQUIRE(decoded.ok());
  BOOST_TEST(std::string(decoded->begin(), decoded->end()) == "foobar");
  BOOST_TEST(base32_encode(as_bytes("foobar"), Base32Padding::without_padding) == "MZXW6YTBOI");
}

BOOST_AUTO_TEST_CASE(base32_rejects_malformed_input) {
  for (const auto& v : vector_table("rfc4648.json", "base32_invalid")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      auto decoded = base32_decode(v.at("input").get<std::string>());
      BOOST_TEST_REQUIRE(!decoded.ok());
      BOOST_TEST(decoded.code() == ErrorCode::invalid_base32);
    }
  }
}

BOOST_AUTO_TEST_CASE(base64url_matches_rfc4648_section10_without_padding) {
  for (const auto& v : vector_table("rfc4648.json", "base64")) {
    const auto input = v.at("input").get<std::string>();
    const auto expected = v.at("output_url_nopad").get<std::string>();
    BOOST_TEST_CONTEXT("input '" << input << "'") {
      BOOST_TEST(base64url_encode(as_bytes(input)) == expected);
      auto decoded = base64url_decode(expected);
      BOOST_TEST_REQUIRE(decoded.ok());
      BOOST_TEST(std::string(decoded->begin(), decoded->end()) == input);
    }
  }
}

BOOST_AUTO_TEST_CASE(base64url_uses_the_url_safe_alphabet) {
  for (const auto& v : vector_table("rfc4648.json", "base64url_binary")) {
    const auto bytes = sesame::test::unhex(v.at("hex").get<std::string>());
    BOOST_TEST(base64url_encode(bytes) == v.at("output_url_nopad").get<std::string>());
  }
}

BOOST_AUTO_TEST_CASE(base64url_rejects_malformed_input) {
  for (const auto& v : vector_table("rfc4648.json", "base64url_invalid")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      auto decoded = base64url_decode(v.at("input").get<std::string>());
      BOOST_TEST_REQUIRE(!decoded.ok());
      BOOST_TEST(decoded.code() == ErrorCode::invalid_base64url);
    }
  }
}
