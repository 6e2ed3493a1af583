#pragma once
// otpauth:// URIs, the Key Uri Format that authenticator apps scan from a QR code
// (github.com/google/google-authenticator/wiki/Key-Uri-Format):
//   otpauth://totp/Issuer:account?secret=BASE32&issuer=Issuer&algorithm=SHA1&digits=6&period=30
// Only TOTP is supported. The label and the values are percent-encoded per
// RFC 3986 (every byte outside the unreserved set; '+' is a literal plus).

#include <cstddef>
#include <string>
#include <string_view>

#include "sesame/bytes.hpp"
#include "sesame/result.hpp"
#include "sesame/totp.hpp"

namespace sesame {

// Longer URIs are refused with input_too_large; they also make dense QR codes.
inline constexpr std::size_t kOtpauthUriMaxChars = 2048;

struct OtpauthUri {
  std::string issuer;   // may be empty; UTF-8 without ':' or control characters
  std::string account;  // required; UTF-8 without ':' or control characters
  Bytes secret;         // kOtpMinSecretBytes..kOtpMaxSecretBytes
  OtpParameters parameters;

  friend bool operator==(const OtpauthUri&, const OtpauthUri&) = default;
};

// Label "Issuer:account" (or "account" without an issuer), then secret (base32
// without padding), issuer (when set), algorithm, digits and period, always in
// that order. Errors: invalid_otpauth_uri (issuer or account unusable in a label),
// invalid_otp_parameters (parameters or secret size), input_too_large.
[[nodiscard]] Result<std::string> build_otpauth_uri(const OtpauthUri& uri);

// Accepts what build_otpauth_uri makes and what other issuers commonly write:
// case-insensitive scheme, type and algorithm names, '%3A' as the label's colon,
// spaces after it, padded or lowercase base32, absent optional parameters (SHA1,
// 6 digits, 30 s) and unknown parameters (ignored). Errors: input_too_large
// beyond kOtpauthUriMaxChars, otherwise invalid_otpauth_uri with a detail that
// says what is wrong (and never repeats the secret).
[[nodiscard]] Result<OtpauthUri> parse_otpauth_uri(std::string_view uri);

}  // namespace sesame
