// ASVS 5.0 1.2.4 over HTTP, on both stores: SQL metacharacters in every field of every
// request body, in the query parameter, path segment and bearer token, are stored and
// returned verbatim or refused with a 4xx problem; never a 500, never a change to
// another user's account, never a sign-in as someone else.
#define BOOST_TEST_MODULE server_sql_metacharacters_api
#include <boost/test/unit_test.hpp>

#include <cctype>
#include <string>
#include <vector>

#include "api_server.hpp"

using namespace sesame::test;

namespace {

const std::vector<std::string> kMetacharacters = {
    "'", "\"", ";", "--", "/*", "*/", "\\", std::string("\0", 1), "%", "_",
    "x' OR '1'='1", "'; DROP TABLE users; --", "\") OR 1=1 --", "%_%", "a\\'b", "$1", "\\x00"};

std::string percent_encoded(const std::string& text) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (std::isalnum(byte) != 0) {
      out += c;
    } else {
      out += '%';
      out += kHex[byte >> 4];
      out += kHex[byte & 15];
    }
  }
  return out;
}

// Never a 500; a refusal is a problem+json with a code.
void require_clean_answer(const HttpResponse& response, const std::string& what) {
  BOOST_TEST_CONTEXT(what << " -> " << response.status << " " << response.body) {
    BOOST_TEST(response.status < 500);
    if (response.status >= 400) {
      BOOST_TEST(response.header("Content-Type").value_or("").find("application/problem+json") == 0);
      BOOST_TEST(response.json().contains("code"));
    }
  }
}

}  // namespace

BOOST_AUTO_TEST_CASE(metacharacters_in_every_field_are_kept_verbatim_or_refused_cleanly) {
  ApiServer server(Environment{{"SESAME_DEV", "1"}});
  const HttpClient& http = server.http();
  BOOST_TEST_REQUIRE(http.post_json("/api/v1/auth/register",
                                    {{"email", "victim@example.com"}, {"password", kPassword}, {"name", "Victim"}})
                         .status == 201);
  const json victim = server.sign_in("victim@example.com").json();
  const std::string victim_access = victim["access_token"];
  const json victim_before = server.get_with("/api/v1/auth/me", victim_access).json();
  const json attacker = server.signed_in_user("attacker@example.com");
  const HeaderList bearer = {{"Authorization", "Bearer " + attacker["access_token"].get<std::string>()}};

  int index = 0;
  for (const std::string& meta : kMetacharacters) {
    const std::string n = std::to_string(++index);
    BOOST_TEST_CONTEXT("metacharacters '" << json(meta).dump() << "'") {
      // Stored and returned verbatim: a name, and (when the email rules allow it) an email.
      const auto named = http.post_json("/api/v1/auth/register",
                                        {{"email", "named" + n + "@example.com"}, {"password", kPassword},
                                         {"name", "Name " + meta + " end"}});
      require_clean_answer(named, "register name");
      // A name is free text: only a control character (NUL) is refused.
      const bool has_nul = meta.find('\0') != std::string::npos;
      BOOST_TEST(named.status == (has_nul ? 422 : 201));
      if (named.status == 201) BOOST_TEST(named.json()["user"]["name"] == "Name " + meta + " end");
      const std::string odd_email = "odd" + n + meta + "@example.com";
      const auto odd = http.post_json("/api/v1/auth/register", {{"email", odd_email}, {"password", kPassword + meta}});
      require_clean_answer(odd, "register email and password");
      if (odd.status == 201) {
        const auto signed_in = http.post_json("/api/v1/auth/token", {{"email", odd_email}, {"password", kPassword + meta}});
        BOOST_TEST_REQUIRE(signed_in.status == 200);
        const json me = server.get_with("/api/v1/auth/me", signed_in.json()["access_token"]).json();
        BOOST_TEST(me["email"] == odd_email);
      }

      // Never anyone else's account.
      for (const std::string& email : {"victim@example.com" + meta, "victim@example.com'" + meta, meta}) {
        const auto token = http.post_json("/api/v1/auth/token", {{"email", email}, {"password", kPassword}});
        require_clean_answer(token, "token email");
        BOOST_TEST(token.status != 200);
      }
      require_clean_answer(http.post_json("/api/v1/auth/token", {{"email", "attacker@example.com"}, {"password", kPassword},
                                                                  {"delivery", meta}}),
                           "token delivery");

      // Every other body field, query parameter, path segment and the bearer token.
      const std::vector<std::pair<std::string, json>> bodies = {
          {"/api/v1/auth/refresh", {{"refresh_token", meta}}},
          {"/api/v1/auth/mfa/verify", {{"mfa_token", meta}, {"code", meta}}},
          {"/api/v1/auth/mfa/verify", {{"mfa_token", meta}, {"backup_code", meta}}},
          {"/api/v1/auth/password/reset/initiate", {{"email", meta}}},
          {"/api/v1/auth/password/reset/initiate", {{"email", "victim@example.com" + meta}}},
          {"/api/v1/auth/password/reset/complete", {{"token", meta}, {"new_password", "a brand new passphrase"}}},
          {"/api/v1/auth/email/verify", {{"token", meta}}},
      };
      for (const auto& [path, body] : bodies) require_clean_answer(http.post_json(path, body), path);
      const std::vector<std::pair<std::string, json>> bearer_bodies = {
          {"/api/v1/auth/password/change", {{"current_password", meta}, {"new_password", "another passphrase " + meta}}},
          {"/api/v1/auth/mfa/totp/confirm", {{"code", meta}}},
          {"/api/v1/auth/mfa/totp/disable", {{"password", meta}, {"code", meta}}},
          {"/api/v1/auth/mfa/backup-codes/regenerate", {{"code", meta}}},
      };
      for (const auto& [path, body] : bearer_bodies) require_clean_answer(http.post_json(path, body, bearer), path);
      require_clean_answer(http.request("DELETE", "/api/v1/auth/sessions/" + percent_encoded(meta), bearer),
                           "DELETE /sessions/{id}");
      require_clean_answer(http.get("/api/v1/dev/mailbox?to=" + percent_encoded(meta)), "mailbox ?to=");
      require_clean_answer(http.get("/api/v1/dev/mailbox?to=" + percent_encoded("victim@example.com" + meta)),
                           "mailbox ?to=victim...");
      if (meta.find('\0') == std::string::npos) {
        require_clean_answer(http.get("/api/v1/auth/me", {{"Authorization", "Bearer " + meta}}), "bearer token");
      }
    }
  }

  // The victim's account and session are as they were, and still work.
  const auto victim_after = server.get_with("/api/v1/auth/me", victim_access);
  BOOST_TEST_REQUIRE(victim_after.status == 200);
  BOOST_TEST(victim_after.json() == victim_before);
  BOOST_TEST(server.sign_in("victim@example.com").status == 200);
}
