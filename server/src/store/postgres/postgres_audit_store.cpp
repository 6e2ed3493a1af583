// PostgresStore: the audit log as a hash chain (store/audit_chain.hpp). An
// append locks the one head row (SELECT ... FOR UPDATE) in its transaction:
// appends from every connection and every instance queue there, each reads
// the head the previous one committed, so the chain stays linear.
#include <algorithm>
#include <limits>
#include <utility>

#include "store/audit_chain.hpp"
#include "store/postgres/postgres_audit_statements.hpp"
#include "store/postgres/postgres_store.hpp"

namespace sesame::server {

namespace {

using postgres::PreparedStatement;

constexpr PreparedStatement kLockChainHead{
    "audit_lock_chain_head", "SELECT chain_seq, event_hash FROM audit_chain_head WHERE id = 1 FOR UPDATE"};
constexpr PreparedStatement kSelectChainHead{
    "audit_select_chain_head", "SELECT chain_seq, event_hash FROM audit_chain_head WHERE id = 1"};
constexpr PreparedStatement kMoveChainHead{
    "audit_move_chain_head", "UPDATE audit_chain_head SET chain_seq = $1::bigint, event_hash = $2 WHERE id = 1"};
constexpr PreparedStatement kInsertAuditEvent{
    "audit_insert_event",
    "INSERT INTO audit_events (id, type, created_at, user_id, actor_id, ip, user_agent, request_id, details_json,"
    " chain_seq, previous_hash, event_hash)"
    " VALUES ($1, $2, $3::bigint, $4, $5, $6, $7, $8, $9, $10::bigint, $11, $12)"};
constexpr PreparedStatement kSelectAuditCursor{
    "audit_select_cursor", "SELECT chain_seq FROM audit_events WHERE id = $1 AND chain_seq IS NOT NULL"};
// Every filter is '' (off) or must match; $1 is the cursor's chain_seq.
constexpr PreparedStatement kSelectAuditEvents{
    "audit_select_events",
    "SELECT id, type, created_at, user_id, actor_id, ip, user_agent, request_id, details_json, chain_seq,"
    " previous_hash, event_hash FROM audit_events WHERE chain_seq < $1::bigint"
    " AND ($2::text = '' OR user_id = $2::text) AND ($3::text = '' OR type = $3::text)"
    " AND ($4::text = '' OR user_id IN (SELECT id FROM users WHERE tenant_id = $4::text))"
    " ORDER BY chain_seq DESC LIMIT $5::integer"};
constexpr PreparedStatement kSelectAuditChain{
    "audit_select_chain",
    "SELECT id, type, created_at, user_id, actor_id, ip, user_agent, request_id, details_json, chain_seq,"
    " previous_hash, event_hash FROM audit_events WHERE chain_seq > $1::bigint ORDER BY chain_seq"
    " LIMIT $2::integer"};
constexpr PreparedStatement kSelectUnchained{
    "audit_select_unchained",
    "SELECT id, type, created_at, user_id, actor_id, ip, user_agent, request_id, details_json, seq, '', ''"
    " FROM audit_events WHERE chain_seq IS NULL ORDER BY seq LIMIT $1::integer"};

constexpr PreparedStatement kStatements[] = {
    kLockChainHead,     kSelectChainHead,  kMoveChainHead,    kInsertAuditEvent,
    kSelectAuditCursor, kSelectAuditEvents, kSelectAuditChain, kSelectUnchained,
};

// The migration runs before the new columns exist on every pooled connection:
// it sends these statements' text unprepared.
constexpr char kMigrationChainEvent[] =
    "UPDATE audit_events SET chain_seq = $2::bigint, previous_hash = $3, event_hash = $4 WHERE seq = $1::bigint";

constexpr int kMaxAuditPage = 1000;
constexpr int kChainingBatch = 500;

std::string text(const pqxx::field& field) { return field.is_null() ? std::string() : field.as<std::string>(); }

AuditEventRecord read_audit_event(const pqxx::row& row) {
  AuditEventRecord event;
  event.id = text(row[0]);
  event.type = text(row[1]);
  event.created_at = row[2].as<std::int64_t>();
  event.user_id = text(row[3]);
  event.actor_id = text(row[4]);
  event.ip = text(row[5]);
  event.user_agent = text(row[6]);
  event.request_id = text(row[7]);
  event.details_json = text(row[8]);
  event.sequence = row[9].is_null() ? 0 : row[9].as<std::int64_t>();
  event.previous_hash = text(row[10]);
  event.hash = text(row[11]);
  return event;
}

std::vector<AuditEventRecord> read_events(const pqxx::result& rows) {
  std::vector<AuditEventRecord> events;
  events.reserve(rows.size());
  for (const auto& row : rows) events.push_back(read_audit_event(row));
  return events;
}

std::optional<AuditChainHead> read_head(const pqxx::result& rows) {
  if (rows.empty()) return std::nullopt;
  return AuditChainHead{rows[0][0].as<std::int64_t>(), text(rows[0][1])};
}

}  // namespace

std::span<const PreparedStatement> postgres_audit_statements() noexcept { return kStatements; }

namespace postgres {

void chain_existing_audit_events(pqxx::transaction_base& transaction) {
  auto head = read_head(transaction.exec(kLockChainHead.sql));
  if (!head) throw std::runtime_error("the audit chain head row is missing");
  for (;;) {
    const auto batch = read_events(transaction.exec_params(kSelectUnchained.sql, kChainingBatch));
    if (batch.empty()) break;
    for (const auto& event : batch) {
      const AuditEventRecord linked = chain_after(event, head->sequence, head->hash);
      // event.sequence holds the row's seq here: its insertion order.
      transaction.exec_params(kMigrationChainEvent, event.sequence, linked.sequence, linked.previous_hash, linked.hash);
      head = AuditChainHead{linked.sequence, linked.hash};
    }
  }
  transaction.exec_params(kMoveChainHead.sql, head->sequence, head->hash);
}

}  // namespace postgres

Result<void> PostgresStore::append_audit_event(const AuditEventRecord& event) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::work transaction(connection);
    const auto head = read_head(transaction.exec_prepared(kLockChainHead.name));
    if (!head) return Error{ErrorCode::internal_error, "the audit chain head row is missing"};
    const AuditEventRecord linked = chain_after(event, head->sequence, head->hash);
    transaction.exec_prepared(kInsertAuditEvent.name, linked.id, linked.type, linked.created_at, linked.user_id,
                              linked.actor_id, linked.ip, linked.user_agent, linked.request_id, linked.details_json,
                              linked.sequence, linked.previous_hash, linked.hash);
    transaction.exec_prepared(kMoveChainHead.name, linked.sequence, linked.hash);
    transaction.commit();
    return {};
  });
}

Result<std::vector<AuditEventRecord>> PostgresStore::list_audit_events(const AuditQuery& query) {
  const int limit = std::clamp(query.limit, 0, kMaxAuditPage);
  if (limit == 0) return std::vector<AuditEventRecord>{};
  return pool_.run([&](pqxx::connection& connection) -> Result<std::vector<AuditEventRecord>> {
    // One snapshot for the cursor lookup and the page.
    pqxx::transaction<pqxx::repeatable_read, pqxx::read_only> transaction(connection);
    std::int64_t cursor = std::numeric_limits<std::int64_t>::max();
    if (!query.before_id.empty()) {
      const auto found = transaction.exec_prepared(kSelectAuditCursor.name, query.before_id);
      if (found.empty()) return std::vector<AuditEventRecord>{};  // an unknown cursor pages nowhere
      cursor = found[0][0].as<std::int64_t>();
    }
    auto events = read_events(transaction.exec_prepared(kSelectAuditEvents.name, cursor, query.user_id, query.type,
                                                        query.tenant_id, limit));
    transaction.commit();
    return events;
  });
}

Result<std::vector<AuditEventRecord>> PostgresStore::read_audit_chain(std::int64_t after_sequence, int limit) {
  limit = std::clamp(limit, 0, kMaxAuditPage);
  return pool_.run([&](pqxx::connection& connection) -> Result<std::vector<AuditEventRecord>> {
    pqxx::nontransaction session(connection);
    return read_events(session.exec_prepared(kSelectAuditChain.name, after_sequence, limit));
  });
}

Result<std::optional<AuditChainHead>> PostgresStore::audit_chain_head() {
  return pool_.run([&](pqxx::connection& connection) -> Result<std::optional<AuditChainHead>> {
    pqxx::nontransaction session(connection);
    return read_head(session.exec_prepared(kSelectChainHead.name));
  });
}

Result<std::optional<AuditEventRecord>> PostgresStore::first_unchained_audit_event() {
  return pool_.run([&](pqxx::connection& connection) -> Result<std::optional<AuditEventRecord>> {
    pqxx::nontransaction session(connection);
    auto found = read_events(session.exec_prepared(kSelectUnchained.name, 1));
    if (found.empty()) return std::optional<AuditEventRecord>{};
    found.front().sequence = 0;  // it has no place in the chain
    return std::optional<AuditEventRecord>(std::move(found.front()));
  });
}

}  // namespace sesame::server
