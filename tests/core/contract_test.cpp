#define BOOST_TEST_MODULE core_contract
#include <boost/test/unit_test.hpp>

#include <time.h>  // gmtime_r / timegm: only as an independent oracle in this test

#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "sesame/contract.hpp"
#include "printing.hpp"
#include "vectors.hpp"

using namespace sesame;
using namespace sesame::api;
using nlohmann::json;
using sesame::test::vector_table;

namespace {

// For failure messages, which Boost.Test builds even when the check passes.
template <class T>
std::string failure_detail(const Result<T>& result) {
  return result.ok() ? std::string() : result.error().detail;
}

// Parses `body` as the named contract type and serialises the result again.
using Reencode = std::function<Result<json>(const json&)>;

template <class T>
Reencode reencode() {
  return [](const json& body) -> Result<json> {
    auto parsed = from_json_checked<T>(body);
    if (!parsed.ok()) return parsed.error();
    return to_json(*parsed);
  };
}

const std::map<std::string, Reencode>& contract_types() {
  static const std::map<std::string, Reencode> types{
      {"RegisterRequest", reencode<RegisterRequest>()},
      {"RegisterResponse", reencode<RegisterResponse>()},
      {"User", reencode<User>()},
      {"MeResponse", reencode<MeResponse>()},
      {"TokenRequest", reencode<TokenRequest>()},
      {"TokenResponse", reencode<TokenResponse>()},
      {"MfaChallenge", reencode<MfaChallenge>()},
      {"SignInResult", reencode<SignInResult>()},
      {"MfaVerifyRequest", reencode<MfaVerifyRequest>()},
      {"RefreshRequest", reencode<RefreshRequest>()},
      {"PasswordChangeRequest", reencode<PasswordChangeRequest>()},
      {"PasswordResetInitiateRequest", reencode<PasswordResetInitiateRequest>()},
      {"PasswordResetCompleteRequest", reencode<PasswordResetCompleteRequest>()},
      {"EmailVerifyRequest", reencode<EmailVerifyRequest>()},
      {"TotpSetupRequest", reencode<TotpSetupRequest>()},
      {"TotpSetupResponse", reencode<TotpSetupResponse>()},
      {"TotpConfirmRequest", reencode<TotpConfirmRequest>()},
      {"BackupCodesResponse", reencode<BackupCodesResponse>()},
      {"TotpDisableRequest", reencode<TotpDisableRequest>()},
      {"BackupCodesRegenerateRequest", reencode<BackupCodesRegenerateRequest>()},
      {"SessionInfo", reencode<SessionInfo>()},
      {"SessionsResponse", reencode<SessionsResponse>()},
      {"AdminUserList", reencode<AdminUserList>()},
      {"AdminCreateUserRequest", reencode<AdminCreateUserRequest>()},
      {"AdminUpdateUserRequest", reencode<AdminUpdateUserRequest>()},
      {"AuditEvent", reencode<AuditEvent>()},
      {"AuditEventList", reencode<AuditEventList>()},
      {"Tenant", reencode<Tenant>()},
      {"TenantList", reencode<TenantList>()},
      {"AdminCreateTenantRequest", reencode<AdminCreateTenantRequest>()},
      {"AdminUpdateTenantRequest", reencode<AdminUpdateTenantRequest>()},
      {"DevMailMessage", reencode<DevMailMessage>()},
      {"DevMailbox", reencode<DevMailbox>()},
      {"ProblemViolation", reencode<ProblemViolation>()},
      {"Problem", reencode<Problem>()},
  };
  return types;
}

const Reencode& contract_type(const json& row) {
  const auto name = row.at("type").get<std::string>();
  const auto found = contract_types().find(name);
  if (found == contract_types().end()) throw std::runtime_error("no contract type " + name);
  return found->second;
}

// to_json -> from_json_checked, and the same through text (dump -> parse_body).
template <class T>
void check_round_trip(const T& value) {
  const json encoded = to_json(value);
  auto decoded = from_json_checked<T>(encoded);
  BOOST_TEST_REQUIRE(decoded.ok(), "parse of " << encoded.dump() << ": " << failure_detail(decoded));
  BOOST_TEST((*decoded == value), "round trip changed " << encoded.dump());
  auto from_text = parse_body<T>(encoded.dump());
  BOOST_TEST_REQUIRE(from_text.ok());
  BOOST_TEST((*from_text == value));
}

User sample_user() {
  User user;
  user.id = "u_1";
  user.email = "ada@example.com";
  user.name = "Ada Lovelace";
  user.tenant_id = "default";
  user.roles = {"user", "admin"};
  user.email_verified = true;
  user.mfa_enabled = true;
  user.created_at = Timestamp{1795313736};
  return user;
}

TokenResponse sample_tokens() {
  TokenResponse tokens;
  tokens.access_token = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJ1XzEifQ.c2ln";
  tokens.expires_in = 900;
  tokens.issued_at = Timestamp{1795313736};
  tokens.kid = "k2026";
  tokens.session_id = "s_1";
  tokens.refresh_expires_in = 2592000;
  tokens.refresh_token = "rt_AbC-123_xyz";
  return tokens;
}

MfaChallenge sample_challenge() { return MfaChallenge{"mfa_QwErTy", {"totp", "backup_code"}, 300}; }

SessionInfo sample_session(bool current) {
  return SessionInfo{current ? "s_1" : "s_2", current, Timestamp{1795000000}, Timestamp{1795313736},
                     current ? "203.0.113.7" : "2001:db8::1", current ? "Mozilla/5.0" : ""};
}

AuditEvent sample_event() {
  AuditEvent event;
  event.id = "e_1";
  event.type = "session.revoked";
  event.created_at = Timestamp{-86400};
  event.user_id = "u_1";
  event.actor_id = "u_9";
  event.ip = "203.0.113.7";
  event.user_agent = "curl/8.0";
  event.request_id = "req-1";
  event.details = json{{"session_id", "s_2"}, {"reason", {{"by", "admin"}, {"n", 2}}}};
  return event;
}

std::string nested_arrays(int depth) { return std::string(static_cast<std::size_t>(depth), '[') + std::string(static_cast<std::size_t>(depth), ']'); }

// {"a":{"a":...{}...}} with `depth` objects in all.
std::string nested_objects(int depth) {
  std::string text;
  for (int i = 1; i < depth; ++i) text += "{\"a\":";
  text += "{}";
  text += std::string(static_cast<std::size_t>(depth - 1), '}');
  return text;
}

}  // namespace

// ---- RFC 3339 ---------------------------------------------------------------

BOOST_AUTO_TEST_CASE(rfc3339_formats_and_parses_published_vectors) {
  for (const auto& v : vector_table("contract.json", "rfc3339")) {
    const auto seconds = v.at("unix_seconds").get<std::int64_t>();
    const auto text = v.at("text").get<std::string>();
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>() << " (" << text << ")") {
      BOOST_TEST(format_rfc3339_utc(seconds) == text);
      auto parsed = parse_rfc3339(text);
      BOOST_TEST_REQUIRE(parsed.ok());
      BOOST_TEST(*parsed == seconds);
    }
  }
}

BOOST_AUTO_TEST_CASE(rfc3339_parses_offsets_fractions_and_lowercase) {
  for (const auto& v : vector_table("contract.json", "rfc3339_parse")) {
    const auto text = v.at("text").get<std::string>();
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>() << " (" << text << ")") {
      auto parsed = parse_rfc3339(text);
      BOOST_TEST_REQUIRE(parsed.ok(), failure_detail(parsed));
      BOOST_TEST(*parsed == v.at("unix_seconds").get<std::int64_t>());
    }
  }
}

BOOST_AUTO_TEST_CASE(rfc3339_rejects_malformed_and_impossible_times) {
  for (const auto& v : vector_table("contract.json", "rfc3339_invalid")) {
    const auto text = v.at("text").get<std::string>();
    BOOST_TEST_CONTEXT(v.at("why").get<std::string>() << " ('" << text << "')") {
      auto parsed = parse_rfc3339(text);
      BOOST_TEST_REQUIRE(!parsed.ok());
      BOOST_TEST(parsed.code() == ErrorCode::invalid_timestamp);
    }
  }
}

BOOST_AUTO_TEST_CASE(rfc3339_round_trips_across_the_whole_range) {
  // A stride that is not a multiple of a day, a month or a year visits every
  // time of day and calendar position over years 0000..9999.
  constexpr std::int64_t kStride = 1'000'003 * 7;
  std::size_t checked = 0;
  for (std::int64_t t = kMinRfc3339UnixSeconds; t <= kMaxRfc3339UnixSeconds; t += kStride) {
    const std::string text = format_rfc3339_utc(t);
    auto parsed = parse_rfc3339(text);
    if (!parsed.ok() || *parsed != t) {
      BOOST_TEST_REQUIRE(false, "round trip failed at " << t << " -> " << text);
    }
    ++checked;
  }
  BOOST_TEST(checked > 40'000U);
}

BOOST_AUTO_TEST_CASE(rfc3339_agrees_with_glibc_between_1900_and_2400) {
  // glibc with a 64-bit time_t as an independent oracle; the core must not use it.
  static_assert(sizeof(time_t) == 8);
  for (std::int64_t t = -2208988800; t < 13569465600; t += 3'600 * 997 + 13) {
    const time_t native = static_cast<time_t>(t);
    struct tm parts {};
    BOOST_TEST_REQUIRE(gmtime_r(&native, &parts) != nullptr);
    char expected[32];
    BOOST_TEST_REQUIRE(strftime(expected, sizeof expected, "%Y-%m-%dT%H:%M:%SZ", &parts) == 20U);
    if (format_rfc3339_utc(t) != expected) BOOST_TEST_REQUIRE(format_rfc3339_utc(t) == std::string(expected));
    auto parsed = parse_rfc3339(expected);
    if (!parsed.ok() || *parsed != t) BOOST_TEST_REQUIRE(false, "parse of " << expected);
  }
}

BOOST_AUTO_TEST_CASE(rfc3339_format_clamps_outside_four_digit_years) {
  BOOST_TEST(format_rfc3339_utc(kMinRfc3339UnixSeconds - 1) == "0000-01-01T00:00:00Z");
  BOOST_TEST(format_rfc3339_utc(std::numeric_limits<std::int64_t>::min()) == "0000-01-01T00:00:00Z");
  BOOST_TEST(format_rfc3339_utc(kMaxRfc3339UnixSeconds + 1) == "9999-12-31T23:59:59Z");
  BOOST_TEST(format_rfc3339_utc(std::numeric_limits<std::int64_t>::max()) == "9999-12-31T23:59:59Z");
}

// ---- JSON text ----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(json_text_parses_an_object) {
  auto parsed = parse_json_object(R"({"email":"ada@example.com","n":[1,{"x":"[[["}]})");
  BOOST_TEST_REQUIRE(parsed.ok());
  BOOST_TEST((*parsed)["email"] == "ada@example.com");
}

BOOST_AUTO_TEST_CASE(json_text_rejects_non_objects_and_malformed_text) {
  const std::vector<std::string> bad{"", " ", "[]", "5", "\"text\"", "null", "true", "{", "{\"a\":}", "{'a':1}",
                                     "{\"a\":1} x", "{\"a\":1,}", "{/* c */}", "{\"a\":\"\xff\"}",
                                     "{\"a\":\"\xc0\xaf\"}", std::string("{\"a\":1}\0", 8), "{\"a\":NaN}"};
  for (const auto& text : bad) {
    BOOST_TEST_CONTEXT("'" << text << "'") {
      auto parsed = parse_json_object(text);
      BOOST_TEST_REQUIRE(!parsed.ok());
      BOOST_TEST(parsed.code() == ErrorCode::invalid_json);
    }
  }
}

BOOST_AUTO_TEST_CASE(json_text_rejects_oversized_input_before_parsing) {
  const std::string at_limit = "{\"a\":\"" + std::string(100 - 8, 'x') + "\"}";
  BOOST_TEST_REQUIRE(at_limit.size() == 100U);
  BOOST_TEST(parse_json_object(at_limit, 100).ok());
  auto over = parse_json_object(at_limit, 99);
  BOOST_TEST_REQUIRE(!over.ok());
  BOOST_TEST(over.code() == ErrorCode::input_too_large);

  const std::string big = "{\"a\":\"" + std::string(kMaxRequestBodyBytes, 'x') + "\"}";
  auto too_big = parse_json_object(big);
  BOOST_TEST_REQUIRE(!too_big.ok());
  BOOST_TEST(too_big.code() == ErrorCode::input_too_large);
}

BOOST_AUTO_TEST_CASE(json_text_accepts_nesting_up_to_the_limit) {
  BOOST_TEST(parse_json_object(nested_objects(kMaxJsonDepth)).ok());
  BOOST_TEST(parse_json_object("{\"a\":" + nested_arrays(kMaxJsonDepth - 1) + "}").ok());
  // Brackets inside strings are text, not nesting.
  BOOST_TEST(parse_json_object("{\"a\":\"" + std::string(10'000, '[') + "\"}").ok());
}

BOOST_AUTO_TEST_CASE(json_text_rejects_pathological_nesting_without_crashing) {
  const std::vector<std::string> deep{
      nested_objects(kMaxJsonDepth + 1),
      "{\"a\":" + nested_arrays(kMaxJsonDepth) + "}",
      "{\"a\":" + std::string(1'000'000, '['),                     // unterminated
      "{\"a\":" + nested_arrays(500'000) + "}",                     // well-formed, absurdly deep
      // An escaped backslash closes the string: the brackets after it count.
      "{\"s\":\"\\\\\",\"b\":" + nested_arrays(kMaxJsonDepth) + "}",
  };
  for (const auto& text : deep) {
    BOOST_TEST_CONTEXT(text.substr(0, 40) << "... (" << text.size() << " bytes)") {
      auto parsed = parse_json_object(text, 4'000'000);
      BOOST_TEST_REQUIRE(!parsed.ok());
      BOOST_TEST(parsed.code() == ErrorCode::invalid_json);
    }
  }
}

BOOST_AUTO_TEST_CASE(json_text_escaped_quotes_do_not_end_strings) {
  // "\"" keeps the string open, so these brackets are text.
  BOOST_TEST(parse_json_object("{\"s\":\"\\\"" + std::string(100, '[') + "\"}").ok());
}

// ---- Round trips of every type ------------------------------------------------

BOOST_AUTO_TEST_CASE(every_request_type_round_trips) {
  check_round_trip(RegisterRequest{"ada@example.com", "correct horse battery staple", "Ada", std::nullopt});
  check_round_trip(RegisterRequest{"ada@example.com", "", std::nullopt, "acme"});
  check_round_trip(TokenRequest{"ada@example.com", "pw", TokenDelivery::body, std::nullopt});
  check_round_trip(TokenRequest{"ada@example.com", "pw", TokenDelivery::cookie, "acme"});
  check_round_trip(MfaVerifyRequest{"mfa_QwErTy", MfaCodeKind::totp, "123456"});
  check_round_trip(MfaVerifyRequest{"mfa_QwErTy", MfaCodeKind::backup_code, "abcd-efgh"});
  check_round_trip(RefreshRequest{"rt_AbC-123_xyz"});
  check_round_trip(RefreshRequest{std::nullopt});
  check_round_trip(PasswordChangeRequest{"old", "new"});
  check_round_trip(PasswordResetInitiateRequest{"ada@example.com", std::nullopt});
  check_round_trip(PasswordResetCompleteRequest{"reset_tok", "new"});
  check_round_trip(EmailVerifyRequest{"verify_tok"});
  check_round_trip(TotpConfirmRequest{"123456"});
  check_round_trip(TotpDisableRequest{"pw", "123456"});
  check_round_trip(BackupCodesRegenerateRequest{"654321"});
  check_round_trip(AdminCreateUserRequest{"new@example.com", "pw", "New", std::vector<std::string>{"user"}, "acme"});
  check_round_trip(AdminCreateUserRequest{"new@example.com", std::nullopt, std::nullopt, std::nullopt, std::nullopt});
  check_round_trip(AdminCreateUserRequest{"new@example.com", "pw", std::nullopt, std::vector<std::string>{}, std::nullopt});
  check_round_trip(AdminUpdateUserRequest{});
  check_round_trip(AdminCreateTenantRequest{"acme", "Acme Inc."});
  check_round_trip(AdminUpdateTenantRequest{true});
  check_round_trip(AdminUpdateUserRequest{std::optional<std::string>{"Renamed"}, std::vector<std::string>{"user"}, true, false});
  check_round_trip(AdminUpdateUserRequest{std::optional<std::string>{}, std::nullopt, std::nullopt, true});
}

BOOST_AUTO_TEST_CASE(every_response_type_round_trips) {
  User user = sample_user();
  check_round_trip(user);
  check_round_trip(RegisterResponse{user});
  User unnamed = user;
  unnamed.name.reset();
  unnamed.roles.clear();
  unnamed.disabled = true;
  unnamed.created_at = Timestamp{-1};
  check_round_trip(unnamed);
  check_round_trip(MeResponse{unnamed});

  TokenResponse tokens = sample_tokens();
  check_round_trip(tokens);
  TokenResponse cookie_tokens = tokens;
  cookie_tokens.refresh_token.reset();
  check_round_trip(cookie_tokens);
  check_round_trip(sample_challenge());
  check_round_trip(SignInResult{tokens});
  check_round_trip(SignInResult{sample_challenge()});

  check_round_trip(TotpSetupResponse{"JBSWY3DPEHPK3PXP", "otpauth://totp/Sesame:ada?secret=JBSWY3DPEHPK3PXP",
                                     "<svg xmlns=\"http://www.w3.org/2000/svg\"></svg>"});
  check_round_trip(BackupCodesResponse{{"abcd-efgh", "ijkl-mnop"}});
  check_round_trip(sample_session(true));
  check_round_trip(SessionsResponse{{sample_session(true), sample_session(false)}});
  check_round_trip(SessionsResponse{});
  check_round_trip(AdminUserList{{user, unnamed}, "c_next"});
  check_round_trip(AdminUserList{{}, std::nullopt});

  AuditEvent event = sample_event();
  check_round_trip(event);
  AuditEvent bare = event;
  bare.user_id.reset();
  bare.actor_id.reset();
  bare.ip.reset();
  bare.user_agent.reset();
  bare.request_id.reset();
  bare.details = json::object();
  check_round_trip(bare);
  check_round_trip(AuditEventList{{event, bare}, "c_e"});
  check_round_trip(AuditEventList{{}, std::nullopt});

  const DevMailMessage mail{"ada@example.com", "Verify your email", "Line one\nLine two\n", Timestamp{1795313736}};
  check_round_trip(mail);
  check_round_trip(DevMailbox{{mail, mail}});
  check_round_trip(DevMailbox{});

  check_round_trip(ProblemViolation{"password_too_short", "at least 8 characters", "/password"});
  check_round_trip(ProblemViolation{"password_common", std::nullopt, std::nullopt});
  Problem problem = make_problem(ErrorCode::password_policy_violation, "the password breaks the policy");
  problem.instance = "/api/v1/auth/register";
  problem.violations = std::vector<ProblemViolation>{{"password_too_short", "at least 8 characters", "/password"}};
  problem.request_id = "req-9";
  check_round_trip(problem);
  Problem throttled = make_problem(ErrorCode::rate_limited);
  throttled.retry_after = 30;
  check_round_trip(throttled);
}

BOOST_AUTO_TEST_CASE(wire_bodies_keep_their_member_names) {
  for (const auto& row : vector_table("contract.json", "wire")) {
    BOOST_TEST_CONTEXT(row.at("type").get<std::string>() << " " << row.at("body").dump().substr(0, 120)) {
      auto encoded = contract_type(row)(row.at("body"));
      BOOST_TEST_REQUIRE(encoded.ok(), failure_detail(encoded));
      BOOST_TEST(*encoded == row.at("body"), "to_json gave " << encoded->dump());
    }
  }
}

BOOST_AUTO_TEST_CASE(lenient_bodies_parse_to_their_canonical_form) {
  for (const auto& row : vector_table("contract.json", "lenient")) {
    BOOST_TEST_CONTEXT(row.at("type").get<std::string>() << ": " << row.at("why").get<std::string>()) {
      auto encoded = contract_type(row)(row.at("body"));
      BOOST_TEST_REQUIRE(encoded.ok(), failure_detail(encoded));
      BOOST_TEST(*encoded == row.at("canonical"), "to_json gave " << encoded->dump());
    }
  }
}

BOOST_AUTO_TEST_CASE(token_response_is_bearer_and_omits_refresh_token_for_cookie_delivery) {
  TokenResponse tokens = sample_tokens();
  BOOST_TEST(to_json(tokens)["token_type"] == "Bearer");
  BOOST_TEST(to_json(tokens)["refresh_token"] == "rt_AbC-123_xyz");
  tokens.refresh_token.reset();
  BOOST_TEST(!to_json(tokens).contains("refresh_token"));
}

BOOST_AUTO_TEST_CASE(sign_in_result_tells_tokens_from_mfa_challenge) {
  auto tokens = from_json_checked<SignInResult>(to_json(sample_tokens()));
  BOOST_TEST_REQUIRE(tokens.ok());
  BOOST_TEST_REQUIRE(std::holds_alternative<TokenResponse>(*tokens));
  BOOST_TEST(std::get<TokenResponse>(*tokens).session_id == "s_1");

  auto challenge = from_json_checked<SignInResult>(to_json(sample_challenge()));
  BOOST_TEST_REQUIRE(challenge.ok());
  BOOST_TEST_REQUIRE(std::holds_alternative<MfaChallenge>(*challenge));
  BOOST_TEST(std::get<MfaChallenge>(*challenge).mfa_token == "mfa_QwErTy");
  BOOST_TEST(to_json(*challenge)["mfa_required"] == true);
}

BOOST_AUTO_TEST_CASE(mfa_verify_sends_totp_as_code_and_backup_as_backup_code) {
  const json totp = to_json(MfaVerifyRequest{"m", MfaCodeKind::totp, "123456"});
  BOOST_TEST(totp["code"] == "123456");
  BOOST_TEST(!totp.contains("backup_code"));
  const json backup = to_json(MfaVerifyRequest{"m", MfaCodeKind::backup_code, "abcd-efgh"});
  BOOST_TEST(backup["backup_code"] == "abcd-efgh");
  BOOST_TEST(!backup.contains("code"));
}

BOOST_AUTO_TEST_CASE(admin_update_tells_absent_from_null_from_value) {
  auto absent = from_json_checked<AdminUpdateUserRequest>(json::object());
  BOOST_TEST_REQUIRE(absent.ok());
  BOOST_TEST(!absent->name.has_value());
  BOOST_TEST(!absent->roles.has_value());
  BOOST_TEST(!absent->disabled.has_value());
  BOOST_TEST(!absent->email_verified.has_value());

  auto cleared = from_json_checked<AdminUpdateUserRequest>(json{{"name", nullptr}, {"disabled", false}});
  BOOST_TEST_REQUIRE(cleared.ok());
  BOOST_TEST_REQUIRE(cleared->name.has_value());
  BOOST_TEST(!cleared->name->has_value());
  BOOST_TEST_REQUIRE(cleared->disabled.has_value());
  BOOST_TEST(*cleared->disabled == false);

  auto renamed = from_json_checked<AdminUpdateUserRequest>(json{{"name", "Zoë"}, {"roles", json::array()}});
  BOOST_TEST_REQUIRE(renamed.ok());
  BOOST_TEST_REQUIRE((renamed->name.has_value() && renamed->name->has_value()));
  BOOST_TEST(**renamed->name == "Zoë");
  BOOST_TEST_REQUIRE(renamed->roles.has_value());
  BOOST_TEST(renamed->roles->empty());
}

// ---- Refusals -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(bad_bodies_name_the_code_and_field) {
  for (const auto& row : vector_table("contract.json", "bad_bodies")) {
    BOOST_TEST_CONTEXT(row.at("type").get<std::string>() << ": " << row.at("why").get<std::string>()) {
      auto encoded = contract_type(row)(row.at("body"));
      BOOST_TEST_REQUIRE(!encoded.ok());
      BOOST_TEST(error_code_name(encoded.code()) == row.at("code").get<std::string>());
      BOOST_TEST(error_field_pointer(encoded.error()) == row.at("pointer").get<std::string>(),
                 "detail: " << failure_detail(encoded));
    }
  }
}

BOOST_AUTO_TEST_CASE(every_type_rejects_json_that_is_not_an_object) {
  const std::vector<json> not_objects{json::array(), json("text"), json(5), json(nullptr), json(true), json(1.5),
                                      json::array({json::object()})};
  for (const auto& [name, parse] : contract_types()) {
    for (const auto& value : not_objects) {
      BOOST_TEST_CONTEXT(name << " given " << value.dump()) {
        auto encoded = parse(value);
        BOOST_TEST_REQUIRE(!encoded.ok());
        BOOST_TEST(encoded.code() == ErrorCode::invalid_json);
        BOOST_TEST(error_field_pointer(encoded.error()).empty());
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(parse_body_reports_text_errors_before_field_errors) {
  auto malformed = parse_body<RegisterRequest>("{\"email\":");
  BOOST_TEST_REQUIRE(!malformed.ok());
  BOOST_TEST(malformed.code() == ErrorCode::invalid_json);

  auto too_large = parse_body<RegisterRequest>(R"({"email":"ada@example.com","password":"pw"})", 10);
  BOOST_TEST_REQUIRE(!too_large.ok());
  BOOST_TEST(too_large.code() == ErrorCode::input_too_large);

  auto missing = parse_body<RegisterRequest>(R"({"email":"ada@example.com"})");
  BOOST_TEST_REQUIRE(!missing.ok());
  BOOST_TEST(missing.code() == ErrorCode::missing_field);
  BOOST_TEST(error_field_pointer(missing.error()) == "/password");

  auto ok = parse_body<RegisterRequest>(R"({"email":"ada@example.com","password":"pw","name":"Ada"})");
  BOOST_TEST_REQUIRE(ok.ok());
  BOOST_TEST((*ok == RegisterRequest{"ada@example.com", "pw", "Ada", std::nullopt}));
}

BOOST_AUTO_TEST_CASE(error_field_pointer_is_empty_for_other_errors) {
  BOOST_TEST(error_field_pointer(Error{ErrorCode::invalid_json, "/email: looks like a pointer"}).empty());
  BOOST_TEST(error_field_pointer(Error{ErrorCode::invalid_field, "no pointer here"}).empty());
  BOOST_TEST(error_field_pointer(Error{ErrorCode::missing_field, "/a/b: required"}) == "/a/b");
}

// ---- Problems ---------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(problem_codes_keep_their_names_and_statuses) {
  const auto table = vector_table("contract.json", "problem_codes");
  std::map<std::string, int> published;
  for (const auto& row : table) published[row.at("code").get<std::string>()] = row.at("status").get<int>();
  BOOST_TEST_REQUIRE(published.size() == table.size(), "duplicate code in the table");

  // The API problem codes are numbered from malformed_json on, without gaps;
  // new ones are appended (after internal_error), so the first unknown name ends them.
  const auto first = static_cast<std::uint16_t>(ErrorCode::malformed_json);
  std::set<std::string> seen;
  for (auto n = first; problem_code(static_cast<ErrorCode>(n)) != "unknown_error"; ++n) {
    const auto code = static_cast<ErrorCode>(n);
    const std::string name(problem_code(code));
    BOOST_TEST_CONTEXT("code " << n << " " << name) {
      BOOST_TEST(seen.insert(name).second);
      const auto found = published.find(name);
      BOOST_TEST_REQUIRE((found != published.end()), "not in the published table");
      BOOST_TEST(problem_status(code) == found->second);
    }
  }
  BOOST_TEST(seen.size() == published.size());
}

BOOST_AUTO_TEST_CASE(make_problem_uses_about_blank_with_the_status_phrase) {
  const Problem taken = make_problem(ErrorCode::email_taken, "an account with this email exists");
  BOOST_TEST(taken.type == "about:blank");
  BOOST_TEST(taken.status == 409);
  BOOST_TEST(taken.title == "Conflict");
  BOOST_TEST(taken.code == "email_taken");
  BOOST_TEST_REQUIRE(taken.detail.has_value());
  BOOST_TEST(*taken.detail == "an account with this email exists");

  const Problem throttled = make_problem(ErrorCode::rate_limited);
  BOOST_TEST(throttled.status == 429);
  BOOST_TEST(throttled.title == "Too Many Requests");
  BOOST_TEST(!throttled.detail.has_value());
  BOOST_TEST(!to_json(throttled).contains("detail"));

  BOOST_TEST(make_problem(ErrorCode::payload_too_large).title == "Content Too Large");
  BOOST_TEST(make_problem(ErrorCode::validation_failed).title == "Unprocessable Content");
  BOOST_TEST(make_problem(ErrorCode::server_busy).title == "Service Unavailable");
}

BOOST_AUTO_TEST_CASE(problem_status_is_500_for_codes_that_are_not_api_problems) {
  BOOST_TEST(problem_status(ErrorCode::invalid_base32) == 500);
  BOOST_TEST(problem_status(ErrorCode::jwt_expired) == 500);
  BOOST_TEST(problem_status(ErrorCode::internal_error) == 500);
}

BOOST_AUTO_TEST_CASE(invalid_body_becomes_validation_failed_with_the_field) {
  auto refused = parse_body<TokenRequest>(R"({"email":"ada@example.com","password":"pw","delivery":"header"})");
  BOOST_TEST_REQUIRE(!refused.ok());
  const Problem problem = problem_for_invalid_body(refused.error());
  BOOST_TEST(problem.code == "validation_failed");
  BOOST_TEST(problem.status == 422);
  BOOST_TEST_REQUIRE(problem.violations.has_value());
  BOOST_TEST_REQUIRE(problem.violations->size() == 1U);
  const ProblemViolation& violation = problem.violations->front();
  BOOST_TEST(violation.code == "invalid_field");
  BOOST_TEST_REQUIRE(violation.pointer.has_value());
  BOOST_TEST(*violation.pointer == "/delivery");
  BOOST_TEST_REQUIRE(violation.detail.has_value());
  BOOST_TEST(*violation.detail == "must be \"body\" or \"cookie\"");

  auto missing = parse_body<EmailVerifyRequest>("{}");
  BOOST_TEST_REQUIRE(!missing.ok());
  const Problem missing_problem = problem_for_invalid_body(missing.error());
  BOOST_TEST_REQUIRE(missing_problem.violations.has_value());
  BOOST_TEST(missing_problem.violations->front().code == "missing_field");
  BOOST_TEST(missing_problem.violations->front().pointer.value_or("") == "/token");
}

BOOST_AUTO_TEST_CASE(invalid_body_maps_text_errors_and_hides_everything_else) {
  auto malformed = parse_body<TokenRequest>("{");
  BOOST_TEST_REQUIRE(!malformed.ok());
  const Problem bad_json = problem_for_invalid_body(malformed.error());
  BOOST_TEST(bad_json.code == "malformed_json");
  BOOST_TEST(bad_json.status == 400);
  BOOST_TEST(!bad_json.violations.has_value());

  auto oversized = parse_body<TokenRequest>("{}", 1);
  BOOST_TEST_REQUIRE(!oversized.ok());
  const Problem too_large = problem_for_invalid_body(oversized.error());
  BOOST_TEST(too_large.code == "payload_too_large");
  BOOST_TEST(too_large.status == 413);

  const Problem hidden = problem_for_invalid_body(Error{ErrorCode::jwt_invalid_key, "key file /secret/path unreadable"});
  BOOST_TEST(hidden.code == "internal_error");
  BOOST_TEST(hidden.status == 500);
  BOOST_TEST(!hidden.detail.has_value());
}
