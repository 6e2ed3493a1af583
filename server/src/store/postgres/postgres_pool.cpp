#include "store/postgres/postgres_pool.hpp"

#include <poll.h>

#include <string_view>

namespace sesame::server::postgres {

namespace {

// The invalidation triggers' NOTICE must reach the connection whatever the
// role's default; PooledConnection drops the other notices.
constexpr char kHearNotices[] = "SET client_min_messages TO notice";
constexpr std::string_view kInvalidationNotice = "sesame:cache_invalidations";

// The first line of a libpqxx message: the server's DETAIL lines may quote
// row values, which do not belong in an error detail.
std::string first_line(std::string_view message) {
  const auto end = message.find('\n');
  return std::string(message.substr(0, end));
}

// An idle connection has nothing to read: readable means the server closed
// it (a restart or an administrator's termination) or sent something we never
// asked for. Either way it is not worth handing out.
bool looks_alive(const pqxx::connection& connection) {
  if (!connection.is_open()) return false;
  pollfd socket{connection.sock(), POLLIN, 0};
  if (socket.fd < 0) return false;
  return ::poll(&socket, 1, 0) == 0;
}

bool is_connection_state(std::string_view sqlstate) {
  // 08: connection exception; 57P: operator intervention (shutdown, crash recovery)
  return sqlstate.starts_with("08") || sqlstate.starts_with("57P");
}

}  // namespace

bool PooledConnection::NoticeWatcher::operator()(const char message[]) noexcept {
  const std::string_view text(message);
  if (text.find(kInvalidationNotice) != std::string_view::npos) invalidation_logged_ = true;
  // false: handled, the handlers registered before (libpq's stderr) never see it.
  return !text.starts_with("NOTICE:");
}

ConnectionPool::ConnectionPool(std::string url, std::span<const PreparedStatement> statements,
                               const PoolOptions& options)
    : url_(std::move(url)), statements_(statements.begin(), statements.end()), options_(options) {
  if (options_.connections == 0) options_.connections = 1;
}

ConnectionPool::~ConnectionPool() = default;

Result<std::unique_ptr<PooledConnection>> ConnectionPool::connect() {
  try {
    auto connection = std::make_unique<PooledConnection>(url_);
    pqxx::nontransaction session(connection->get());
    session.exec(kHearNotices);
    session.commit();
    for (const auto& statement : statements_) connection->get().prepare(statement.name, statement.sql);
    return connection;
  } catch (const std::exception& e) {
    return Error{ErrorCode::service_unavailable, "postgres: cannot connect: " + first_line(e.what())};
  }
}

Result<std::unique_ptr<PooledConnection>> ConnectionPool::acquire() {
  std::unique_lock lock(mutex_);
  for (;;) {
    const bool ready = available_.wait_for(lock, options_.acquire_timeout,
                                           [&] { return !idle_.empty() || open_count_ < options_.connections; });
    if (!ready) return Error{ErrorCode::service_unavailable, "postgres: no free connection"};
    if (idle_.empty()) break;
    auto connection = std::move(idle_.back());
    idle_.pop_back();
    if (looks_alive(connection->get())) return connection;
    // Dead while idle: close it outside the lock and look again.
    --open_count_;
    lock.unlock();
    connection.reset();
    lock.lock();
  }
  ++open_count_;
  lock.unlock();
  auto connection = connect();
  if (!connection) {
    lock.lock();
    --open_count_;
    lock.unlock();
    available_.notify_one();
  }
  return connection;
}

void ConnectionPool::count_invalidation(PooledConnection& connection) noexcept {
  if (connection.take_invalidation_logged()) local_invalidations_.fetch_add(1, std::memory_order_acq_rel);
}

void ConnectionPool::release(std::unique_ptr<PooledConnection> connection) {
  count_invalidation(*connection);
  {
    std::lock_guard lock(mutex_);
    idle_.push_back(std::move(connection));
  }
  available_.notify_one();
}

Error ConnectionPool::fail(std::unique_ptr<PooledConnection> connection, std::exception_ptr failure) {
  count_invalidation(*connection);
  Error error{ErrorCode::internal_error, "postgres: unexpected failure"};
  bool broken = false;
  try {
    std::rethrow_exception(failure);
  } catch (const pqxx::broken_connection& e) {
    error = {ErrorCode::service_unavailable, "postgres: connection lost: " + first_line(e.what())};
    broken = true;
  } catch (const pqxx::in_doubt_error& e) {
    error = {ErrorCode::service_unavailable, "postgres: commit outcome unknown: " + first_line(e.what())};
    broken = true;
  } catch (const pqxx::transaction_rollback& e) {
    // serialization failure or deadlock: the database is fine, this call lost
    error = {ErrorCode::service_unavailable, "postgres: transaction rolled back: " + first_line(e.what())};
  } catch (const pqxx::sql_error& e) {
    const std::string& state = e.sqlstate();
    if (is_connection_state(state)) {
      error = {ErrorCode::service_unavailable, "postgres: " + first_line(e.what())};
      broken = true;
    } else if (state.starts_with("53")) {  // insufficient resources
      error = {ErrorCode::service_unavailable, "postgres: " + first_line(e.what())};
    } else {
      error = {ErrorCode::internal_error, "postgres: SQLSTATE " + state + ": " + first_line(e.what())};
    }
  } catch (const pqxx::usage_error& e) {
    error = {ErrorCode::internal_error, "postgres: " + first_line(e.what())};
  } catch (const pqxx::conversion_error& e) {
    error = {ErrorCode::internal_error, "postgres: " + first_line(e.what())};
  } catch (const pqxx::range_error& e) {
    error = {ErrorCode::internal_error, "postgres: " + first_line(e.what())};
  } catch (const pqxx::internal_error& e) {
    error = {ErrorCode::internal_error, "postgres: " + first_line(e.what())};
  } catch (const pqxx::failure& e) {
    error = {ErrorCode::service_unavailable, "postgres: " + first_line(e.what())};
    broken = true;
  } catch (const std::exception& e) {
    error = {ErrorCode::internal_error, "postgres: " + first_line(e.what())};
  } catch (...) {
  }

  if (broken || !connection->get().is_open()) {
    // The idle connections most likely died with it (a restart): drop them
    // too, so the next call opens a fresh one instead of failing again.
    std::vector<std::unique_ptr<PooledConnection>> dropped;
    {
      std::lock_guard lock(mutex_);
      dropped.swap(idle_);
      open_count_ -= dropped.size() + 1;
    }
    available_.notify_all();
    connection.reset();
    dropped.clear();
  } else {
    release(std::move(connection));
  }
  return error;
}

}  // namespace sesame::server::postgres
