// TOTP MFA over real HTTP against the real server on SQLite or PostgreSQL
// (SESAME_TEST_STORE): enrolment, the two-step sign-in, replay, the mfa_token's
// lifetime and tries, lockout, backup codes, disable, re-authentication and
// SESAME_REQUIRE_MFA. Codes are computed by the core from the secret the
// server handed out, at the server's (moved) clock.
#define BOOST_TEST_MODULE server_mfa_api
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <latch>
#include <pqxx/pqxx>
#include <regex>
#include <thread>

#include "api_server.hpp"
#include "sesame/encoding.hpp"
#include "sesame/jwt.hpp"
#include "sesame/totp.hpp"

using namespace sesame::test;

namespace {

constexpr std::int64_t kStepSeconds = 30;

// A user with TOTP on: the secret as the authenticator app holds it, the
// backup codes as shown once, and the tokens of the session that enrolled.
struct EnrolledUser {
  std::string email;
  Bytes secret;
  std::vector<std::string> backup_codes;
  json tokens;
};

std::string code_at(const Bytes& secret, std::int64_t unix_seconds) {
  auto code = totp(secret, unix_seconds);
  BOOST_REQUIRE(code.ok());
  return *code;
}

// A six-digit code that is not the current one, nor one step either side.
std::string wrong_code(const Bytes& secret, std::int64_t now) {
  for (int candidate = 0;; ++candidate) {
    std::string text = std::to_string(candidate);
    text.insert(0, 6 - text.size(), '0');
    bool in_window = false;
    for (int offset = -1; offset <= 1; ++offset) in_window |= code_at(secret, now + offset * kStepSeconds) == text;
    if (!in_window) return text;
  }
}

Bytes secret_of(const HttpResponse& setup) {
  BOOST_REQUIRE_EQUAL(setup.status, 200);
  auto secret = base32_decode(setup.json()["secret"].get<std::string>());
  BOOST_REQUIRE(secret.ok());
  return *secret;
}

HttpResponse setup(const ApiServer& server, const std::string& access_token, const json& body = json::object()) {
  return server.post_with("/api/v1/auth/mfa/totp/setup", access_token, body);
}

EnrolledUser enrol(ApiServer& server, const std::string& email) {
  EnrolledUser user{email, {}, {}, server.signed_in_user(email)};
  const std::string access = user.tokens["access_token"];
  user.secret = secret_of(setup(server, access));
  auto confirmed = server.post_with("/api/v1/auth/mfa/totp/confirm", access,
                                    {{"code", code_at(user.secret, server.clock().now_unix_seconds())}});
  BOOST_REQUIRE_EQUAL(confirmed.status, 200);
  user.backup_codes = confirmed.json()["backup_codes"].get<std::vector<std::string>>();
  // The confirming code's step is used: later codes come from later steps.
  server.clock().advance(kStepSeconds);
  return user;
}

// The password step for a user with TOTP: the mfa_token.
std::string challenge(const ApiServer& server, const std::string& email, const std::string& delivery = "body") {
  auto answer = server.sign_in(email, kPassword, delivery);
  BOOST_REQUIRE_EQUAL(answer.status, 200);
  const auto body = answer.json();
  BOOST_REQUIRE_MESSAGE(body.value("mfa_required", false), "no MFA challenge: " << answer.body);
  BOOST_TEST(!body.contains("access_token"));
  return body["mfa_token"];
}

HttpResponse verify(const ApiServer& server, const std::string& mfa_token, const std::string& code,
                    const std::string& kind = "code", const std::string& delivery = "body") {
  return server.http().post_json("/api/v1/auth/mfa/verify",
                                 {{"mfa_token", mfa_token}, {kind, code}, {"delivery", delivery}});
}

// `requests` sign-ins of one user, each finished at once with the same second factor.
std::vector<HttpResponse> verify_concurrently(const ApiServer& server, const std::string& email, int requests,
                                              const std::string& code, const std::string& kind) {
  std::vector<std::string> tokens;
  for (int i = 0; i < requests; ++i) tokens.push_back(challenge(server, email));
  std::vector<HttpResponse> answers(tokens.size());
  std::latch start(requests);
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      answers[i] = verify(server, tokens[i], code, kind);
    });
  }
  for (auto& thread : threads) thread.join();
  return answers;
}

std::vector<std::string> amr_of(const json& tokens) {
  auto decoded = decode_jwt(tokens["access_token"].get<std::string>());
  BOOST_REQUIRE(decoded.ok());
  return decoded->claims.amr;
}

}  // namespace

BOOST_AUTO_TEST_CASE(totp_enrolment_then_the_two_step_sign_in) {
  ApiServer server;
  const json tokens = server.signed_in_user("ada@example.com");
  const std::string access = tokens["access_token"];
  BOOST_TEST(server.get_with("/api/v1/auth/me", access).json()["mfa_enabled"] == false);

  auto started = setup(server, access);
  const Bytes secret = secret_of(started);
  const json enrolment = started.json();
  BOOST_TEST(enrolment["secret"].get<std::string>().size() == 32u);  // 160 bits, base32 without padding
  BOOST_TEST(enrolment["otpauth_uri"].get<std::string>().starts_with("otpauth://totp/127.0.0.1:ada%40example.com?"));
  BOOST_TEST(enrolment["otpauth_uri"].get<std::string>().find("secret=" + enrolment["secret"].get<std::string>()) !=
             std::string::npos);
  BOOST_TEST(enrolment["qr_svg"].get<std::string>().starts_with("<svg"));
  // Pending until confirmed: sign-in still needs only the password.
  BOOST_TEST(server.sign_in("ada@example.com").json().contains("access_token"));

  const std::int64_t now = server.clock().now_unix_seconds();
  require_problem(server.post_with("/api/v1/auth/mfa/totp/confirm", access, {{"code", wrong_code(secret, now)}}), 401,
                  "invalid_mfa_code");
  auto confirmed = server.post_with("/api/v1/auth/mfa/totp/confirm", access, {{"code", code_at(secret, now)}});
  BOOST_TEST_REQUIRE(confirmed.status == 200);
  const auto codes = confirmed.json()["backup_codes"].get<std::vector<std::string>>();
  BOOST_TEST(codes.size() == 10u);
  for (const auto& code : codes) BOOST_TEST(std::regex_match(code, std::regex("[0-9a-z]{5}-[0-9a-z]{5}")), code);
  const json me = server.get_with("/api/v1/auth/me", access).json();
  BOOST_TEST(me["mfa_enabled"] == true);
  BOOST_TEST(me["backup_codes_remaining"] == 10);
  require_problem(setup(server, access), 409, "mfa_already_enabled");
  require_problem(server.post_with("/api/v1/auth/mfa/totp/confirm", access, {{"code", code_at(secret, now)}}), 409,
                  "mfa_already_enabled");

  server.clock().advance(kStepSeconds);
  auto answer = server.sign_in("ada@example.com");
  const json body = answer.json();
  BOOST_TEST(body["mfa_required"] == true);
  BOOST_TEST(body["methods"] == json::array({"totp", "backup_code"}));
  BOOST_TEST(body["expires_in"] == 300);
  BOOST_TEST(!body.contains("access_token"));
  BOOST_TEST(!body.contains("refresh_token"));
  auto signed_in = verify(server, body["mfa_token"], code_at(secret, server.clock().now_unix_seconds()));
  BOOST_TEST_REQUIRE(signed_in.status == 200);
  BOOST_TEST(amr_of(signed_in.json()) == (std::vector<std::string>{"pwd", "otp"}));
  BOOST_TEST(server.get_with("/api/v1/auth/me", signed_in.json()["access_token"]).status == 200);
  BOOST_TEST(server.refresh(signed_in.json()["refresh_token"]).status == 200);
}

BOOST_AUTO_TEST_CASE(the_second_step_delivers_the_refresh_token_in_a_cookie_too) {
  ApiServer server;
  const auto user = enrol(server, "cora@example.com");
  auto signed_in = verify(server, challenge(server, user.email, "cookie"),
                          code_at(user.secret, server.clock().now_unix_seconds()), "code", "cookie");
  BOOST_TEST_REQUIRE(signed_in.status == 200);
  BOOST_TEST(!signed_in.json().contains("refresh_token"));
  const auto cookie = signed_in.header("set-cookie").value_or("");
  BOOST_TEST(cookie.find("HttpOnly") != std::string::npos, cookie);
  BOOST_TEST(cookie.find("refresh=") != std::string::npos, cookie);
}

BOOST_AUTO_TEST_CASE(a_second_setup_replaces_the_pending_secret) {
  ApiServer server;
  const std::string access = server.signed_in_user("bea@example.com")["access_token"];
  const Bytes first = secret_of(setup(server, access));
  const Bytes second = secret_of(setup(server, access));
  BOOST_TEST_REQUIRE(first != second);
  const std::int64_t now = server.clock().now_unix_seconds();
  if (code_at(first, now) != code_at(second, now)) {
    require_problem(server.post_with("/api/v1/auth/mfa/totp/confirm", access, {{"code", code_at(first, now)}}), 401,
                    "invalid_mfa_code");
  }
  BOOST_TEST(server.post_with("/api/v1/auth/mfa/totp/confirm", access, {{"code", code_at(second, now)}}).status == 200);
}

BOOST_AUTO_TEST_CASE(confirm_without_setup_and_bad_bodies_are_refused) {
  ApiServer server;
  const std::string access = server.signed_in_user("cy@example.com")["access_token"];
  require_problem(server.post_with("/api/v1/auth/mfa/totp/confirm", access, {{"code", "123456"}}), 409,
                  "mfa_setup_not_started");
  require_problem(server.post_with("/api/v1/auth/mfa/totp/confirm", access, json::object()), 422, "validation_failed");
  require_problem(server.post_with("/api/v1/auth/mfa/totp/disable", access, {{"password", kPassword}, {"code", "1"}}),
                  409, "mfa_not_enabled");
  require_problem(server.http().post_json("/api/v1/auth/mfa/totp/setup", json::object()), 401, "unauthorized");
  require_problem(server.http().post_json("/api/v1/auth/mfa/verify", {{"mfa_token", "nope"}, {"code", "123456"}}), 401,
                  "mfa_token_invalid");
  require_problem(server.http().post_json("/api/v1/auth/mfa/verify", {{"mfa_token", "nope"}}), 422,
                  "validation_failed");
}

BOOST_AUTO_TEST_CASE(codes_one_step_either_side_are_accepted_and_two_steps_away_refused) {
  ApiServer server;
  const auto user = enrol(server, "dan@example.com");
  server.clock().advance(10 * kStepSeconds);
  // In increasing step order: each accepted step is newer than the last.
  for (const int offset : {-1, 0, 1}) {
    const std::int64_t now = server.clock().now_unix_seconds();
    auto answer = verify(server, challenge(server, user.email), code_at(user.secret, now + offset * kStepSeconds));
    BOOST_TEST(answer.status == 200, "offset " << offset << ": " << answer.body);
  }
  server.clock().advance(10 * kStepSeconds);
  for (const int offset : {-2, 2}) {
    const std::int64_t now = server.clock().now_unix_seconds();
    require_problem(verify(server, challenge(server, user.email), code_at(user.secret, now + offset * kStepSeconds)),
                    401, "invalid_mfa_code");
  }
}

BOOST_AUTO_TEST_CASE(a_totp_code_is_accepted_once_even_from_concurrent_requests) {
  ApiServer server(Environment{{"SESAME_LOCKOUT_MAX_FAILURES", "100"}});
  const auto user = enrol(server, "eve@example.com");
  const std::string code = code_at(user.secret, server.clock().now_unix_seconds());
  BOOST_TEST(verify(server, challenge(server, user.email), code).status == 200);
  require_problem(verify(server, challenge(server, user.email), code), 401, "invalid_mfa_code");

  server.clock().advance(kStepSeconds);
  const std::string fresh = code_at(user.secret, server.clock().now_unix_seconds());
  const auto answers = verify_concurrently(server, user.email, 8, fresh, "code");
  const auto succeeded = [](const HttpResponse& a) { return a.status == 200; };
  BOOST_TEST(std::count_if(answers.begin(), answers.end(), succeeded) == 1);
  for (const auto& answer : answers) BOOST_TEST((answer.status == 200 || code_of(answer) == "invalid_mfa_code"));
}

BOOST_AUTO_TEST_CASE(the_mfa_token_expires_is_single_use_has_five_tries_and_is_bound_to_its_user) {
  ApiServer server(Environment{{"SESAME_LOCKOUT_MAX_FAILURES", "100"}});
  const auto user = enrol(server, "fay@example.com");
  const auto other = enrol(server, "gus@example.com");

  const std::string expiring = challenge(server, user.email);
  server.clock().advance(301);
  require_problem(verify(server, expiring, code_at(user.secret, server.clock().now_unix_seconds())), 401,
                  "mfa_token_invalid");

  const std::string once = challenge(server, user.email);
  BOOST_TEST(verify(server, once, code_at(user.secret, server.clock().now_unix_seconds())).status == 200);
  server.clock().advance(kStepSeconds);
  require_problem(verify(server, once, code_at(user.secret, server.clock().now_unix_seconds())), 401,
                  "mfa_token_invalid");

  const std::string tried = challenge(server, user.email);
  const std::int64_t now = server.clock().now_unix_seconds();
  for (int attempt = 1; attempt <= 5; ++attempt) {
    require_problem(verify(server, tried, wrong_code(user.secret, now)), 401, "invalid_mfa_code");
  }
  require_problem(verify(server, tried, code_at(user.secret, now)), 401, "mfa_token_invalid");

  // Another user's current code does not finish this user's sign-in.
  const std::string bound = challenge(server, user.email);
  const std::string others_code = code_at(other.secret, now);
  if (others_code != code_at(user.secret, now)) {
    require_problem(verify(server, bound, others_code), 401, "invalid_mfa_code");
  }
  auto finished = verify(server, bound, code_at(user.secret, now));
  BOOST_TEST_REQUIRE(finished.status == 200);
  const json me = server.get_with("/api/v1/auth/me", finished.json()["access_token"]).json();
  BOOST_TEST(me["email"] == user.email);
}

BOOST_AUTO_TEST_CASE(wrong_second_factors_lock_the_account_like_wrong_passwords) {
  ApiServer server;  // 5 failures lock for 15 minutes
  const auto user = enrol(server, "hal@example.com");
  const std::string first = challenge(server, user.email);
  const std::int64_t now = server.clock().now_unix_seconds();
  for (int attempt = 1; attempt <= 4; ++attempt) {
    require_problem(verify(server, first, wrong_code(user.secret, now)), 401, "invalid_mfa_code");
  }
  const std::string second = challenge(server, user.email);  // the right password does not clear the count
  require_problem(verify(server, second, wrong_code(user.secret, now)), 401, "invalid_mfa_code");
  auto locked = verify(server, second, code_at(user.secret, now));
  require_problem(locked, 429, "account_locked");
  BOOST_TEST(locked.header("retry-after").has_value());
  require_problem(server.sign_in(user.email), 429, "account_locked");

  server.clock().advance(15 * 60 + 1);
  BOOST_TEST(verify(server, challenge(server, user.email), code_at(user.secret, server.clock().now_unix_seconds()))
                 .status == 200);
}

BOOST_AUTO_TEST_CASE(a_backup_code_signs_in_once_even_from_concurrent_requests) {
  ApiServer server(Environment{{"SESAME_LOCKOUT_MAX_FAILURES", "100"}});
  const auto user = enrol(server, "ida@example.com");
  // As a person types it off paper: upper case, a space instead of the dash.
  std::string typed = user.backup_codes[3];
  std::transform(typed.begin(), typed.end(), typed.begin(), [](char c) { return c == '-' ? ' ' : std::toupper(c); });

  const auto answers = verify_concurrently(server, user.email, 6, typed, "backup_code");
  const auto winners = std::count_if(answers.begin(), answers.end(), [](const HttpResponse& a) { return a.status == 200; });
  BOOST_TEST(winners == 1);
  const auto winner = std::find_if(answers.begin(), answers.end(), [](const HttpResponse& a) { return a.status == 200; });
  BOOST_TEST_REQUIRE((winner != answers.end()));
  BOOST_TEST(amr_of(winner->json()) == (std::vector<std::string>{"pwd", "otp"}));
  BOOST_TEST(server.get_with("/api/v1/auth/me", winner->json()["access_token"]).json()["backup_codes_remaining"] == 9);
  require_problem(verify(server, challenge(server, user.email), user.backup_codes[3], "backup_code"), 401,
                  "invalid_mfa_code");
  require_problem(verify(server, challenge(server, user.email), "not-a-code!", "backup_code"), 401, "invalid_mfa_code");
  BOOST_TEST(verify(server, challenge(server, user.email), user.backup_codes[4], "backup_code").status == 200);
}

BOOST_AUTO_TEST_CASE(regenerating_backup_codes_needs_a_code_and_voids_the_old_set) {
  ApiServer server;
  const auto user = enrol(server, "jo@example.com");
  const std::string access = user.tokens["access_token"];
  const std::int64_t now = server.clock().now_unix_seconds();
  require_problem(server.post_with("/api/v1/auth/mfa/backup-codes/regenerate", access,
                                   {{"code", wrong_code(user.secret, now)}}),
                  401, "invalid_mfa_code");
  auto regenerated =
      server.post_with("/api/v1/auth/mfa/backup-codes/regenerate", access, {{"code", code_at(user.secret, now)}});
  BOOST_TEST_REQUIRE(regenerated.status == 200);
  const auto fresh = regenerated.json()["backup_codes"].get<std::vector<std::string>>();
  BOOST_TEST(fresh.size() == 10u);
  for (const auto& old : user.backup_codes) BOOST_TEST((std::find(fresh.begin(), fresh.end(), old) == fresh.end()));
  require_problem(verify(server, challenge(server, user.email), user.backup_codes[0], "backup_code"), 401,
                  "invalid_mfa_code");
  BOOST_TEST(verify(server, challenge(server, user.email), fresh[0], "backup_code").status == 200);
}

BOOST_AUTO_TEST_CASE(disabling_totp_needs_both_factors_and_ends_the_other_sessions) {
  ApiServer server(Environment{{"SESAME_LOCKOUT_MAX_FAILURES", "100"}});
  const auto user = enrol(server, "kim@example.com");
  const std::string access = user.tokens["access_token"];
  auto elsewhere = verify(server, challenge(server, user.email), code_at(user.secret, server.clock().now_unix_seconds()));
  BOOST_TEST_REQUIRE(elsewhere.status == 200);
  server.clock().advance(kStepSeconds);
  const std::int64_t now = server.clock().now_unix_seconds();

  require_problem(server.post_with("/api/v1/auth/mfa/totp/disable", access, {{"password", "wrong password!"},
                                                                              {"code", code_at(user.secret, now)}}),
                  401, "invalid_credentials");
  require_problem(server.post_with("/api/v1/auth/mfa/totp/disable", access,
                                   {{"password", kPassword}, {"code", wrong_code(user.secret, now)}}),
                  401, "invalid_mfa_code");
  require_problem(server.post_with("/api/v1/auth/mfa/totp/disable", access, {{"password", kPassword}}), 422,
                  "validation_failed");
  BOOST_TEST(server.get_with("/api/v1/auth/me", access).json()["mfa_enabled"] == true);
  BOOST_TEST(server.post_with("/api/v1/auth/mfa/totp/disable", access,
                              {{"password", kPassword}, {"backup_code", user.backup_codes[0]}})
                 .status == 204);

  BOOST_TEST(server.get_with("/api/v1/auth/me", access).json()["mfa_enabled"] == false);
  BOOST_TEST(!server.get_with("/api/v1/auth/me", access).json().contains("backup_codes_remaining"));
  require_problem(server.get_with("/api/v1/auth/me", elsewhere.json()["access_token"]), 401, "session_revoked");
  BOOST_TEST(server.sign_in(user.email).json().contains("access_token"));
  const auto events = server.audit_events(server.get_with("/api/v1/auth/me", access).json()["id"]);
  BOOST_TEST((std::find_if(events.begin(), events.end(), [](const AuditEventRecord& e) {
                return e.type == "mfa.totp_disabled";
              }) != events.end()));
}

BOOST_AUTO_TEST_CASE(enrolment_each_second_factor_used_and_disabling_are_audited) {
  ApiServer server;
  const auto user = enrol(server, "eve@example.com");
  const std::string access = user.tokens["access_token"];
  BOOST_TEST_REQUIRE(verify(server, challenge(server, user.email),
                            code_at(user.secret, server.clock().now_unix_seconds())).status == 200);
  BOOST_TEST_REQUIRE(verify(server, challenge(server, user.email), user.backup_codes[0], "backup_code").status == 200);
  BOOST_TEST_REQUIRE(server.post_with("/api/v1/auth/mfa/totp/disable", access,
                                      {{"password", kPassword}, {"backup_code", user.backup_codes[1]}}).status == 204);

  const auto events = server.audit_events(server.get_with("/api/v1/auth/me", access).json()["id"]);
  BOOST_TEST(count_of(events, "mfa.totp_enabled") == 1u);
  BOOST_TEST(count_of(events, "mfa.totp_disabled") == 1u);
  BOOST_TEST(count_of(events, "mfa.backup_code_used") == 2u);
  std::vector<std::string> second_factors;  // oldest first
  std::vector<int> remaining;
  for (auto it = events.rbegin(); it != events.rend(); ++it) {
    const json details = json::parse(it->details_json);
    if (it->type == "login.succeeded" && details.contains("second_factor")) second_factors.push_back(details["second_factor"]);
    if (it->type == "mfa.backup_code_used") remaining.push_back(details["remaining"]);
  }
  BOOST_TEST(second_factors == (std::vector<std::string>{"totp", "backup_code"}), boost::test_tools::per_element());
  BOOST_TEST(remaining == (std::vector<int>{9, 8}), boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(setup_needs_the_password_once_the_sign_in_is_ten_minutes_old) {
  ApiServer server;
  const std::string access = server.signed_in_user("lea@example.com")["access_token"];
  server.clock().advance(10 * 60 + 1);  // the access token (15 minutes) is still valid
  require_problem(setup(server, access), 403, "reauthentication_required");
  require_problem(setup(server, access, {{"password", "not the password"}}), 401, "invalid_credentials");
  BOOST_TEST(setup(server, access, {{"password", kPassword}}).status == 200);
}

BOOST_AUTO_TEST_CASE(required_mfa_gives_users_without_totp_an_enrolment_only_session) {
  ApiServer server(Environment{{"SESAME_REQUIRE_MFA", "1"}});
  const json tokens = server.signed_in_user("max@example.com");
  const std::string access = tokens["access_token"];
  require_problem(server.get_with("/api/v1/auth/sessions", access), 403, "mfa_enrollment_required");
  require_problem(server.post_with("/api/v1/auth/password/change", access,
                                   {{"current_password", kPassword}, {"new_password", kPassword + "!"}}),
                  403, "mfa_enrollment_required");
  BOOST_TEST(server.get_with("/api/v1/auth/me", access).status == 200);
  // Refreshing keeps the limit.
  auto refreshed = server.refresh(tokens["refresh_token"]);
  BOOST_TEST_REQUIRE(refreshed.status == 200);
  require_problem(server.get_with("/api/v1/auth/sessions", refreshed.json()["access_token"]), 403,
                  "mfa_enrollment_required");

  const Bytes secret = secret_of(setup(server, refreshed.json()["access_token"]));
  BOOST_TEST(server.post_with("/api/v1/auth/mfa/totp/confirm", refreshed.json()["access_token"],
                              {{"code", code_at(secret, server.clock().now_unix_seconds())}})
                 .status == 200);
  // Both factors were shown: the session's next token is a full one.
  auto full = server.refresh(refreshed.json()["refresh_token"]);
  BOOST_TEST_REQUIRE(full.status == 200);
  BOOST_TEST(server.get_with("/api/v1/auth/sessions", full.json()["access_token"]).status == 200);
  BOOST_TEST(amr_of(full.json()) == (std::vector<std::string>{"pwd", "otp"}));

  // An enrolment-only session can sign out.
  const json other = server.sign_in("max@example.com").json();
  BOOST_TEST(other.value("mfa_required", false));  // TOTP is on now: the second step, not a limited session
  const json fresh = server.signed_in_user("nia@example.com");
  BOOST_TEST(server.post_with("/api/v1/auth/logout", fresh["access_token"]).status == 204);
}

BOOST_AUTO_TEST_CASE(the_database_never_holds_a_totp_secret_or_a_backup_code_in_the_clear) {
  ApiServer server;
  const auto user = enrol(server, "olu@example.com");
  const std::string base32 = base32_encode(user.secret, Base32Padding::without_padding);
  const std::string raw(user.secret.begin(), user.secret.end());
  std::vector<std::string> needles{base32, raw};
  for (const auto& code : user.backup_codes) {
    needles.push_back(code);
    needles.push_back(code.substr(0, 5) + code.substr(6));  // as normalised
  }
  std::string haystack;
  if (store_kind() == "sqlite") {
    for (const char* suffix : {"", "-wal"}) {
      std::ifstream file(server.database_url().substr(std::string_view("sqlite:").size()) + suffix, std::ios::binary);
      haystack.append(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
    }
    BOOST_TEST_REQUIRE(haystack.size() > 4096u);
  } else {
    pqxx::connection connection(server.database_url());
    pqxx::nontransaction query(connection);
    for (const char* table : {"totp_credentials", "backup_codes", "mfa_challenges", "audit_events", "sessions"}) {
      for (const auto& row : query.exec(std::string("SELECT t::text FROM ") + table + " t")) {
        haystack += row[0].as<std::string>();
      }
    }
    BOOST_TEST_REQUIRE(haystack.find("$argon2id$") != std::string::npos);
  }
  for (const auto& needle : needles) BOOST_TEST(haystack.find(needle) == std::string::npos, "found " << needle);
}

BOOST_AUTO_TEST_CASE(turning_totp_on_and_off_is_mailed_and_a_password_reset_keeps_it_on) {
  ApiServer server(Environment{{"SESAME_DEV", "1"}});
  const auto user = enrol(server, "pia@example.com");
  const auto mailbox = [&] { return server.http().get("/api/v1/dev/mailbox?to=" + user.email).json()["messages"]; };
  const auto subjects = [&] {
    std::vector<std::string> out;
    for (const auto& message : mailbox()) out.push_back(message["subject"]);
    return out;
  };
  const auto has_subject = [&](const std::string& subject) {
    const auto all = subjects();
    return std::find(all.begin(), all.end(), subject) != all.end();
  };
  BOOST_TEST(has_subject("Two-factor authentication is on for your Sesame account"));

  // A forgotten password: the reset ends every session but leaves TOTP on.
  BOOST_TEST_REQUIRE(server.http().post_json("/api/v1/auth/password/reset/initiate", {{"email", user.email}}).status ==
                     202);
  std::string token;
  for (const auto& message : mailbox()) {
    const std::string text = message["text"];
    std::smatch match;
    if (std::regex_search(text, match, std::regex("action=reset-password&token=([A-Za-z0-9_-]+)"))) token = match[1];
  }
  BOOST_TEST_REQUIRE(!token.empty());
  const std::string new_password = kPassword + " and more";
  BOOST_TEST_REQUIRE(server.http()
                         .post_json("/api/v1/auth/password/reset/complete", {{"token", token}, {"new_password", new_password}})
                         .status == 204);
  require_problem(server.get_with("/api/v1/auth/me", user.tokens["access_token"]), 401, "session_revoked");
  const auto next = server.sign_in(user.email, new_password).json();
  BOOST_TEST_REQUIRE(next.value("mfa_required", false));
  auto signed_in = verify(server, next["mfa_token"], code_at(user.secret, server.clock().now_unix_seconds()));
  BOOST_TEST_REQUIRE(signed_in.status == 200);
  const std::string access = signed_in.json()["access_token"];
  BOOST_TEST(server.get_with("/api/v1/auth/me", access).json()["mfa_enabled"] == true);

  BOOST_TEST(server.post_with("/api/v1/auth/mfa/totp/disable", access,
                              {{"password", new_password}, {"backup_code", user.backup_codes[0]}})
                 .status == 204);
  BOOST_TEST(has_subject("Two-factor authentication is off for your Sesame account"));
}
