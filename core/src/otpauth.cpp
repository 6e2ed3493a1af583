#include "sesame/otpauth.hpp"

#include <sodium.h>

#include <array>
#include <optional>

#include "sesame/encoding.hpp"

namespace sesame {
namespace {

constexpr std::string_view kHexDigits = "0123456789ABCDEF";
constexpr std::string_view kScheme = "otpauth";

Error uri_error(std::string detail) { return Error{ErrorCode::invalid_otpauth_uri, std::move(detail)}; }

char ascii_lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
  }
  return true;
}

bool is_control(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return byte < 0x20 || byte == 0x7F;
}

bool is_unreserved(char c) noexcept {  // RFC 3986 §2.3
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool is_utf8(std::string_view text) noexcept {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t code_point = 0;
    std::uint32_t minimum = 0;
    if (lead < 0x80) {
      ++i;
      continue;
    } else if ((lead & 0xE0U) == 0xC0U) {
      length = 2, code_point = lead & 0x1FU, minimum = 0x80;
    } else if ((lead & 0xF0U) == 0xE0U) {
      length = 3, code_point = lead & 0x0FU, minimum = 0x800;
    } else if ((lead & 0xF8U) == 0xF0U) {
      length = 4, code_point = lead & 0x07U, minimum = 0x10000;
    } else {
      return false;
    }
    if (text.size() - i < length) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0U) != 0x80U) return false;
      code_point = (code_point << 6) | (next & 0x3FU);
    }
    if (code_point < minimum || code_point > 0x10FFFF || (code_point >= 0xD800 && code_point <= 0xDFFF)) return false;
    i += length;
  }
  return true;
}

std::string percent_encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (is_unreserved(c)) {
      out.push_back(c);
    } else {
      const auto byte = static_cast<unsigned char>(c);
      out.push_back('%');
      out.push_back(kHexDigits[byte >> 4]);
      out.push_back(kHexDigits[byte & 0x0FU]);
    }
  }
  return out;
}

// nullopt when a '%' is not followed by two hex digits.
std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (text.size() - i < 3) return std::nullopt;
    const int high = hex_value(text[i + 1]);
    const int low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>((high << 4) | low));
    i += 2;
  }
  return out;
}

void wipe(std::string& text) noexcept {
  if (!text.empty()) sodium_memzero(text.data(), text.size());
}

// A label part or issuer as it will be shown to people: UTF-8, no ':' (the
// label separator, forbidden in both parts by the Key Uri Format), no controls.
std::optional<std::string> label_text_problem(std::string_view text, std::string_view what) {
  for (char c : text) {
    if (c == ':') return std::string(what) + " contains ':'";
    if (is_control(c)) return std::string(what) + " contains a control character";
  }
  if (!is_utf8(text)) return std::string(what) + " is not valid UTF-8";
  return std::nullopt;
}

// A small decimal number: ASCII digits only, no sign, at most 9 of them.
std::optional<int> parse_small_number(std::string_view text) noexcept {
  if (text.empty() || text.size() > 9) return std::nullopt;
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    value = value * 10 + (c - '0');
  }
  return value;
}

struct QueryParameter {
  std::string_view name;
  std::optional<std::string> value;  // decoded
};

}  // namespace

Result<std::string> build_otpauth_uri(const OtpauthUri& uri) {
  if (uri.account.empty()) return uri_error("account name is empty");
  if (auto problem = label_text_problem(uri.account, "account name")) return uri_error(std::move(*problem));
  if (auto problem = label_text_problem(uri.issuer, "issuer")) return uri_error(std::move(*problem));
  if (auto valid = validate_otp_parameters(uri.parameters); !valid) return valid.error();
  if (auto valid = validate_otp_secret(uri.secret); !valid) return valid.error();

  std::string out = "otpauth://totp/";
  if (!uri.issuer.empty()) out += percent_encode(uri.issuer) + ":";
  out += percent_encode(uri.account);
  std::string secret = base32_encode(uri.secret, Base32Padding::without_padding);
  out += "?secret=";
  out += secret;
  wipe(secret);
  if (!uri.issuer.empty()) out += "&issuer=" + percent_encode(uri.issuer);
  out += "&algorithm=";
  out += otp_algorithm_name(uri.parameters.algorithm);
  out += "&digits=" + std::to_string(uri.parameters.digits);
  out += "&period=" + std::to_string(uri.parameters.period_seconds);
  if (out.size() > kOtpauthUriMaxChars) {
    wipe(out);
    return Error{ErrorCode::input_too_large, "otpauth URI would be longer than 2048 characters"};
  }
  return out;
}

Result<OtpauthUri> parse_otpauth_uri(std::string_view text) {
  if (text.size() > kOtpauthUriMaxChars) {
    return Error{ErrorCode::input_too_large, "otpauth URI is longer than 2048 characters"};
  }
  for (char c : text) {
    if (is_control(c)) return uri_error("control character in URI");
  }

  const std::size_t scheme_end = text.find("://");
  if (scheme_end == std::string_view::npos || !equals_ignoring_case(text.substr(0, scheme_end), kScheme)) {
    return uri_error("scheme is not otpauth://");
  }
  std::string_view rest = text.substr(scheme_end + 3);
  if (rest.find('#') != std::string_view::npos) return uri_error("unexpected '#' (fragment) in URI");

  const std::size_t type_end = rest.find_first_of("/?");
  const std::string_view type = rest.substr(0, type_end);
  if (equals_ignoring_case(type, "hotp")) return uri_error("type hotp (counter-based) is not supported, only totp");
  if (!equals_ignoring_case(type, "totp")) return uri_error("type is not totp");
  if (type_end == std::string_view::npos || rest[type_end] != '/') return uri_error("label is missing");
  rest = rest.substr(type_end + 1);

  const std::size_t query_start = rest.find('?');
  const std::string_view raw_label = rest.substr(0, query_start);
  const std::string_view query =
      query_start == std::string_view::npos ? std::string_view{} : rest.substr(query_start + 1);

  // Label: percent-decoded, then split at its one colon (literal or %3A).
  auto label = percent_decode(raw_label);
  if (!label) return uri_error("malformed percent-encoding in label");
  if (label->empty()) return uri_error("label is empty");
  OtpauthUri result;
  std::string_view account = *label;
  std::string label_issuer;
  if (const std::size_t colon = label->find(':'); colon != std::string::npos) {
    if (label->find(':', colon + 1) != std::string::npos) return uri_error("label has more than one ':'");
    label_issuer = label->substr(0, colon);
    if (label_issuer.empty()) return uri_error("issuer before ':' in label is empty");
    account = std::string_view(*label).substr(colon + 1);
  }
  // Spaces before the account are dropped after a colon (Key URI Format) and
  // without one alike, so that a built URI ("issuer:account") parses back the same.
  while (!account.empty() && account.front() == ' ') account.remove_prefix(1);
  if (account.empty()) return uri_error("account name in label is empty");
  if (auto problem = label_text_problem(account, "account name")) return uri_error(std::move(*problem));
  if (auto problem = label_text_problem(label_issuer, "issuer in label")) return uri_error(std::move(*problem));
  result.account = std::string(account);

  std::array<QueryParameter, 5> known = {QueryParameter{"secret", {}}, QueryParameter{"issuer", {}},
                                         QueryParameter{"algorithm", {}}, QueryParameter{"digits", {}},
                                         QueryParameter{"period", {}}};
  auto& secret_text = known[0].value;
  // Wipes the decoded secret text on every return path below.
  struct SecretTextWiper {
    std::optional<std::string>& text;
    ~SecretTextWiper() {
      if (text) wipe(*text);
    }
  } secret_wiper{secret_text};

  std::size_t position = 0;
  while (position <= query.size()) {
    std::size_t end = query.find('&', position);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(position, end - position);
    position = end + 1;
    if (pair.empty()) continue;  // "&&" or a trailing '&'
    const std::size_t equals = pair.find('=');
    if (equals == std::string_view::npos) return uri_error("query parameter without '='");
    auto name = percent_decode(pair.substr(0, equals));
    if (!name) return uri_error("malformed percent-encoding in a parameter name");
    auto value = percent_decode(pair.substr(equals + 1));
    if (!value) return uri_error("malformed percent-encoding in the value of a parameter");
    // Only our own parameter names go into details: the others are arbitrary bytes.
    for (auto& parameter : known) {
      if (*name != parameter.name) continue;
      if (parameter.value) {
        wipe(*value);
        return uri_error("duplicate parameter '" + std::string(parameter.name) + "'");
      }
      parameter.value = std::move(value);
    }
    if (value) wipe(*value);  // an unknown parameter's value (or a moved-from one)
  }

  if (!secret_text) return uri_error("secret parameter is missing");
  if (secret_text->empty()) return uri_error("secret parameter is empty");

  if (const auto& issuer = known[1].value; issuer && !issuer->empty()) {
    if (auto problem = label_text_problem(*issuer, "issuer parameter")) return uri_error(std::move(*problem));
    if (!label_issuer.empty() && label_issuer != *issuer) {
      return uri_error("issuer in label differs from the issuer parameter");
    }
    result.issuer = *issuer;
  } else {
    result.issuer = label_issuer;
  }

  if (const auto& algorithm = known[2].value) {
    if (equals_ignoring_case(*algorithm, "SHA1")) {
      result.parameters.algorithm = OtpAlgorithm::sha1;
    } else if (equals_ignoring_case(*algorithm, "SHA256")) {
      result.parameters.algorithm = OtpAlgorithm::sha256;
    } else if (equals_ignoring_case(*algorithm, "SHA512")) {
      result.parameters.algorithm = OtpAlgorithm::sha512;
    } else {
      return uri_error("unknown algorithm (expected SHA1, SHA256 or SHA512)");
    }
  }
  if (const auto& digits = known[3].value) {
    const auto number = parse_small_number(*digits);
    if (!number) return uri_error("digits is not a number");
    if (*number < kOtpMinDigits || *number > kOtpMaxDigits) return uri_error("digits must be between 6 and 8");
    result.parameters.digits = *number;
  }
  if (const auto& period = known[4].value) {
    const auto number = parse_small_number(*period);
    if (!number) return uri_error("period is not a number");
    if (*number < kOtpMinPeriodSeconds || *number > kOtpMaxPeriodSeconds) {
      return uri_error("period must be between 1 and 3600 seconds");
    }
    result.parameters.period_seconds = *number;
  }

  // The secret last, so that no error path above leaves decoded key bytes behind.
  auto secret = base32_decode(*secret_text);
  if (!secret) return uri_error("secret is not valid base32");
  if (auto valid = validate_otp_secret(*secret); !valid) {
    const bool too_short = secret->size() < kOtpMinSecretBytes;
    sodium_memzero(secret->data(), secret->size());
    return uri_error(too_short ? "secret is shorter than 10 bytes" : "secret is longer than 128 bytes");
  }
  result.secret = std::move(secret.value());
  return result;
}

}  // namespace sesame
