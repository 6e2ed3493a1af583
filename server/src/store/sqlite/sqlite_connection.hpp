#pragma once
// A thin RAII layer over the SQLite C API: connections with a statement cache,
// bound statements that reset themselves, IMMEDIATE transactions, and a small
// pool so that several threads can read at once (WAL) while writers queue on
// SQLite's own lock (busy_timeout).

#include <sqlite3.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "sesame/result.hpp"

namespace sesame::server::sqlite {

// An error of SQLite as a store error: the database being busy, full, unreadable
// or unwritable is service_unavailable; anything else (constraints, misuse) is
// internal_error.
[[nodiscard]] Error error_from(sqlite3* db, int rc, std::string_view during);

// A prepared statement of the connection's cache, borrowed for one use: bound on
// creation, reset and unbound when it goes out of scope.
class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) noexcept : db_(db), stmt_(stmt) {}
  Statement(Statement&& other) noexcept : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}
  Statement& operator=(Statement&&) = delete;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement();

  void bind(int index, std::string_view text);
  void bind(int index, const std::string& text) { bind(index, std::string_view(text)); }
  void bind(int index, const char* text) { bind(index, std::string_view(text)); }
  void bind(int index, std::int64_t number);
  void bind(int index, int number) { bind(index, static_cast<std::int64_t>(number)); }
  void bind(int index, bool flag) { bind(index, static_cast<std::int64_t>(flag ? 1 : 0)); }
  void bind(int index, std::nullopt_t);
  template <class T>
  void bind(int index, const std::optional<T>& value) {
    if (value) bind(index, *value); else bind(index, std::nullopt);
  }

  // Advances to the next row: true when there is one, false when done.
  [[nodiscard]] Result<bool> step();
  // Runs a statement that returns no rows; the number of rows it changed.
  [[nodiscard]] Result<int> run();

  [[nodiscard]] std::string text(int column) const;
  [[nodiscard]] std::int64_t integer(int column) const;
  [[nodiscard]] std::optional<std::int64_t> optional_integer(int column) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  // Opens (creating it, mode 0600, when missing) the database file with WAL,
  // foreign keys and the busy timeout.
  [[nodiscard]] static Result<std::unique_ptr<Connection>> open(const std::string& path,
                                                                std::chrono::milliseconds busy_timeout);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Runs SQL without parameters, possibly several statements (pragmas,
  // transaction control, migrations).
  [[nodiscard]] Result<void> execute(const char* sql);
  [[nodiscard]] Result<void> execute(const std::string& sql) { return execute(sql.c_str()); }

  // True (once) when a statement since the last call logged a
  // cache invalidation (a trigger's row in cache_invalidations).
  [[nodiscard]] bool take_invalidation_logged() noexcept { return std::exchange(invalidation_logged_, false); }

  // The cached prepared form of `sql` with `args` bound to ?1, ?2, ...
  template <class... Args>
  [[nodiscard]] Result<Statement> query(const char* sql, const Args&... args) {
    auto stmt = prepare(sql);
    if (!stmt) return stmt.error();
    int index = 0;
    (stmt->bind(++index, args), ...);
    return std::move(stmt).value();
  }
  // query() + run(): the number of rows changed.
  template <class... Args>
  [[nodiscard]] Result<int> run(const char* sql, const Args&... args) {
    auto stmt = query(sql, args...);
    if (!stmt) return stmt.error();
    return stmt->run();
  }

 private:
  Connection(sqlite3* db, std::chrono::milliseconds busy_timeout) noexcept : db_(db), busy_timeout_(busy_timeout) {}
  [[nodiscard]] Result<Statement> prepare(const char* sql);
  static int on_busy(void* self, int attempts) noexcept;
  static void on_row_change(void* self, int operation, const char* database, const char* table,
                            sqlite3_int64 rowid) noexcept;

  sqlite3* db_;
  std::unordered_map<std::string, sqlite3_stmt*> statements_;
  bool invalidation_logged_ = false;
  std::chrono::milliseconds busy_timeout_;
  std::chrono::steady_clock::time_point busy_since_;
};

// BEGIN IMMEDIATE takes the write lock up front, so that a read followed by a
// write cannot be overtaken by another writer (and never fails mid-way with
// SQLITE_BUSY the busy timeout cannot wait out). Rolls back unless committed.
class ImmediateTransaction {
 public:
  explicit ImmediateTransaction(Connection& connection) noexcept : connection_(connection) {}
  ~ImmediateTransaction();
  ImmediateTransaction(const ImmediateTransaction&) = delete;
  ImmediateTransaction& operator=(const ImmediateTransaction&) = delete;

  [[nodiscard]] Result<void> begin();
  [[nodiscard]] Result<void> commit();

 private:
  Connection& connection_;
  bool open_ = false;
};

// Up to `size` connections to one file, opened on demand.
class ConnectionPool {
 public:
  ConnectionPool(std::string path, std::size_t size, std::chrono::milliseconds busy_timeout);

  class Lease {
   public:
    Lease(ConnectionPool& pool, std::unique_ptr<Connection> connection) noexcept
        : pool_(&pool), connection_(std::move(connection)) {}
    Lease(Lease&& other) noexcept = default;
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    Connection& operator*() const noexcept { return *connection_; }
    Connection* operator->() const noexcept { return connection_.get(); }

   private:
    ConnectionPool* pool_;
    std::unique_ptr<Connection> connection_;
  };

  // Waits for a free connection; service_unavailable when none frees up within
  // the busy timeout or a new one cannot be opened.
  [[nodiscard]] Result<Lease> acquire();

  // Counts leases given back after logging a cache invalidation. A lease ends
  // after its transaction did (committed or rolled back), so when this changes
  // the change is visible to every connection.
  [[nodiscard]] std::uint64_t local_invalidations() const noexcept {
    return local_invalidations_.load(std::memory_order_acquire);
  }

 private:
  void give_back(std::unique_ptr<Connection> connection);

  std::string path_;
  std::size_t size_;
  std::chrono::milliseconds busy_timeout_;
  std::mutex mutex_;
  std::condition_variable available_;
  std::vector<std::unique_ptr<Connection>> idle_;
  std::size_t open_count_ = 0;
  std::atomic<std::uint64_t> local_invalidations_{0};
};

}  // namespace sesame::server::sqlite
