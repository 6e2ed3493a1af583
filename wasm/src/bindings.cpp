// Embind glue between the core and the JavaScript SDK. Glue only: every
// function converts arguments, calls one core function and converts the result.
// Results cross as plain objects: {ok: true, value} or {ok: false, code, detail},
// which the JS layer turns into values or typed errors.

#include <emscripten/bind.h>
#include <emscripten/val.h>
#include <sodium.h>

#include <cmath>
#include <optional>
#include <string>
#include <vector>

#include "sesame/backup_codes.hpp"
#include "sesame/encoding.hpp"
#include "sesame/jwt.hpp"
#include "sesame/otpauth.hpp"
#include "sesame/password_policy.hpp"
#include "sesame/qr.hpp"
#include "sesame/random.hpp"
#include "sesame/refresh.hpp"
#include "sesame/result.hpp"
#include "sesame/session_state.hpp"
#include "sesame/totp.hpp"

using emscripten::val;

namespace {

// libsodium's documented start-up call (the core itself never makes it: natively
// it opens the system's random device). Under Emscripten its generator is
// Module.getRandomValue, which the JS loader supplies from crypto.getRandomValues
// at instantiation; it feeds only sodium_init()'s canary, since the core takes
// randomness as a parameter (the wasm tests count the draws to pin that).
[[maybe_unused]] const int sodium_ready = sodium_init();

val bytes_to_js(sesame::ByteView bytes) {
  return val::global("Uint8Array").new_(emscripten::typed_memory_view(bytes.size(), bytes.data()));
}

sesame::Bytes bytes_from_js(const val& array) {
  return emscripten::convertJSArrayToNumberVector<std::uint8_t>(array);
}

// Byte arguments must be Uint8Arrays: a string, a number or an Array of other values
// would be coerced into other bytes, and undefined would throw inside the module.
std::optional<sesame::Bytes> bytes_arg(const val& value) {
  if (!value.instanceof(val::global("Uint8Array"))) return std::nullopt;
  return bytes_from_js(value);
}

// An Array of strings; nullopt for anything else (vecFromJSArray would throw inside
// the module, and a JS exception that unwinds through wasm frames leaks their stack).
std::optional<std::vector<std::string>> strings_arg(const val& value) {
  if (!value.isArray()) return std::nullopt;
  std::vector<std::string> out;
  const auto length = value["length"].as<std::size_t>();
  for (std::size_t i = 0; i < length; ++i) {
    const val item = value[i];
    if (!item.isString()) return std::nullopt;
    out.push_back(item.as<std::string>());
  }
  return out;
}

bool is_function(const val& value) { return value.typeOf().as<std::string>() == "function"; }
bool is_absent(const val& value) { return value.isUndefined() || value.isNull(); }

val error_to_js(const sesame::Error& error) {
  val out = val::object();
  out.set("ok", false);
  out.set("code", std::string(sesame::error_code_name(error.code)));
  out.set("detail", error.detail);
  return out;
}

val ok_to_js(const val& value) {
  val out = val::object();
  out.set("ok", true);
  out.set("value", value);
  return out;
}

template <class T, class Convert>
val result_to_js(const sesame::Result<T>& result, Convert convert) {
  return result.ok() ? ok_to_js(convert(result.value())) : error_to_js(result.error());
}

// ---- argument conversion ----
// JS numbers are doubles: integers cross as doubles and are checked here.
std::optional<std::int64_t> to_int64(const val& number) {
  if (!number.isNumber()) return std::nullopt;
  const double value = number.as<double>();
  if (!std::isfinite(value) || value != std::floor(value) || std::fabs(value) > 9007199254740991.0) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

val invalid_argument(const std::string& what) {
  return error_to_js({sesame::ErrorCode::invalid_argument, what});
}

// Reads an optional integer property; nullopt when absent, an error when not an integer.
sesame::Result<std::optional<std::int64_t>> optional_int(const val& object, const char* key) {
  if (object.isUndefined() || object.isNull()) return std::optional<std::int64_t>{};
  const val member = object[key];
  if (member.isUndefined()) return std::optional<std::int64_t>{};
  auto number = to_int64(member);
  if (!number) return sesame::Error{sesame::ErrorCode::invalid_argument, std::string(key) + " must be an integer"};
  return std::optional<std::int64_t>{*number};
}

// Randomness comes from JS: `fill(n)` returns a Uint8Array of n bytes
// (crypto.getRandomValues in the SDK, a fixed stream in the parity tests).
class JsRandomSource final : public sesame::RandomSource {
 public:
  explicit JsRandomSource(val fill) : fill_(std::move(fill)) {}
  void fill(std::span<std::uint8_t> out) noexcept override {
    sesame::Bytes bytes = bytes_from_js(fill_(static_cast<double>(out.size())));
    if (bytes.size() != out.size()) abort();  // a broken source must never yield weak output
    std::copy(bytes.begin(), bytes.end(), out.begin());
    sodium_memzero(bytes.data(), bytes.size());
  }

 private:
  val fill_;
};

// ---- encodings ----
val base32_encode(const val& bytes, bool padded) {
  auto data = bytes_arg(bytes);
  if (!data) return invalid_argument("data must be a Uint8Array");
  return ok_to_js(val(sesame::base32_encode(*data, padded ? sesame::Base32Padding::with_padding
                                                          : sesame::Base32Padding::without_padding)));
}
val base32_decode(const std::string& text) { return result_to_js(sesame::base32_decode(text), bytes_to_js); }
val base64url_encode(const val& bytes) {
  auto data = bytes_arg(bytes);
  if (!data) return invalid_argument("data must be a Uint8Array");
  return ok_to_js(val(sesame::base64url_encode(*data)));
}
val base64url_decode(const std::string& text) { return result_to_js(sesame::base64url_decode(text), bytes_to_js); }

// ---- one-time passwords ----
std::optional<sesame::OtpAlgorithm> algorithm_from_js(const val& name) {
  if (name.isUndefined()) return sesame::OtpAlgorithm::sha1;
  if (!name.isString()) return std::nullopt;
  const auto text = name.as<std::string>();
  for (auto algorithm : {sesame::OtpAlgorithm::sha1, sesame::OtpAlgorithm::sha256, sesame::OtpAlgorithm::sha512}) {
    if (text == sesame::otp_algorithm_name(algorithm)) return algorithm;
  }
  return std::nullopt;
}

// {algorithm: "SHA1"|"SHA256"|"SHA512", digits, period}; absent fields take the defaults.
sesame::Result<sesame::OtpParameters> otp_parameters_from_js(const val& options) {
  sesame::OtpParameters parameters;
  if (is_absent(options)) return parameters;
  const val name = options["algorithm"];
  if (!name.isUndefined() && !name.isString()) return sesame::Error{sesame::ErrorCode::invalid_argument, "algorithm must be a string"};
  auto algorithm = algorithm_from_js(name);
  if (!algorithm) return sesame::Error{sesame::ErrorCode::invalid_otp_parameters, "unknown algorithm"};
  parameters.algorithm = *algorithm;
  auto digits = optional_int(options, "digits");
  auto period = optional_int(options, "period");
  if (!digits.ok() || !period.ok()) return sesame::Error{sesame::ErrorCode::invalid_argument, "digits and period must be integers"};
  if (digits->has_value()) parameters.digits = static_cast<int>(std::clamp<std::int64_t>(**digits, -1, 1000));
  if (period->has_value()) parameters.period_seconds = static_cast<int>(std::clamp<std::int64_t>(**period, -1, 1'000'000));
  return parameters;
}

val otp_parameters_to_js(const sesame::OtpParameters& parameters) {
  val out = val::object();
  out.set("algorithm", std::string(sesame::otp_algorithm_name(parameters.algorithm)));
  out.set("digits", parameters.digits);
  out.set("period", parameters.period_seconds);
  return out;
}

val to_js_string(const std::string& text) { return val(text); }

val hotp(const val& secret, const val& counter, const val& algorithm_name, const val& digits) {
  auto key = bytes_arg(secret);
  auto count = to_int64(counter);
  auto digit_count = to_int64(digits);
  if (!key || !count || *count < 0 || !digit_count || !(algorithm_name.isUndefined() || algorithm_name.isString())) {
    return invalid_argument("hotp(secret: Uint8Array, counter >= 0, algorithm, digits)");
  }
  auto algorithm = algorithm_from_js(algorithm_name);
  if (!algorithm) return error_to_js({sesame::ErrorCode::invalid_otp_parameters, "unknown algorithm"});
  return result_to_js(sesame::hotp(*key, static_cast<std::uint64_t>(*count), *algorithm,
                                   static_cast<int>(std::clamp<std::int64_t>(*digit_count, -1, 1000))),
                      to_js_string);
}

val totp(const val& secret, const val& unix_seconds, const val& options) {
  auto key = bytes_arg(secret);
  if (!key) return invalid_argument("secret must be a Uint8Array");
  auto now = to_int64(unix_seconds);
  if (!now) return invalid_argument("unix time must be an integer");
  auto parameters = otp_parameters_from_js(options);
  if (!parameters.ok()) return error_to_js(parameters.error());
  return result_to_js(sesame::totp(*key, *now, *parameters), to_js_string);
}

std::string_view totp_outcome_name(sesame::TotpOutcome outcome) {
  switch (outcome) {
    case sesame::TotpOutcome::accepted: return "accepted";
    case sesame::TotpOutcome::rejected: return "rejected";
    case sesame::TotpOutcome::replayed: return "replayed";
    case sesame::TotpOutcome::malformed: return "malformed";
  }
  return "rejected";
}

// options: {algorithm, digits, period, windowSteps, lastAcceptedStep}
val totp_verify(const val& secret, const std::string& code, const val& unix_seconds, const val& options) {
  auto key = bytes_arg(secret);
  if (!key) return invalid_argument("secret must be a Uint8Array");
  auto now = to_int64(unix_seconds);
  if (!now) return invalid_argument("unix time must be an integer");
  auto parameters = otp_parameters_from_js(options);
  if (!parameters.ok()) return error_to_js(parameters.error());
  auto window = optional_int(options, "windowSteps");
  auto last = optional_int(options, "lastAcceptedStep");
  if (!window.ok() || !last.ok()) return invalid_argument("windowSteps and lastAcceptedStep must be integers");
  const sesame::TotpVerifier verifier(*parameters, static_cast<int>(std::clamp<std::int64_t>(window->value_or(1), -1, 1000)));
  return result_to_js(verifier.verify(*key, code, *now, last.value()),
                      [](const sesame::TotpVerification& verification) {
                        val out = val::object();
                        out.set("outcome", std::string(totp_outcome_name(verification.outcome)));
                        out.set("step", static_cast<double>(verification.step));
                        out.set("driftSteps", verification.drift_steps);
                        return out;
                      });
}

val generate_totp_secret(const val& fill, const val& algorithm_name) {
  auto algorithm = algorithm_from_js(algorithm_name);
  if (!algorithm) return invalid_argument("unknown algorithm");
  if (!is_function(fill)) return invalid_argument("fill must be a function");
  JsRandomSource random(fill);
  sesame::Bytes secret = sesame::generate_totp_secret(random, *algorithm);
  val out = bytes_to_js(secret);
  sodium_memzero(secret.data(), secret.size());
  return ok_to_js(out);
}

// {issuer, account, secret: Uint8Array, algorithm, digits, period}
val build_otpauth_uri(const val& fields) {
  if (is_absent(fields)) return invalid_argument("buildOtpauthUri takes an object");
  auto parameters = otp_parameters_from_js(fields);
  if (!parameters.ok()) return error_to_js(parameters.error());
  if (!fields["account"].isString() || !(fields["issuer"].isUndefined() || fields["issuer"].isString())) {
    return invalid_argument("account (and issuer, when given) must be strings");
  }
  auto secret = bytes_arg(fields["secret"]);
  if (!secret) return invalid_argument("secret must be a Uint8Array");
  sesame::OtpauthUri uri;
  uri.issuer = fields["issuer"].isString() ? fields["issuer"].as<std::string>() : "";
  uri.account = fields["account"].as<std::string>();
  uri.secret = std::move(*secret);
  uri.parameters = *parameters;
  auto built = sesame::build_otpauth_uri(uri);
  sodium_memzero(uri.secret.data(), uri.secret.size());
  return result_to_js(built, to_js_string);
}

val parse_otpauth_uri(const std::string& text) {
  return result_to_js(sesame::parse_otpauth_uri(text), [](const sesame::OtpauthUri& uri) {
    val out = otp_parameters_to_js(uri.parameters);
    out.set("issuer", uri.issuer);
    out.set("account", uri.account);
    out.set("secret", bytes_to_js(uri.secret));
    return out;
  });
}

// ---- QR ----
val qr_svg(const std::string& text, const val& options) {
  sesame::QrSvgOptions svg_options;
  auto border = optional_int(options, "border");
  if (!border.ok()) return error_to_js(border.error());
  if (border->has_value()) svg_options.border_modules = static_cast<int>(std::clamp<std::int64_t>(**border, -1, 1000));
  if (!options.isUndefined() && !options.isNull() && !options["errorCorrection"].isUndefined()) {
    const val level = options["errorCorrection"];
    const std::string name = level.isString() ? level.as<std::string>() : "";
    if (name == "low") svg_options.error_correction = sesame::QrErrorCorrection::low;
    else if (name == "medium") svg_options.error_correction = sesame::QrErrorCorrection::medium;
    else if (name == "quartile") svg_options.error_correction = sesame::QrErrorCorrection::quartile;
    else if (name == "high") svg_options.error_correction = sesame::QrErrorCorrection::high;
    else return invalid_argument("errorCorrection must be low, medium, quartile or high");
  }
  return result_to_js(sesame::qr_svg(text, svg_options), to_js_string);
}

// ---- password policy ----
// {minLength, maxLength}; absent fields take the defaults.
sesame::Result<sesame::PasswordPolicy> password_policy_from_js(const val& options) {
  sesame::PasswordPolicy policy;
  auto min_length = optional_int(options, "minLength");
  auto max_length = optional_int(options, "maxLength");
  if (!min_length.ok() || !max_length.ok()) return sesame::Error{sesame::ErrorCode::invalid_argument, "minLength and maxLength must be integers"};
  if (min_length->has_value()) policy.min_length = static_cast<std::size_t>(std::max<std::int64_t>(0, **min_length));
  if (max_length->has_value()) policy.max_length = static_cast<std::size_t>(std::max<std::int64_t>(0, **max_length));
  return policy;
}

// For configuration checks: invalid_argument for bounds below NIST or min > max.
val validate_password_policy(const val& options) {
  auto policy = password_policy_from_js(options);
  if (!policy.ok()) return error_to_js(policy.error());
  auto valid = sesame::validate_password_policy(*policy);
  return valid.ok() ? ok_to_js(val::undefined()) : error_to_js(valid.error());
}

// options: {minLength, maxLength, email, extraWords: string[]}. Like the core, the
// NIST floors apply to whatever bounds are given (the verdict reports them).
val check_password(const std::string& password, const val& options) {
  auto policy = password_policy_from_js(options);
  if (!policy.ok()) return error_to_js(policy.error());

  std::string email;
  std::vector<std::string> words;
  if (!is_absent(options)) {
    const val given_email = options["email"];
    if (given_email.isString()) email = given_email.as<std::string>();
    else if (!given_email.isUndefined()) return invalid_argument("email must be a string");
    if (!options["extraWords"].isUndefined()) {
      auto given_words = strings_arg(options["extraWords"]);
      if (!given_words) return invalid_argument("extraWords must be an array of strings");
      words = std::move(*given_words);
    }
  }
  sesame::PasswordContext context{email, {words.begin(), words.end()}};
  const sesame::PasswordVerdict verdict = sesame::check_password(password, *policy, context);
  val violations = val::array();
  for (const auto& violation : verdict.violations) {
    val item = val::object();
    item.set("code", std::string(violation.name()));
    item.set("minLength", static_cast<double>(violation.min_length));
    item.set("maxLength", static_cast<double>(violation.max_length));
    item.set("length", static_cast<double>(violation.length));
    violations.call<void>("push", item);
  }
  val out = val::object();
  out.set("acceptable", verdict.acceptable());
  out.set("length", static_cast<double>(verdict.length));
  out.set("violations", violations);
  return ok_to_js(out);
}

// ---- backup codes ----
val generate_backup_codes(const val& fill, const val& count) {
  auto how_many = to_int64(count);
  if (!how_many || *how_many < 0) return invalid_argument("count must be a non-negative integer");
  if (!is_function(fill)) return invalid_argument("fill must be a function");
  JsRandomSource random(fill);
  return result_to_js(sesame::generate_backup_codes(random, static_cast<std::size_t>(*how_many)),
                      [](const std::vector<std::string>& codes) {
                        val out = val::array();
                        for (const auto& code : codes) out.call<void>("push", code);
                        return out;
                      });
}
std::string format_backup_code(const std::string& code) { return sesame::format_backup_code(code); }
val normalize_backup_code(const std::string& typed) {
  return result_to_js(sesame::normalize_backup_code(typed), to_js_string);
}

// ---- refresh planning ----
sesame::Result<sesame::RefreshPolicy> refresh_policy_from_js(const val& options) {
  sesame::RefreshPolicy policy;
  struct Field { const char* key; std::int64_t* target; };
  std::int64_t permille = policy.refresh_after_permille;
  for (Field field : {Field{"refreshAfterPermille", &permille}, Field{"refreshMarginMs", &policy.refresh_margin_ms},
                      Field{"maxJitterMs", &policy.max_jitter_ms}, Field{"maxDelayMs", &policy.max_delay_ms},
                      Field{"retryBaseDelayMs", &policy.retry_base_delay_ms},
                      Field{"retryMaxDelayMs", &policy.retry_max_delay_ms}}) {
    auto value = optional_int(options, field.key);
    if (!value.ok()) return value.error();
    if (value->has_value()) *field.target = **value;
  }
  policy.refresh_after_permille = static_cast<std::int32_t>(std::clamp<std::int64_t>(permille, -1, 1'000'000));
  return policy;
}

// jitterUnit is a number in [0, 1) (the core refuses NaN and anything outside).
val plan_refresh(const val& issued_at, const val& expires_at, const val& now_ms, const val& options, const val& jitter_unit) {
  auto iat = to_int64(issued_at);
  auto exp = to_int64(expires_at);
  auto now = to_int64(now_ms);
  if (!iat || !exp || !now) return invalid_argument("issuedAt, expiresAt and nowMs must be integers");
  if (!jitter_unit.isNumber()) return invalid_argument("jitterUnit must be a number");
  auto policy = refresh_policy_from_js(options);
  if (!policy.ok()) return error_to_js(policy.error());
  return result_to_js(sesame::plan_refresh(*iat, *exp, *now, *policy, jitter_unit.as<double>()), [](const sesame::RefreshPlan& plan) {
    val out = val::object();
    out.set("refreshAtMs", static_cast<double>(plan.refresh_at_unix_ms));
    out.set("delayMs", static_cast<double>(plan.delay_ms));
    out.set("expired", plan.expired);
    return out;
  });
}

val retry_delay_ms(const val& attempt, const val& options, const val& jitter_unit) {
  auto count = to_int64(attempt);
  if (!count || *count < 0 || *count > 0xFFFFFFFF) return invalid_argument("attempt must be a non-negative integer");
  if (!jitter_unit.isNumber()) return invalid_argument("jitterUnit must be a number");
  auto policy = refresh_policy_from_js(options);
  if (!policy.ok()) return error_to_js(policy.error());
  return result_to_js(sesame::retry_delay_ms(static_cast<std::uint32_t>(*count), *policy, jitter_unit.as<double>()),
                      [](std::int64_t delay) { return val(static_cast<double>(delay)); });
}

// ---- client session state machine ----
val session_transition(const std::string& state_name, const std::string& event_name) {
  auto state = sesame::parse_session_state(state_name);
  if (!state.ok()) return error_to_js(state.error());
  auto event = sesame::parse_session_event(event_name);
  if (!event.ok()) return error_to_js(event.error());
  return result_to_js(sesame::transition(*state, *event),
                      [](sesame::SessionState next) { return val(std::string(sesame::session_state_name(next))); });
}

// ---- JWS / JWT ----
std::string json_text(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

val access_token_to_js(const sesame::AccessToken& token) {
  const auto& c = token.claims;
  val claims = val::object();
  claims.set("iss", c.iss);
  claims.set("sub", c.sub);
  claims.set("aud", c.aud);
  claims.set("exp", static_cast<double>(c.exp));
  if (c.nbf) claims.set("nbf", static_cast<double>(*c.nbf));
  claims.set("iat", static_cast<double>(c.iat));
  claims.set("jti", c.jti);
  claims.set("sid", c.sid);
  if (!c.tenant_id.empty()) claims.set("tenant_id", c.tenant_id);
  val roles = val::array();
  for (const auto& role : c.roles) roles.call<void>("push", role);
  claims.set("roles", roles);
  val amr = val::array();
  for (const auto& method : c.amr) amr.call<void>("push", method);
  claims.set("amr", amr);
  val out = val::object();
  out.set("kid", token.kid);
  out.set("claims", claims);
  out.set("extraJson", json_text(c.extra));  // other claims; JSON.parse in JS
  return out;
}

// claims: {iss, sub, aud, exp, nbf?, iat, jti, sid, tenant_id?, roles?, amr?}, extraJson: "{...}"
sesame::Result<sesame::AccessTokenClaims> claims_from_js(const val& claims, const std::string& extra_json) {
  sesame::AccessTokenClaims out;
  if (is_absent(claims)) return sesame::Error{sesame::ErrorCode::invalid_argument, "claims must be an object"};
  for (auto [key, target] : {std::pair<const char*, std::string*>{"iss", &out.iss}, {"sub", &out.sub}, {"aud", &out.aud},
                             {"jti", &out.jti}, {"sid", &out.sid}, {"tenant_id", &out.tenant_id}}) {
    const val member = claims[key];
    if (member.isString()) *target = member.as<std::string>();
    else if (!member.isUndefined()) return sesame::Error{sesame::ErrorCode::invalid_argument, std::string(key) + " must be a string"};
  }
  auto exp = optional_int(claims, "exp");
  auto iat = optional_int(claims, "iat");
  auto nbf = optional_int(claims, "nbf");
  if (!exp.ok() || !iat.ok() || !nbf.ok()) return sesame::Error{sesame::ErrorCode::invalid_argument, "exp, iat and nbf must be integers"};
  out.exp = exp->value_or(0);
  out.iat = iat->value_or(0);
  out.nbf = nbf.value();
  for (auto [key, target] : {std::pair<const char*, std::vector<std::string>*>{"roles", &out.roles}, {"amr", &out.amr}}) {
    if (claims[key].isUndefined()) continue;
    auto strings = strings_arg(claims[key]);
    if (!strings) return sesame::Error{sesame::ErrorCode::invalid_argument, std::string(key) + " must be an array of strings"};
    *target = std::move(*strings);
  }
  if (!extra_json.empty()) {
    out.extra = nlohmann::json::parse(extra_json, nullptr, false);
    if (out.extra.is_discarded() || !out.extra.is_object()) {
      return sesame::Error{sesame::ErrorCode::invalid_argument, "extraJson must be a JSON object"};
    }
  }
  return out;
}

val sign_access_token(const val& claims, const std::string& extra_json, const val& seed, const std::string& kid) {
  auto given_seed = bytes_arg(seed);
  if (!given_seed) return invalid_argument("seed must be a Uint8Array");
  sesame::Bytes seed_bytes = std::move(*given_seed);
  auto key = sesame::Ed25519SigningKey::from_seed(seed_bytes, kid);
  sodium_memzero(seed_bytes.data(), seed_bytes.size());
  if (!key.ok()) return error_to_js(key.error());
  auto parsed = claims_from_js(claims, extra_json);
  if (!parsed.ok()) return error_to_js(parsed.error());
  return result_to_js(sesame::sign_access_token(*parsed, *key), to_js_string);
}

val decode_jwt(const std::string& token) { return result_to_js(sesame::decode_jwt(token), access_token_to_js); }

// options: {issuer, audience, nowSeconds, leewaySeconds?}
val verify_access_token(const std::string& token, const std::string& jwks_json, const val& options) {
  auto keys = sesame::JwkSet::parse(jwks_json);
  if (!keys.ok()) return error_to_js(keys.error());
  sesame::AccessTokenVerifyOptions verify_options;
  if (is_absent(options)) return invalid_argument("options {issuer, audience, nowSeconds} are required");
  if (!options["issuer"].isString() || !options["audience"].isString()) return invalid_argument("issuer and audience must be strings");
  verify_options.expected_issuer = options["issuer"].as<std::string>();
  verify_options.expected_audience = options["audience"].as<std::string>();
  auto now = optional_int(options, "nowSeconds");
  auto leeway = optional_int(options, "leewaySeconds");
  if (!now.ok() || !now->has_value() || !leeway.ok()) return invalid_argument("nowSeconds (and leewaySeconds) must be integers");
  verify_options.now_unix_seconds = **now;
  if (leeway->has_value()) verify_options.leeway_seconds = **leeway;
  return result_to_js(sesame::verify_access_token(token, *keys, verify_options), access_token_to_js);
}

val sign_compact_jws(const std::string& protected_header, const val& payload, const val& seed) {
  auto payload_bytes = bytes_arg(payload);
  auto given_seed = bytes_arg(seed);
  if (!payload_bytes || !given_seed) return invalid_argument("payload and seed must be Uint8Arrays");
  sesame::Bytes seed_bytes = std::move(*given_seed);
  auto key = sesame::Ed25519SigningKey::from_seed(seed_bytes);
  sodium_memzero(seed_bytes.data(), seed_bytes.size());
  if (!key.ok()) return error_to_js(key.error());
  return result_to_js(sesame::sign_compact_jws(protected_header, *payload_bytes, *key), to_js_string);
}

val verify_compact_jws(const std::string& token, const val& public_key) {
  auto key_bytes = bytes_arg(public_key);
  if (!key_bytes) return invalid_argument("the public key must be a Uint8Array");
  auto key = sesame::Ed25519PublicKey::from_bytes(*key_bytes);
  if (!key.ok()) return error_to_js(key.error());
  return result_to_js(sesame::verify_compact_jws(token, *key), [](const sesame::VerifiedJws& jws) {
    val out = val::object();
    out.set("headerJson", json_text(jws.header));
    out.set("payload", bytes_to_js(jws.payload));
    return out;
  });
}

// The public JWK (as JSON text) of the key made from a 32-byte seed.
val public_jwk_from_seed(const val& seed, const std::string& kid) {
  auto given_seed = bytes_arg(seed);
  if (!given_seed) return invalid_argument("seed must be a Uint8Array");
  sesame::Bytes seed_bytes = std::move(*given_seed);
  auto key = sesame::Ed25519SigningKey::from_seed(seed_bytes, kid);
  sodium_memzero(seed_bytes.data(), seed_bytes.size());
  return result_to_js(key, [](const sesame::Ed25519SigningKey& k) { return val(json_text(k.public_key().to_jwk())); });
}

val jwk_thumbprint(const val& public_key) {
  auto key_bytes = bytes_arg(public_key);
  if (!key_bytes) return invalid_argument("the public key must be a Uint8Array");
  return result_to_js(sesame::Ed25519PublicKey::from_bytes(*key_bytes),
                      [](const sesame::Ed25519PublicKey& key) { return val(key.thumbprint()); });
}

}  // namespace

EMSCRIPTEN_BINDINGS(sesame_core) {
  emscripten::function("base32Encode", &base32_encode);
  emscripten::function("base32Decode", &base32_decode);
  emscripten::function("base64urlEncode", &base64url_encode);
  emscripten::function("base64urlDecode", &base64url_decode);
  emscripten::function("hotp", &hotp);
  emscripten::function("totp", &totp);
  emscripten::function("totpVerify", &totp_verify);
  emscripten::function("generateTotpSecret", &generate_totp_secret);
  emscripten::function("buildOtpauthUri", &build_otpauth_uri);
  emscripten::function("parseOtpauthUri", &parse_otpauth_uri);
  emscripten::function("qrSvg", &qr_svg);
  emscripten::function("checkPassword", &check_password);
  emscripten::function("validatePasswordPolicy", &validate_password_policy);
  emscripten::function("generateBackupCodes", &generate_backup_codes);
  emscripten::function("formatBackupCode", &format_backup_code);
  emscripten::function("normalizeBackupCode", &normalize_backup_code);
  emscripten::function("planRefresh", &plan_refresh);
  emscripten::function("retryDelayMs", &retry_delay_ms);
  emscripten::function("sessionTransition", &session_transition);
  emscripten::function("signAccessToken", &sign_access_token);
  emscripten::function("decodeJwt", &decode_jwt);
  emscripten::function("verifyAccessToken", &verify_access_token);
  emscripten::function("signCompactJws", &sign_compact_jws);
  emscripten::function("verifyCompactJws", &verify_compact_jws);
  emscripten::function("publicJwkFromSeed", &public_jwk_from_seed);
  emscripten::function("jwkThumbprint", &jwk_thumbprint);
}
