// Fault tests (issue 14): the real sesame-server binary as a child process over real
// SQLite files and a real PostgreSQL (a cluster of this suite's own, so that stopping it
// never disturbs the other suites). kill -9 under load, PostgreSQL stopped and started
// under load, a full disk, a read-only data dir, and no default account (ASVS 6.3.2).
#define BOOST_TEST_MODULE server_fault
#include <boost/test/unit_test.hpp>

#include <sqlite3.h>
#include <sys/mount.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <pqxx/pqxx>
#include <thread>

#include "server_process.hpp"

using namespace sesame::test;
using nlohmann::json;
using Clock = std::chrono::steady_clock;
namespace fs = std::filesystem;

namespace {

const std::string kPassword = "correct horse battery staple";

fs::path temp_dir(const std::string& what) {
  std::string pattern = "/tmp/sesame-fault-" + what + ".XXXXXX";
  BOOST_REQUIRE(::mkdtemp(pattern.data()) != nullptr);
  return pattern;
}

void run(const std::string& command) {
  BOOST_REQUIRE_MESSAGE(std::system(command.c_str()) == 0, "failed: " + command);
}

// A PostgreSQL cluster of this suite's own (tests/support/postgres.sh), for the whole run.
class OwnPostgres {
 public:
  OwnPostgres() : dir_(temp_dir("postgres")), state_((dir_ / "state").string()) { script("start"); }
  ~OwnPostgres() {
    (void)std::system((std::string(SESAME_POSTGRES_SCRIPT) + " stop " + state_ + " >/dev/null 2>&1").c_str());
    fs::remove_all(dir_);
  }
  void halt() { script("halt"); }
  void resume() { script("resume"); }

  std::string fresh_url() {
    const std::string name = "fault_" + std::to_string(++count_);
    pqxx::connection admin(url_of("postgres"));
    pqxx::nontransaction session(admin);
    session.exec("CREATE DATABASE " + name);
    return url_of(name);
  }

  std::string url_of(const std::string& database) {
    std::ifstream in(state_);
    std::string line;
    std::string host;
    std::string port;
    while (std::getline(in, line)) {
      if (line.rfind("host=", 0) == 0) host = line.substr(5);
      if (line.rfind("port=", 0) == 0) port = line.substr(5);
    }
    return "postgresql://postgres@/" + database + "?host=" + host + "&port=" + port;
  }

 private:
  void script(const std::string& command) { run(std::string(SESAME_POSTGRES_SCRIPT) + " " + command + " " + state_); }

  fs::path dir_;
  std::string state_;
  int count_ = 0;
};

OwnPostgres& postgres() {
  static OwnPostgres cluster;
  return cluster;
}

// One store for a test: a fresh SQLite file in a data dir, or a fresh PostgreSQL database.
struct Store {
  fs::path data_dir;
  std::string database_url;
};

Store sqlite_store() {
  const fs::path dir = temp_dir("sqlite");
  return {dir / "data", "sqlite:" + (dir / "data" / "sesame.db").string()};
}

Store postgres_store() { return {temp_dir("pg-data") / "data", postgres().fresh_url()}; }

Settings settings_of(const Store& store, Settings extra = {}) {
  extra["SESAME_DATA_DIR"] = store.data_dir.string();
  extra["DATABASE_URL"] = store.database_url;
  return extra;
}

// What a load of registrations and sign-ins was answered with 2xx.
struct Acknowledged {
  std::mutex mutex;
  std::vector<std::string> accounts;
  std::vector<std::string> refresh_tokens;  // one per session
  std::vector<long> statuses;               // every status answered
  std::vector<std::string> bad_answers;     // 500s, 503s without Retry-After or problem+json, slow answers
};

// Registers and signs in from `threads` threads until `stop`, or until the server is gone.
void load(const HttpClient& http, const std::string& tag, int threads, const std::atomic<bool>& stop,
          Acknowledged& acknowledged) {
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      for (int i = 0; !stop.load(); ++i) {
        const std::string email = tag + "-" + std::to_string(t) + "-" + std::to_string(i) + "@example.com";
        try {
          const auto started = Clock::now();
          const auto registered = http.post_json("/api/v1/auth/register", {{"email", email}, {"password", kPassword}});
          const auto signed_in = registered.status == 201
                                     ? http.post_json("/api/v1/auth/token", {{"email", email}, {"password", kPassword}})
                                     : registered;
          const auto took = Clock::now() - started;
          const std::lock_guard lock(acknowledged.mutex);
          for (const HttpResponse* answer : {&registered, &signed_in}) {
            acknowledged.statuses.push_back(answer->status);
            const bool problem = answer->header("Content-Type").value_or("").find("application/problem+json") == 0;
            if (answer->status >= 500 && (answer->status != 503 || !answer->header("Retry-After") || !problem)) {
              acknowledged.bad_answers.push_back(std::to_string(answer->status) + " " + answer->body);
            }
          }
          if (took > std::chrono::seconds(10)) acknowledged.bad_answers.push_back("an answer took over 10 s");
          if (registered.status == 201) acknowledged.accounts.push_back(email);
          if (signed_in.status == 200 && registered.status == 201) {
            acknowledged.refresh_tokens.push_back(signed_in.json()["refresh_token"]);
          }
        } catch (const std::runtime_error&) {
          return;  // the server was killed
        }
      }
    });
  }
  for (auto& worker : workers) worker.join();
}

// Every acknowledged account signs in, and every acknowledged session refreshes.
void require_everything_acknowledged_is_there(const HttpClient& http, Acknowledged& acknowledged) {
  BOOST_TEST_MESSAGE(acknowledged.accounts.size() << " accounts and " << acknowledged.refresh_tokens.size()
                                                  << " sessions acknowledged");
  for (const auto& email : acknowledged.accounts) {
    BOOST_TEST_CONTEXT(email) {
      BOOST_TEST(http.post_json("/api/v1/auth/token", {{"email", email}, {"password", kPassword}}).status == 200);
    }
  }
  for (const auto& token : acknowledged.refresh_tokens) {
    BOOST_TEST(http.post_json("/api/v1/auth/refresh", {{"refresh_token", token}}).status == 200);
  }
}

void kill_under_load_and_restart(const Store& store) {
  Acknowledged acknowledged;
  {
    ServerProcess server(settings_of(store));
    std::atomic<bool> stop = false;
    std::thread loader([&] { load(server.http(), "kill", 3, stop, acknowledged); });
    std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    server.kill_hard();
    stop = true;
    loader.join();
  }
  BOOST_TEST_REQUIRE(acknowledged.accounts.size() > 10u);
  BOOST_TEST(acknowledged.bad_answers.empty());
  ServerProcess restarted(settings_of(store));
  require_everything_acknowledged_is_there(restarted.http(), acknowledged);
}

std::int64_t count_users(const Store& store) {
  if (store.database_url.rfind("sqlite:", 0) == 0) {
    sqlite3* db = nullptr;
    BOOST_REQUIRE(sqlite3_open_v2(store.database_url.substr(7).c_str(), &db, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
    sqlite3_stmt* statement = nullptr;
    BOOST_REQUIRE(sqlite3_prepare_v2(db, "SELECT count(*) FROM users", -1, &statement, nullptr) == SQLITE_OK);
    BOOST_REQUIRE(sqlite3_step(statement) == SQLITE_ROW);
    const std::int64_t count = sqlite3_column_int64(statement, 0);
    sqlite3_finalize(statement);
    sqlite3_close(db);
    return count;
  }
  pqxx::connection connection(store.database_url);
  pqxx::nontransaction session(connection);
  return session.exec1("SELECT count(*) FROM users")[0].as<std::int64_t>();
}

std::string integrity_check(const fs::path& file) {
  sqlite3* db = nullptr;
  BOOST_REQUIRE(sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  BOOST_REQUIRE(sqlite3_prepare_v2(db, "PRAGMA integrity_check", -1, &statement, nullptr) == SQLITE_OK);
  std::string verdict;
  while (sqlite3_step(statement) == SQLITE_ROW) verdict += reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return verdict;
}

// A small tmpfs of its own (the tests run as root, as CI does), unmounted at the end.
class SmallFileSystem {
 public:
  explicit SmallFileSystem(const std::string& options) : dir_(temp_dir("fs")) {
    BOOST_REQUIRE_MESSAGE(::geteuid() == 0, "the full-disk and read-only tests mount a tmpfs, which needs root");
    BOOST_REQUIRE_MESSAGE(::mount("tmpfs", dir_.c_str(), "tmpfs", 0, options.c_str()) == 0,
                          "mount tmpfs " + options + " on " + dir_.string() + " failed");
  }
  ~SmallFileSystem() {
    ::umount2(dir_.c_str(), MNT_DETACH);
    fs::remove_all(dir_);
  }
  [[nodiscard]] const fs::path& dir() const { return dir_; }

 private:
  fs::path dir_;
};

}  // namespace

BOOST_AUTO_TEST_CASE(kill_9_under_load_loses_no_acknowledged_account_or_session_on_sqlite) {
  kill_under_load_and_restart(sqlite_store());
}

BOOST_AUTO_TEST_CASE(kill_9_under_load_loses_no_acknowledged_account_or_session_on_postgres) {
  kill_under_load_and_restart(postgres_store());
}

BOOST_AUTO_TEST_CASE(postgres_outage_answers_503_with_retry_after_and_recovers_by_itself) {
  const Store store = postgres_store();
  ServerProcess server(settings_of(store));
  Acknowledged acknowledged;
  std::atomic<bool> stop = false;
  std::thread loader([&] { load(server.http(), "outage", 2, stop, acknowledged); });
  std::this_thread::sleep_for(std::chrono::milliseconds(500));

  postgres().halt();
  std::this_thread::sleep_for(std::chrono::seconds(2));
  // During the outage: 503 problem+json with Retry-After, answered promptly.
  const auto started = Clock::now();
  const auto down = server.http().post_json("/api/v1/auth/register", {{"email", "down@example.com"}, {"password", kPassword}});
  BOOST_TEST(down.status == 503);
  BOOST_TEST(down.header("Retry-After").has_value());
  BOOST_TEST(down.header("Content-Type").value_or("").find("application/problem+json") == 0);
  const bool prompt = Clock::now() - started < std::chrono::seconds(10);
  BOOST_TEST(prompt);
  BOOST_TEST(server.http().get("/readyz").status == 503);

  postgres().resume();
  const auto resumed = Clock::now();
  long status = 0;
  while (status != 201 && Clock::now() - resumed < std::chrono::seconds(10)) {
    status = server.http().post_json("/api/v1/auth/register", {{"email", "back@example.com"}, {"password", kPassword}}).status;
    if (status != 201) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto recovery = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - resumed);
  BOOST_TEST_MESSAGE("recovered " << recovery.count() << " ms after PostgreSQL was back");
  BOOST_TEST(status == 201);
  BOOST_TEST(recovery.count() < 5000);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  stop = true;
  loader.join();

  BOOST_TEST(acknowledged.bad_answers.empty(), [&] {
    std::string all;
    for (const auto& answer : acknowledged.bad_answers) all += answer + "\n";
    return all;
  }());
  BOOST_TEST(std::count(acknowledged.statuses.begin(), acknowledged.statuses.end(), 503) > 0);
  require_everything_acknowledged_is_there(server.http(), acknowledged);
}

BOOST_AUTO_TEST_CASE(a_full_disk_answers_503_and_corrupts_nothing) {
  SmallFileSystem disk("size=4m");
  const Store store{disk.dir() / "data", "sqlite:" + (disk.dir() / "data" / "sesame.db").string()};
  ServerProcess server(settings_of(store));
  std::vector<std::string> acknowledged;
  const auto register_one = [&](const std::string& email) {
    const auto answer = server.http().post_json("/api/v1/auth/register",
                                                {{"email", email}, {"password", kPassword}, {"name", std::string(150, 'n')}});
    if (answer.status == 201) acknowledged.push_back(email);
    return answer;
  };
  BOOST_TEST_REQUIRE(register_one("first@example.com").status == 201);
  // Fill what is left, then register until the store runs out of space.
  { std::ofstream filler(disk.dir() / "filler", std::ios::binary); const std::string block(64 * 1024, 'x');
    while (filler.write(block.data(), block.size())) {} }
  HttpResponse full;
  for (int i = 0; i < 2000 && full.status != 503; ++i) {
    full = register_one("full-" + std::to_string(i) + "@example.com");
    BOOST_TEST_REQUIRE((full.status == 201 || full.status == 503), full.status << " " << full.body);
  }
  BOOST_TEST_REQUIRE(full.status == 503);
  BOOST_TEST(full.header("Content-Type").value_or("").find("application/problem+json") == 0);
  BOOST_TEST(full.header("Retry-After").has_value());

  // Space returns: the same process goes on, and nothing acknowledged is lost.
  fs::remove(disk.dir() / "filler");
  BOOST_TEST(register_one("after@example.com").status == 201);
  for (const auto& email : acknowledged) {
    BOOST_TEST(server.http().post_json("/api/v1/auth/token", {{"email", email}, {"password", kPassword}}).status == 200);
  }
  BOOST_TEST(integrity_check(disk.dir() / "data" / "sesame.db") == "ok");
}

BOOST_AUTO_TEST_CASE(a_read_only_data_dir_stops_the_start_with_a_message_naming_it) {
  SmallFileSystem read_only("size=1m,ro");
  const Store store{read_only.dir(), "sqlite:" + (read_only.dir() / "sesame.db").string()};
  ServerProcess server(settings_of(store));
  BOOST_TEST(server.port() == 0);
  BOOST_TEST(server.exit_code() != 0);
  BOOST_TEST(server.log().find(read_only.dir().string()) != std::string::npos, server.log());
}

BOOST_AUTO_TEST_CASE(a_fresh_server_has_no_account_and_no_admin_without_the_bootstrap) {
  for (const Store& store : {sqlite_store(), postgres_store()}) {
    BOOST_TEST_CONTEXT(store.database_url) {
      {
        ServerProcess server(settings_of(store));
        for (const char* email : {"admin", "admin@example.com", "admin@localhost", "root@localhost"}) {
          for (const char* password : {"admin", "password", "changeme", "sesame"}) {
            BOOST_TEST(server.http().post_json("/api/v1/auth/token", {{"email", email}, {"password", password}}).status != 200);
          }
        }
      }
      BOOST_TEST(count_users(store) == 0);
    }
  }
  // An admin exists only once the operator makes one: exactly the one named.
  const Store store = sqlite_store();
  { ServerProcess first(settings_of(store)); }
  BOOST_TEST(count_users(store) == 0);
  run("echo 'an admin passphrase here' | SESAME_DATA_DIR=" + store.data_dir.string() + " DATABASE_URL=" +
      store.database_url + " " + SESAME_SERVER_BINARY + " admin create --email ops@example.com >/dev/null 2>&1");
  BOOST_TEST(count_users(store) == 1);
  ServerProcess server(settings_of(store));
  const auto signed_in = server.http().post_json("/api/v1/auth/token",
                                                 {{"email", "ops@example.com"}, {"password", "an admin passphrase here"}});
  BOOST_TEST(signed_in.status == 200);
  const auto me = server.http().get("/api/v1/auth/me", {{"Authorization", "Bearer " + signed_in.json()["access_token"].get<std::string>()}});
  BOOST_TEST(me.json()["roles"].dump().find("admin") != std::string::npos);
}
