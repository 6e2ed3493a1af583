// Two sesame-server processes on one PostgreSQL database behave as one: a
// token issued by one is honoured by the other, refresh-token reuse is caught
// across them, failed sign-ins on both count towards one lockout, and audit
// events appended by both form one valid hash chain.
#define BOOST_TEST_MODULE server_two_instances
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <ctime>
#include <latch>
#include <thread>

#include "http_client.hpp"
#include "server_process.hpp"
#include "sesame/encoding.hpp"
#include "sesame/totp.hpp"
#include "test_databases.hpp"

namespace {

using nlohmann::json;
using sesame::test::HttpClient;
using sesame::test::HttpResponse;

using sesame::test::ServerProcess;

const std::string kPassword = "correct horse battery staple";

struct TwoInstances {
  sesame::test::Databases databases;
  std::string url = databases.fresh_url();
  std::string data_dir = (databases.temp_dir() / "data").string();
  // The first creates the secrets and migrates; the second finds them.
  ServerProcess a{{{"DATABASE_URL", url}, {"SESAME_DATA_DIR", data_dir}}};
  ServerProcess b{{{"DATABASE_URL", url}, {"SESAME_DATA_DIR", data_dir}}};

  HttpResponse sign_in(const ServerProcess& server, const std::string& email, const std::string& password) const {
    return server.http().post_json("/api/v1/auth/token", {{"email", email}, {"password", password}});
  }
};

std::string code_of(const HttpResponse& response) {
  const json body = response.json();
  return body.value("code", std::string());
}

}  // namespace

BOOST_FIXTURE_TEST_SUITE(two_instances, TwoInstances)

BOOST_AUTO_TEST_CASE(tokens_from_one_instance_work_on_the_other) {
  BOOST_TEST_REQUIRE(a.http().post_json("/api/v1/auth/register", {{"email", "one@example.com"}, {"password", kPassword}}).status == 201);
  auto tokens = sign_in(b, "one@example.com", kPassword);
  BOOST_TEST_REQUIRE(tokens.status == 200);
  const std::string bearer = "Bearer " + tokens.json()["access_token"].get<std::string>();
  BOOST_TEST(a.http().get("/api/v1/auth/me", {{"Authorization", bearer}}).status == 200);
  BOOST_TEST(a.http().get("/.well-known/jwks.json").body == b.http().get("/.well-known/jwks.json").body);
}

BOOST_AUTO_TEST_CASE(refresh_on_one_and_reuse_is_caught_on_the_other) {
  BOOST_TEST_REQUIRE(a.http().post_json("/api/v1/auth/register", {{"email", "two@example.com"}, {"password", kPassword}}).status == 201);
  const json first = sign_in(a, "two@example.com", kPassword).json();
  auto rotated = a.http().post_json("/api/v1/auth/refresh", {{"refresh_token", first["refresh_token"]}});
  BOOST_TEST_REQUIRE(rotated.status == 200);
  const json second = rotated.json();

  auto reused = b.http().post_json("/api/v1/auth/refresh", {{"refresh_token", first["refresh_token"]}});
  BOOST_TEST(reused.status == 401);
  BOOST_TEST(code_of(reused) == "refresh_token_reused");
  // The family is gone on both instances.
  BOOST_TEST(code_of(a.http().post_json("/api/v1/auth/refresh", {{"refresh_token", second["refresh_token"]}})) == "invalid_token");
  auto me = a.http().get("/api/v1/auth/me", {{"Authorization", "Bearer " + second["access_token"].get<std::string>()}});
  BOOST_TEST(code_of(me) == "session_revoked");
}

// Each instance keeps the access tokens it verified in memory; a session
// ended on one is refused by the other within 1 s (the cache trusts itself
// for 0.5 s after its last read of the revocation log), and at once by the
// one that ended it.
BOOST_AUTO_TEST_CASE(a_session_ended_on_one_instance_is_refused_by_the_other_within_a_second) {
  BOOST_TEST_REQUIRE(a.http().post_json("/api/v1/auth/register", {{"email", "bye@example.com"}, {"password", kPassword}}).status == 201);
  const std::string bearer = "Bearer " + sign_in(a, "bye@example.com", kPassword).json()["access_token"].get<std::string>();
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST_REQUIRE(a.http().get("/api/v1/auth/me", {{"Authorization", bearer}}).status == 200);
    BOOST_TEST_REQUIRE(b.http().get("/api/v1/auth/me", {{"Authorization", bearer}}).status == 200);
  }

  BOOST_TEST_REQUIRE(a.http().post_json("/api/v1/auth/logout", json::object(), {{"Authorization", bearer}}).status == 204);
  const auto ended_at = std::chrono::steady_clock::now();
  BOOST_TEST(code_of(a.http().get("/api/v1/auth/me", {{"Authorization", bearer}})) == "session_revoked");
  HttpResponse on_b = b.http().get("/api/v1/auth/me", {{"Authorization", bearer}});
  while (on_b.status == 200 && std::chrono::steady_clock::now() - ended_at < std::chrono::seconds(1)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    on_b = b.http().get("/api/v1/auth/me", {{"Authorization", bearer}});
  }
  BOOST_TEST(on_b.status == 401);
  BOOST_TEST(code_of(on_b) == "session_revoked");
}

// GET /auth/me is answered from memory once read; TOTP turned on through
// one instance shows on the other within 1 s, and at once on the first.
BOOST_AUTO_TEST_CASE(an_account_change_on_one_instance_shows_in_me_on_the_other_within_a_second) {
  BOOST_TEST_REQUIRE(a.http().post_json("/api/v1/auth/register", {{"email", "view@example.com"}, {"password", kPassword}}).status == 201);
  const std::string bearer = "Bearer " + sign_in(a, "view@example.com", kPassword).json()["access_token"].get<std::string>();
  const auto mfa_on = [&](const ServerProcess& server) {
    const HttpResponse me = server.http().get("/api/v1/auth/me", {{"Authorization", bearer}});
    BOOST_REQUIRE_EQUAL(me.status, 200);
    return me.json()["mfa_enabled"].get<bool>();
  };
  for (int i = 0; i < 3; ++i) {
    BOOST_TEST_REQUIRE(!mfa_on(a));
    BOOST_TEST_REQUIRE(!mfa_on(b));
  }

  auto setup = a.http().post_json("/api/v1/auth/mfa/totp/setup", json::object(), {{"Authorization", bearer}});
  BOOST_TEST_REQUIRE(setup.status == 200);
  auto secret = sesame::base32_decode(setup.json()["secret"].get<std::string>());
  BOOST_TEST_REQUIRE(secret.ok());
  auto code = sesame::totp(*secret, std::time(nullptr));
  BOOST_TEST_REQUIRE(code.ok());
  BOOST_TEST_REQUIRE(a.http().post_json("/api/v1/auth/mfa/totp/confirm", {{"code", *code}},
                                        {{"Authorization", bearer}}).status == 200);
  const auto changed_at = std::chrono::steady_clock::now();
  BOOST_TEST(mfa_on(a));
  bool seen_on_b = mfa_on(b);
  while (!seen_on_b && std::chrono::steady_clock::now() - changed_at < std::chrono::seconds(1)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    seen_on_b = mfa_on(b);
  }
  BOOST_TEST(seen_on_b);
}

// RFC 6238 §5.2 across processes: the accepted step is advanced in the shared
// database, so one code sent to both instances at once signs in once.
BOOST_AUTO_TEST_CASE(one_totp_code_sent_to_both_instances_at_once_signs_in_once) {
  const std::string email = "totp@example.com";
  BOOST_TEST_REQUIRE(a.http().post_json("/api/v1/auth/register", {{"email", email}, {"password", kPassword}}).status == 201);
  const std::string bearer = "Bearer " + sign_in(a, email, kPassword).json()["access_token"].get<std::string>();
  auto setup = a.http().post_json("/api/v1/auth/mfa/totp/setup", json::object(), {{"Authorization", bearer}});
  BOOST_TEST_REQUIRE(setup.status == 200);
  auto secret = sesame::base32_decode(setup.json()["secret"].get<std::string>());
  BOOST_TEST_REQUIRE(secret.ok());
  const auto code_at = [&](std::time_t when) {
    auto code = sesame::totp(*secret, when);
    BOOST_REQUIRE(code.ok());
    return *code;
  };
  // Confirmed on the other instance: it opens the secret the first one sealed.
  const std::time_t now = std::time(nullptr);
  BOOST_TEST_REQUIRE(b.http().post_json("/api/v1/auth/mfa/totp/confirm", {{"code", code_at(now)}},
                                        {{"Authorization", bearer}}).status == 200);

  const std::string token_a = sign_in(a, email, kPassword).json()["mfa_token"];
  const std::string token_b = sign_in(b, email, kPassword).json()["mfa_token"];
  // The next step's code: newer than the confirming one, inside the window.
  const std::string next = code_at(now + 30);
  long status_a = 0;
  long status_b = 0;
  std::latch start(2);
  std::thread on_a([&] {
    start.arrive_and_wait();
    status_a = a.http().post_json("/api/v1/auth/mfa/verify", {{"mfa_token", token_a}, {"code", next}}).status;
  });
  std::thread on_b([&] {
    start.arrive_and_wait();
    status_b = b.http().post_json("/api/v1/auth/mfa/verify", {{"mfa_token", token_b}, {"code", next}}).status;
  });
  on_a.join();
  on_b.join();
  BOOST_TEST(((status_a == 200) != (status_b == 200)), "A: " << status_a << ", B: " << status_b);
  BOOST_TEST((status_a == 401 || status_b == 401));
}

BOOST_AUTO_TEST_CASE(lockout_counts_failures_on_both_instances) {
  BOOST_TEST_REQUIRE(a.http().post_json("/api/v1/auth/register", {{"email", "three@example.com"}, {"password", kPassword}}).status == 201);
  for (int i = 0; i < 5; ++i) {
    const ServerProcess& server = i % 2 == 0 ? a : b;
    BOOST_TEST(code_of(sign_in(server, "three@example.com", "wrong password " + std::to_string(i))) == "invalid_credentials");
  }
  for (const ServerProcess* server : {&a, &b}) {
    auto locked = sign_in(*server, "three@example.com", kPassword);
    BOOST_TEST(locked.status == 429);
    BOOST_TEST(code_of(locked) == "account_locked");
  }
}

BOOST_AUTO_TEST_CASE(keys_rotate_signs_with_a_new_key_while_old_tokens_keep_working) {
  BOOST_TEST_REQUIRE(a.http().post_json("/api/v1/auth/register", {{"email", "four@example.com"}, {"password", kPassword}}).status == 201);
  const json before = sign_in(a, "four@example.com", kPassword).json();

  // `sesame-server keys rotate` on the shared data dir, as an operator would.
  const std::string command = "DATABASE_URL='" + url + "' SESAME_DATA_DIR='" + data_dir + "' '" +
                              std::string(SESAME_SERVER_BINARY) + "' keys rotate > /dev/null";
  BOOST_TEST_REQUIRE(std::system(command.c_str()) == 0);

  // A server started now signs with the new key...
  ServerProcess c{{{"DATABASE_URL", url}, {"SESAME_DATA_DIR", data_dir}}};
  const json after = sign_in(c, "four@example.com", kPassword).json();
  BOOST_TEST(after["kid"] != before["kid"]);
  const json jwks = c.http().get("/.well-known/jwks.json").json();
  BOOST_TEST(jwks["keys"].size() == 2u);
  // ...tokens of the previous key still verify there, and a running server
  // accepts the new key's tokens at once (an unknown kid makes it reload).
  BOOST_TEST(c.http().get("/api/v1/auth/me", {{"Authorization", "Bearer " + before["access_token"].get<std::string>()}}).status == 200);
  BOOST_TEST(a.http().get("/api/v1/auth/me", {{"Authorization", "Bearer " + after["access_token"].get<std::string>()}}).status == 200);
}

// Both instances append audit events at once (registrations and sign-ins over
// HTTP, from four clients): the head row they lock keeps one linear chain.
BOOST_AUTO_TEST_CASE(concurrent_registrations_on_both_keep_one_valid_audit_chain) {
  std::vector<std::thread> clients;
  for (int t = 0; t < 4; ++t) {
    clients.emplace_back([&, t] {
      const ServerProcess& server = t % 2 == 0 ? a : b;
      for (int i = 0; i < 5; ++i) {
        const std::string email = "chain" + std::to_string(t) + "-" + std::to_string(i) + "@example.com";
        (void)server.http().post_json("/api/v1/auth/register", {{"email", email}, {"password", kPassword}});
        (void)sign_in(server, email, kPassword);
      }
    });
  }
  for (auto& client : clients) client.join();

  // `sesame-server audit verify`, as an operator would run it.
  const std::string command = "DATABASE_URL='" + url + "' SESAME_DATA_DIR='" + data_dir + "' '" +
                              std::string(SESAME_SERVER_BINARY) + "' audit verify";
  std::FILE* pipe = ::popen(command.c_str(), "r");
  BOOST_TEST_REQUIRE(pipe != nullptr);
  char line[512] = {};
  const bool read = std::fgets(line, sizeof line, pipe) != nullptr;
  const int status = ::pclose(pipe);
  BOOST_TEST(read);
  BOOST_TEST(WIFEXITED(status));
  BOOST_TEST(WEXITSTATUS(status) == 0, line);
  // 20 registrations, 20 sessions created and 20 sign-ins at least.
  const std::regex summary(R"(^audit chain intact: (\d+) events, head hash [0-9a-f]{64}\n$)");
  std::cmatch match;
  BOOST_TEST_REQUIRE(std::regex_match(line, match, summary), line);
  BOOST_TEST(std::stoi(match[1]) >= 60);
}

BOOST_AUTO_TEST_SUITE_END()
