#include <boost/test/unit_test.hpp>

#include <limits>
#include <string>

#include "hmac.hpp"
#include "sesame/totp.hpp"
#include "printing.hpp"
#include "otp_test_support.hpp"
#include "vectors.hpp"

using namespace sesame;
using sesame::test::hex;
using sesame::test::algorithm_named;
using sesame::test::vector_table;

namespace {

// Counts up from a seed, so a test can predict every byte it hands out.
class CountingRandomSource final : public RandomSource {
 public:
  explicit CountingRandomSource(std::uint8_t seed) : next_(seed) {}
  void fill(std::span<std::uint8_t> out) noexcept override {
    for (auto& byte : out) byte = next_++;
  }

 private:
  std::uint8_t next_;
};

const std::string kRfcSecret = "12345678901234567890";

std::string code_at(std::int64_t unix_seconds, const OtpParameters& parameters = {}) {
  auto code = totp(as_bytes(kRfcSecret), unix_seconds, parameters);
  BOOST_TEST_REQUIRE(code.ok());
  return *code;
}

}  // namespace

BOOST_AUTO_TEST_CASE(hotp_matches_rfc4226_appendix_d) {
  const auto secret = vector_table("rfc4226.json", "hotp");  // also proves the table is there
  for (const auto& v : secret) {
    const auto count = v.at("count").get<std::uint64_t>();
    BOOST_TEST_CONTEXT("count " << count) {
      // The intermediate HMAC-SHA-1 of the 8-byte big-endian counter ...
      const Bytes counter_bytes = {0, 0, 0, 0, 0, 0, 0, static_cast<std::uint8_t>(count)};
      BOOST_TEST(hex(hmac(HmacHash::sha1, as_bytes(kRfcSecret), counter_bytes)) ==
                 v.at("hmac_sha1").get<std::string>());
      // ... the 6-digit HOTP value ...
      auto code = hotp(as_bytes(kRfcSecret), count);
      BOOST_TEST_REQUIRE(code.ok());
      BOOST_TEST(*code == v.at("hotp").get<std::string>());
      // ... and the truncated 31-bit value, seen through 7 and 8 digits.
      const auto truncated = v.at("truncated_decimal").get<std::uint32_t>();
      auto seven = hotp(as_bytes(kRfcSecret), count, OtpAlgorithm::sha1, 7);
      auto eight = hotp(as_bytes(kRfcSecret), count, OtpAlgorithm::sha1, 8);
      BOOST_TEST_REQUIRE(seven.ok());
      BOOST_TEST_REQUIRE(eight.ok());
      BOOST_TEST(std::stoul(*seven) == truncated % 10000000U);
      BOOST_TEST(std::stoul(*eight) == truncated % 100000000U);
      BOOST_TEST(seven->size() == 7U);
      BOOST_TEST(eight->size() == 8U);
    }
  }
}

BOOST_AUTO_TEST_CASE(totp_matches_rfc6238_appendix_b_for_all_three_hashes) {
  for (const auto& v : vector_table("rfc6238.json", "totp")) {
    const auto unix_time = v.at("unix_time").get<std::int64_t>();
    const auto algorithm = v.at("algorithm").get<std::string>();
    BOOST_TEST_CONTEXT(algorithm << " at " << unix_time) {
      const auto seed = v.at("seed_ascii").get<std::string>();
      const OtpParameters parameters{algorithm_named(algorithm), 8, 30};
      auto step = totp_step(unix_time, 30);
      BOOST_TEST_REQUIRE(step.ok());
      BOOST_TEST(*step == std::stoll(v.at("step_hex").get<std::string>(), nullptr, 16));
      auto code = totp(as_bytes(seed), unix_time, parameters);
      BOOST_TEST_REQUIRE(code.ok());
      BOOST_TEST(*code == v.at("totp").get<std::string>());
    }
  }
}

BOOST_AUTO_TEST_CASE(totp_step_floors_unix_time_by_the_period) {
  BOOST_TEST(*totp_step(0, 30) == 0);
  BOOST_TEST(*totp_step(29, 30) == 0);
  BOOST_TEST(*totp_step(30, 30) == 1);
  BOOST_TEST(*totp_step(59, 60) == 0);
  BOOST_TEST(*totp_step(7, 1) == 7);
  BOOST_TEST(*totp_step(std::numeric_limits<std::int64_t>::max(), 1) == std::numeric_limits<std::int64_t>::max());
}

BOOST_AUTO_TEST_CASE(totp_rejects_time_before_the_epoch_and_bad_periods) {
  for (auto result : {totp_step(-1, 30), totp_step(0, 0), totp_step(0, -30), totp_step(0, 3601)}) {
    BOOST_TEST_REQUIRE(!result.ok());
    BOOST_TEST(result.code() == ErrorCode::invalid_otp_parameters);
    BOOST_TEST(!result.error().detail.empty());
  }
  auto before_epoch = totp(as_bytes(kRfcSecret), -30);
  BOOST_TEST_REQUIRE(!before_epoch.ok());
  BOOST_TEST(before_epoch.code() == ErrorCode::invalid_otp_parameters);
}

BOOST_AUTO_TEST_CASE(otp_parameter_bounds_are_inclusive) {
  for (int digits : {6, 7, 8}) {
    for (int period : {1, 30, 3600}) {
      BOOST_TEST_CONTEXT(digits << " digits, " << period << " s") {
        BOOST_TEST(validate_otp_parameters({OtpAlgorithm::sha1, digits, period}).ok());
        auto code = totp(as_bytes(kRfcSecret), 1234567890, {OtpAlgorithm::sha256, digits, period});
        BOOST_TEST_REQUIRE(code.ok());
        BOOST_TEST(code->size() == static_cast<std::size_t>(digits));
      }
    }
  }
  BOOST_TEST(validate_otp_secret(Bytes(kOtpMinSecretBytes)).ok());
  BOOST_TEST(validate_otp_secret(Bytes(kOtpMaxSecretBytes)).ok());
}

BOOST_AUTO_TEST_CASE(otp_rejects_parameters_out_of_bounds) {
  const OtpParameters bad[] = {
      {OtpAlgorithm::sha1, 5, 30}, {OtpAlgorithm::sha1, 9, 30},   {OtpAlgorithm::sha1, 0, 30},
      {OtpAlgorithm::sha1, 6, 0},  {OtpAlgorithm::sha1, 6, 3601}, {static_cast<OtpAlgorithm>(7), 6, 30},
  };
  for (const auto& parameters : bad) {
    BOOST_TEST_CONTEXT("digits " << parameters.digits << ", period " << parameters.period_seconds) {
      auto valid = validate_otp_parameters(parameters);
      BOOST_TEST_REQUIRE(!valid.ok());
      BOOST_TEST(valid.code() == ErrorCode::invalid_otp_parameters);
      auto code = totp(as_bytes(kRfcSecret), 59, parameters);
      BOOST_TEST_REQUIRE(!code.ok());
      BOOST_TEST(code.code() == ErrorCode::invalid_otp_parameters);
    }
  }
  for (int digits : {5, 9}) {
    auto code = hotp(as_bytes(kRfcSecret), 0, OtpAlgorithm::sha1, digits);
    BOOST_TEST_REQUIRE(!code.ok());
    BOOST_TEST(code.code() == ErrorCode::invalid_otp_parameters);
  }
  auto unknown = hotp(as_bytes(kRfcSecret), 0, static_cast<OtpAlgorithm>(-1));
  BOOST_TEST_REQUIRE(!unknown.ok());
  BOOST_TEST(unknown.code() == ErrorCode::invalid_otp_parameters);
}

BOOST_AUTO_TEST_CASE(otp_rejects_secrets_too_short_or_too_long) {
  for (std::size_t size : {std::size_t{0}, kOtpMinSecretBytes - 1, kOtpMaxSecretBytes + 1}) {
    BOOST_TEST_CONTEXT(size << " bytes") {
      const Bytes secret(size, 0x31);
      auto valid = validate_otp_secret(secret);
      BOOST_TEST_REQUIRE(!valid.ok());
      BOOST_TEST(valid.code() == ErrorCode::invalid_otp_parameters);
      auto code = hotp(secret, 0);
      BOOST_TEST_REQUIRE(!code.ok());
      BOOST_TEST(code.code() == ErrorCode::invalid_otp_parameters);
      auto verification = TotpVerifier{}.verify(secret, "123456", 59);
      BOOST_TEST_REQUIRE(!verification.ok());
      BOOST_TEST(verification.code() == ErrorCode::invalid_otp_parameters);
    }
  }
}

BOOST_AUTO_TEST_CASE(otp_algorithm_names_use_the_otpauth_spelling) {
  BOOST_TEST(otp_algorithm_name(OtpAlgorithm::sha1) == "SHA1");
  BOOST_TEST(otp_algorithm_name(OtpAlgorithm::sha256) == "SHA256");
  BOOST_TEST(otp_algorithm_name(OtpAlgorithm::sha512) == "SHA512");
}

BOOST_AUTO_TEST_CASE(generate_totp_secret_takes_the_hash_size_from_the_random_source) {
  const std::pair<OtpAlgorithm, std::size_t> cases[] = {
      {OtpAlgorithm::sha1, 20}, {OtpAlgorithm::sha256, 32}, {OtpAlgorithm::sha512, 64}};
  for (const auto& [algorithm, size] : cases) {
    BOOST_TEST(recommended_otp_secret_bytes(algorithm) == size);
    CountingRandomSource random(7);
    const Bytes secret = generate_totp_secret(random, algorithm);
    BOOST_TEST_REQUIRE(secret.size() == size);
    for (std::size_t i = 0; i < size; ++i) BOOST_TEST(secret[i] == static_cast<std::uint8_t>(7 + i));
    BOOST_TEST(validate_otp_secret(secret).ok());
  }
  CountingRandomSource random(0);
  BOOST_TEST(generate_totp_secret(random).size() == 20U);  // SHA-1 by default, RFC 4226 §4
}

BOOST_AUTO_TEST_CASE(totp_verifier_accepts_the_current_code_and_reports_its_step) {
  const std::int64_t now = 1111111111;  // step 0x23523ED
  auto verification = TotpVerifier{}.verify(as_bytes(kRfcSecret), code_at(now), now);
  BOOST_TEST_REQUIRE(verification.ok());
  BOOST_TEST(verification->accepted());
  BOOST_TEST(verification->step == 0x23523ED);
  BOOST_TEST(verification->drift_steps == 0);
}

BOOST_AUTO_TEST_CASE(totp_verifier_accepts_rfc6238_codes_with_sha512_and_8_digits) {
  const std::string seed = "1234567890123456789012345678901234567890123456789012345678901234";
  const TotpVerifier verifier({OtpAlgorithm::sha512, 8, 30}, 0);
  auto verification = verifier.verify(as_bytes(seed), "90693936", 59);
  BOOST_TEST_REQUIRE(verification.ok());
  BOOST_TEST(verification->accepted());
  BOOST_TEST(verification->step == 1);
}

BOOST_AUTO_TEST_CASE(totp_verifier_accepts_neighbouring_steps_inside_the_window) {
  const std::int64_t now = 1234567890;
  const std::int64_t current = now / 30;
  const TotpVerifier verifier({}, 1);
  for (int drift : {-1, 1}) {
    BOOST_TEST_CONTEXT("drift " << drift) {
      auto verification = verifier.verify(as_bytes(kRfcSecret), code_at(now + 30 * drift), now);
      BOOST_TEST_REQUIRE(verification.ok());
      BOOST_TEST(verification->accepted());
      BOOST_TEST(verification->step == current + drift);
      BOOST_TEST(verification->drift_steps == drift);
    }
  }
}

BOOST_AUTO_TEST_CASE(totp_verifier_rejects_steps_outside_the_window) {
  const std::int64_t now = 1234567890;
  for (int window : {0, 1, 3}) {
    const TotpVerifier verifier({}, window);
    for (int drift : {-(window + 1), window + 1, 100}) {
      BOOST_TEST_CONTEXT("window " << window << ", drift " << drift) {
        auto verification = verifier.verify(as_bytes(kRfcSecret), code_at(now + 30 * drift), now);
        BOOST_TEST_REQUIRE(verification.ok());
        BOOST_TEST(!verification->accepted());
        BOOST_TEST((verification->outcome == TotpOutcome::rejected));
        BOOST_TEST(verification->step == -1);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(totp_verifier_rejects_a_wrong_code) {
  const std::int64_t now = 2000000000;
  std::string code = code_at(now);
  code.back() = code.back() == '9' ? '0' : static_cast<char>(code.back() + 1);
  auto verification = TotpVerifier({}, 1).verify(as_bytes(kRfcSecret), code, now);
  BOOST_TEST_REQUIRE(verification.ok());
  BOOST_TEST((verification->outcome == TotpOutcome::rejected));
}

BOOST_AUTO_TEST_CASE(totp_rejects_replayed_step) {
  const std::int64_t now = 1111111109;
  const std::string code = code_at(now);
  const TotpVerifier verifier({}, 1);
  auto first = verifier.verify(as_bytes(kRfcSecret), code, now);
  BOOST_TEST_REQUIRE(first.ok());
  BOOST_TEST_REQUIRE(first->accepted());

  // The same code again, within the same step and in the next one (still inside the window).
  for (std::int64_t later : {now, now + 30}) {
    auto again = verifier.verify(as_bytes(kRfcSecret), code, later, first->step);
    BOOST_TEST_REQUIRE(again.ok());
    BOOST_TEST(!again->accepted());
    BOOST_TEST((again->outcome == TotpOutcome::replayed));
    BOOST_TEST(again->step == first->step);
  }
  // An older step's code is refused too once a newer step was accepted.
  auto older = verifier.verify(as_bytes(kRfcSecret), code_at(now - 30), now, first->step);
  BOOST_TEST_REQUIRE(older.ok());
  BOOST_TEST((older->outcome == TotpOutcome::replayed));
  // The next step's code is still welcome.
  auto next = verifier.verify(as_bytes(kRfcSecret), code_at(now + 30), now + 30, first->step);
  BOOST_TEST_REQUIRE(next.ok());
  BOOST_TEST(next->accepted());
  BOOST_TEST(next->step == first->step + 1);
}

BOOST_AUTO_TEST_CASE(totp_verifier_reports_malformed_codes) {
  const std::int64_t now = 1234567890;
  const std::string valid = code_at(now);
  const std::string malformed[] = {
      "",
      valid.substr(0, 5),
      valid + "0",
      " " + valid.substr(1),
      valid.substr(0, 5) + "a",
      valid.substr(0, 3) + "-" + valid.substr(4),
      "\xEF\xBC\x91\xEF\xBC\x92",  // full-width digits: six bytes, not ASCII
      std::string(valid.substr(0, 5)) + std::string(1, '\0'),
      "+12345",
  };
  for (const auto& code : malformed) {
    BOOST_TEST_CONTEXT("code of " << code.size() << " bytes") {
      auto verification = TotpVerifier{}.verify(as_bytes(kRfcSecret), code, now);
      BOOST_TEST_REQUIRE(verification.ok());
      BOOST_TEST((verification->outcome == TotpOutcome::malformed));
      BOOST_TEST(!verification->accepted());
    }
  }
}

BOOST_AUTO_TEST_CASE(totp_verifier_rejects_invalid_configuration) {
  const std::int64_t now = 1234567890;
  const std::string code = code_at(now);
  const TotpVerifier bad[] = {TotpVerifier({}, -1), TotpVerifier({}, kTotpMaxWindowSteps + 1),
                              TotpVerifier({OtpAlgorithm::sha1, 10, 30}, 1),
                              TotpVerifier({OtpAlgorithm::sha1, 6, 0}, 1)};
  for (const auto& verifier : bad) {
    auto verification = verifier.verify(as_bytes(kRfcSecret), code, now);
    BOOST_TEST_REQUIRE(!verification.ok());
    BOOST_TEST(verification.code() == ErrorCode::invalid_otp_parameters);
  }
  auto negative_time = TotpVerifier{}.verify(as_bytes(kRfcSecret), code, -1);
  BOOST_TEST_REQUIRE(!negative_time.ok());
  BOOST_TEST(negative_time.code() == ErrorCode::invalid_otp_parameters);
  BOOST_TEST(TotpVerifier({}, kTotpMaxWindowSteps).verify(as_bytes(kRfcSecret), code, now).ok());
}

BOOST_AUTO_TEST_CASE(totp_verifier_window_stops_at_the_epoch_and_at_the_end_of_time) {
  const TotpVerifier verifier({}, 2);
  auto at_epoch = verifier.verify(as_bytes(kRfcSecret), code_at(0), 0);
  BOOST_TEST_REQUIRE(at_epoch.ok());
  BOOST_TEST(at_epoch->accepted());
  BOOST_TEST(at_epoch->step == 0);
  auto ahead = verifier.verify(as_bytes(kRfcSecret), code_at(60), 0);
  BOOST_TEST_REQUIRE(ahead.ok());
  BOOST_TEST(ahead->step == 2);

  constexpr auto kLast = std::numeric_limits<std::int64_t>::max();
  const OtpParameters one_second{OtpAlgorithm::sha1, 6, 1};
  auto code = totp(as_bytes(kRfcSecret), kLast, one_second);
  BOOST_TEST_REQUIRE(code.ok());
  auto at_end = TotpVerifier(one_second, 2).verify(as_bytes(kRfcSecret), *code, kLast);
  BOOST_TEST_REQUIRE(at_end.ok());
  BOOST_TEST(at_end->accepted());
  BOOST_TEST(at_end->step == kLast);
}
