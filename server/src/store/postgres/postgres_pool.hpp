#pragma once
// A bounded pool of libpqxx connections that heals itself: a connection found
// dead (the server closed it while idle, or a call failed with a lost
// connection) is thrown away, together with the idle ones that share its fate,
// and a fresh one is opened on next use. A call that meets a dead database
// returns service_unavailable; the first call after the database is back
// succeeds.

#include <atomic>
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

// A libpqxx connection and what it heard: the NOTICE with which the
// invalidation triggers (migration 0007) tell the connection that ran the
// statement. Other notices are dropped (CREATE ... IF NOT EXISTS talks in them).
class PooledConnection {
 public:
  explicit PooledConnection(const std::string& url) : connection_(url), notices_(connection_, invalidation_logged_) {}
  pqxx::connection& get() noexcept { return connection_; }
  [[nodiscard]] bool take_invalidation_logged() noexcept { return std::exchange(invalidation_logged_, false); }

 private:
  class NoticeWatcher final : public pqxx::errorhandler {
   public:
    NoticeWatcher(pqxx::connection& connection, bool& invalidation_logged)
        : pqxx::errorhandler(connection), invalidation_logged_(invalidation_logged) {}
    bool operator()(const char message[]) noexcept override;

   private:
    bool& invalidation_logged_;
  };

  bool invalidation_logged_ = false;
  pqxx::connection connection_;
  NoticeWatcher notices_;  // after connection_: unregisters before it closes
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
    std::unique_ptr<PooledConnection> connection = std::move(leased).value();
    try {
      auto result = work(connection->get());
      release(std::move(connection));
      return result;
    } catch (...) {
      return fail(std::move(connection), std::current_exception());
    }
  }

  // Counts calls of run() whose connection logged a cache invalidation. run()
  // returns after its transaction ended, so when this changes the change
  // is visible to every connection (a rolled-back one counts too: harmless).
  [[nodiscard]] std::uint64_t local_invalidations() const noexcept {
    return local_invalidations_.load(std::memory_order_acquire);
  }

 private:
  [[nodiscard]] Result<std::unique_ptr<PooledConnection>> acquire();
  [[nodiscard]] Result<std::unique_ptr<PooledConnection>> connect();
  void release(std::unique_ptr<PooledConnection> connection);
  void count_invalidation(PooledConnection& connection) noexcept;
  // Classifies the exception, discards the connection when it is broken, and
  // returns the error to report.
  [[nodiscard]] Error fail(std::unique_ptr<PooledConnection> connection, std::exception_ptr failure);

  std::string url_;
  std::vector<PreparedStatement> statements_;
  PoolOptions options_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<PooledConnection>> idle_;
  std::size_t open_count_ = 0;  // idle + leased
  std::atomic<std::uint64_t> local_invalidations_{0};
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
