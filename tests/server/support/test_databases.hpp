#pragma once
// Fresh, empty databases for the server suites, on the store the test run
// asks for (ctest registers such suites once per dialect):
//   SESAME_TEST_STORE=sqlite    SQLite files in a temp dir (the default)
//   SESAME_TEST_STORE=postgres  databases on the PostgreSQL that
//                               tests/support/postgres.sh started; its state
//                               file is SESAME_TEST_POSTGRES_STATE
#include <sqlite3.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>
#include <pqxx/pqxx>
#include <string>
#include <vector>

namespace sesame::test {

inline std::string env_or(const char* name, std::string fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : std::move(fallback);
}

inline std::string store_kind() { return env_or("SESAME_TEST_STORE", "sqlite"); }

inline std::map<std::string, std::string> read_key_values(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " + path + " (is the postgres fixture running?)");
  std::map<std::string, std::string> values;
  std::string line;
  while (std::getline(in, line)) {
    const auto eq = line.find('=');
    if (eq != std::string::npos) values[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return values;
}

// Runs `sql` (one or more statements) on the database at `url` behind the
// store's back, as an operator with a SQL shell would; throws on an error.
inline void run_sql(const std::string& url, const std::string& sql) {
  if (url.rfind("sqlite:", 0) == 0) {
    sqlite3* db = nullptr;
    const int opened = sqlite3_open(url.substr(7).c_str(), &db);
    char* message = nullptr;
    const int ran = opened == SQLITE_OK ? sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &message) : opened;
    const std::string error = message != nullptr ? message : (db != nullptr ? sqlite3_errmsg(db) : "cannot open");
    sqlite3_free(message);
    sqlite3_close(db);
    if (ran != SQLITE_OK) throw std::runtime_error(error);
    return;
  }
  pqxx::connection connection(url);
  pqxx::nontransaction session(connection);
  session.exec(sql);
}

// Where fresh, empty databases come from.
class Databases {
 public:
  Databases() : kind_(store_kind()) {
    char pattern[] = "/tmp/sesame-store-test.XXXXXX";
    BOOST_REQUIRE(::mkdtemp(pattern) != nullptr);
    temp_dir_ = pattern;
    if (kind_ == "postgres") {
      const auto state_file = env_or("SESAME_TEST_POSTGRES_STATE", "");
      BOOST_REQUIRE_MESSAGE(!state_file.empty(), "SESAME_TEST_POSTGRES_STATE is not set");
      auto state = read_key_values(state_file);
      host_ = state["host"];
      port_ = state["port"];
      BOOST_REQUIRE_MESSAGE(!host_.empty() && !port_.empty(), "incomplete state in " + state_file);
    } else {
      BOOST_REQUIRE_MESSAGE(kind_ == "sqlite", "SESAME_TEST_STORE must be sqlite or postgres, not " + kind_);
    }
  }

  ~Databases() {
    if (kind_ == "postgres") {
      try {
        pqxx::connection admin(url_of("postgres"));
        pqxx::nontransaction session(admin);
        for (const auto& name : created_) session.exec("DROP DATABASE IF EXISTS " + session.quote_name(name) + " WITH (FORCE)");
      } catch (const std::exception&) {
        // the cluster is removed by the fixture anyway
      }
    }
    std::error_code ignored;
    std::filesystem::remove_all(temp_dir_, ignored);
  }

  [[nodiscard]] const std::string& kind() const { return kind_; }
  [[nodiscard]] const std::filesystem::path& temp_dir() const { return temp_dir_; }

  // The URL of a new, empty database.
  std::string fresh_url() {
    const std::string name = "sesame_" + std::to_string(::getpid()) + "_" + std::to_string(++count_);
    if (kind_ == "sqlite") return "sqlite:" + (temp_dir_ / (name + ".db")).string();
    pqxx::connection admin(url_of("postgres"));
    pqxx::nontransaction session(admin);
    session.exec("CREATE DATABASE " + session.quote_name(name));
    created_.push_back(name);
    return url_of(name);
  }

  std::string url_of(const std::string& database) const {
    return "postgresql://postgres@/" + database + "?host=" + host_ + "&port=" + port_;
  }

 private:
  std::string kind_;
  std::filesystem::path temp_dir_;
  std::string host_;
  std::string port_;
  int count_ = 0;
  std::vector<std::string> created_;
};

}  // namespace sesame::test
