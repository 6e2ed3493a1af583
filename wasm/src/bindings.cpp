// The browser SDK's view of the core: a plain C ABI, glue only. Each entry point
// converts its arguments, calls one core function and writes the answer.
//
// Why not embind: it adds about 10 KB gzip of JavaScript and C++ runtime to a
// package that aims at 50 KB in all, and the SDK needs only a dozen calls.
//
// The wire format (read and written by wasm/src/core.js):
//   - strings and bytes go in as one "fields" buffer: each field is a 32-bit
//     little-endian length followed by that many bytes; numbers go in as doubles
//     (integers are checked here, as JavaScript has no other number);
//   - every call returns 0 or the ErrorCode's number, and leaves its answer in
//     the reply buffer, in the same fields format: the values on success, the
//     error's stable name and a detail on failure.
// Inputs may hold secrets (passwords, backup codes, TOTP secrets): sesame_free
// wipes what it frees, and each call wipes the previous reply before writing.

#include <emscripten/emscripten.h>
#include <sodium.h>

#include <algorithm>
#include <cassert>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sesame/backup_codes.hpp"
#include "sesame/encoding.hpp"
#include "sesame/jwt.hpp"
#include "sesame/otpauth.hpp"
#include "sesame/password_policy.hpp"
#include "sesame/qr.hpp"
#include "sesame/refresh.hpp"
#include "sesame/session_state.hpp"

namespace {

using sesame::Error;
using sesame::ErrorCode;

constexpr std::size_t kFieldLengthBytes = 4;

// ---- reply ----
std::vector<std::uint8_t> reply;

void wipe_reply() {
  sodium_memzero(reply.data(), reply.size());
  reply.clear();
}

void put(std::string_view field) {
  const auto size = static_cast<std::uint32_t>(field.size());
  for (std::size_t i = 0; i < kFieldLengthBytes; ++i) reply.push_back(static_cast<std::uint8_t>(size >> (8 * i)));
  reply.insert(reply.end(), field.begin(), field.end());
}
void put(sesame::ByteView field) {
  put(std::string_view(reinterpret_cast<const char*>(field.data()), field.size()));
}
void put(std::int64_t number) {
  char text[24];
  const auto end = std::to_chars(text, text + sizeof text, number).ptr;
  put(std::string_view(text, static_cast<std::size_t>(end - text)));
}

int fail(const Error& error) {
  wipe_reply();
  put(sesame::error_code_name(error.code));
  put(error.detail);
  return static_cast<int>(error.code);
}
int invalid_argument(std::string_view what) { return fail({ErrorCode::invalid_argument, std::string(what)}); }

// ---- arguments ----
// Reads the fields buffer; nullopt when it is malformed or holds fewer than
// `min_count` or more than `max_count` fields.
std::optional<std::vector<std::string_view>> fields(const std::uint8_t* data, std::size_t size, std::size_t min_count,
                                                    std::size_t max_count) {
  std::vector<std::string_view> out;
  std::size_t at = 0;
  while (at < size) {
    if (size - at < kFieldLengthBytes) return std::nullopt;
    std::uint32_t length = 0;
    for (std::size_t i = 0; i < kFieldLengthBytes; ++i) length |= static_cast<std::uint32_t>(data[at + i]) << (8 * i);
    at += kFieldLengthBytes;
    if (size - at < length) return std::nullopt;
    out.emplace_back(reinterpret_cast<const char*>(data + at), length);
    at += length;
  }
  if (out.size() < min_count || out.size() > max_count) return std::nullopt;
  return out;
}
std::optional<std::vector<std::string_view>> fields(const std::uint8_t* data, std::size_t size, std::size_t count) {
  return fields(data, size, count, count);
}
constexpr std::size_t kAnyCount = SIZE_MAX;

// JavaScript numbers are doubles: an integer argument must be one exactly.
std::optional<std::int64_t> integer(double value) {
  if (!std::isfinite(value) || value != std::floor(value) || std::fabs(value) > 9007199254740991.0) return std::nullopt;
  return static_cast<std::int64_t>(value);
}

// NaN stands for "absent: the core's default".
std::optional<std::optional<std::int64_t>> optional_integer(double value) {
  if (std::isnan(value)) return std::optional<std::int64_t>{};
  auto number = integer(value);
  if (!number) return std::nullopt;
  return std::optional<std::int64_t>{*number};
}

// RefreshPolicy fields in declaration order, NaN for the defaults.
std::optional<sesame::RefreshPolicy> refresh_policy(const double* given) {
  sesame::RefreshPolicy policy;
  std::int64_t permille = policy.refresh_after_permille;
  std::int64_t* targets[] = {&permille, &policy.refresh_margin_ms, &policy.max_jitter_ms, &policy.max_delay_ms,
                             &policy.retry_base_delay_ms, &policy.retry_max_delay_ms};
  for (std::size_t i = 0; i < std::size(targets); ++i) {
    auto value = optional_integer(given[i]);
    if (!value) return std::nullopt;
    if (*value) *targets[i] = **value;
  }
  // Out of range either way: the core's validation reports it.
  policy.refresh_after_permille = static_cast<std::int32_t>(std::clamp<std::int64_t>(permille, -1, 1'000'000));
  return policy;
}

}  // namespace

extern "C" {

// libsodium keeps its assert()s; libc's handler would print the message, and
// formatting it links printf (about 6 KB). A failed assertion traps instead, and
// the JS layer drops the instance and loads a fresh one on the next call.
void __assert_fail(const char*, const char*, int, const char*) { __builtin_trap(); }

EMSCRIPTEN_KEEPALIVE std::uint8_t* sesame_alloc(std::size_t size) {
  return static_cast<std::uint8_t*>(std::malloc(size == 0 ? 1 : size));
}

EMSCRIPTEN_KEEPALIVE void sesame_free(std::uint8_t* data, std::size_t size) {
  if (data == nullptr) return;
  sodium_memzero(data, size);
  std::free(data);
}

EMSCRIPTEN_KEEPALIVE const std::uint8_t* sesame_reply_data() { return reply.data(); }
EMSCRIPTEN_KEEPALIVE std::size_t sesame_reply_size() { return reply.size(); }
EMSCRIPTEN_KEEPALIVE void sesame_reply_wipe() { wipe_reply(); }

// [text] -> [bytes]
EMSCRIPTEN_KEEPALIVE int sesame_base64url_decode(const std::uint8_t* in, std::size_t size) {
  wipe_reply();
  auto args = fields(in, size, 1);
  if (!args) return invalid_argument("base64urlDecode(text)");
  auto bytes = sesame::base64url_decode((*args)[0]);
  if (!bytes) return fail(bytes.error());
  put(*bytes);
  sodium_memzero(bytes->data(), bytes->size());
  return 0;
}

// [uri] -> [issuer, account, secret bytes, algorithm, digits, period]
EMSCRIPTEN_KEEPALIVE int sesame_parse_otpauth_uri(const std::uint8_t* in, std::size_t size) {
  wipe_reply();
  auto args = fields(in, size, 1);
  if (!args) return invalid_argument("parseOtpauthUri(uri)");
  auto uri = sesame::parse_otpauth_uri((*args)[0]);
  if (!uri) return fail(uri.error());
  put(uri->issuer);
  put(uri->account);
  put(uri->secret);
  put(sesame::otp_algorithm_name(uri->parameters.algorithm));
  put(std::int64_t{uri->parameters.digits});
  put(std::int64_t{uri->parameters.period_seconds});
  sodium_memzero(uri->secret.data(), uri->secret.size());
  return 0;
}

// [text], border modules (NaN: default), error correction 0..3 (NaN: default) -> [svg]
EMSCRIPTEN_KEEPALIVE int sesame_qr_svg(const std::uint8_t* in, std::size_t size, double border, double level) {
  wipe_reply();
  auto args = fields(in, size, 1);
  auto border_modules = optional_integer(border);
  auto correction = optional_integer(level);
  if (!args || !border_modules || !correction || (*correction && (**correction < 0 || **correction > 3))) {
    return invalid_argument("qrSvg(text, {border, errorCorrection})");
  }
  sesame::QrSvgOptions options;
  if (*border_modules) options.border_modules = static_cast<int>(std::clamp<std::int64_t>(**border_modules, -1, 1000));
  if (*correction) options.error_correction = static_cast<sesame::QrErrorCorrection>(**correction);
  auto svg = sesame::qr_svg((*args)[0], options);
  if (!svg) return fail(svg.error());
  put(*svg);
  return 0;
}

// [password, email, extra words...], min and max length (NaN: defaults)
//   -> [length, then code, min, max, length for each violation]
EMSCRIPTEN_KEEPALIVE int sesame_check_password(const std::uint8_t* in, std::size_t size, double min_length,
                                               double max_length) {
  wipe_reply();
  auto args = fields(in, size, 2, kAnyCount);
  auto min = optional_integer(min_length);
  auto max = optional_integer(max_length);
  if (!args || !min || !max) return invalid_argument("checkPassword(password, {email, extraWords, minLength, maxLength})");
  sesame::PasswordPolicy policy;
  if (*min) policy.min_length = static_cast<std::size_t>(std::max<std::int64_t>(0, **min));
  if (*max) policy.max_length = static_cast<std::size_t>(std::max<std::int64_t>(0, **max));
  const sesame::PasswordContext context{(*args)[1], {args->begin() + 2, args->end()}};
  const auto verdict = sesame::check_password((*args)[0], policy, context);
  put(static_cast<std::int64_t>(verdict.length));
  for (const auto& violation : verdict.violations) {
    put(violation.name());
    put(static_cast<std::int64_t>(violation.min_length));
    put(static_cast<std::int64_t>(violation.max_length));
    put(static_cast<std::int64_t>(violation.length));
  }
  return 0;
}

// [code] -> [formatted]
EMSCRIPTEN_KEEPALIVE int sesame_format_backup_code(const std::uint8_t* in, std::size_t size) {
  wipe_reply();
  auto args = fields(in, size, 1);
  if (!args) return invalid_argument("formatBackupCode(code)");
  put(sesame::format_backup_code((*args)[0]));
  return 0;
}

// [typed] -> [normalised]
EMSCRIPTEN_KEEPALIVE int sesame_normalize_backup_code(const std::uint8_t* in, std::size_t size) {
  wipe_reply();
  auto args = fields(in, size, 1);
  if (!args) return invalid_argument("normalizeBackupCode(typed)");
  auto code = sesame::normalize_backup_code((*args)[0]);
  if (!code) return fail(code.error());
  put(*code);
  sodium_memzero(code->data(), code->size());
  return 0;
}

// policy: 6 doubles (see refresh_policy) -> [refresh at ms, delay ms, expired 0/1]
EMSCRIPTEN_KEEPALIVE int sesame_plan_refresh(double issued_at, double expires_at, double now_ms, double jitter_unit,
                                             const double* policy_fields) {
  wipe_reply();
  auto iat = integer(issued_at);
  auto exp = integer(expires_at);
  auto now = integer(now_ms);
  auto policy = refresh_policy(policy_fields);
  if (!iat || !exp || !now || !policy) return invalid_argument("planRefresh: times and policy fields must be integers");
  auto plan = sesame::plan_refresh(*iat, *exp, *now, *policy, jitter_unit);
  if (!plan) return fail(plan.error());
  put(plan->refresh_at_unix_ms);
  put(plan->delay_ms);
  put(std::int64_t{plan->expired ? 1 : 0});
  return 0;
}

// -> [delay ms]
EMSCRIPTEN_KEEPALIVE int sesame_retry_delay_ms(double attempt, double jitter_unit, const double* policy_fields) {
  wipe_reply();
  auto count = integer(attempt);
  auto policy = refresh_policy(policy_fields);
  if (!count || *count < 0 || *count > 0xFFFFFFFF || !policy) return invalid_argument("retryDelayMs(attempt >= 0, jitterUnit, policy)");
  auto delay = sesame::retry_delay_ms(static_cast<std::uint32_t>(*count), *policy, jitter_unit);
  if (!delay) return fail(delay.error());
  put(*delay);
  return 0;
}

// [state, event] -> [next state]
EMSCRIPTEN_KEEPALIVE int sesame_session_transition(const std::uint8_t* in, std::size_t size) {
  wipe_reply();
  auto args = fields(in, size, 2);
  if (!args) return invalid_argument("sessionTransition(state, event)");
  auto state = sesame::parse_session_state((*args)[0]);
  if (!state) return fail(state.error());
  auto event = sesame::parse_session_event((*args)[1]);
  if (!event) return fail(event.error());
  auto next = sesame::transition(*state, *event);
  if (!next) return fail(next.error());
  put(sesame::session_state_name(*next));
  return 0;
}

// [message, signature, public key] -> []
EMSCRIPTEN_KEEPALIVE int sesame_verify_ed25519(const std::uint8_t* in, std::size_t size) {
  wipe_reply();
  auto args = fields(in, size, 3);
  if (!args) return invalid_argument("verifyEd25519(message, signature, publicKey)");
  auto key = sesame::Ed25519PublicKey::from_bytes(sesame::as_bytes((*args)[2]), "k");
  if (!key) return fail(key.error());
  auto verified = sesame::verify_ed25519_signature(sesame::as_bytes((*args)[0]), sesame::as_bytes((*args)[1]), *key);
  return verified ? 0 : fail(verified.error());
}

// [issuer, expected issuer, expected audience, audiences...], exp, nbf (NaN: absent),
// iat, now and leeway in seconds -> []
EMSCRIPTEN_KEEPALIVE int sesame_check_access_token_validity(const std::uint8_t* in, std::size_t size, double exp,
                                                            double nbf, double iat, double now, double leeway) {
  wipe_reply();
  auto args = fields(in, size, 3, kAnyCount);
  auto expires = integer(exp);
  auto not_before = optional_integer(nbf);
  auto issued = integer(iat);
  auto now_seconds = integer(now);
  auto leeway_seconds = integer(leeway);
  if (!args || !expires || !not_before || !issued || !now_seconds || !leeway_seconds) {
    return invalid_argument("checkAccessTokenValidity: times must be integers");
  }
  const std::vector<std::string> audiences(args->begin() + 3, args->end());
  sesame::AccessTokenVerifyOptions options;
  options.expected_issuer = std::string((*args)[1]);
  options.expected_audience = std::string((*args)[2]);
  options.now_unix_seconds = *now_seconds;
  options.leeway_seconds = *leeway_seconds;
  const sesame::AccessTokenValidity claims{(*args)[0], audiences, *expires, *not_before, *issued};
  auto valid = sesame::check_access_token_validity(claims, options);
  return valid ? 0 : fail(valid.error());
}

}  // extern "C"
