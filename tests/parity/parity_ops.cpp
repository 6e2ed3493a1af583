#include "parity_ops.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "sesame/backup_codes.hpp"
#include "sesame/contract.hpp"
#include "sesame/encoding.hpp"
#include "sesame/jwt.hpp"
#include "sesame/otpauth.hpp"
#include "sesame/password_policy.hpp"
#include "sesame/qr.hpp"
#include "sesame/random.hpp"
#include "sesame/refresh.hpp"
#include "sesame/session_state.hpp"
#include "sesame/totp.hpp"

namespace sesame::parity {
namespace {

using json = nlohmann::json;

// Cases are written by us, so a wrong argument type is a bug in cases.json:
// it is reported as an error result rather than aborting (JSON_NOEXCEPTION).
std::string str(const json& c, const char* key) { return c.contains(key) && c[key].is_string() ? c[key].get<std::string>() : ""; }
std::int64_t num(const json& c, const char* key, std::int64_t fallback = 0) {
  return c.contains(key) && c[key].is_number_integer() ? c[key].get<std::int64_t>() : fallback;
}

Bytes unhex(const std::string& text) {
  Bytes out;
  auto nibble = [](char ch) { return ch <= '9' ? ch - '0' : (ch | 0x20) - 'a' + 10; };
  for (std::size_t i = 0; i + 1 < text.size(); i += 2) {
    out.push_back(static_cast<std::uint8_t>(nibble(text[i]) << 4 | nibble(text[i + 1])));
  }
  return out;
}

std::string hex(ByteView bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto b : bytes) { out.push_back(kDigits[b >> 4]); out.push_back(kDigits[b & 0xF]); }
  return out;
}

// A deterministic byte stream (the case's `random` hex, repeated), so that
// generated codes and keys can be compared across builds.
class StreamRandom final : public RandomSource {
 public:
  explicit StreamRandom(Bytes stream) : stream_(std::move(stream)) {}
  void fill(std::span<std::uint8_t> out) noexcept override {
    for (auto& byte : out) byte = stream_.empty() ? 0 : stream_[position_++ % stream_.size()];
  }
 private:
  Bytes stream_;
  std::size_t position_ = 0;
};

json ok(json value) { return {{"ok", true}, {"value", std::move(value)}}; }
json failed(const Error& error) {
  return {{"ok", false}, {"code", std::string(error_code_name(error.code))}, {"detail", error.detail}};
}
template <class T, class Convert>
json result(const Result<T>& r, Convert convert) { return r.ok() ? ok(convert(r.value())) : failed(r.error()); }
json result(const Result<std::string>& r) { return result(r, [](const std::string& s) { return json(s); }); }

OtpAlgorithm algorithm(const json& c) {
  const std::string name = str(c, "algorithm");
  if (name == "SHA256") return OtpAlgorithm::sha256;
  if (name == "SHA512") return OtpAlgorithm::sha512;
  return OtpAlgorithm::sha1;
}

OtpParameters otp_parameters(const json& c) {
  return {algorithm(c), static_cast<int>(num(c, "digits", 6)), static_cast<int>(num(c, "period", 30))};
}

json otp_parameters_json(const OtpParameters& p) {
  return {{"algorithm", std::string(otp_algorithm_name(p.algorithm))}, {"digits", p.digits}, {"period", p.period_seconds}};
}

QrErrorCorrection qr_level(const json& c) {
  const std::string name = str(c, "ecc");
  if (name == "low") return QrErrorCorrection::low;
  if (name == "quartile") return QrErrorCorrection::quartile;
  if (name == "high") return QrErrorCorrection::high;
  return QrErrorCorrection::medium;
}

json access_token_json(const AccessToken& token) {
  const auto& c = token.claims;
  json claims = {{"iss", c.iss}, {"sub", c.sub}, {"aud", c.aud}, {"exp", c.exp}, {"iat", c.iat},
                 {"jti", c.jti}, {"sid", c.sid}, {"tenant_id", c.tenant_id}, {"roles", c.roles},
                 {"amr", c.amr}, {"extra", c.extra}};
  if (c.nbf) claims["nbf"] = *c.nbf;
  return {{"kid", token.kid}, {"claims", claims}};
}

AccessTokenClaims claims_from(const json& c) {
  AccessTokenClaims claims;
  claims.iss = str(c, "iss");
  claims.sub = str(c, "sub");
  claims.aud = str(c, "aud");
  claims.exp = num(c, "exp");
  claims.iat = num(c, "iat");
  if (c.contains("nbf")) claims.nbf = num(c, "nbf");
  claims.jti = str(c, "jti");
  claims.sid = str(c, "sid");
  claims.tenant_id = str(c, "tenant_id");
  for (const char* key : {"roles", "amr"}) {
    auto& target = std::string_view(key) == "roles" ? claims.roles : claims.amr;
    if (c.contains(key) && c[key].is_array()) {
      for (const auto& item : c[key]) if (item.is_string()) target.push_back(item.get<std::string>());
    }
  }
  if (c.contains("extra") && c["extra"].is_object()) claims.extra = c["extra"];
  return claims;
}

RefreshPolicy refresh_policy(const json& c) {
  RefreshPolicy policy;
  if (!c.contains("policy") || !c["policy"].is_object()) return policy;
  const json& p = c["policy"];
  policy.refresh_after_permille = static_cast<std::int32_t>(num(p, "refresh_after_permille", policy.refresh_after_permille));
  policy.refresh_margin_ms = num(p, "refresh_margin_ms", policy.refresh_margin_ms);
  policy.max_jitter_ms = num(p, "max_jitter_ms", policy.max_jitter_ms);
  policy.max_delay_ms = num(p, "max_delay_ms", policy.max_delay_ms);
  policy.retry_base_delay_ms = num(p, "retry_base_delay_ms", policy.retry_base_delay_ms);
  policy.retry_max_delay_ms = num(p, "retry_max_delay_ms", policy.retry_max_delay_ms);
  return policy;
}

double jitter(const json& c) { return c.contains("jitter") && c["jitter"].is_number() ? c["jitter"].get<double>() : 0.0; }

// Contract bodies by name: parse, then serialise what was parsed.
template <class T>
json contract_round_trip(const std::string& text) {
  auto object = parse_json_object(text);
  if (!object.ok()) return failed(object.error());
  return result(api::from_json_checked<T>(*object), [](const T& body) { return api::to_json(body); });
}

json evaluate(const json& c) {
  const std::string op = str(c, "op");
  if (op == "base32_encode") return ok(base32_encode(unhex(str(c, "hex")), Base32Padding::with_padding));
  if (op == "base32_decode") return result(base32_decode(str(c, "text")), [](const Bytes& b) { return json(hex(b)); });
  if (op == "base64url_encode") return ok(base64url_encode(unhex(str(c, "hex"))));
  if (op == "base64url_decode") return result(base64url_decode(str(c, "text")), [](const Bytes& b) { return json(hex(b)); });
  if (op == "hotp") {
    return result(hotp(unhex(str(c, "secret_hex")), static_cast<std::uint64_t>(num(c, "counter")), algorithm(c),
                       static_cast<int>(num(c, "digits", 6))));
  }
  if (op == "totp") return result(totp(unhex(str(c, "secret_hex")), num(c, "time"), otp_parameters(c)));
  if (op == "totp_verify") {
    std::optional<std::int64_t> last;
    if (c.contains("last_step")) last = num(c, "last_step");
    const TotpVerifier verifier(otp_parameters(c), static_cast<int>(num(c, "window", 1)));
    return result(verifier.verify(unhex(str(c, "secret_hex")), str(c, "code"), num(c, "time"), last),
                  [](const TotpVerification& v) {
                    return json{{"outcome", static_cast<int>(v.outcome)}, {"step", v.step}, {"drift", v.drift_steps}};
                  });
  }
  if (op == "totp_secret") {
    StreamRandom random(unhex(str(c, "random_hex")));
    return ok(hex(generate_totp_secret(random, algorithm(c))));
  }
  if (op == "otpauth_build") {
    return result(build_otpauth_uri({str(c, "issuer"), str(c, "account"), unhex(str(c, "secret_hex")), otp_parameters(c)}));
  }
  if (op == "otpauth_parse") {
    return result(parse_otpauth_uri(str(c, "uri")), [](const OtpauthUri& u) {
      return json{{"issuer", u.issuer}, {"account", u.account}, {"secret", hex(u.secret)},
                  {"parameters", otp_parameters_json(u.parameters)}};
    });
  }
  if (op == "qr_svg") {
    return result(qr_svg(str(c, "text"), {static_cast<int>(num(c, "border", 4)), qr_level(c)}));
  }
  if (op == "jws_sign") {
    auto key = Ed25519SigningKey::from_seed(unhex(str(c, "seed_hex")), str(c, "kid"));
    if (!key.ok()) return failed(key.error());
    return result(sign_compact_jws(str(c, "header"), unhex(str(c, "payload_hex")), *key));
  }
  if (op == "jwk_from_seed") {
    auto key = Ed25519SigningKey::from_seed(unhex(str(c, "seed_hex")), str(c, "kid"));
    return result(key, [](const Ed25519SigningKey& k) {
      return json{{"jwk", k.public_key().to_jwk()}, {"thumbprint", k.public_key().thumbprint()}};
    });
  }
  if (op == "access_token_sign") {
    auto key = Ed25519SigningKey::from_seed(unhex(str(c, "seed_hex")), str(c, "kid"));
    if (!key.ok()) return failed(key.error());
    return result(sign_access_token(claims_from(c.value("claims", json::object())), *key));
  }
  if (op == "jwt_decode") return result(decode_jwt(str(c, "token")), access_token_json);
  if (op == "jwt_verify") {
    auto keys = JwkSet::parse(str(c, "jwks"));
    if (!keys.ok()) return failed(keys.error());
    AccessTokenVerifyOptions options;
    options.expected_issuer = str(c, "issuer");
    options.expected_audience = str(c, "audience");
    options.now_unix_seconds = num(c, "now");
    options.leeway_seconds = num(c, "leeway", kDefaultLeewaySeconds);
    return result(verify_access_token(str(c, "token"), *keys, options), access_token_json);
  }
  if (op == "password_check") {
    PasswordPolicy policy;
    policy.min_length = static_cast<std::size_t>(num(c, "min_length", 8));
    policy.max_length = static_cast<std::size_t>(num(c, "max_length", 64));
    const std::string email = str(c, "email");
    std::vector<std::string> words;
    if (c.contains("words") && c["words"].is_array()) {
      for (const auto& w : c["words"]) if (w.is_string()) words.push_back(w.get<std::string>());
    }
    PasswordContext context{email, {words.begin(), words.end()}};
    const PasswordVerdict verdict = check_password(str(c, "password"), policy, context);
    json violations = json::array();
    for (const auto& v : verdict.violations) {
      violations.push_back({{"code", std::string(v.name())}, {"min", v.min_length}, {"max", v.max_length}, {"length", v.length}});
    }
    return ok({{"acceptable", verdict.acceptable()}, {"length", verdict.length}, {"violations", violations}});
  }
  if (op == "backup_generate") {
    StreamRandom random(unhex(str(c, "random_hex")));
    return result(generate_backup_codes(random, static_cast<std::size_t>(num(c, "count", 10))),
                  [](const std::vector<std::string>& codes) { return json(codes); });
  }
  if (op == "backup_format") return ok(format_backup_code(str(c, "code")));
  if (op == "backup_normalize") return result(normalize_backup_code(str(c, "typed")));
  if (op == "refresh_plan") {
    return result(plan_refresh(num(c, "iat"), num(c, "exp"), num(c, "now_ms"), refresh_policy(c), jitter(c)),
                  [](const RefreshPlan& p) {
                    return json{{"refresh_at_ms", p.refresh_at_unix_ms}, {"delay_ms", p.delay_ms}, {"expired", p.expired}};
                  });
  }
  if (op == "retry_delay") {
    return result(retry_delay_ms(static_cast<std::uint32_t>(num(c, "attempt")), refresh_policy(c), jitter(c)),
                  [](std::int64_t delay) { return json(delay); });
  }
  if (op == "session_table") {
    // The whole transition table in one case.
    json table = json::array();
    for (auto state : all_session_states) {
      for (auto event : all_session_events) {
        auto next = transition(state, event);
        table.push_back({std::string(session_state_name(state)), std::string(session_event_name(event)),
                         next.ok() ? std::string(session_state_name(*next)) : std::string(error_code_name(next.code()))});
      }
    }
    return ok(table);
  }
  if (op == "rfc3339_format") return ok(format_rfc3339_utc(num(c, "unix")));
  if (op == "rfc3339_parse") return result(parse_rfc3339(str(c, "text")), [](std::int64_t t) { return json(t); });
  if (op == "contract") {
    const std::string type = str(c, "type");
    const std::string body = str(c, "body");
    if (type == "RegisterRequest") return contract_round_trip<api::RegisterRequest>(body);
    if (type == "TokenRequest") return contract_round_trip<api::TokenRequest>(body);
    if (type == "TokenResponse") return contract_round_trip<api::TokenResponse>(body);
    if (type == "MfaVerifyRequest") return contract_round_trip<api::MfaVerifyRequest>(body);
    if (type == "SessionsResponse") return contract_round_trip<api::SessionsResponse>(body);
    if (type == "AdminUpdateUserRequest") return contract_round_trip<api::AdminUpdateUserRequest>(body);
    if (type == "Problem") return contract_round_trip<api::Problem>(body);
  }
  return failed({ErrorCode::invalid_argument, "unknown parity op '" + op + "'"});
}

}  // namespace

std::string evaluate_case(std::string_view case_json) {
  const json c = json::parse(case_json, nullptr, false);
  const json out = c.is_object() ? evaluate(c) : failed({ErrorCode::invalid_json, "case is not a JSON object"});
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace sesame::parity
