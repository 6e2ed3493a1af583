#include <boost/test/unit_test.hpp>

#include <string>

#include "sesame/encoding.hpp"
#include "sesame/otpauth.hpp"
#include "printing.hpp"
#include "otp_test_support.hpp"
#include "vectors.hpp"

using namespace sesame;
using sesame::test::hex;
using sesame::test::unhex;
using sesame::test::algorithm_named;
using sesame::test::vector_table;

namespace {

OtpauthUri expected_uri(const nlohmann::json& v) {
  return OtpauthUri{v.at("issuer").get<std::string>(), v.at("account").get<std::string>(),
                    unhex(v.at("secret_hex").get<std::string>()),
                    OtpParameters{algorithm_named(v.at("algorithm").get<std::string>()), v.at("digits").get<int>(),
                                  v.at("period").get<int>()}};
}

void check_same(const OtpauthUri& actual, const OtpauthUri& expected) {
  BOOST_TEST(actual.issuer == expected.issuer);
  BOOST_TEST(actual.account == expected.account);
  BOOST_TEST(hex(actual.secret) == hex(expected.secret));
  BOOST_TEST((actual.parameters.algorithm == expected.parameters.algorithm));
  BOOST_TEST(actual.parameters.digits == expected.parameters.digits);
  BOOST_TEST(actual.parameters.period_seconds == expected.parameters.period_seconds);
  BOOST_TEST((actual == expected));
}

std::string padded(const nlohmann::json& v) {
  std::string uri = v.at("uri_prefix").get<std::string>();
  uri.resize(v.at("length").get<std::size_t>(), v.at("pad_char").get<std::string>().at(0));
  return uri;
}

OtpauthUri example() {
  return OtpauthUri{"Example", "alice@example.com", Bytes(20, 0x5A), OtpParameters{}};
}

}  // namespace

BOOST_AUTO_TEST_CASE(otpauth_build_writes_the_key_uri_format) {
  for (const auto& v : vector_table("otpauth.json", "build")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      auto uri = build_otpauth_uri(expected_uri(v));
      BOOST_TEST_REQUIRE(uri.ok());
      BOOST_TEST(*uri == v.at("uri").get<std::string>());
    }
  }
}

BOOST_AUTO_TEST_CASE(otpauth_parse_reads_back_what_build_writes) {
  for (const auto& v : vector_table("otpauth.json", "build")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      auto parsed = parse_otpauth_uri(v.at("uri").get<std::string>());
      BOOST_TEST_REQUIRE(parsed.ok());
      check_same(*parsed, expected_uri(v));
    }
  }
}

BOOST_AUTO_TEST_CASE(otpauth_round_trips_every_algorithm_and_bound) {
  for (auto algorithm : {OtpAlgorithm::sha1, OtpAlgorithm::sha256, OtpAlgorithm::sha512}) {
    for (int digits : {kOtpMinDigits, kOtpMaxDigits}) {
      for (int period : {kOtpMinPeriodSeconds, 30, kOtpMaxPeriodSeconds}) {
        for (std::size_t secret_size :
             {kOtpMinSecretBytes, recommended_otp_secret_bytes(algorithm), kOtpMaxSecretBytes}) {
          Bytes secret(secret_size);
          for (std::size_t i = 0; i < secret.size(); ++i) secret[i] = static_cast<std::uint8_t>(i * 151 + 7);
          const OtpauthUri original{"Sesame Demo", "user name+tag@example.org", secret, {algorithm, digits, period}};
          BOOST_TEST_CONTEXT(otp_algorithm_name(algorithm) << " " << digits << " digits " << period << " s "
                                                           << secret_size << " bytes") {
            auto uri = build_otpauth_uri(original);
            BOOST_TEST_REQUIRE(uri.ok());
            auto parsed = parse_otpauth_uri(*uri);
            BOOST_TEST_REQUIRE(parsed.ok());
            BOOST_TEST((*parsed == original));
          }
        }
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(otpauth_parse_accepts_common_variants) {
  for (const auto& v : vector_table("otpauth.json", "parse")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      auto parsed = parse_otpauth_uri(v.at("uri").get<std::string>());
      BOOST_TEST_REQUIRE(parsed.ok(), (parsed.ok() ? "" : parsed.error().detail));
      check_same(*parsed, expected_uri(v));
    }
  }
}

BOOST_AUTO_TEST_CASE(otpauth_parse_rejects_malformed_uris_with_a_detail) {
  for (const auto& v : vector_table("otpauth.json", "invalid")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      auto parsed = parse_otpauth_uri(v.at("uri").get<std::string>());
      BOOST_TEST_REQUIRE(!parsed.ok());
      BOOST_TEST(error_code_name(parsed.code()) == v.at("code").get<std::string>());
      BOOST_TEST(!parsed.error().detail.empty());
      BOOST_TEST(parsed.error().detail.find("JBSWY3DP") == std::string::npos);  // never echoes the secret
      for (char c : parsed.error().detail) BOOST_TEST((c >= ' ' && c <= '~'));  // safe to put in any JSON
    }
  }
}

BOOST_AUTO_TEST_CASE(otpauth_parse_caps_the_input_length) {
  for (const auto& v : vector_table("otpauth.json", "too_long")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      auto parsed = parse_otpauth_uri(padded(v));
      BOOST_TEST_REQUIRE(!parsed.ok());
      BOOST_TEST(error_code_name(parsed.code()) == v.at("code").get<std::string>());
    }
  }
  for (const auto& v : vector_table("otpauth.json", "at_cap")) {
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>()) {
      const std::string uri = padded(v);
      BOOST_TEST_REQUIRE(uri.size() == kOtpauthUriMaxChars);
      BOOST_TEST(parse_otpauth_uri(uri).ok());
    }
  }
}

BOOST_AUTO_TEST_CASE(otpauth_parse_error_names_the_problem) {
  const std::pair<const char*, const char*> cases[] = {
      {"otpauth://hotp/A:b?secret=JBSWY3DPEHPK3PXP", "hotp"},
      {"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&issuer=B", "issuer"},
      {"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&digits=6&digits=8", "duplicate parameter 'digits'"},
      {"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PX1", "base32"},
      {"otpauth://totp/A%G1:b?secret=JBSWY3DPEHPK3PXP", "percent-encoding"},
      {"otpauth://totp/A:b?secret=JBSWY3DPEHPK3PXP&period=0", "period"},
      {"https://example.com/?secret=JBSWY3DPEHPK3PXP", "scheme"},
  };
  for (const auto& [uri, words] : cases) {
    BOOST_TEST_CONTEXT(uri) {
      auto parsed = parse_otpauth_uri(uri);
      BOOST_TEST_REQUIRE(!parsed.ok());
      BOOST_TEST(parsed.error().detail.find(words) != std::string::npos, parsed.error().detail);
    }
  }
}

BOOST_AUTO_TEST_CASE(otpauth_build_rejects_labels_that_cannot_round_trip) {
  auto with_account = [](std::string account) { auto u = example(); u.account = std::move(account); return u; };
  auto with_issuer = [](std::string issuer) { auto u = example(); u.issuer = std::move(issuer); return u; };
  const OtpauthUri bad[] = {
      with_account(""),          with_account("alice:bob"),  with_account("al\nice"),
      with_account("al\xFFice"), with_issuer("Exa:mple"),    with_issuer("Exa\x01mple"),
      with_issuer("\xC3"),
  };
  for (const auto& uri : bad) {
    auto built = build_otpauth_uri(uri);
    BOOST_TEST_REQUIRE(!built.ok());
    BOOST_TEST(built.code() == ErrorCode::invalid_otpauth_uri);
    BOOST_TEST(!built.error().detail.empty());
  }
}

BOOST_AUTO_TEST_CASE(otpauth_build_rejects_invalid_parameters_and_secrets) {
  auto with_parameters = [](OtpParameters parameters) { auto u = example(); u.parameters = parameters; return u; };
  auto with_secret = [](std::size_t size) { auto u = example(); u.secret = Bytes(size, 1); return u; };
  const OtpauthUri bad[] = {
      with_parameters({OtpAlgorithm::sha1, 5, 30}), with_parameters({OtpAlgorithm::sha1, 6, 0}),
      with_parameters({static_cast<OtpAlgorithm>(9), 6, 30}), with_secret(0), with_secret(kOtpMinSecretBytes - 1),
      with_secret(kOtpMaxSecretBytes + 1),
  };
  for (const auto& uri : bad) {
    auto built = build_otpauth_uri(uri);
    BOOST_TEST_REQUIRE(!built.ok());
    BOOST_TEST(built.code() == ErrorCode::invalid_otp_parameters);
  }
}

BOOST_AUTO_TEST_CASE(otpauth_build_refuses_uris_longer_than_parse_accepts) {
  auto uri = example();
  uri.account = std::string(2000, 'a');
  auto built = build_otpauth_uri(uri);
  BOOST_TEST_REQUIRE(!built.ok());
  BOOST_TEST(built.code() == ErrorCode::input_too_large);

  uri.account = std::string(1000, 'a');  // still fits with the issuer, secret and parameters
  auto fits = build_otpauth_uri(uri);
  BOOST_TEST_REQUIRE(fits.ok());
  BOOST_TEST(fits->size() <= kOtpauthUriMaxChars);
  BOOST_TEST(parse_otpauth_uri(*fits).ok());
}

BOOST_AUTO_TEST_CASE(otpauth_secret_is_unpadded_base32) {
  auto uri = example();
  uri.secret = Bytes(16, 0xA5);  // 16 bytes would need "======" padding
  auto built = build_otpauth_uri(uri);
  BOOST_TEST_REQUIRE(built.ok());
  const std::string expected = "secret=" + base32_encode(uri.secret, Base32Padding::without_padding) + "&";
  BOOST_TEST(built->find(expected) != std::string::npos);
  BOOST_TEST(built->find("==") == std::string::npos);
}
