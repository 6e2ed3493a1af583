#include "store/postgres/postgres_store.hpp"

#include <algorithm>
#include <utility>

#include "store/json_columns.hpp"
#include "store/postgres/postgres_audit_statements.hpp"
#include "store/postgres/postgres_recovery_statements.hpp"
#include "store/postgres/postgres_users.hpp"
#include "store/migrations.hpp"
#include "store/store_rules.hpp"

namespace sesame::server {

namespace {

using postgres::NullableParam;
using postgres::PreparedStatement;

// ---- SQL -------------------------------------------------------------------

// Migrations run once per process start, outside the prepared set (the tables
// they refer to may not exist yet when a connection is opened).
constexpr char kLockMigrations[] = "SELECT pg_advisory_xact_lock($1::bigint)";
constexpr std::int64_t kMigrationLockKey = 0x5345'5341'4d45;  // "SESAME"
constexpr char kCreateSchemaMigrations[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version integer PRIMARY KEY,"
    " name text NOT NULL,"
    " applied_at bigint NOT NULL)";
constexpr char kSelectMigrationApplied[] = "SELECT 1 FROM schema_migrations WHERE version = $1::integer";
constexpr char kInsertMigration[] =
    "INSERT INTO schema_migrations (version, name, applied_at)"
    " VALUES ($1::integer, $2, extract(epoch FROM now())::bigint)";

constexpr PreparedStatement kPing{"ping", "SELECT 1"};

constexpr PreparedStatement kInsertUser{
    "insert_user",
    "INSERT INTO users (id, email, email_key, name, tenant_id, roles, password_hash, email_verified, disabled,"
    " created_at, updated_at, password_must_change) VALUES ($1, $2, $3, $4, $5, $6::jsonb, $7, $8::boolean,"
    " $9::boolean, $10::bigint, $11::bigint, $12::boolean) ON CONFLICT (tenant_id, email_key) DO NOTHING"};
constexpr PreparedStatement kSelectUserByEmailKey{
    "select_user_by_email_key",
    "SELECT " SESAME_POSTGRES_USER_COLUMNS " FROM users WHERE tenant_id = $1 AND email_key = $2"};
constexpr PreparedStatement kSelectUserById{"select_user_by_id",
                                            "SELECT " SESAME_POSTGRES_USER_COLUMNS " FROM users WHERE id = $1"};
constexpr PreparedStatement kUpdatePasswordHash{
    "update_password_hash", "UPDATE users SET password_hash = $2, updated_at = $3::bigint WHERE id = $1"};

constexpr PreparedStatement kInsertSession{
    "insert_session",
    "INSERT INTO sessions (id, user_id, created_at, last_active_at, expires_at, ip, user_agent, amr, revoked_at,"
    " revoked_reason, scope) VALUES ($1, $2, $3::bigint, $4::bigint, $5::bigint, $6, $7, $8::jsonb, $9::bigint, $10,"
    " $11)"};
constexpr PreparedStatement kSelectSession{
    "select_session",
    "SELECT id, user_id, created_at, last_active_at, expires_at, ip, user_agent, amr::text, revoked_at,"
    " revoked_reason, scope FROM sessions WHERE id = $1"};
constexpr PreparedStatement kSelectRefreshTokenSession{
    "select_refresh_token_session",
    "SELECT s.id, s.user_id, s.created_at, s.last_active_at, s.expires_at, s.ip, s.user_agent, s.amr::text,"
    " s.revoked_at, s.revoked_reason, s.scope FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id"
    " WHERE t.token_hash = $1 AND s.revoked_at IS NULL AND s.expires_at > $2"};
// Rotation locks the session after the token (always in that order): a
// concurrent logout or revocation either happens before the rotation or sees it.
constexpr PreparedStatement kLockSession{
    "lock_session",
    "SELECT id, user_id, created_at, last_active_at, expires_at, ip, user_agent, amr::text, revoked_at,"
    " revoked_reason, scope FROM sessions WHERE id = $1 FOR UPDATE"};
constexpr PreparedStatement kSelectActiveSessions{
    "select_active_sessions",
    "SELECT id, user_id, created_at, last_active_at, expires_at, ip, user_agent, amr::text, revoked_at,"
    " revoked_reason, scope FROM sessions WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2::bigint"
    " ORDER BY created_at DESC, id DESC"};
constexpr PreparedStatement kRevokeSession{
    "revoke_session",
    "UPDATE sessions SET revoked_at = $3::bigint, revoked_reason = $4"
    " WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL AND expires_at > $3::bigint"};
// $4 is NULL when no session is kept.
constexpr PreparedStatement kRevokeUserSessions{
    "revoke_user_sessions",
    "UPDATE sessions SET revoked_at = $2::bigint, revoked_reason = $3"
    " WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2::bigint AND id IS DISTINCT FROM $4::text"};
constexpr PreparedStatement kRevokeAllSessions{
    "revoke_all_sessions",
    "UPDATE sessions SET revoked_at = $1::bigint, revoked_reason = $2"
    " WHERE revoked_at IS NULL AND expires_at > $1::bigint"};
constexpr PreparedStatement kSelectSessionActive{
    "select_session_active",
    "SELECT 1 FROM sessions WHERE id = $1 AND revoked_at IS NULL AND expires_at > $2::bigint"};
constexpr PreparedStatement kUpgradeSession{
    "upgrade_session",
    "UPDATE sessions SET scope = $2, amr = $3::jsonb WHERE id = $1 AND revoked_at IS NULL AND expires_at > $4::bigint"};
constexpr PreparedStatement kRevokeSessionById{
    "revoke_session_by_id",
    "UPDATE sessions SET revoked_at = $2::bigint, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL"};

constexpr PreparedStatement kInsertRefreshToken{
    "insert_refresh_token",
    "INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at, used_at, successor_hash,"
    " successor_sealed) VALUES ($1, $2, $3::bigint, $4::bigint, $5::bigint, $6, $7)"};
// FOR UPDATE: concurrent rotations of one token (from any process) queue here;
// each later one re-reads the row as the winner left it.
constexpr PreparedStatement kLockRefreshToken{
    "lock_refresh_token",
    "SELECT token_hash, session_id, issued_at, expires_at, used_at, successor_hash, successor_sealed"
    " FROM refresh_tokens WHERE token_hash = $1 FOR UPDATE"};
// The three writes of a rotation in one round trip (refresh on PostgreSQL is
// bound by round trips, not CPU): the presented token is marked used if it is
// still unused, and only then its successor inserted and the session touched.
// Answers how many tokens it marked (0 or 1).
constexpr PreparedStatement kRotateRefreshToken{
    "rotate_refresh_token",
    "WITH marked AS (UPDATE refresh_tokens SET used_at = $2::bigint, successor_hash = $3, successor_sealed = $4"
    " WHERE token_hash = $1 AND used_at IS NULL RETURNING session_id),"
    " successor AS (INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at, used_at,"
    " successor_hash, successor_sealed) SELECT $3, session_id, $5::bigint, $6::bigint, NULL, $7, $8 FROM marked),"
    " touched AS (UPDATE sessions SET last_active_at = GREATEST(last_active_at, $2::bigint)"
    " WHERE id IN (SELECT session_id FROM marked))"
    " SELECT count(*) FROM marked"};

// The placeholder row reads as "no failures" (its window ended at 0), so that
// FOR UPDATE always has a row to lock, even for a key's first failure.
constexpr PreparedStatement kEnsureLoginFailureRow{
    "ensure_login_failure_row",
    "INSERT INTO login_failures (key, failures, window_ends_at, locked_until, account_key) VALUES ($1, 0, 0, NULL, $2)"
    " ON CONFLICT (key) DO NOTHING"};
constexpr PreparedStatement kLockLoginFailure{
    "lock_login_failure", "SELECT failures, window_ends_at, locked_until FROM login_failures WHERE key = $1 FOR UPDATE"};
constexpr PreparedStatement kSelectLoginFailure{
    "select_login_failure", "SELECT failures, window_ends_at, locked_until FROM login_failures WHERE key = $1"};
constexpr PreparedStatement kUpdateLoginFailure{
    "update_login_failure",
    "UPDATE login_failures SET failures = $2::integer, window_ends_at = $3::bigint, locked_until = $4::bigint"
    " WHERE key = $1"};
constexpr PreparedStatement kDeleteLoginFailures{"delete_login_failures",
                                                 "DELETE FROM login_failures WHERE key = $1 OR account_key = $1"};

constexpr PreparedStatement kSelectTotpCredential{
    "select_totp_credential",
    "SELECT user_id, secret_sealed, confirmed_at, last_accepted_step, created_at FROM totp_credentials"
    " WHERE user_id = $1"};
// A confirmed credential is never replaced by a setup: the WHERE leaves it be.
constexpr PreparedStatement kUpsertPendingTotp{
    "upsert_pending_totp",
    "INSERT INTO totp_credentials (user_id, secret_sealed, confirmed_at, last_accepted_step, created_at)"
    " VALUES ($1, $2, NULL, NULL, $3::bigint) ON CONFLICT (user_id) DO UPDATE SET"
    " secret_sealed = excluded.secret_sealed, created_at = excluded.created_at"
    " WHERE totp_credentials.confirmed_at IS NULL"};
constexpr PreparedStatement kConfirmTotp{
    "confirm_totp",
    "UPDATE totp_credentials SET confirmed_at = $3::bigint, last_accepted_step = $4::bigint"
    " WHERE user_id = $1 AND secret_sealed = $2 AND confirmed_at IS NULL"};
constexpr PreparedStatement kAdvanceTotpStep{
    "advance_totp_step",
    "UPDATE totp_credentials SET last_accepted_step = $2::bigint WHERE user_id = $1 AND confirmed_at IS NOT NULL"
    " AND (last_accepted_step IS NULL OR last_accepted_step < $2::bigint)"};
constexpr PreparedStatement kDeleteTotpCredential{"delete_totp_credential",
                                                  "DELETE FROM totp_credentials WHERE user_id = $1"};
constexpr PreparedStatement kSelectBackupCodes{
    "select_backup_codes",
    "SELECT id, user_id, lookup, code_hash, created_at, used_at FROM backup_codes"
    " WHERE user_id = $1 AND lookup = $2 AND used_at IS NULL"};
constexpr PreparedStatement kConsumeBackupCode{
    "consume_backup_code", "UPDATE backup_codes SET used_at = $2::bigint WHERE id = $1 AND used_at IS NULL"};
constexpr PreparedStatement kCountUnusedBackupCodes{
    "count_unused_backup_codes", "SELECT count(*) FROM backup_codes WHERE user_id = $1 AND used_at IS NULL"};
constexpr PreparedStatement kDeleteBackupCodes{"delete_backup_codes", "DELETE FROM backup_codes WHERE user_id = $1"};
constexpr PreparedStatement kInsertBackupCode{
    "insert_backup_code",
    "INSERT INTO backup_codes (id, user_id, lookup, code_hash, created_at, used_at)"
    " VALUES ($1, $2, $3, $4, $5::bigint, $6::bigint)"};
constexpr PreparedStatement kInsertMfaChallenge{
    "insert_mfa_challenge",
    "INSERT INTO mfa_challenges (token_hash, user_id, created_at, expires_at, attempts, used_at)"
    " VALUES ($1, $2, $3::bigint, $4::bigint, $5::integer, $6::bigint)"};
constexpr PreparedStatement kCountMfaAttempt{
    "count_mfa_attempt",
    "UPDATE mfa_challenges SET attempts = attempts + 1"
    " WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2::bigint AND attempts < $3::integer"
    " RETURNING token_hash, user_id, created_at, expires_at, attempts, used_at"};
constexpr PreparedStatement kCompleteMfaChallenge{
    "complete_mfa_challenge",
    "UPDATE mfa_challenges SET used_at = $2::bigint WHERE token_hash = $1 AND used_at IS NULL"};
// Challenges are short-lived; spent and expired ones are swept as new ones are made.
constexpr PreparedStatement kDeleteStaleMfaChallenges{"delete_stale_mfa_challenges",
                                                      "DELETE FROM mfa_challenges WHERE expires_at <= $1::bigint"};

constexpr PreparedStatement kStatements[] = {
    kPing,
    kInsertUser, kSelectUserByEmailKey, kSelectUserById, kUpdatePasswordHash,
    kInsertSession, kSelectSession, kLockSession, kSelectActiveSessions, kRevokeSession, kRevokeUserSessions, kRevokeAllSessions,
    kSelectSessionActive, kUpgradeSession, kRevokeSessionById, kSelectRefreshTokenSession,
    kInsertRefreshToken, kLockRefreshToken, kRotateRefreshToken,
    kEnsureLoginFailureRow, kLockLoginFailure, kSelectLoginFailure, kUpdateLoginFailure, kDeleteLoginFailures,
    kSelectTotpCredential, kUpsertPendingTotp, kConfirmTotp, kAdvanceTotpStep, kDeleteTotpCredential,
    kSelectBackupCodes, kConsumeBackupCode, kCountUnusedBackupCodes, kDeleteBackupCodes, kInsertBackupCode,
    kInsertMfaChallenge, kCountMfaAttempt, kCompleteMfaChallenge, kDeleteStaleMfaChallenges,
};

// ---- rows ------------------------------------------------------------------

std::string text(const pqxx::field& field) { return field.is_null() ? std::string() : field.as<std::string>(); }

std::optional<std::int64_t> optional_integer(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::int64_t>();
}


Result<SessionRecord> read_session(const pqxx::row& row) {
  SessionRecord session;
  session.id.value = text(row[0]);
  session.user_id.value = text(row[1]);
  session.created_at = row[2].as<std::int64_t>();
  session.last_active_at = row[3].as<std::int64_t>();
  session.expires_at = row[4].as<std::int64_t>();
  session.ip = text(row[5]);
  session.user_agent = text(row[6]);
  auto amr = decode_string_list(text(row[7]));
  if (!amr) return amr.error();
  session.amr = std::move(amr).value();
  session.revoked_at = optional_integer(row[8]);
  session.revoked_reason = text(row[9]);
  session.scope = text(row[10]);
  return session;
}

RefreshTokenRecord read_refresh_token(const pqxx::row& row) {
  RefreshTokenRecord token;
  token.token_hash = text(row[0]);
  token.session_id.value = text(row[1]);
  token.issued_at = row[2].as<std::int64_t>();
  token.expires_at = row[3].as<std::int64_t>();
  token.used_at = optional_integer(row[4]);
  token.successor_hash = text(row[5]);
  token.successor_sealed = text(row[6]);
  return token;
}

LoginFailureRow read_login_failure(const pqxx::row& row) {
  return LoginFailureRow{row[0].as<int>(), row[1].as<std::int64_t>(), optional_integer(row[2])};
}

TotpCredentialRecord read_totp_credential(const pqxx::row& row) {
  TotpCredentialRecord credential;
  credential.user_id.value = text(row[0]);
  credential.secret_sealed = text(row[1]);
  credential.confirmed_at = optional_integer(row[2]);
  credential.last_accepted_step = optional_integer(row[3]);
  credential.created_at = row[4].as<std::int64_t>();
  return credential;
}

BackupCodeRecord read_backup_code(const pqxx::row& row) {
  BackupCodeRecord code;
  code.id = text(row[0]);
  code.user_id.value = text(row[1]);
  code.lookup = text(row[2]);
  code.code_hash = text(row[3]);
  code.created_at = row[4].as<std::int64_t>();
  code.used_at = optional_integer(row[5]);
  return code;
}

MfaChallengeRecord read_mfa_challenge(const pqxx::row& row) {
  MfaChallengeRecord challenge;
  challenge.token_hash = text(row[0]);
  challenge.user_id.value = text(row[1]);
  challenge.created_at = row[2].as<std::int64_t>();
  challenge.expires_at = row[3].as<std::int64_t>();
  challenge.attempts = row[4].as<int>();
  challenge.used_at = optional_integer(row[5]);
  return challenge;
}

void insert_backup_codes(pqxx::work& transaction, const UserId& user, const std::vector<BackupCodeRecord>& codes) {
  transaction.exec_prepared(kDeleteBackupCodes.name, user.value);
  for (const auto& code : codes) {
    transaction.exec_prepared(kInsertBackupCode.name, code.id, user.value, code.lookup, code.code_hash,
                              code.created_at, NullableParam(code.used_at).get());
  }
}

template <class T>
struct ResultValue { using type = T; };
template <class T>
struct ResultValue<Result<T>> { using type = T; };

// At most one row, read with `read` (which returns a value or a Result of one).
template <class Read>
auto first_row(const pqxx::result& rows, Read read)
    -> Result<std::optional<typename ResultValue<decltype(read(std::declval<const pqxx::row&>()))>::type>> {
  using Value = typename ResultValue<decltype(read(std::declval<const pqxx::row&>()))>::type;
  if (rows.empty()) return std::optional<Value>{};
  Result<Value> value = read(rows[0]);
  if (!value) return value.error();
  return std::optional<Value>(std::move(value).value());
}

std::string owned(std::string_view text) { return std::string(text); }

// Every feature's statements: this file's, then those of the other translation units.
std::vector<PreparedStatement> all_statements() {
  std::vector<PreparedStatement> statements(std::begin(kStatements), std::end(kStatements));
  for (const auto feature : {postgres_recovery_statements(), postgres_audit_statements(),
                             postgres_housekeeping_statements(), postgres_admin_statements()}) {
    statements.insert(statements.end(), feature.begin(), feature.end());
  }
  return statements;
}

}  // namespace

namespace postgres {

Result<UserRecord> read_user(const pqxx::row& row) {
  UserRecord user;
  user.id.value = text(row[0]);
  user.email = text(row[1]);
  user.email_key = text(row[2]);
  user.name = text(row[3]);
  user.tenant_id = text(row[4]);
  auto roles = decode_string_list(text(row[5]));
  if (!roles) return roles.error();
  user.roles = std::move(roles).value();
  user.password_hash = text(row[6]);
  user.email_verified = row[7].as<bool>();
  user.disabled = row[8].as<bool>();
  user.created_at = row[9].as<std::int64_t>();
  user.updated_at = row[10].as<std::int64_t>();
  user.password_must_change = row[11].as<bool>();
  return user;
}

pqxx::result insert_user(pqxx::transaction_base& transaction, const UserRecord& user) {
  return transaction.exec_prepared(kInsertUser.name, user.id.value, user.email, user.email_key, user.name,
                                   user.tenant_id, encode_string_list(user.roles), user.password_hash,
                                   user.email_verified, user.disabled, user.created_at, user.updated_at,
                                   user.password_must_change);
}

}  // namespace postgres

PostgresStore::PostgresStore(const std::string& url, const postgres::PoolOptions& options)
    : pool_(url, all_statements(), options) {}

Result<std::unique_ptr<PostgresStore>> PostgresStore::open(const std::string& url,
                                                           const postgres::PoolOptions& options) {
  std::unique_ptr<PostgresStore> store(new PostgresStore(url, options));
  if (auto answered = store->ping(); !answered) return answered.error();
  return store;
}

// ---- migrations ------------------------------------------------------------

Result<int> PostgresStore::migrate() {
  return pool_.run([](pqxx::connection& connection) -> Result<int> {
    int applied = 0;
    for (const Migration& migration : postgres_migrations()) {
      // One transaction per migration under a transaction-scoped advisory lock:
      // a second process waits, then finds the version recorded and skips it.
      pqxx::work transaction(connection);
      transaction.exec_params(kLockMigrations, kMigrationLockKey);
      transaction.exec(kCreateSchemaMigrations);
      if (!transaction.exec_params(kSelectMigrationApplied, migration.version).empty()) continue;
      transaction.exec(std::string(migration.sql));
      if (migration.version == kAuditChainMigration) postgres::chain_existing_audit_events(transaction);
      transaction.exec_params(kInsertMigration, migration.version, std::string(migration.name));
      transaction.commit();
      ++applied;
    }
    return applied;
  });
}

Result<void> PostgresStore::ping() {
  return pool_.run([](pqxx::connection& connection) -> Result<void> {
    pqxx::nontransaction session(connection);
    session.exec_prepared(kPing.name);
    return {};
  });
}

// ---- accounts --------------------------------------------------------------

Result<void> PostgresStore::create_user(const UserRecord& user) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::nontransaction session(connection);
    const auto inserted = postgres::insert_user(session, user);
    // ON CONFLICT (tenant_id, email_key) DO NOTHING: no row means the email is taken.
    if (inserted.affected_rows() == 0) return Error{ErrorCode::email_taken, "email already registered"};
    return {};
  });
}

Result<std::optional<UserRecord>> PostgresStore::find_user_by_email_key(std::string_view tenant_id,
                                                                         std::string_view email_key) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction session(connection);
    return first_row(session.exec_prepared(kSelectUserByEmailKey.name, owned(tenant_id), owned(email_key)),
                     postgres::read_user);
  });
}

Result<std::optional<UserRecord>> PostgresStore::find_user_by_id(const UserId& id) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction session(connection);
    return first_row(session.exec_prepared(kSelectUserById.name, id.value), postgres::read_user);
  });
}

Result<void> PostgresStore::update_password_hash(const UserId& id, std::string_view password_hash, std::int64_t now) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::nontransaction session(connection);
    const auto updated = session.exec_prepared(kUpdatePasswordHash.name, id.value, owned(password_hash), now);
    if (updated.affected_rows() == 0) return Error{ErrorCode::not_found, "no such user"};
    return {};
  });
}

// ---- sessions --------------------------------------------------------------

Result<void> PostgresStore::create_session(const SessionRecord& record) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::nontransaction session(connection);
    session.exec_prepared(kInsertSession.name, record.id.value, record.user_id.value, record.created_at,
                          record.last_active_at, record.expires_at, record.ip, record.user_agent,
                          encode_string_list(record.amr), NullableParam(record.revoked_at).get(),
                          record.revoked_reason, record.scope);
    return {};
  });
}

Result<std::optional<SessionRecord>> PostgresStore::find_session(const SessionId& id) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction session(connection);
    return first_row(session.exec_prepared(kSelectSession.name, id.value), read_session);
  });
}

Result<std::vector<SessionRecord>> PostgresStore::list_active_sessions(const UserId& user, std::int64_t now) {
  return pool_.run([&](pqxx::connection& connection) -> Result<std::vector<SessionRecord>> {
    pqxx::nontransaction session(connection);
    const auto rows = session.exec_prepared(kSelectActiveSessions.name, user.value, now);
    std::vector<SessionRecord> sessions;
    sessions.reserve(rows.size());
    for (const auto& row : rows) {
      auto record = read_session(row);
      if (!record) return record.error();
      sessions.push_back(std::move(record).value());
    }
    return sessions;
  });
}

Result<bool> PostgresStore::revoke_session(const SessionId& id, const UserId& user, std::int64_t now,
                                           std::string_view reason) {
  return pool_.run([&](pqxx::connection& connection) -> Result<bool> {
    pqxx::nontransaction session(connection);
    return session.exec_prepared(kRevokeSession.name, id.value, user.value, now, owned(reason)).affected_rows() == 1;
  });
}

Result<int> PostgresStore::revoke_all_sessions(std::int64_t now, std::string_view reason) {
  return pool_.run([&](pqxx::connection& connection) -> Result<int> {
    pqxx::nontransaction session(connection);
    return static_cast<int>(session.exec_prepared(kRevokeAllSessions.name, now, owned(reason)).affected_rows());
  });
}

Result<int> PostgresStore::revoke_user_sessions(const UserId& user, const std::optional<SessionId>& keep,
                                                std::int64_t now, std::string_view reason) {
  std::optional<std::string> kept;
  if (keep) kept = keep->value;
  return pool_.run([&](pqxx::connection& connection) -> Result<int> {
    pqxx::nontransaction session(connection);
    const auto revoked =
        session.exec_prepared(kRevokeUserSessions.name, user.value, now, owned(reason), NullableParam(kept).get());
    return static_cast<int>(revoked.affected_rows());
  });
}

Result<bool> PostgresStore::is_session_active(const SessionId& id, std::int64_t now) {
  return pool_.run([&](pqxx::connection& connection) -> Result<bool> {
    pqxx::nontransaction session(connection);
    return !session.exec_prepared(kSelectSessionActive.name, id.value, now).empty();
  });
}

Result<bool> PostgresStore::upgrade_session(const SessionId& id, std::string_view scope,
                                            const std::vector<std::string>& amr, std::int64_t now) {
  return pool_.run([&](pqxx::connection& connection) -> Result<bool> {
    pqxx::nontransaction session(connection);
    return session.exec_prepared(kUpgradeSession.name, id.value, owned(scope), encode_string_list(amr), now)
               .affected_rows() == 1;
  });
}

// ---- refresh tokens ----------------------------------------------------------

Result<void> PostgresStore::insert_refresh_token(const RefreshTokenRecord& token) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::nontransaction session(connection);
    session.exec_prepared(kInsertRefreshToken.name, token.token_hash, token.session_id.value, token.issued_at,
                          token.expires_at, NullableParam(token.used_at).get(), token.successor_hash,
                          token.successor_sealed);
    return {};
  });
}

Result<std::optional<SessionRecord>> PostgresStore::find_refresh_token_session(std::string_view token_hash,
                                                                               std::int64_t now) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction session(connection);
    return first_row(session.exec_prepared(kSelectRefreshTokenSession.name, std::string(token_hash), now), read_session);
  });
}

Result<RotationResult> PostgresStore::rotate_refresh_token(std::string_view presented_hash,
                                                           const RefreshTokenRecord& successor,
                                                           std::string_view successor_sealed, std::int64_t now,
                                                           std::int64_t grace_seconds, const ReuseAlert& reuse_alert) {
  return pool_.run([&](pqxx::connection& connection) -> Result<RotationResult> {
    pqxx::work transaction(connection);
    auto token = first_row(transaction.exec_prepared(kLockRefreshToken.name, owned(presented_hash)),
                           read_refresh_token);
    if (!token) return token.error();
    std::optional<SessionRecord> session;
    if (token->has_value()) {
      auto found = first_row(transaction.exec_prepared(kLockSession.name, (*token)->session_id.value), read_session);
      if (!found) return found.error();
      session = std::move(found).value();
    }

    const RotationResult result = plan_rotation(*token, session, now, grace_seconds);
    switch (result.outcome) {
      case RotationOutcome::reuse_detected: {
        transaction.exec_prepared(kRevokeSessionById.name, session->id.value, now, std::string(kRefreshReuseReason));
        if (reuse_alert) {
          auto user = first_row(transaction.exec_prepared(kSelectUserById.name, session->user_id.value), postgres::read_user);
          if (!user) return user.error();
          if (user->has_value()) postgres::insert_mail(transaction, reuse_alert(**user, *session));
        }
        transaction.commit();
        return result;
      }
      case RotationOutcome::rotated:
        break;
      default:
        return result;  // nothing to write
    }

    const RefreshTokenRecord next = successor_in_session(successor, *session);
    const auto marked = transaction.exec_prepared(kRotateRefreshToken.name, owned(presented_hash), now,
                                                  next.token_hash, owned(successor_sealed), next.issued_at,
                                                  next.expires_at, next.successor_hash, next.successor_sealed);
    if (marked[0][0].as<int>() != 1) {
      return Error{ErrorCode::internal_error, "refresh token changed under its row lock"};
    }
    transaction.commit();
    return result;
  });
}

// ---- lockout -----------------------------------------------------------------

Result<LockoutState> PostgresStore::record_login_failure(std::string_view key, std::int64_t now,
                                                         const LockoutPolicy& policy, std::string_view account_key) {
  const std::string owned_key(key);
  const std::string owned_account(account_key.empty() ? key : account_key);
  return pool_.run([&](pqxx::connection& connection) -> Result<LockoutState> {
    pqxx::work transaction(connection);
    transaction.exec_prepared(kEnsureLoginFailureRow.name, owned_key, owned_account);
    auto current = first_row(transaction.exec_prepared(kLockLoginFailure.name, owned_key), read_login_failure);
    if (!current) return current.error();
    const LoginFailureRow next = next_login_failure(*current, now, policy);
    transaction.exec_prepared(kUpdateLoginFailure.name, owned_key, next.failures, next.window_ends_at,
                              NullableParam(next.locked_until).get());
    transaction.commit();
    return lockout_state_at(next, now);
  });
}

Result<LockoutState> PostgresStore::lockout_state(std::string_view key, std::int64_t now) {
  return pool_.run([&](pqxx::connection& connection) -> Result<LockoutState> {
    pqxx::nontransaction session(connection);
    auto row = first_row(session.exec_prepared(kSelectLoginFailure.name, owned(key)), read_login_failure);
    if (!row) return row.error();
    return lockout_state_at(*row, now);
  });
}

Result<void> PostgresStore::clear_login_failures(std::string_view key) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::nontransaction session(connection);
    session.exec_prepared(kDeleteLoginFailures.name, owned(key));
    return {};
  });
}

// ---- MFA -------------------------------------------------------------------

Result<std::optional<TotpCredentialRecord>> PostgresStore::find_totp_credential(const UserId& user) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction session(connection);
    return first_row(session.exec_prepared(kSelectTotpCredential.name, user.value), read_totp_credential);
  });
}

Result<bool> PostgresStore::save_pending_totp(const TotpCredentialRecord& pending) {
  return pool_.run([&](pqxx::connection& connection) -> Result<bool> {
    pqxx::nontransaction session(connection);
    return session.exec_prepared(kUpsertPendingTotp.name, pending.user_id.value, pending.secret_sealed,
                                 pending.created_at).affected_rows() == 1;
  });
}

Result<bool> PostgresStore::confirm_totp(const UserId& user, std::string_view secret_sealed, std::int64_t step,
                                         std::int64_t now, const std::vector<BackupCodeRecord>& codes,
                                         const MailRecord& alert) {
  return pool_.run([&](pqxx::connection& connection) -> Result<bool> {
    pqxx::work transaction(connection);
    if (transaction.exec_prepared(kConfirmTotp.name, user.value, owned(secret_sealed), now, step).affected_rows() != 1) {
      return false;  // rolled back
    }
    insert_backup_codes(transaction, user, codes);
    postgres::insert_mail(transaction, alert);
    transaction.commit();
    return true;
  });
}

Result<bool> PostgresStore::advance_totp_step(const UserId& user, std::int64_t step) {
  return pool_.run([&](pqxx::connection& connection) -> Result<bool> {
    pqxx::nontransaction session(connection);
    return session.exec_prepared(kAdvanceTotpStep.name, user.value, step).affected_rows() == 1;
  });
}

Result<bool> PostgresStore::delete_totp(const UserId& user, const MailRecord& alert) {
  return pool_.run([&](pqxx::connection& connection) -> Result<bool> {
    pqxx::work transaction(connection);
    if (transaction.exec_prepared(kDeleteTotpCredential.name, user.value).affected_rows() != 1) return false;
    transaction.exec_prepared(kDeleteBackupCodes.name, user.value);
    postgres::insert_mail(transaction, alert);
    transaction.commit();
    return true;
  });
}

Result<std::vector<BackupCodeRecord>> PostgresStore::find_backup_codes(const UserId& user, std::string_view lookup) {
  return pool_.run([&](pqxx::connection& connection) -> Result<std::vector<BackupCodeRecord>> {
    pqxx::nontransaction session(connection);
    const auto rows = session.exec_prepared(kSelectBackupCodes.name, user.value, owned(lookup));
    std::vector<BackupCodeRecord> codes;
    codes.reserve(rows.size());
    for (const auto& row : rows) codes.push_back(read_backup_code(row));
    return codes;
  });
}

Result<bool> PostgresStore::consume_backup_code(std::string_view id, std::int64_t now) {
  return pool_.run([&](pqxx::connection& connection) -> Result<bool> {
    pqxx::nontransaction session(connection);
    return session.exec_prepared(kConsumeBackupCode.name, owned(id), now).affected_rows() == 1;
  });
}

Result<int> PostgresStore::count_unused_backup_codes(const UserId& user) {
  return pool_.run([&](pqxx::connection& connection) -> Result<int> {
    pqxx::nontransaction session(connection);
    return session.exec_prepared(kCountUnusedBackupCodes.name, user.value)[0][0].as<int>();
  });
}

Result<void> PostgresStore::replace_backup_codes(const UserId& user, const std::vector<BackupCodeRecord>& codes) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::work transaction(connection);
    insert_backup_codes(transaction, user, codes);
    transaction.commit();
    return {};
  });
}

Result<void> PostgresStore::create_mfa_challenge(const MfaChallengeRecord& challenge) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::nontransaction session(connection);
    session.exec_prepared(kDeleteStaleMfaChallenges.name, challenge.created_at);
    session.exec_prepared(kInsertMfaChallenge.name, challenge.token_hash, challenge.user_id.value,
                          challenge.created_at, challenge.expires_at, challenge.attempts,
                          NullableParam(challenge.used_at).get());
    return {};
  });
}

Result<std::optional<MfaChallengeRecord>> PostgresStore::count_mfa_attempt(std::string_view token_hash,
                                                                           std::int64_t now, int max_attempts) {
  return pool_.run([&](pqxx::connection& connection) {
    pqxx::nontransaction session(connection);
    return first_row(session.exec_prepared(kCountMfaAttempt.name, owned(token_hash), now, max_attempts),
                     read_mfa_challenge);
  });
}

Result<bool> PostgresStore::complete_mfa_challenge(std::string_view token_hash, std::int64_t now) {
  return pool_.run([&](pqxx::connection& connection) -> Result<bool> {
    pqxx::nontransaction session(connection);
    return session.exec_prepared(kCompleteMfaChallenge.name, owned(token_hash), now).affected_rows() == 1;
  });
}

}  // namespace sesame::server
