// The auth endpoints over real HTTP against the real server (App) on an
// ephemeral port, on SQLite or PostgreSQL (SESAME_TEST_STORE), with a clock
// the tests move instead of sleeping.
#define BOOST_TEST_MODULE server_api
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <filesystem>
#include <latch>
#include <set>
#include <thread>

#include "api_server.hpp"

using namespace sesame::test;

BOOST_AUTO_TEST_CASE(register_sign_in_and_me) {
  ApiServer server;
  auto registered = server.register_user("Alice@Example.com");
  BOOST_TEST_REQUIRE(registered.status == 201);
  const auto user = registered.json()["user"];
  BOOST_TEST(user["email"] == "Alice@Example.com");
  BOOST_TEST(user["roles"] == json::array({"user"}));

  // Sign-in is case-insensitive on the email.
  auto tokens = server.sign_in("alice@example.com");
  BOOST_TEST_REQUIRE(tokens.status == 200);
  const auto body = tokens.json();
  BOOST_TEST(body["token_type"] == "Bearer");
  BOOST_TEST(body["expires_in"] == 900);
  BOOST_TEST(body.contains("refresh_token"));
  BOOST_TEST(body["kid"].get<std::string>().size() > 10);

  auto me = server.get_with("/api/v1/auth/me", body["access_token"]);
  BOOST_TEST_REQUIRE(me.status == 200);
  BOOST_TEST(me.json()["id"] == user["id"]);
  BOOST_TEST(me.json()["mfa_enabled"] == false);
}

BOOST_AUTO_TEST_CASE(register_refuses_a_taken_email_and_weak_passwords) {
  ApiServer server;
  BOOST_TEST_REQUIRE(server.register_user("bob@example.com").status == 201);
  require_problem(server.register_user("BOB@example.com"), 409, "email_taken");

  auto weak = server.register_user("carol@example.com", "carol@example.com");
  require_problem(weak, 422, "password_policy_violation");
  std::set<std::string> codes;
  const json weak_body = weak.json();  // a range-for over a temporary's member would dangle
  for (const auto& violation : weak_body["violations"]) {
    codes.insert(violation["code"].get<std::string>());
    BOOST_TEST(violation["pointer"] == "/password");
  }
  BOOST_TEST(codes.count("password_matches_email") == 1);

  require_problem(server.http().post_json("/api/v1/auth/register", {{"email", "not-an-email"}, {"password", kPassword}}),
                  422, "validation_failed");
  require_problem(server.http().request("POST", "/api/v1/auth/register", {{"Content-Type", "application/json"}}, "{"),
                  400, "malformed_json");
}

BOOST_AUTO_TEST_CASE(twenty_concurrent_registrations_of_one_email_give_exactly_one_201) {
  ApiServer server(Environment{{"SESAME_HASH_QUEUE", "64"}});
  constexpr int kClients = 20;
  std::vector<long> statuses(kClients);
  std::latch start(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      start.arrive_and_wait();
      statuses[static_cast<std::size_t>(i)] = server.register_user("race@example.com").status;
    });
  }
  for (auto& client : clients) client.join();
  BOOST_TEST(std::count(statuses.begin(), statuses.end(), 201) == 1);
  BOOST_TEST(std::count(statuses.begin(), statuses.end(), 409) == kClients - 1);
}

BOOST_AUTO_TEST_CASE(unknown_email_and_wrong_password_get_identical_answers) {
  ApiServer server;
  BOOST_TEST_REQUIRE(server.register_user("dave@example.com").status == 201);
  auto wrong_password = server.sign_in("dave@example.com", "not the password at all");
  auto unknown_email = server.sign_in("nobody@example.com", "not the password at all");
  require_problem(wrong_password, 401, "invalid_credentials");
  require_problem(unknown_email, 401, "invalid_credentials");
  auto strip_request_id = [](json body) {
    body.erase("request_id");
    return body;
  };
  BOOST_TEST(strip_request_id(wrong_password.json()) == strip_request_id(unknown_email.json()));
}

BOOST_AUTO_TEST_CASE(lockout_after_five_failures_and_its_expiry) {
  ApiServer server;
  BOOST_TEST_REQUIRE(server.register_user("erin@example.com").status == 201);
  for (int i = 0; i < 5; ++i) require_problem(server.sign_in("erin@example.com", "wrong password!"), 401, "invalid_credentials");
  // Locked: even the right password is refused, with Retry-After.
  auto locked = server.sign_in("erin@example.com");
  require_problem(locked, 429, "account_locked");
  BOOST_TEST(std::stoll(locked.header("retry-after").value_or("0")) > 0);

  server.clock().advance(15 * 60 + 1);
  BOOST_TEST(server.sign_in("erin@example.com").status == 200);
}

BOOST_AUTO_TEST_CASE(refresh_rotates_the_token) {
  ApiServer server;
  const auto tokens = server.signed_in_user("frank@example.com");
  auto refreshed = server.refresh(tokens["refresh_token"]);
  BOOST_TEST_REQUIRE(refreshed.status == 200);
  const auto next = refreshed.json();
  BOOST_TEST(next["refresh_token"] != tokens["refresh_token"]);
  BOOST_TEST(next["session_id"] == tokens["session_id"]);
  BOOST_TEST(server.get_with("/api/v1/auth/me", next["access_token"]).status == 200);
  require_problem(server.refresh("not-a-token"), 401, "invalid_token");
}

BOOST_AUTO_TEST_CASE(concurrent_refreshes_within_grace_all_succeed_with_one_successor) {
  ApiServer server;
  const auto tokens = server.signed_in_user("gina@example.com");
  constexpr int kTabs = 6;
  std::vector<HttpResponse> answers(kTabs);
  std::latch start(kTabs);
  std::vector<std::thread> tabs;
  for (int i = 0; i < kTabs; ++i) {
    tabs.emplace_back([&, i] {
      start.arrive_and_wait();
      answers[static_cast<std::size_t>(i)] = server.refresh(tokens["refresh_token"]);
    });
  }
  for (auto& tab : tabs) tab.join();
  std::set<std::string> successors;
  for (const auto& answer : answers) {
    BOOST_TEST_REQUIRE(answer.status == 200, answer.body);
    successors.insert(answer.json()["refresh_token"].get<std::string>());
  }
  BOOST_TEST(successors.size() == 1u);
  // The one session is still usable through the successor.
  BOOST_TEST(server.refresh(*successors.begin()).status == 200);
}

BOOST_AUTO_TEST_CASE(refresh_reuse_after_grace_revokes_the_family) {
  ApiServer server;
  const auto first = server.signed_in_user("hank@example.com");
  const auto second = server.refresh(first["refresh_token"]).json();
  const auto third = server.refresh(second["refresh_token"]).json();
  BOOST_TEST_REQUIRE(server.get_with("/api/v1/auth/me", third["access_token"]).status == 200);

  server.clock().advance(11);  // past SESAME_REFRESH_REUSE_GRACE (10 s)
  require_problem(server.refresh(first["refresh_token"]), 401, "refresh_token_reused");
  // Every descendant stops working: the newest refresh token and access token too.
  require_problem(server.refresh(third["refresh_token"]), 401, "invalid_token");
  require_problem(server.get_with("/api/v1/auth/me", third["access_token"]), 401, "session_revoked");

  // The reuse is audited, with the session it ended.
  const auto events = server.audit_events(std::string());
  const auto reuse = std::find_if(events.begin(), events.end(),
                                  [](const AuditEventRecord& e) { return e.type == "refresh.reuse_detected"; });
  BOOST_TEST_REQUIRE((reuse != events.end()));
  BOOST_TEST(json::parse(reuse->details_json)["session_id"] == first["session_id"]);
  BOOST_TEST(reuse->ip == "127.0.0.1");
  BOOST_TEST(!reuse->request_id.empty());
}

BOOST_AUTO_TEST_CASE(security_events_are_audited_without_secrets) {
  ApiServer server;
  const auto tokens = server.signed_in_user("pam@example.com");
  BOOST_TEST(server.sign_in("pam@example.com", "wrong password!").status == 401);
  const HttpClient& http = server.http();
  const sesame::test::HeaderList auth = {{"Authorization", "Bearer " + tokens["access_token"].get<std::string>()}};
  BOOST_TEST(http.post_json("/api/v1/auth/password/change",
                            {{"current_password", kPassword}, {"new_password", "another fine passphrase"}}, auth).status == 204);
  BOOST_TEST(http.request("POST", "/api/v1/auth/logout", auth).status == 204);

  std::set<std::string> types;
  for (const auto& event : server.audit_events(std::string())) {
    types.insert(event.type);
    BOOST_TEST(event.details_json.find(kPassword) == std::string::npos);
    BOOST_TEST(event.details_json.find(tokens["refresh_token"].get<std::string>()) == std::string::npos);
  }
  for (const char* expected : {"account.registered", "login.succeeded", "login.failed", "session.created",
                               "password.changed", "session.logout"}) {
    BOOST_TEST(types.count(expected) == 1u, expected);
  }
}

BOOST_AUTO_TEST_CASE(expired_and_tampered_access_tokens_are_refused) {
  ApiServer server;
  const auto tokens = server.signed_in_user("ivy@example.com");
  std::string tampered = tokens["access_token"];
  tampered[tampered.size() - 5] = tampered[tampered.size() - 5] == 'A' ? 'B' : 'A';
  require_problem(server.get_with("/api/v1/auth/me", tampered), 401, "invalid_token");
  require_problem(server.http().get("/api/v1/auth/me"), 401, "unauthorized");
  server.clock().advance(900 + 61);  // past exp and the leeway
  require_problem(server.get_with("/api/v1/auth/me", tokens["access_token"]), 401, "token_expired");
}

BOOST_AUTO_TEST_CASE(logout_revokes_the_session_and_its_tokens) {
  ApiServer server;
  const auto tokens = server.signed_in_user("jack@example.com");
  auto out = server.http().request("POST", "/api/v1/auth/logout", {{"Authorization", "Bearer " + tokens["access_token"].get<std::string>()}});
  BOOST_TEST(out.status == 204);
  require_problem(server.get_with("/api/v1/auth/me", tokens["access_token"]), 401, "session_revoked");
  require_problem(server.refresh(tokens["refresh_token"]), 401, "invalid_token");
}

BOOST_AUTO_TEST_CASE(sessions_list_revoke_one_and_revoke_others) {
  ApiServer server;
  const auto laptop = server.signed_in_user("kim@example.com");
  const auto phone = server.sign_in("kim@example.com").json();
  const auto tablet = server.sign_in("kim@example.com").json();
  const std::string bearer = "Bearer " + laptop["access_token"].get<std::string>();

  auto listed = server.get_with("/api/v1/auth/sessions", laptop["access_token"]);
  BOOST_TEST_REQUIRE(listed.status == 200);
  const auto sessions = listed.json()["sessions"];
  BOOST_TEST(sessions.size() == 3u);
  int current = 0;
  for (const auto& session : sessions) current += session["current"].get<bool>() ? 1 : 0;
  BOOST_TEST(current == 1);

  BOOST_TEST(server.http().request("DELETE", "/api/v1/auth/sessions/" + phone["session_id"].get<std::string>(),
                                   {{"Authorization", bearer}}).status == 204);
  require_problem(server.get_with("/api/v1/auth/me", phone["access_token"]), 401, "session_revoked");
  // Unknown (or someone else's) session: 404.
  require_problem(server.http().request("DELETE", "/api/v1/auth/sessions/nope", {{"Authorization", bearer}}), 404, "not_found");

  BOOST_TEST(server.http().request("DELETE", "/api/v1/auth/sessions", {{"Authorization", bearer}}).status == 204);
  require_problem(server.get_with("/api/v1/auth/me", tablet["access_token"]), 401, "session_revoked");
  BOOST_TEST(server.get_with("/api/v1/auth/me", laptop["access_token"]).status == 200);
  const auto events = server.audit_events(std::string());
  BOOST_TEST(count_of(events, "session.revoked") == 1u);
  BOOST_TEST(count_of(events, "session.revoked_others") == 1u);
}

BOOST_AUTO_TEST_CASE(password_change_revokes_other_sessions) {
  ApiServer server;
  const auto here = server.signed_in_user("lee@example.com");
  const auto elsewhere = server.sign_in("lee@example.com").json();
  const HttpClient& http = server.http();
  const sesame::test::HeaderList auth = {{"Authorization", "Bearer " + here["access_token"].get<std::string>()}};
  require_problem(http.post_json("/api/v1/auth/password/change",
                                 {{"current_password", "wrong wrong wrong"}, {"new_password", "a brand new passphrase"}}, auth),
                  401, "invalid_credentials");
  require_problem(http.post_json("/api/v1/auth/password/change",
                                 {{"current_password", kPassword}, {"new_password", "short"}}, auth),
                  422, "password_policy_violation");
  BOOST_TEST(http.post_json("/api/v1/auth/password/change",
                            {{"current_password", kPassword}, {"new_password", "a brand new passphrase"}}, auth).status == 204);
  require_problem(server.get_with("/api/v1/auth/me", elsewhere["access_token"]), 401, "session_revoked");
  BOOST_TEST(server.get_with("/api/v1/auth/me", here["access_token"]).status == 200);
  BOOST_TEST(server.sign_in("lee@example.com").status == 401);
  BOOST_TEST(server.sign_in("lee@example.com", "a brand new passphrase").status == 200);
}

BOOST_AUTO_TEST_CASE(wrong_current_passwords_count_towards_the_lockout) {
  ApiServer server;
  const auto tokens = server.signed_in_user("quinn@example.com");
  const sesame::test::HeaderList auth = {{"Authorization", "Bearer " + tokens["access_token"].get<std::string>()}};
  const json guess = {{"current_password", "a wrong guess"}, {"new_password", "another fine passphrase"}};
  for (int i = 0; i < 5; ++i) require_problem(server.http().post_json("/api/v1/auth/password/change", guess, auth), 401, "invalid_credentials");
  require_problem(server.http().post_json("/api/v1/auth/password/change",
                                          {{"current_password", kPassword}, {"new_password", "another fine passphrase"}}, auth),
                  429, "account_locked");
  require_problem(server.sign_in("quinn@example.com"), 429, "account_locked");
}

BOOST_AUTO_TEST_CASE(cookie_delivery_sets_a_host_cookie_and_refresh_needs_the_csrf_header) {
  ApiServer server;
  BOOST_TEST_REQUIRE(server.register_user("mia@example.com").status == 201);
  auto tokens = server.sign_in("mia@example.com", kPassword, "cookie");
  BOOST_TEST_REQUIRE(tokens.status == 200);
  BOOST_TEST(!tokens.json().contains("refresh_token"));
  const std::string cookie = tokens.header("set-cookie").value_or("");
  BOOST_TEST(cookie.rfind("__Host-sesame_refresh=", 0) == 0, cookie);
  for (const char* attribute : {"HttpOnly", "Secure", "SameSite=Strict", "Path=/"}) {
    BOOST_TEST(cookie.find(attribute) != std::string::npos, attribute);
  }
  const std::string pair = cookie.substr(0, cookie.find(';'));

  require_problem(server.http().request("POST", "/api/v1/auth/refresh", {{"Cookie", pair}}), 403, "csrf_check_failed");
  auto refreshed = server.http().request("POST", "/api/v1/auth/refresh", {{"Cookie", pair}, {"X-Sesame-Csrf", "1"}});
  BOOST_TEST_REQUIRE(refreshed.status == 200, refreshed.body);
  BOOST_TEST(!refreshed.json().contains("refresh_token"));
  BOOST_TEST(refreshed.header("set-cookie").value_or("").rfind("__Host-sesame_refresh=", 0) == 0);
}

BOOST_AUTO_TEST_CASE(cookie_requests_from_a_foreign_origin_are_refused) {
  ApiServer server;
  BOOST_TEST_REQUIRE(server.register_user("nia@example.com").status == 201);
  const std::string cookie = server.sign_in("nia@example.com", kPassword, "cookie").header("set-cookie").value_or("");
  const std::string pair = cookie.substr(0, cookie.find(';'));
  require_problem(server.http().request("POST", "/api/v1/auth/refresh",
                                        {{"Cookie", pair}, {"X-Sesame-Csrf", "1"}, {"Origin", "https://evil.example"}}),
                  403, "csrf_check_failed");
  // The server's own origin is fine.
  const std::string own = "http://127.0.0.1:" + server.http().base_url().substr(server.http().base_url().rfind(':') + 1);
  BOOST_TEST(server.http().request("POST", "/api/v1/auth/refresh",
                                   {{"Cookie", pair}, {"X-Sesame-Csrf", "1"}, {"Origin", own}}).status == 200);
}

BOOST_AUTO_TEST_CASE(logout_with_only_the_refresh_cookie_ends_the_session) {
  ApiServer server;
  BOOST_TEST_REQUIRE(server.register_user("olga@example.com").status == 201);
  auto tokens = server.sign_in("olga@example.com", kPassword, "cookie");
  const std::string cookie = tokens.header("set-cookie").value_or("");
  const std::string pair = cookie.substr(0, cookie.find(';'));
  require_problem(server.http().request("POST", "/api/v1/auth/logout", {{"Cookie", pair}}), 403, "csrf_check_failed");
  auto out = server.http().request("POST", "/api/v1/auth/logout", {{"Cookie", pair}, {"X-Sesame-Csrf", "1"}});
  BOOST_TEST(out.status == 204);
  BOOST_TEST(out.header("set-cookie").value_or("").find("Max-Age=0") != std::string::npos);
  require_problem(server.get_with("/api/v1/auth/me", tokens.json()["access_token"]), 401, "session_revoked");
  require_problem(server.http().request("POST", "/api/v1/auth/refresh", {{"Cookie", pair}, {"X-Sesame-Csrf", "1"}}),
                  401, "invalid_token");
}

BOOST_AUTO_TEST_CASE(refresh_without_any_token_is_401) {
  ApiServer server;
  require_problem(server.http().request("POST", "/api/v1/auth/refresh"), 401, "invalid_token");
  require_problem(server.http().post_json("/api/v1/auth/refresh", json::object()), 401, "invalid_token");
}

BOOST_AUTO_TEST_CASE(per_ip_limit_answers_429_with_retry_after) {
  ApiServer server(Environment{{"SESAME_RATE_LIMIT_PER_IP", "3"}});
  for (int i = 0; i < 3; ++i) BOOST_TEST(server.sign_in("x@example.com", "whatever password").status == 401);
  auto limited = server.sign_in("x@example.com", "whatever password");
  require_problem(limited, 429, "rate_limited");
  BOOST_TEST(std::stoll(limited.header("retry-after").value_or("0")) > 0);
}

BOOST_AUTO_TEST_CASE(public_endpoints_answer) {
  ApiServer server;
  BOOST_TEST(server.http().get("/healthz").status == 200);
  auto ready = server.http().get("/readyz");
  BOOST_TEST(ready.status == 200);
  BOOST_TEST(ready.json()["database"] == sesame::test::store_kind());
  auto jwks = server.http().get("/.well-known/jwks.json");
  BOOST_TEST_REQUIRE(jwks.status == 200);
  BOOST_TEST(jwks.json()["keys"].size() == 1u);
  BOOST_TEST(jwks.json()["keys"][0]["crv"] == "Ed25519");
  BOOST_TEST(!jwks.json()["keys"][0].contains("d"));
  require_problem(server.http().get("/api/v1/nothing-here"), 404, "not_found");
  require_problem(server.http().get("/api/v1/auth/token"), 405, "method_not_allowed");
}
