// SqliteStore: the audit log as a hash chain (store/audit_chain.hpp). An append
// takes the write lock first (BEGIN IMMEDIATE), so that appends from every
// thread and process on the file read and move the head one at a time.
#include <algorithm>
#include <limits>
#include <utility>

#include "store/audit_chain.hpp"
#include "store/sqlite/sqlite_audit_chain.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sesame::server {

namespace {

using sqlite::Connection;
using sqlite::ImmediateTransaction;
using sqlite::Statement;

constexpr char kSelectChainHead[] = "SELECT chain_seq, event_hash FROM audit_chain_head WHERE id = 1";
constexpr char kMoveChainHead[] = "UPDATE audit_chain_head SET chain_seq = ?1, event_hash = ?2 WHERE id = 1";
constexpr char kInsertAuditEvent[] =
    "INSERT INTO audit_events (id, type, created_at, user_id, actor_id, ip, user_agent, request_id, details_json,"
    " chain_seq, previous_hash, event_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)";
constexpr char kSelectAuditCursor[] = "SELECT chain_seq FROM audit_events WHERE id = ?1 AND chain_seq IS NOT NULL";
// Every filter is '' (off) or must match; ?1 is the cursor's chain_seq.
constexpr char kSelectAuditEvents[] =
    "SELECT id, type, created_at, user_id, actor_id, ip, user_agent, request_id, details_json, chain_seq,"
    " previous_hash, event_hash FROM audit_events WHERE chain_seq < ?1"
    " AND (?2 = '' OR user_id = ?2) AND (?3 = '' OR type = ?3)"
    " AND (?4 = '' OR user_id IN (SELECT id FROM users WHERE tenant_id = ?4))"
    " ORDER BY chain_seq DESC LIMIT ?5";
constexpr char kSelectAuditChain[] =
    "SELECT id, type, created_at, user_id, actor_id, ip, user_agent, request_id, details_json, chain_seq,"
    " previous_hash, event_hash FROM audit_events WHERE chain_seq > ?1 ORDER BY chain_seq LIMIT ?2";
constexpr char kSelectUnchained[] =
    "SELECT id, type, created_at, user_id, actor_id, ip, user_agent, request_id, details_json, seq, '', ''"
    " FROM audit_events WHERE chain_seq IS NULL ORDER BY seq LIMIT ?1";
constexpr char kChainExisting[] =
    "UPDATE audit_events SET chain_seq = ?2, previous_hash = ?3, event_hash = ?4 WHERE seq = ?1";

constexpr int kMaxAuditPage = 1000;
constexpr int kChainingBatch = 500;

AuditEventRecord read_audit_event(const Statement& row) {
  AuditEventRecord event;
  event.id = row.text(0);
  event.type = row.text(1);
  event.created_at = row.integer(2);
  event.user_id = row.text(3);
  event.actor_id = row.text(4);
  event.ip = row.text(5);
  event.user_agent = row.text(6);
  event.request_id = row.text(7);
  event.details_json = row.text(8);
  event.sequence = row.optional_integer(9).value_or(0);
  event.previous_hash = row.text(10);
  event.hash = row.text(11);
  return event;
}

template <class... Args>
Result<std::vector<AuditEventRecord>> read_events(Connection& connection, const char* sql, const Args&... args) {
  auto stmt = connection.query(sql, args...);
  if (!stmt) return stmt.error();
  std::vector<AuditEventRecord> events;
  for (;;) {
    auto has_row = stmt->step();
    if (!has_row) return has_row.error();
    if (!*has_row) break;
    events.push_back(read_audit_event(*stmt));
  }
  return events;
}

Result<std::optional<AuditChainHead>> read_head(Connection& connection) {
  auto stmt = connection.query(kSelectChainHead);
  if (!stmt) return stmt.error();
  auto has_row = stmt->step();
  if (!has_row) return has_row.error();
  if (!*has_row) return std::optional<AuditChainHead>{};
  return std::optional<AuditChainHead>(AuditChainHead{stmt->integer(0), stmt->text(1)});
}

// Under the write lock: the head as it is, or internal_error when its row is gone.
Result<AuditChainHead> locked_head(Connection& connection) {
  auto head = read_head(connection);
  if (!head) return head.error();
  if (!head->has_value()) return Error{ErrorCode::internal_error, "the audit chain head row is missing"};
  return std::move(**head);
}

}  // namespace

namespace sqlite {

Result<void> chain_existing_audit_events(Connection& connection) {
  auto head = locked_head(connection);
  if (!head) return head.error();
  for (;;) {
    auto batch = read_events(connection, kSelectUnchained, kChainingBatch);
    if (!batch) return batch.error();
    if (batch->empty()) break;
    for (auto& event : *batch) {
      const std::int64_t seq = event.sequence;  // the row's seq, its insertion order
      const AuditEventRecord linked = chain_after(std::move(event), head->sequence, head->hash);
      auto updated = connection.run(kChainExisting, seq, linked.sequence, linked.previous_hash, linked.hash);
      if (!updated) return updated.error();
      head.value() = AuditChainHead{linked.sequence, linked.hash};
    }
  }
  auto moved = connection.run(kMoveChainHead, head->sequence, head->hash);
  if (!moved) return moved.error();
  return {};
}

}  // namespace sqlite

Result<void> SqliteStore::append_audit_event(const AuditEventRecord& event) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  auto head = locked_head(connection);
  if (!head) return head.error();
  const AuditEventRecord linked = chain_after(event, head->sequence, head->hash);
  auto inserted = connection.run(kInsertAuditEvent, linked.id, linked.type, linked.created_at, linked.user_id,
                                 linked.actor_id, linked.ip, linked.user_agent, linked.request_id, linked.details_json,
                                 linked.sequence, linked.previous_hash, linked.hash);
  if (!inserted) return inserted.error();
  auto moved = connection.run(kMoveChainHead, linked.sequence, linked.hash);
  if (!moved) return moved.error();
  return transaction.commit();
}

Result<std::vector<AuditEventRecord>> SqliteStore::list_audit_events(const AuditQuery& query) {
  const int limit = std::clamp(query.limit, 0, kMaxAuditPage);
  if (limit == 0) return std::vector<AuditEventRecord>{};
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  std::int64_t cursor = std::numeric_limits<std::int64_t>::max();
  if (!query.before_id.empty()) {
    auto stmt = connection.query(kSelectAuditCursor, query.before_id);
    if (!stmt) return stmt.error();
    auto has_row = stmt->step();
    if (!has_row) return has_row.error();
    if (!*has_row) return std::vector<AuditEventRecord>{};  // an unknown cursor pages nowhere
    cursor = stmt->integer(0);
  }
  return read_events(connection, kSelectAuditEvents, cursor, query.user_id, query.type, query.tenant_id, limit);
}

Result<std::vector<AuditEventRecord>> SqliteStore::read_audit_chain(std::int64_t after_sequence, int limit) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  return read_events(**lease, kSelectAuditChain, after_sequence, std::clamp(limit, 0, kMaxAuditPage));
}

Result<std::optional<AuditChainHead>> SqliteStore::audit_chain_head() {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  return read_head(**lease);
}

Result<std::optional<AuditEventRecord>> SqliteStore::first_unchained_audit_event() {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto found = read_events(**lease, kSelectUnchained, 1);
  if (!found) return found.error();
  if (found->empty()) return std::optional<AuditEventRecord>{};
  found->front().sequence = 0;  // it has no place in the chain
  return std::optional<AuditEventRecord>(std::move(found->front()));
}

}  // namespace sesame::server
