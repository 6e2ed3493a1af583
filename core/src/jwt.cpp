// Sesame access tokens: JWTs (RFC 7519) profiled as RFC 9068 "at+jwt", signed
// with EdDSA through the compact JWS layer in jws.cpp.

#include "sesame/jwt.hpp"

#include <algorithm>
#include <array>
#include <limits>

#include "jws_compact.hpp"

namespace sesame {

using nlohmann::json;

namespace {

constexpr std::array<std::string_view, 11> kKnownClaims = {
    "iss", "sub", "aud", "exp", "nbf", "iat", "jti", "sid", "tenant_id", "roles", "amr"};

bool is_known_claim(std::string_view name) {
  return std::find(kKnownClaims.begin(), kKnownClaims.end(), name) != kKnownClaims.end();
}

bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) {
  const auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [&](char x, char y) { return lower(x) == lower(y); });
}

// The header rules beyond alg/crit (which parse_compact enforces): typ and kid.
Result<std::string> read_access_token_header(const json& header) {
  const auto typ = header.find("typ");
  const auto* typ_text = typ == header.end() ? nullptr : typ->get_ptr<const std::string*>();
  // RFC 9068 §4: "at+jwt", and the full media type is equally acceptable.
  if (typ_text == nullptr ||
      !(equals_ignoring_ascii_case(*typ_text, kAccessTokenType) || equals_ignoring_ascii_case(*typ_text, "application/at+jwt"))) {
    return Error{ErrorCode::jwt_unsupported_type, "typ must be at+jwt"};
  }
  const auto kid = header.find("kid");
  if (kid == header.end()) return Error{ErrorCode::jwt_unknown_key, "no kid in the header"};
  if (!kid->is_string()) return Error{ErrorCode::jwt_malformed, "kid must be a string"};
  return *kid->get_ptr<const std::string*>();
}

Result<std::string> required_string(const json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end()) return Error{ErrorCode::jwt_missing_claim, std::string(name) + " is missing"};
  const auto* text = it->get_ptr<const std::string*>();
  if (text == nullptr) return Error{ErrorCode::jwt_malformed, std::string(name) + " must be a string"};
  if (text->empty()) return Error{ErrorCode::jwt_missing_claim, std::string(name) + " is empty"};
  return *text;
}

// NumericDate as whole seconds: floats, strings and values beyond int64 are refused.
Result<std::int64_t> numeric_date(const json& value, const char* name) {
  if (value.is_number_unsigned()) {
    const auto seconds = value.get<std::uint64_t>();
    if (seconds > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return Error{ErrorCode::jwt_malformed, std::string(name) + " is out of range"};
    }
    return static_cast<std::int64_t>(seconds);
  }
  if (value.is_number_integer()) return value.get<std::int64_t>();
  return Error{ErrorCode::jwt_malformed, std::string(name) + " must be an integer number of seconds"};
}

Result<std::int64_t> required_numeric_date(const json& claims, const char* name) {
  const auto it = claims.find(name);
  if (it == claims.end()) return Error{ErrorCode::jwt_missing_claim, std::string(name) + " is missing"};
  return numeric_date(*it, name);
}

Result<std::vector<std::string>> string_array(const json& value, const char* name) {
  if (!value.is_array()) return Error{ErrorCode::jwt_malformed, std::string(name) + " must be an array of strings"};
  std::vector<std::string> out;
  out.reserve(value.size());
  for (const auto& element : value) {
    const auto* text = element.get_ptr<const std::string*>();
    if (text == nullptr) return Error{ErrorCode::jwt_malformed, std::string(name) + " must be an array of strings"};
    out.push_back(*text);
  }
  return out;
}

struct ParsedClaims {
  AccessTokenClaims claims;
  std::vector<std::string> audiences;  // all of them when the token carries an array
};

Result<ParsedClaims> read_claims(const Bytes& payload) {
  const auto object = jws::parse_object({reinterpret_cast<const char*>(payload.data()), payload.size()});
  if (!object) return Error{ErrorCode::jwt_malformed, "payload is not a JSON object"};
  ParsedClaims parsed;
  auto& claims = parsed.claims;

  for (auto [name, field] : {std::pair{"iss", &claims.iss}, std::pair{"sub", &claims.sub},
                             std::pair{"jti", &claims.jti}, std::pair{"sid", &claims.sid}}) {
    auto value = required_string(*object, name);
    if (!value) return value.error();
    *field = std::move(*value);
  }

  const auto aud = object->find("aud");
  if (aud == object->end()) return Error{ErrorCode::jwt_missing_claim, "aud is missing"};
  if (aud->is_string()) {
    parsed.audiences.push_back(*aud->get_ptr<const std::string*>());
  } else {
    auto audiences = string_array(*aud, "aud");
    if (!audiences) return audiences.error();
    parsed.audiences = std::move(*audiences);
  }
  if (parsed.audiences.empty() || parsed.audiences.front().empty()) {
    return Error{ErrorCode::jwt_missing_claim, "aud is empty"};
  }
  claims.aud = parsed.audiences.front();

  auto exp = required_numeric_date(*object, "exp");
  if (!exp) return exp.error();
  claims.exp = *exp;
  auto iat = required_numeric_date(*object, "iat");
  if (!iat) return iat.error();
  claims.iat = *iat;
  if (const auto nbf = object->find("nbf"); nbf != object->end()) {
    auto value = numeric_date(*nbf, "nbf");
    if (!value) return value.error();
    claims.nbf = *value;
  }

  if (const auto tenant = object->find("tenant_id"); tenant != object->end()) {
    const auto* text = tenant->get_ptr<const std::string*>();
    if (text == nullptr) return Error{ErrorCode::jwt_malformed, "tenant_id must be a string"};
    claims.tenant_id = *text;
  }
  for (auto [name, field] : {std::pair{"roles", &claims.roles}, std::pair{"amr", &claims.amr}}) {
    if (const auto it = object->find(name); it != object->end()) {
      auto values = string_array(*it, name);
      if (!values) return values.error();
      *field = std::move(*values);
    }
  }

  claims.extra = json::object();
  for (const auto& item : object->items()) {
    if (!is_known_claim(item.key())) claims.extra[item.key()] = item.value();
  }
  return parsed;
}

bool all_utf8(const std::vector<std::string>& values) {
  return std::all_of(values.begin(), values.end(), [](const std::string& v) { return jws::is_valid_utf8(v); });
}

Result<void> check_claims_for_signing(const AccessTokenClaims& claims) {
  for (const auto* value : {&claims.iss, &claims.sub, &claims.aud, &claims.jti, &claims.sid}) {
    if (value->empty()) return Error{ErrorCode::invalid_argument, "iss, sub, aud, jti and sid are required"};
  }
  if (claims.exp <= claims.iat) return Error{ErrorCode::invalid_argument, "exp must be after iat"};
  if (!claims.extra.is_null() && !claims.extra.is_object()) {
    return Error{ErrorCode::invalid_argument, "extra claims must be a JSON object"};
  }
  if (claims.extra.is_object()) {
    for (const auto& item : claims.extra.items()) {
      if (is_known_claim(item.key())) return Error{ErrorCode::invalid_argument, "extra repeats the claim " + item.key()};
    }
  }
  const bool utf8 = all_utf8({claims.iss, claims.sub, claims.aud, claims.jti, claims.sid, claims.tenant_id}) &&
                    all_utf8(claims.roles) && all_utf8(claims.amr) && jws::holds_only_utf8(claims.extra);
  if (!utf8) return Error{ErrorCode::invalid_argument, "claims must be valid UTF-8"};
  return {};
}

std::int64_t saturating_add(std::int64_t value, std::int64_t non_negative) {
  return value > std::numeric_limits<std::int64_t>::max() - non_negative ? std::numeric_limits<std::int64_t>::max()
                                                                         : value + non_negative;
}

std::int64_t saturating_sub(std::int64_t value, std::int64_t non_negative) {
  return value < std::numeric_limits<std::int64_t>::min() + non_negative ? std::numeric_limits<std::int64_t>::min()
                                                                         : value - non_negative;
}

}  // namespace

Result<std::string> sign_access_token(const AccessTokenClaims& claims, const Ed25519SigningKey& key) {
  if (auto valid = check_claims_for_signing(claims); !valid) return valid.error();

  // Insertion order keeps tokens readable when pasted into a debugger.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  header["alg"] = "EdDSA";
  header["typ"] = std::string(kAccessTokenType);
  header["kid"] = key.kid();

  nlohmann::ordered_json payload = nlohmann::ordered_json::object();
  payload["iss"] = claims.iss;
  payload["sub"] = claims.sub;
  payload["aud"] = claims.aud;
  payload["exp"] = claims.exp;
  if (claims.nbf) payload["nbf"] = *claims.nbf;
  payload["iat"] = claims.iat;
  payload["jti"] = claims.jti;
  payload["sid"] = claims.sid;
  if (!claims.tenant_id.empty()) payload["tenant_id"] = claims.tenant_id;
  payload["roles"] = claims.roles;
  payload["amr"] = claims.amr;
  if (claims.extra.is_object()) {
    for (const auto& item : claims.extra.items()) payload[item.key()] = nlohmann::ordered_json(item.value());
  }

  const std::string payload_text = jws::dump_compact(payload);
  auto token = sign_compact_jws(jws::dump_compact(header), as_bytes(payload_text), key);
  if (!token) return token.error();
  // A token the verifiers would refuse is better refused here.
  if (token->size() > kDefaultMaxTokenBytes) return Error{ErrorCode::input_too_large, "claims make the token too long"};
  return token;
}

Result<AccessToken> decode_jwt(std::string_view token, std::size_t max_token_bytes) {
  auto jws = jws::parse_compact(token, max_token_bytes);
  if (!jws) return jws.error();
  auto kid = read_access_token_header(jws->header);
  if (!kid) return kid.error();
  auto parsed = read_claims(jws->payload);
  if (!parsed) return parsed.error();
  return AccessToken{std::move(*kid), std::move(parsed->claims)};
}

namespace {

Result<void> check_verify_options(const AccessTokenVerifyOptions& options) {
  if (options.expected_issuer.empty() || options.expected_audience.empty()) {
    return Error{ErrorCode::invalid_argument, "expected issuer and audience are required"};
  }
  if (options.leeway_seconds < 0 || options.leeway_seconds > kMaxLeewaySeconds) {
    return Error{ErrorCode::invalid_argument, "leeway must be between 0 and 300 seconds"};
  }
  return {};
}

}  // namespace

Result<void> check_access_token_validity(const AccessTokenValidity& claims, const AccessTokenVerifyOptions& options) {
  if (auto usable = check_verify_options(options); !usable) return usable;
  const auto now = options.now_unix_seconds;
  const auto leeway = options.leeway_seconds;
  // RFC 7519 §4.1.4: valid only before exp; §4.1.5: valid from nbf on.
  if (now >= saturating_add(claims.exp, leeway)) return Error{ErrorCode::jwt_expired, "token has expired"};
  if (claims.nbf && now < saturating_sub(*claims.nbf, leeway)) {
    return Error{ErrorCode::jwt_not_yet_valid, "token is not valid yet"};
  }
  if (claims.iat > saturating_add(now, leeway)) return Error{ErrorCode::jwt_issued_in_future, "iat is in the future"};

  if (claims.issuer != options.expected_issuer) return Error{ErrorCode::jwt_invalid_issuer, "unexpected issuer"};
  if (std::find(claims.audiences.begin(), claims.audiences.end(), options.expected_audience) == claims.audiences.end()) {
    return Error{ErrorCode::jwt_invalid_audience, "token is not meant for this audience"};
  }
  return {};
}

Result<AccessToken> verify_access_token(std::string_view token, const JwkSet& keys,
                                        const AccessTokenVerifyOptions& options) {
  if (auto usable = check_verify_options(options); !usable) return usable.error();

  auto jws = jws::parse_compact(token, options.max_token_bytes);
  if (!jws) return jws.error();
  auto kid = read_access_token_header(jws->header);
  if (!kid) return kid.error();
  const auto* key = keys.find(*kid);
  if (key == nullptr) return Error{ErrorCode::jwt_unknown_key, "no key with this kid"};
  // Nothing in the payload is read before the signature holds.
  if (auto signed_by_key = jws::check_signature(*jws, *key); !signed_by_key) return signed_by_key.error();

  auto parsed = read_claims(jws->payload);
  if (!parsed) return parsed.error();
  auto& claims = parsed->claims;

  const AccessTokenValidity validity{claims.iss, parsed->audiences, claims.exp, claims.nbf, claims.iat};
  if (auto valid = check_access_token_validity(validity, options); !valid) return valid.error();
  claims.aud = options.expected_audience;

  return AccessToken{std::move(*kid), std::move(claims)};
}

}  // namespace sesame
