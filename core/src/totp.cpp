#include "sesame/totp.hpp"

#include <sodium.h>

#include <array>
#include <limits>

#include "hmac.hpp"

namespace sesame {
namespace {

constexpr std::array<std::uint32_t, kOtpMaxDigits + 1> kPowersOfTen = {1,      10,      100,      1000,     10000,
                                                                      100000, 1000000, 10000000, 100000000};

HmacHash hmac_hash(OtpAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case OtpAlgorithm::sha256: return HmacHash::sha256;
    case OtpAlgorithm::sha512: return HmacHash::sha512;
    case OtpAlgorithm::sha1: break;
  }
  return HmacHash::sha1;
}

bool known_algorithm(OtpAlgorithm algorithm) noexcept {
  return algorithm == OtpAlgorithm::sha1 || algorithm == OtpAlgorithm::sha256 || algorithm == OtpAlgorithm::sha512;
}

Result<void> validate_digits(int digits) {
  if (digits < kOtpMinDigits || digits > kOtpMaxDigits) {
    return Error{ErrorCode::invalid_otp_parameters, "digits must be between 6 and 8"};
  }
  return {};
}

Result<void> validate_period(int period_seconds) {
  if (period_seconds < kOtpMinPeriodSeconds || period_seconds > kOtpMaxPeriodSeconds) {
    return Error{ErrorCode::invalid_otp_parameters, "period must be between 1 and 3600 seconds"};
  }
  return {};
}

// HOTP once the inputs are known to be valid; writes the code into `out` (digits characters).
void hotp_into(ByteView secret, std::uint64_t counter, OtpAlgorithm algorithm, int digits, char* out) {
  std::array<std::uint8_t, 8> message;
  for (std::size_t i = 0; i < message.size(); ++i) {
    message[message.size() - 1 - i] = static_cast<std::uint8_t>(counter >> (8 * i));
  }
  Bytes mac = hmac(hmac_hash(algorithm), secret, message);
  // RFC 4226 §5.3 dynamic truncation: the low nibble of the last byte picks 4 bytes.
  const std::size_t offset = mac.back() & 0x0FU;
  const std::uint32_t binary = (std::uint32_t{mac[offset]} & 0x7FU) << 24 | std::uint32_t{mac[offset + 1]} << 16 |
                         std::uint32_t{mac[offset + 2]} << 8 | std::uint32_t{mac[offset + 3]};
  std::uint32_t value = binary % kPowersOfTen[static_cast<std::size_t>(digits)];
  for (int i = digits - 1; i >= 0; --i) {
    out[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  sodium_memzero(mac.data(), mac.size());
}

}  // namespace

std::string_view otp_algorithm_name(OtpAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case OtpAlgorithm::sha256: return "SHA256";
    case OtpAlgorithm::sha512: return "SHA512";
    case OtpAlgorithm::sha1: break;
  }
  return "SHA1";
}

Result<void> validate_otp_parameters(const OtpParameters& parameters) {
  if (!known_algorithm(parameters.algorithm)) {
    return Error{ErrorCode::invalid_otp_parameters, "unknown algorithm"};
  }
  if (auto digits = validate_digits(parameters.digits); !digits) return digits;
  return validate_period(parameters.period_seconds);
}

Result<void> validate_otp_secret(ByteView secret) {
  if (secret.size() < kOtpMinSecretBytes) {
    return Error{ErrorCode::invalid_otp_parameters, "secret is shorter than 10 bytes"};
  }
  if (secret.size() > kOtpMaxSecretBytes) {
    return Error{ErrorCode::invalid_otp_parameters, "secret is longer than 128 bytes"};
  }
  return {};
}

std::size_t recommended_otp_secret_bytes(OtpAlgorithm algorithm) noexcept {
  switch (algorithm) {
    case OtpAlgorithm::sha256: return kHmacSha256Bytes;
    case OtpAlgorithm::sha512: return kHmacSha512Bytes;
    case OtpAlgorithm::sha1: break;
  }
  return kHmacSha1Bytes;
}

Result<std::string> hotp(ByteView secret, std::uint64_t counter, OtpAlgorithm algorithm, int digits) {
  if (!known_algorithm(algorithm)) return Error{ErrorCode::invalid_otp_parameters, "unknown algorithm"};
  if (auto valid = validate_digits(digits); !valid) return valid.error();
  if (auto valid = validate_otp_secret(secret); !valid) return valid.error();
  std::string code(static_cast<std::size_t>(digits), '0');
  hotp_into(secret, counter, algorithm, digits, code.data());
  return code;
}

Result<std::int64_t> totp_step(std::int64_t unix_time_seconds, int period_seconds) {
  if (auto valid = validate_period(period_seconds); !valid) return valid.error();
  if (unix_time_seconds < 0) return Error{ErrorCode::invalid_otp_parameters, "time before the unix epoch"};
  return unix_time_seconds / period_seconds;
}

Result<std::string> totp(ByteView secret, std::int64_t unix_time_seconds, const OtpParameters& parameters) {
  if (auto valid = validate_otp_parameters(parameters); !valid) return valid.error();
  auto step = totp_step(unix_time_seconds, parameters.period_seconds);
  if (!step) return step.error();
  return hotp(secret, static_cast<std::uint64_t>(*step), parameters.algorithm, parameters.digits);
}

Bytes generate_totp_secret(RandomSource& random, OtpAlgorithm algorithm) {
  Bytes secret(recommended_otp_secret_bytes(algorithm));
  random.fill(secret);
  return secret;
}

Result<TotpVerification> TotpVerifier::verify(ByteView secret, std::string_view code, std::int64_t now_unix_seconds,
                                              std::optional<std::int64_t> last_accepted_step) const {
  if (auto valid = validate_otp_parameters(parameters_); !valid) return valid.error();
  if (auto valid = validate_otp_secret(secret); !valid) return valid.error();
  if (window_steps_ < 0 || window_steps_ > kTotpMaxWindowSteps) {
    return Error{ErrorCode::invalid_otp_parameters, "window must be between 0 and 10 steps"};
  }
  auto current = totp_step(now_unix_seconds, parameters_.period_seconds);
  if (!current) return current.error();

  TotpVerification verification;
  // The length and the character set are not secret: refuse them before any HMAC work.
  if (code.size() != static_cast<std::size_t>(parameters_.digits)) {
    verification.outcome = TotpOutcome::malformed;
    return verification;
  }
  for (char c : code) {
    if (c < '0' || c > '9') {
      verification.outcome = TotpOutcome::malformed;
      return verification;
    }
  }

  const std::int64_t used_up_to = last_accepted_step.value_or(-1);
  std::int64_t fresh_match = -1;
  std::int64_t used_match = -1;
  std::array<char, kOtpMaxDigits> expected{};
  for (int offset = -window_steps_; offset <= window_steps_; ++offset) {
    if (offset < 0 && *current < -offset) continue;  // no steps before the epoch
    if (offset > 0 && *current > std::numeric_limits<std::int64_t>::max() - offset) continue;
    const std::int64_t step = *current + offset;
    hotp_into(secret, static_cast<std::uint64_t>(step), parameters_.algorithm, parameters_.digits, expected.data());
    // Every step is computed and compared; a later match simply overrides an earlier one,
    // so the newest matching step wins (it burns the most steps against replay).
    const bool match = sodium_memcmp(expected.data(), code.data(), code.size()) == 0;
    if (match && step > used_up_to) fresh_match = step;
    if (match && step <= used_up_to) used_match = step;
  }
  sodium_memzero(expected.data(), expected.size());

  if (fresh_match >= 0) {
    verification.outcome = TotpOutcome::accepted;
    verification.step = fresh_match;
  } else if (used_match >= 0) {
    verification.outcome = TotpOutcome::replayed;
    verification.step = used_match;
  }
  if (verification.step >= 0) verification.drift_steps = static_cast<int>(verification.step - *current);
  return verification;
}

}  // namespace sesame
