#include "store/sqlite/sqlite_connection.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <thread>

namespace sesame::server::sqlite {

namespace {

// synchronous = NORMAL with WAL (as PocketBase and Litestream run it): a
// commit is durable once the OS has it, so a crashed or killed server loses
// nothing, and only a power loss or kernel crash can roll back the last
// commits (never corrupt the file). FULL waits for the disk on every commit,
// which capped refresh at about 2,000/s here (bench/RESULTS.md).
constexpr char kPragmas[] =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = NORMAL;"
    // 512 KiB of pages a connection (SQLite's default is 2 MiB): the OS caches
    // the file too, and four full caches were a sixth of the peak RSS.
    "PRAGMA cache_size = -512;"
    "PRAGMA foreign_keys = ON;";
// While another connection writes: tries again every kBusyRetry until the
// busy timeout. SQLite's own handler sleeps 1, 2, 5, ... up to 100 ms between
// tries, far longer than a commit holds the lock (well under a millisecond):
// a writer that lost a few times waited hundreds of ms (refresh's p99).
constexpr auto kBusyRetry = std::chrono::microseconds(100);
constexpr char kBeginImmediate[] = "BEGIN IMMEDIATE";
constexpr char kCommit[] = "COMMIT";
constexpr char kRollback[] = "ROLLBACK";

bool is_availability_problem(int primary_code) noexcept {
  switch (primary_code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_READONLY:
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_NOMEM:
    case SQLITE_PROTOCOL:
    case SQLITE_PERM:
      return true;
    default:
      return false;
  }
}

// The file holds password hashes: create it owner-only before SQLite does
// (SQLite gives its -wal and -shm files the same mode). Only when it does not
// exist yet: closing any descriptor of the file drops every POSIX lock this
// process holds on it, those of open SQLite connections included, and then
// another process (`sesame-server admin create`) can take the file for its own
// and reset the WAL under the server's feet, losing the server's writes.
Result<void> create_private_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    if (errno == EEXIST) return {};
    return Error{ErrorCode::service_unavailable,
                 "cannot create the SQLite database file " + path + ": " + std::string(std::strerror(errno))};
  }
  ::close(fd);  // a new file: no connection of this process has it open
  return {};
}

}  // namespace

Error error_from(sqlite3* db, int rc, std::string_view during) {
  std::string detail = "sqlite ";
  detail += during;
  detail += ": ";
  detail += db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  const auto code = is_availability_problem(rc & 0xff) ? ErrorCode::service_unavailable : ErrorCode::internal_error;
  return Error{code, std::move(detail)};
}

// ---- Statement -------------------------------------------------------------

Statement::~Statement() {
  if (stmt_ != nullptr) {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
}

void Statement::bind(int index, std::string_view text) {
  // SQLITE_TRANSIENT: SQLite copies, so temporaries may be bound.
  sqlite3_bind_text64(stmt_, index, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
}

void Statement::bind(int index, std::int64_t number) { sqlite3_bind_int64(stmt_, index, number); }

void Statement::bind(int index, std::nullopt_t) { sqlite3_bind_null(stmt_, index); }

Result<bool> Statement::step() {
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return error_from(db_, rc, "step");
}

Result<int> Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return row.error();
    if (!*row) break;
  }
  return sqlite3_changes(db_);
}

std::string Statement::text(int column) const {
  const auto* bytes = sqlite3_column_text(stmt_, column);
  if (bytes == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(bytes), static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column)));
}

std::int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }

std::optional<std::int64_t> Statement::optional_integer(int column) const {
  if (sqlite3_column_type(stmt_, column) == SQLITE_NULL) return std::nullopt;
  return sqlite3_column_int64(stmt_, column);
}

// ---- Connection ------------------------------------------------------------

Result<std::unique_ptr<Connection>> Connection::open(const std::string& path, std::chrono::milliseconds busy_timeout) {
  if (auto created = create_private_file(path); !created) return created.error();
  sqlite3* db = nullptr;
  // NOMUTEX: a connection is used by one thread at a time (the pool leases it).
  const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error error = error_from(db, rc, "open");
    error.code = ErrorCode::service_unavailable;
    sqlite3_close_v2(db);
    return error;
  }
  sqlite3_extended_result_codes(db, 1);
  std::unique_ptr<Connection> connection(new Connection(db, busy_timeout));
  sqlite3_busy_handler(db, &Connection::on_busy, connection.get());
  sqlite3_update_hook(db, &Connection::on_row_change, connection.get());
  if (auto set = connection->execute(kPragmas); !set) return set.error();
  return connection;
}

int Connection::on_busy(void* self, int attempts) noexcept {
  auto& connection = *static_cast<Connection*>(self);
  const auto now = std::chrono::steady_clock::now();
  if (attempts == 0) connection.busy_since_ = now;
  if (now - connection.busy_since_ >= connection.busy_timeout_) return 0;  // SQLITE_BUSY
  std::this_thread::sleep_for(kBusyRetry);
  return 1;
}

void Connection::on_row_change(void* self, int operation, const char*, const char* table, sqlite3_int64) noexcept {
  if (operation == SQLITE_INSERT && std::string_view(table) == "cache_invalidations") {
    static_cast<Connection*>(self)->invalidation_logged_ = true;
  }
}

Connection::~Connection() {
  for (auto& [sql, stmt] : statements_) sqlite3_finalize(stmt);
  sqlite3_close_v2(db_);
}

Result<void> Connection::execute(const char* sql) {
  const int rc = sqlite3_exec(db_, sql, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK) return error_from(db_, rc, "execute");
  return {};
}

Result<Statement> Connection::prepare(const char* sql) {
  auto found = statements_.find(sql);
  if (found == statements_.end()) {
    sqlite3_stmt* stmt = nullptr;
    const int rc = sqlite3_prepare_v3(db_, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
    if (rc != SQLITE_OK) return error_from(db_, rc, "prepare");
    found = statements_.emplace(sql, stmt).first;
  }
  return Statement(db_, found->second);
}

// ---- ImmediateTransaction --------------------------------------------------

ImmediateTransaction::~ImmediateTransaction() {
  if (open_) (void)connection_.execute(kRollback);
}

Result<void> ImmediateTransaction::begin() {
  auto begun = connection_.execute(kBeginImmediate);
  if (begun) open_ = true;
  return begun;
}

Result<void> ImmediateTransaction::commit() {
  auto committed = connection_.execute(kCommit);
  // A failed COMMIT leaves the transaction open: the destructor rolls it back.
  if (committed) open_ = false;
  return committed;
}

// ---- ConnectionPool --------------------------------------------------------

ConnectionPool::ConnectionPool(std::string path, std::size_t size, std::chrono::milliseconds busy_timeout)
    : path_(std::move(path)), size_(size == 0 ? 1 : size), busy_timeout_(busy_timeout) {}

ConnectionPool::Lease::~Lease() {
  if (connection_) pool_->give_back(std::move(connection_));
}

Result<ConnectionPool::Lease> ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  const bool ready = available_.wait_for(lock, busy_timeout_, [&] { return !idle_.empty() || open_count_ < size_; });
  if (!ready) return Error{ErrorCode::service_unavailable, "sqlite: no free connection"};
  if (!idle_.empty()) {
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    return Lease(*this, std::move(connection));
  }
  ++open_count_;
  lock.unlock();
  auto opened = Connection::open(path_, busy_timeout_);
  if (!opened) {
    lock.lock();
    --open_count_;
    available_.notify_one();
    return opened.error();
  }
  return Lease(*this, std::move(opened).value());
}

void ConnectionPool::give_back(std::unique_ptr<Connection> connection) {
  if (connection->take_invalidation_logged()) local_invalidations_.fetch_add(1, std::memory_order_acq_rel);
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

}  // namespace sesame::server::sqlite
