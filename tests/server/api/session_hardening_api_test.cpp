// Sign-in protection that cannot lock the owner out (device tokens and the
// account ceiling) and the ASVS 5.0 L2 session rows (7.2.4, 7.5.2, 7.1.2,
// 7.4.5's store call, 7.4.1 introspection), over real HTTP on SQLite or
// PostgreSQL (SESAME_TEST_STORE).
#define BOOST_TEST_MODULE server_session_hardening
#include <boost/test/unit_test.hpp>

#include "api_server.hpp"

using namespace sesame::test;

namespace {

const std::string kWrong = "not the password at all";

HttpResponse sign_in_on_device(const ApiServer& server, const std::string& email, const std::string& password,
                               const std::string& device_token) {
  return server.http().post_json("/api/v1/auth/token", {{"email", email}, {"password", password}},
                                 {{"X-Sesame-Device", device_token}});
}

// The value of a Set-Cookie header of that name ("name=value; ..."), or empty.
std::string cookie_value(const HttpResponse& response, const std::string& name) {
  for (const auto& header : response.headers_named("set-cookie")) {
    if (header.rfind(name + "=", 0) == 0) return header.substr(name.size() + 1, header.find(';') - name.size() - 1);
  }
  return {};
}

HttpResponse introspect(const ApiServer& server, const std::string& token) {
  return server.http().post_json("/api/v1/auth/introspect", {{"token", token}});
}

}  // namespace

// ---- the lockout cannot lock the owner out (issue 14 part 2) ----------------

BOOST_AUTO_TEST_CASE(a_known_device_signs_in_while_strangers_are_locked_out) {
  ApiServer server;
  const auto owner = server.signed_in_user("owner@example.com");
  const std::string device = owner["device_token"];
  BOOST_TEST(!device.empty());

  // An attacker from another client: five wrong passwords lock the shared counter.
  for (int i = 0; i < 5; ++i) require_problem(server.sign_in("owner@example.com", kWrong), 401, "invalid_credentials");
  auto stopped = server.sign_in("owner@example.com");
  require_problem(stopped, 429, "account_locked");
  BOOST_TEST(std::stoll(stopped.header("retry-after").value_or("0")) > 0);

  // The owner, on the device that signed in before, gets in during the lockout,
  // and keeps the same device token.
  auto owner_again = sign_in_on_device(server, "owner@example.com", kPassword, device);
  BOOST_TEST_REQUIRE(owner_again.status == 200, owner_again.body);
  BOOST_TEST(owner_again.json()["device_token"] == device);
}

BOOST_AUTO_TEST_CASE(a_known_devices_own_failures_lock_only_that_device) {
  ApiServer server;
  const std::string device = server.signed_in_user("dana@example.com")["device_token"];
  for (int i = 0; i < 5; ++i) {
    require_problem(sign_in_on_device(server, "dana@example.com", kWrong, device), 401, "invalid_credentials");
  }
  require_problem(sign_in_on_device(server, "dana@example.com", kPassword, device), 429, "account_locked");
  // Another client is not locked by that device's failures.
  BOOST_TEST(server.sign_in("dana@example.com").status == 200);
}

BOOST_AUTO_TEST_CASE(forged_and_other_accounts_device_tokens_count_as_unknown) {
  ApiServer server;
  const std::string mine = server.signed_in_user("mine@example.com")["device_token"];
  const std::string theirs = server.signed_in_user("theirs@example.com")["device_token"];
  const std::string forged = mine.substr(0, mine.find('.') + 1) + std::string(43, 'A');
  for (int i = 0; i < 5; ++i) require_problem(server.sign_in("mine@example.com", kWrong), 401, "invalid_credentials");
  require_problem(sign_in_on_device(server, "mine@example.com", kPassword, forged), 429, "account_locked");
  require_problem(sign_in_on_device(server, "mine@example.com", kPassword, theirs), 429, "account_locked");
  require_problem(sign_in_on_device(server, "mine@example.com", kPassword, "garbage"), 429, "account_locked");
  BOOST_TEST(sign_in_on_device(server, "mine@example.com", kPassword, mine).status == 200);
}

BOOST_AUTO_TEST_CASE(the_account_ceiling_locks_every_client_and_a_right_password_clears_it) {
  ApiServer server(Environment{{"SESAME_LOCKOUT_ACCOUNT_CEILING", "12"}});
  const std::string device = server.signed_in_user("cai@example.com")["device_token"];
  // Strangers lock their counter after 5; the window then lapses and they go on.
  for (int i = 0; i < 5; ++i) require_problem(server.sign_in("cai@example.com", kWrong), 401, "invalid_credentials");
  server.clock().advance(15 * 60 + 1);
  for (int i = 0; i < 5; ++i) require_problem(server.sign_in("cai@example.com", kWrong), 401, "invalid_credentials");
  server.clock().advance(15 * 60 + 1);
  BOOST_TEST(sign_in_on_device(server, "cai@example.com", kPassword, device).status == 200);  // clears all
  for (int i = 0; i < 5; ++i) require_problem(server.sign_in("cai@example.com", kWrong), 401, "invalid_credentials");
  server.clock().advance(15 * 60 + 1);
  for (int i = 0; i < 5; ++i) require_problem(server.sign_in("cai@example.com", kWrong), 401, "invalid_credentials");
  server.clock().advance(15 * 60 + 1);
  // Ten so far since the clear; two more reach the ceiling of 12.
  for (int i = 0; i < 2; ++i) require_problem(server.sign_in("cai@example.com", kWrong), 401, "invalid_credentials");
  auto ceiling = sign_in_on_device(server, "cai@example.com", kPassword, device);
  require_problem(ceiling, 429, "account_locked");
  BOOST_TEST(ceiling.header("retry-after").has_value());
}

BOOST_AUTO_TEST_CASE(cookie_delivery_sets_an_http_only_device_cookie_that_counts_as_known) {
  ApiServer server;
  BOOST_TEST_REQUIRE(server.register_user("cookie@example.com").status == 201);
  auto signed_in = server.sign_in("cookie@example.com", kPassword, "cookie");
  BOOST_TEST_REQUIRE(signed_in.status == 200);
  BOOST_TEST(!signed_in.json().contains("device_token"));  // the body never carries it in cookie mode
  const std::string device = cookie_value(signed_in, "__Host-sesame_device");
  BOOST_TEST_REQUIRE(!device.empty());
  bool http_only = false;
  for (const auto& header : signed_in.headers_named("set-cookie")) {
    if (header.rfind("__Host-sesame_device=", 0) == 0) http_only = header.find("HttpOnly") != std::string::npos;
  }
  BOOST_TEST(http_only);
  for (int i = 0; i < 5; ++i) require_problem(server.sign_in("cookie@example.com", kWrong), 401, "invalid_credentials");
  auto with_cookie = server.http().post_json("/api/v1/auth/token",
                                             {{"email", "cookie@example.com"}, {"password", kPassword}},
                                             {{"Cookie", "__Host-sesame_device=" + device}});
  BOOST_TEST(with_cookie.status == 200, with_cookie.body);
}

// ---- ASVS 7.2.4: a new sign-in ends the session the client held --------------

BOOST_AUTO_TEST_CASE(signing_in_again_ends_the_session_of_the_presented_refresh_token) {
  ApiServer server;
  const auto first = server.signed_in_user("again@example.com");
  // Body mode: the SDK sends the refresh token it holds.
  auto second = server.http().post_json("/api/v1/auth/token",
                                        {{"email", "again@example.com"}, {"password", kPassword}},
                                        {{"X-Sesame-Refresh", first["refresh_token"].get<std::string>()}});
  BOOST_TEST_REQUIRE(second.status == 200);
  require_problem(server.get_with("/api/v1/auth/me", first["access_token"]), 401, "session_revoked");
  require_problem(server.refresh(first["refresh_token"]), 401, "invalid_token");
  BOOST_TEST(server.get_with("/api/v1/auth/me", second.json()["access_token"]).status == 200);

  // Cookie mode: the refresh cookie the browser sends along.
  auto cookie_sign_in = server.sign_in("again@example.com", kPassword, "cookie");
  const std::string refresh_cookie = cookie_value(cookie_sign_in, "__Host-sesame_refresh");
  BOOST_TEST_REQUIRE(!refresh_cookie.empty());
  auto replaced = server.http().post_json("/api/v1/auth/token",
                                          {{"email", "again@example.com"}, {"password", kPassword}, {"delivery", "cookie"}},
                                          {{"Cookie", "__Host-sesame_refresh=" + refresh_cookie}});
  BOOST_TEST_REQUIRE(replaced.status == 200);
  require_problem(server.get_with("/api/v1/auth/me", cookie_sign_in.json()["access_token"]), 401, "session_revoked");
  // A sign-in without a held token leaves other sessions alone.
  BOOST_TEST(server.get_with("/api/v1/auth/me", second.json()["access_token"]).status == 200);
}

// ---- ASVS 7.5.2: ending other sessions needs a recent sign-in or the password

BOOST_AUTO_TEST_CASE(ending_other_sessions_needs_a_recent_sign_in_or_the_password) {
  ApiServer server;
  const auto here = server.signed_in_user("recent@example.com");
  const auto elsewhere = server.sign_in("recent@example.com").json();
  const auto third = server.sign_in("recent@example.com").json();
  const HttpClient& http = server.http();

  server.clock().advance(10 * 60 + 1);
  const auto refreshed = server.refresh(here["refresh_token"]).json();  // the sign-in stays old
  const HeaderList old_auth = {{"Authorization", "Bearer " + refreshed["access_token"].get<std::string>()}};
  const std::string other_id = elsewhere["session_id"];
  require_problem(http.request("DELETE", "/api/v1/auth/sessions/" + other_id, old_auth), 403,
                  "reauthentication_required");
  require_problem(http.request("DELETE", "/api/v1/auth/sessions", old_auth), 403, "reauthentication_required");
  require_problem(http.send_json("DELETE", "/api/v1/auth/sessions/" + other_id, {{"password", kWrong}}, old_auth), 401,
                  "invalid_credentials");
  BOOST_TEST(server.get_with("/api/v1/auth/me", elsewhere["access_token"]).status == 200);

  BOOST_TEST(http.send_json("DELETE", "/api/v1/auth/sessions/" + other_id, {{"password", kPassword}}, old_auth).status == 204);
  require_problem(server.get_with("/api/v1/auth/me", elsewhere["access_token"]), 401, "session_revoked");
  BOOST_TEST(http.send_json("DELETE", "/api/v1/auth/sessions", {{"password", kPassword}}, old_auth).status == 204);
  require_problem(server.get_with("/api/v1/auth/me", third["access_token"]), 401, "session_revoked");
  // Ending the current session is signing out: never a password.
  const std::string current = refreshed["session_id"];
  BOOST_TEST(http.request("DELETE", "/api/v1/auth/sessions/" + current, old_auth).status == 204);

  // A fresh sign-in needs no password.
  const auto fresh = server.sign_in("recent@example.com").json();
  const auto other = server.sign_in("recent@example.com").json();
  const HeaderList fresh_auth = {{"Authorization", "Bearer " + fresh["access_token"].get<std::string>()}};
  BOOST_TEST(http.request("DELETE", "/api/v1/auth/sessions", fresh_auth).status == 204);
  require_problem(server.get_with("/api/v1/auth/me", other["access_token"]), 401, "session_revoked");
}

// ---- ASVS 7.1.2: at most SESAME_MAX_SESSIONS_PER_USER sessions ---------------

BOOST_AUTO_TEST_CASE(past_the_session_limit_the_oldest_session_ends) {
  ApiServer server(Environment{{"SESAME_MAX_SESSIONS_PER_USER", "3"}});
  std::vector<json> sessions{server.signed_in_user("many@example.com")};
  for (int i = 0; i < 3; ++i) {
    server.clock().advance(1);
    sessions.push_back(server.sign_in("many@example.com").json());
  }
  require_problem(server.get_with("/api/v1/auth/me", sessions[0]["access_token"]), 401, "session_revoked");
  for (std::size_t i = 1; i < sessions.size(); ++i) {
    BOOST_TEST(server.get_with("/api/v1/auth/me", sessions[i]["access_token"]).status == 200);
  }
  const auto listed = server.get_with("/api/v1/auth/sessions", sessions[3]["access_token"]).json();
  BOOST_TEST(listed["sessions"].size() == 3U);
}

// ---- ASVS 7.4.1: introspection sees revocation --------------------------------

BOOST_AUTO_TEST_CASE(introspection_is_active_until_the_session_ends) {
  ApiServer server;
  const auto tokens = server.signed_in_user("intro@example.com");
  const std::string access = tokens["access_token"];
  auto active = introspect(server, access);
  BOOST_TEST_REQUIRE(active.status == 200);
  const auto body = active.json();
  BOOST_TEST(body["active"] == true);
  BOOST_TEST(body["sid"] == tokens["session_id"]);
  BOOST_TEST(body["token_type"] == "Bearer");
  BOOST_TEST(body["roles"] == json::array({"user"}));
  BOOST_TEST(body["exp"].get<std::int64_t>() > body["iat"].get<std::int64_t>());

  // The form shape of RFC 7662 answers the same.
  auto form = server.http().request("POST", "/api/v1/auth/introspect",
                                    {{"Content-Type", "application/x-www-form-urlencoded"}},
                                    "token=" + access + "&token_type_hint=access_token");
  BOOST_TEST(form.status == 200);
  BOOST_TEST(form.json()["active"] == true);

  BOOST_TEST(server.post_with("/api/v1/auth/logout", access).status == 204);
  BOOST_TEST(introspect(server, access).json() == json({{"active", false}}));
  BOOST_TEST(introspect(server, "not.a.token").json() == json({{"active", false}}));
}

BOOST_AUTO_TEST_CASE(introspection_of_an_expired_token_is_inactive_and_bad_bodies_are_problems) {
  ApiServer server;
  const std::string access = server.signed_in_user("late@example.com")["access_token"];
  server.clock().advance(901);
  BOOST_TEST(introspect(server, access).json() == json({{"active", false}}));
  require_problem(server.http().post_json("/api/v1/auth/introspect", json::object()), 422, "validation_failed");
  require_problem(server.http().request("POST", "/api/v1/auth/introspect",
                                        {{"Content-Type", "application/x-www-form-urlencoded"}}, "token=%zz"),
                  400, "malformed_json");
}

// ---- ASVS 7.4.5: every session of every user ends at once ---------------------

BOOST_AUTO_TEST_CASE(revoking_all_sessions_stops_refresh_and_access_tokens_at_once) {
  ApiServer server;
  const auto one = server.signed_in_user("one@example.com");
  const auto two = server.signed_in_user("two@example.com");
  {
    // What `sesame-server sessions revoke-all` does, through a store of its own.
    auto store = open_store(server.database_url(), server.data_dir());
    BOOST_TEST_REQUIRE(store.ok());
    auto revoked = (*store)->revoke_all_sessions(server.clock().now_unix_seconds(), "incident_response");
    BOOST_TEST_REQUIRE(revoked.ok());
    BOOST_TEST(*revoked == 2);
  }
  for (const auto& tokens : {one, two}) {
    require_problem(server.get_with("/api/v1/auth/me", tokens["access_token"]), 401, "session_revoked");
    require_problem(server.refresh(tokens["refresh_token"]), 401, "invalid_token");
  }
  BOOST_TEST(server.sign_in("one@example.com").status == 200);
}
