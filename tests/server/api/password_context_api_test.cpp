// ASVS 5.0 6.2.11 / 6.1.2 over HTTP: a new password built on a context word (the product
// name, the user's name, the words of the email) is refused with password_matches_context at
// registration, password change and reset, on both stores.
#define BOOST_TEST_MODULE server_password_context_api
#include <boost/test/unit_test.hpp>

#include <regex>
#include <set>
#include <string>

#include "api_server.hpp"

using namespace sesame::test;

namespace {

// The violation codes of a 422 answer (empty for any other status).
std::set<std::string> violation_codes(const HttpResponse& response) {
  std::set<std::string> codes;
  if (response.status != 422) return codes;
  const json body = response.json();
  for (const auto& violation : body["violations"]) codes.insert(violation["code"].get<std::string>());
  return codes;
}

HttpResponse register_named(const ApiServer& server, const std::string& email, const std::string& name,
                            const std::string& password) {
  return server.http().post_json("/api/v1/auth/register", {{"email", email}, {"password", password}, {"name", name}});
}

void require_context_refusal(const HttpResponse& response, const std::string& pointer) {
  require_problem(response, 422, "password_policy_violation");
  const json body = response.json();
  BOOST_TEST_REQUIRE(body["violations"].size() == 1u);
  BOOST_TEST(body["violations"][0]["code"] == "password_matches_context");
  BOOST_TEST(body["violations"][0]["pointer"] == pointer);
}

}  // namespace

BOOST_AUTO_TEST_CASE(registration_refuses_passwords_built_on_the_product_name_email_or_name) {
  ApiServer server;
  for (const char* password : {"Sesame2024!", "s-e-s-a-m-e-1", "Ada.Lovelace1815", "lovelace!!1815", "analytical-2024",
                               "analytical.example"}) {
    BOOST_TEST_CONTEXT(password) {
      require_context_refusal(register_named(server, "ada.lovelace@analytical.example", "Countess Ada", password),
                              "/password");
    }
  }
  BOOST_TEST_CONTEXT("the name") {
    require_context_refusal(register_named(server, "ada@example.com", "Countess Ada", "COUNTESS_1815"), "/password");
  }
  // Nothing was created by the refusals; a password that merely contains a word is fine.
  BOOST_TEST(register_named(server, "ada.lovelace@analytical.example", "Countess Ada", "open sesame, countess").status == 201);
}

BOOST_AUTO_TEST_CASE(the_configured_product_name_is_the_context_word) {
  ApiServer server(Environment{{"SESAME_PRODUCT_NAME", "Acme Vault"}});
  require_context_refusal(register_named(server, "bo@example.com", "", "AcmeVault#2024"), "/password");
  require_context_refusal(register_named(server, "bo@example.com", "", "vault--2024"), "/password");
  // "Sesame" is only the default.
  BOOST_TEST(register_named(server, "bo@example.com", "", "Sesame2024!").status == 201);
}

BOOST_AUTO_TEST_CASE(password_change_refuses_the_users_own_name) {
  ApiServer server;
  BOOST_TEST_REQUIRE(register_named(server, "grace@example.com", "Grace Hopper", kPassword).status == 201);
  const json tokens = server.sign_in("grace@example.com").json();
  const std::string access = tokens["access_token"];
  require_context_refusal(server.post_with("/api/v1/auth/password/change", access,
                                           {{"current_password", kPassword}, {"new_password", "Hopper1906!!"}}),
                          "/new_password");
  BOOST_TEST(violation_codes(server.post_with("/api/v1/auth/password/change", access,
                                              {{"current_password", kPassword}, {"new_password", "grace@example.com"}})) ==
             std::set<std::string>{"password_matches_email"});
  BOOST_TEST(server.post_with("/api/v1/auth/password/change", access,
                              {{"current_password", kPassword}, {"new_password", "a brand new passphrase"}})
                 .status == 204);
}

BOOST_AUTO_TEST_CASE(password_reset_refuses_the_users_name_and_email_words) {
  ApiServer server(Environment{{"SESAME_DEV", "1"}});
  BOOST_TEST_REQUIRE(register_named(server, "alan.turing@bletchley.example", "Alan Turing", kPassword).status == 201);
  BOOST_TEST_REQUIRE(
      server.http().post_json("/api/v1/auth/password/reset/initiate", {{"email", "alan.turing@bletchley.example"}}).status ==
      202);
  const auto mailbox = server.http().get("/api/v1/dev/mailbox?to=alan.turing%40bletchley.example");
  BOOST_TEST_REQUIRE(mailbox.status == 200);
  std::string token;
  const json messages = mailbox.json()["messages"];  // a range-for over a temporary's member would dangle
  for (const auto& message : messages) {
    const std::string text = message["text"];
    std::smatch found;
    if (text.find("reset-password") != std::string::npos &&
        std::regex_search(text, found, std::regex("token=([A-Za-z0-9_-]{43})"))) {
      token = found[1];
    }
  }
  BOOST_TEST_REQUIRE(!token.empty());
  const auto reset = [&](const std::string& password) {
    return server.http().post_json("/api/v1/auth/password/reset/complete", {{"token", token}, {"new_password", password}});
  };
  require_context_refusal(reset("Turing1912"), "/new_password");
  require_context_refusal(reset("Bletchley#1939"), "/new_password");
  BOOST_TEST(reset("a fresh new passphrase").status == 204);
}
