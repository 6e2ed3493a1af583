#pragma once
// A bounded pool of libpqxx connections that heals itself: a connection found
// dead (the server closed it while idle, or a call failed with a lost
// connection) is thrown away, together with the idle ones that share its fate,
// and a fresh one is opened on next use. A call that meets a dead database
// returns service_unavailable; the first call after the database is back
// succeeds.

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "sesame/result.hpp"

namespace sesame::server::postgres {

// A named statement, prepared on every connection the pool opens.
struct PreparedStatement {
  const char* name;
  const char* sql;
};

struct PoolOptions {
  std::size_t connections = 8;
  std::chrono::milliseconds acquire_timeout{5000};
};

class ConnectionPool {
 public:
  ConnectionPool(std::string url, std::span<const PreparedStatement> statements, const PoolOptions& options);
  ~ConnectionPool();
  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;

  // Runs `work(pqxx::connection&)` on a leased connection. libpqxx exceptions
  // become store errors: a lost or unusable connection is service_unavailable
  // (and the connection is discarded), any other database error internal_error.
  template <class Work>
  auto run(Work&& work) -> decltype(work(std::declval<pqxx::connection&>())) {
    auto leased = acquire();
    if (!leased) return leased.error();
    std::unique_ptr<pqxx::connection> connection = std::move(leased).value();
    try {
      auto result = work(*connection);
      release(std::move(connection));
      return result;
    } catch (...) {
      return fail(std::move(connection), std::current_exception());
    }
  }

 private:
  [[nodiscard]] Result<std::unique_ptr<pqxx::connection>> acquire();
  [[nodiscard]] Result<std::unique_ptr<pqxx::connection>> connect();
  void release(std::unique_ptr<pqxx::connection> connection);
  // Classifies the exception, discards the connection when it is broken, and
  // returns the error to report.
  [[nodiscard]] Error fail(std::unique_ptr<pqxx::connection> connection, std::exception_ptr failure);

  std::string url_;
  std::vector<PreparedStatement> statements_;
  PoolOptions options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<pqxx::connection>> idle_;
  std::size_t open_count_ = 0;  // idle + leased
};

// libpqxx 6 has no std::optional parameters; a null `const char*` binds SQL NULL.
class NullableParam {
 public:
  template <class T>
  explicit NullableParam(const std::optional<T>& value)
      : present_(value.has_value()), text_(value ? pqxx::to_string(*value) : std::string()) {}
  [[nodiscard]] const char* get() const noexcept { return present_ ? text_.c_str() : nullptr; }

 private:
  bool present_;
  std::string text_;
};

}  // namespace sesame::server::postgres
