#pragma once
// One-time passwords: HOTP (RFC 4226) and TOTP (RFC 6238) with HMAC-SHA-1,
// -SHA-256 or -SHA-512, and a verifier with a window and replay protection.
//
// Bounds (anything outside them is rejected with invalid_otp_parameters):
//   digits           6..8     RFC 4226 §5.3 asks for at least 6; 8 is the most
//                             that authenticator apps display.
//   period_seconds   1..3600  RFC 6238 recommends 30.
//   secret           10..128 bytes. RFC 4226 §4 asks for 16 and recommends 20;
//                             10 (16 base32 characters) is still accepted because
//                             many deployed authenticator secrets are that long.
//                             generate_totp_secret() always makes full-size ones.
//   window_steps     0..10    steps accepted before and after the current one;
//                             RFC 6238 §5.2 recommends at most 1.
//   unix time        >= 0     T0 is the epoch; earlier times are rejected.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "sesame/bytes.hpp"
#include "sesame/random.hpp"
#include "sesame/result.hpp"

namespace sesame {

enum class OtpAlgorithm { sha1, sha256, sha512 };

inline constexpr int kOtpMinDigits = 6;
inline constexpr int kOtpMaxDigits = 8;
inline constexpr int kOtpMinPeriodSeconds = 1;
inline constexpr int kOtpMaxPeriodSeconds = 3600;
inline constexpr std::size_t kOtpMinSecretBytes = 10;
inline constexpr std::size_t kOtpMaxSecretBytes = 128;
inline constexpr int kTotpMaxWindowSteps = 10;

struct OtpParameters {
  OtpAlgorithm algorithm = OtpAlgorithm::sha1;
  int digits = 6;
  int period_seconds = 30;

  friend bool operator==(const OtpParameters&, const OtpParameters&) = default;
};

// The otpauth:// spelling: "SHA1", "SHA256", "SHA512".
[[nodiscard]] std::string_view otp_algorithm_name(OtpAlgorithm algorithm) noexcept;

[[nodiscard]] Result<void> validate_otp_parameters(const OtpParameters& parameters);
[[nodiscard]] Result<void> validate_otp_secret(ByteView secret);

// The secret size generate_totp_secret() uses: the hash's output size (20, 32 or
// 64 bytes), as RFC 4226 §4 recommends for SHA-1 and RFC 6238's seeds do for the others.
[[nodiscard]] std::size_t recommended_otp_secret_bytes(OtpAlgorithm algorithm) noexcept;

// RFC 4226 §5: HMAC(secret, counter as 8 big-endian bytes), dynamic truncation,
// modulo 10^digits, left-padded with zeros to `digits` characters.
[[nodiscard]] Result<std::string> hotp(ByteView secret, std::uint64_t counter,
                                       OtpAlgorithm algorithm = OtpAlgorithm::sha1, int digits = 6);

// RFC 6238 §4.2: floor(unix_time_seconds / period_seconds), with T0 = 0.
[[nodiscard]] Result<std::int64_t> totp_step(std::int64_t unix_time_seconds, int period_seconds);

// The code for the step that contains `unix_time_seconds`.
[[nodiscard]] Result<std::string> totp(ByteView secret, std::int64_t unix_time_seconds,
                                       const OtpParameters& parameters = {});

// A fresh secret of recommended_otp_secret_bytes(algorithm) random bytes.
[[nodiscard]] Bytes generate_totp_secret(RandomSource& random, OtpAlgorithm algorithm = OtpAlgorithm::sha1);

enum class TotpOutcome {
  accepted,   // matched a step inside the window that is newer than last_accepted_step
  rejected,   // matched no step inside the window
  replayed,   // matched only steps at or before last_accepted_step (RFC 6238 §5.2)
  malformed,  // not exactly `digits` ASCII digits; nothing was computed
};

struct TotpVerification {
  TotpOutcome outcome = TotpOutcome::rejected;
  // accepted: the step that matched; store it as the next last_accepted_step.
  // replayed: the already used step that matched. Otherwise -1.
  std::int64_t step = -1;
  // step minus the current step (clock drift of the authenticator), when step >= 0.
  int drift_steps = 0;

  [[nodiscard]] bool accepted() const noexcept { return outcome == TotpOutcome::accepted; }
};

class TotpVerifier {
 public:
  explicit TotpVerifier(OtpParameters parameters = {}, int window_steps = 1) noexcept
      : parameters_(parameters), window_steps_(window_steps) {}

  [[nodiscard]] const OtpParameters& parameters() const noexcept { return parameters_; }
  [[nodiscard]] int window_steps() const noexcept { return window_steps_; }

  // Computes the code of every step in [current - window, current + window] and
  // compares each in constant time, without stopping at the first match. A step
  // <= last_accepted_step is never accepted again. Errors (invalid_otp_parameters)
  // mean misuse: bad parameters, window, secret or a negative time; a wrong code
  // from the user is an outcome, not an error.
  [[nodiscard]] Result<TotpVerification> verify(ByteView secret, std::string_view code,
                                                std::int64_t now_unix_seconds,
                                                std::optional<std::int64_t> last_accepted_step = std::nullopt) const;

 private:
  OtpParameters parameters_;
  int window_steps_;
};

}  // namespace sesame
