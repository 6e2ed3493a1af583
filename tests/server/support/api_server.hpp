#pragma once
// The whole server (App) in-process on an ephemeral port, over a fresh
// database of the store the test run asks for (SQLite or PostgreSQL), with a
// clock the tests move instead of sleeping; and the calls the API suites share.
#include <boost/test/unit_test.hpp>

#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

#include "app/app.hpp"
#include "http_client.hpp"
#include "store/store.hpp"
#include "test_databases.hpp"

namespace sesame::test {

using namespace sesame;
using namespace sesame::server;
using nlohmann::json;

class ManualClock final : public Clock {
 public:
  [[nodiscard]] std::int64_t now_unix_seconds() const override { return now_.load(); }
  void advance(std::int64_t seconds) { now_ += seconds; }

 private:
  std::atomic<std::int64_t> now_{1'800'000'000};
};

inline const std::string kPassword = "correct horse battery staple";

// The audit trail in the database at `database_url`, newest first (read
// through a store of its own); every user's when `user_id` is empty.
inline std::vector<AuditEventRecord> stored_audit_events(const std::string& database_url, const std::string& data_dir,
                                                         const std::string& user_id = {}) {
  auto store = open_store(database_url, data_dir);
  BOOST_REQUIRE(store.ok());
  AuditQuery query;
  query.user_id = user_id;
  query.limit = 1000;
  auto events = (*store)->list_audit_events(query);
  BOOST_REQUIRE(events.ok());
  return std::move(events).value();
}

// How many events of `type` the trail holds.
inline std::size_t count_of(const std::vector<AuditEventRecord>& events, const std::string& type) {
  return static_cast<std::size_t>(
      std::count_if(events.begin(), events.end(), [&](const AuditEventRecord& e) { return e.type == type; }));
}

// The real server on an ephemeral port over `database_url` and `data_dir`,
// with small Argon2 parameters (the defaults are tested elsewhere) and no
// per-IP limit; `extra` adds settings or overrides these.
inline std::unique_ptr<App> start_app(const std::string& database_url, const std::string& data_dir,
                                      const Environment& extra, std::shared_ptr<const Clock> clock) {
  Environment env = {{"SESAME_LISTEN", "127.0.0.1:0"},
                     {"SESAME_DATA_DIR", data_dir},
                     {"DATABASE_URL", database_url},
                     {"SESAME_ARGON2_MEMORY_KIB", "64"},
                     {"SESAME_ARGON2_ITERATIONS", "1"},
                     {"SESAME_RATE_LIMIT_PER_IP", "0"}};
  for (const auto& [key, value] : extra) env[key] = value;
  auto config = load_config(env);
  BOOST_REQUIRE_MESSAGE(config.ok(), (config.ok() ? std::string() : config.error().detail));
  auto app = App::create(*config, std::move(clock));
  BOOST_REQUIRE_MESSAGE(app.ok(), (app.ok() ? std::string() : app.error().detail));
  app.value()->start();
  return std::move(app.value());
}

// One server with a fresh database and data dir.
class ApiServer {
 public:
  explicit ApiServer(const Environment& extra = {})
      : clock_(std::make_shared<ManualClock>()),
        app_(start_app(database_url_, data_dir_, extra, clock_)),
        client_(std::make_unique<HttpClient>("127.0.0.1", app_->port())) {}

  [[nodiscard]] const HttpClient& http() const { return *client_; }
  [[nodiscard]] const std::string& database_url() const { return database_url_; }
  [[nodiscard]] const std::string& data_dir() const { return data_dir_; }
  ManualClock& clock() { return *clock_; }

  // The audit trail as stored, newest first (read through a store of its own).
  std::vector<AuditEventRecord> audit_events(const std::string& user_id) const {
    return stored_audit_events(database_url_, data_dir_, user_id);
  }

  HttpResponse register_user(const std::string& email, const std::string& password = kPassword) const {
    return http().post_json("/api/v1/auth/register", {{"email", email}, {"password", password}});
  }
  HttpResponse sign_in(const std::string& email, const std::string& password = kPassword,
                       const std::string& delivery = "body") const {
    return http().post_json("/api/v1/auth/token", {{"email", email}, {"password", password}, {"delivery", delivery}});
  }
  // Registers and signs in; the TokenResponse.
  json signed_in_user(const std::string& email) const {
    BOOST_REQUIRE_EQUAL(register_user(email).status, 201);
    auto tokens = sign_in(email);
    BOOST_REQUIRE_EQUAL(tokens.status, 200);
    return tokens.json();
  }
  HttpResponse refresh(const std::string& refresh_token) const {
    return http().post_json("/api/v1/auth/refresh", {{"refresh_token", refresh_token}});
  }
  HttpResponse get_with(const std::string& path, const std::string& access_token) const {
    return http().get(path, {{"Authorization", "Bearer " + access_token}});
  }
  HttpResponse post_with(const std::string& path, const std::string& access_token,
                         const json& body = json::object()) const {
    return http().post_json(path, body, {{"Authorization", "Bearer " + access_token}});
  }

 private:
  Databases databases_;
  std::string data_dir_ = (databases_.temp_dir() / "data").string();
  std::string database_url_ = databases_.fresh_url();
  std::shared_ptr<ManualClock> clock_;
  std::unique_ptr<App> app_;
  std::unique_ptr<HttpClient> client_;
};

inline std::string code_of(const HttpResponse& response) {
  const auto body = response.json();
  return body.contains("code") ? body["code"].get<std::string>() : std::string();
}

inline void require_problem(const HttpResponse& response, long status, const std::string& code) {
  BOOST_TEST(response.status == status, "body: " << response.body);
  BOOST_TEST(response.header("content-type").value_or("") == "application/problem+json");
  BOOST_TEST(code_of(response) == code, "body: " << response.body);
}

}  // namespace sesame::test
