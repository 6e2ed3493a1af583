// The CLI run beside a running server on the same database, as operators do
// (`sesame-server admin create` while the server serves): neither loses the
// other's writes. On SQLite this pinned a real loss: every new pooled
// connection opened and closed a descriptor of the database file, which drops
// all of the process's POSIX locks on it; the CLI then took itself for the
// last connection, checkpointed and deleted the WAL, and the server went on
// reading and writing a deleted file (its admin sign-ins failed, its writes vanished).
#define BOOST_TEST_MODULE server_cli_beside_server
#include <boost/test/unit_test.hpp>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "api_server.hpp"

namespace {

using namespace sesame::test;

int create_admin_with_cli(const ApiServer& server, const std::string& email) {
  const std::string command = "printf '%s\\n' '" + kPassword + "' | SESAME_DATA_DIR='" + server.data_dir() +
                              "' DATABASE_URL='" + server.database_url() +
                              "' SESAME_ARGON2_MEMORY_KIB=64 SESAME_ARGON2_ITERATIONS=1 '" SESAME_SERVER_BINARY
                              "' admin create --email '" + email + "' > /dev/null";
  return std::system(command.c_str());
}

}  // namespace

BOOST_AUTO_TEST_CASE(admins_created_by_the_cli_sign_in_and_the_server_keeps_its_writes) {
  ApiServer server;
  for (int wave = 0; wave < 3; ++wave) {
    BOOST_TEST_CONTEXT("wave " << wave) {
      // Concurrent requests: the server's connection pool opens more connections.
      std::vector<std::thread> clients;
      for (int i = 0; i < 8; ++i) {
        clients.emplace_back([&server, wave, i] {
          const std::string email = "user-" + std::to_string(wave) + "-" + std::to_string(i) + "@example.com";
          (void)server.register_user(email);
          (void)server.sign_in(email);
        });
      }
      for (auto& client : clients) client.join();

      const std::string admin = "admin-" + std::to_string(wave) + "@example.com";
      BOOST_REQUIRE_EQUAL(create_admin_with_cli(server, admin), 0);
      BOOST_TEST(server.sign_in(admin).status == 200);
      // What the server writes now, the next process reads.
      const std::string later = "later-" + std::to_string(wave) + "@example.com";
      BOOST_REQUIRE_EQUAL(server.register_user(later).status, 201);
      BOOST_TEST(create_admin_with_cli(server, later) != 0, "the CLI sees the server's new user: email taken");
    }
  }
}

// The server keeps access tokens it verified in memory (VerifiedTokenCache);
// sessions the CLI ends in its own process reach it through the database's
// revocation log, within the cache's trust bound of 0.5 s (1 s pinned here).
BOOST_AUTO_TEST_CASE(sessions_revoked_by_the_cli_are_refused_by_the_running_server_within_a_second) {
  ApiServer server;
  const std::string access = server.signed_in_user("incident@example.com")["access_token"];
  for (int i = 0; i < 3; ++i) BOOST_REQUIRE_EQUAL(server.get_with("/api/v1/auth/me", access).status, 200);

  const std::string command = "SESAME_DATA_DIR='" + server.data_dir() + "' DATABASE_URL='" + server.database_url() +
                              "' '" SESAME_SERVER_BINARY "' sessions revoke-all > /dev/null";
  BOOST_REQUIRE_EQUAL(std::system(command.c_str()), 0);
  const auto revoked_at = std::chrono::steady_clock::now();
  HttpResponse me = server.get_with("/api/v1/auth/me", access);
  while (me.status == 200 && std::chrono::steady_clock::now() - revoked_at < std::chrono::seconds(1)) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    me = server.get_with("/api/v1/auth/me", access);
  }
  require_problem(me, 401, "session_revoked");
}
