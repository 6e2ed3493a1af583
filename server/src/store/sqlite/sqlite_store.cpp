#include "store/sqlite/sqlite_store.hpp"

#include <algorithm>
#include <utility>

#include "store/json_columns.hpp"
#include "store/migrations.hpp"
#include "store/sqlite/sqlite_audit_chain.hpp"
#include "store/sqlite/sqlite_outbox.hpp"
#include "store/sqlite/sqlite_users.hpp"
#include "store/store_rules.hpp"

namespace sesame::server {

namespace {

using sqlite::Connection;
using sqlite::ImmediateTransaction;
using sqlite::Statement;

// ---- SQL -------------------------------------------------------------------

constexpr char kCreateSchemaMigrations[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY,"
    " name TEXT NOT NULL,"
    " applied_at INTEGER NOT NULL)";
constexpr char kSelectMigrationApplied[] = "SELECT 1 FROM schema_migrations WHERE version = ?1";
constexpr char kInsertMigration[] =
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, CAST(strftime('%s', 'now') AS INTEGER))";
constexpr char kPing[] = "SELECT 1";
constexpr std::string_view kForeignKeysOffMarker = "-- sesame:foreign_keys_off";
constexpr char kForeignKeysOff[] = "PRAGMA foreign_keys = OFF";
constexpr char kForeignKeysOn[] = "PRAGMA foreign_keys = ON";
constexpr char kForeignKeyCheck[] = "PRAGMA foreign_key_check";

constexpr char kSelectUserByEmailKey[] =
    "SELECT " SESAME_SQLITE_USER_COLUMNS " FROM users WHERE tenant_id = ?1 AND email_key = ?2";
constexpr char kSelectUserById[] = "SELECT " SESAME_SQLITE_USER_COLUMNS " FROM users WHERE id = ?1";
constexpr char kUpdatePasswordHash[] = "UPDATE users SET password_hash = ?2, updated_at = ?3 WHERE id = ?1";

constexpr char kInsertSession[] =
    "INSERT INTO sessions (id, user_id, created_at, last_active_at, expires_at, ip, user_agent, amr, revoked_at,"
    " revoked_reason, scope) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)";
constexpr char kSelectSession[] =
    "SELECT id, user_id, created_at, last_active_at, expires_at, ip, user_agent, amr, revoked_at, revoked_reason, scope"
    " FROM sessions WHERE id = ?1";
constexpr char kSelectRefreshTokenSession[] =
    "SELECT s.id, s.user_id, s.created_at, s.last_active_at, s.expires_at, s.ip, s.user_agent, s.amr,"
    " s.revoked_at, s.revoked_reason, s.scope FROM refresh_tokens t JOIN sessions s ON s.id = t.session_id"
    " WHERE t.token_hash = ?1 AND s.revoked_at IS NULL AND s.expires_at > ?2";
constexpr char kSelectActiveSessions[] =
    "SELECT id, user_id, created_at, last_active_at, expires_at, ip, user_agent, amr, revoked_at, revoked_reason, scope"
    " FROM sessions WHERE user_id = ?1 AND revoked_at IS NULL AND expires_at > ?2"
    " ORDER BY created_at DESC, id DESC";
constexpr char kRevokeSession[] =
    "UPDATE sessions SET revoked_at = ?3, revoked_reason = ?4"
    " WHERE id = ?1 AND user_id = ?2 AND revoked_at IS NULL AND expires_at > ?3";
// ?4 is NULL when no session is kept (IS NOT: NULL-safe inequality).
constexpr char kRevokeUserSessions[] =
    "UPDATE sessions SET revoked_at = ?2, revoked_reason = ?3"
    " WHERE user_id = ?1 AND revoked_at IS NULL AND expires_at > ?2 AND id IS NOT ?4";
constexpr char kRevokeAllSessions[] =
    "UPDATE sessions SET revoked_at = ?1, revoked_reason = ?2 WHERE revoked_at IS NULL AND expires_at > ?1";
constexpr char kSelectSessionActive[] =
    "SELECT 1 FROM sessions WHERE id = ?1 AND revoked_at IS NULL AND expires_at > ?2";
constexpr char kTouchSession[] = "UPDATE sessions SET last_active_at = max(last_active_at, ?2) WHERE id = ?1";
constexpr char kUpgradeSession[] =
    "UPDATE sessions SET scope = ?2, amr = ?3 WHERE id = ?1 AND revoked_at IS NULL AND expires_at > ?4";
constexpr char kRevokeSessionById[] =
    "UPDATE sessions SET revoked_at = ?2, revoked_reason = ?3 WHERE id = ?1 AND revoked_at IS NULL";

constexpr char kInsertRefreshToken[] =
    "INSERT INTO refresh_tokens (token_hash, session_id, issued_at, expires_at, used_at, successor_hash,"
    " successor_sealed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)";
constexpr char kSelectRefreshToken[] =
    "SELECT token_hash, session_id, issued_at, expires_at, used_at, successor_hash, successor_sealed"
    " FROM refresh_tokens WHERE token_hash = ?1";
constexpr char kMarkRefreshTokenUsed[] =
    "UPDATE refresh_tokens SET used_at = ?2, successor_hash = ?3, successor_sealed = ?4"
    " WHERE token_hash = ?1 AND used_at IS NULL";

constexpr char kSelectLoginFailure[] =
    "SELECT failures, window_ends_at, locked_until FROM login_failures WHERE key = ?1";
constexpr char kUpsertLoginFailure[] =
    "INSERT INTO login_failures (key, failures, window_ends_at, locked_until, account_key)"
    " VALUES (?1, ?2, ?3, ?4, ?5)"
    " ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, window_ends_at = excluded.window_ends_at,"
    " locked_until = excluded.locked_until";
constexpr char kDeleteLoginFailures[] = "DELETE FROM login_failures WHERE key = ?1 OR account_key = ?1";

constexpr char kSelectTotpCredential[] =
    "SELECT user_id, secret_sealed, confirmed_at, last_accepted_step, created_at FROM totp_credentials"
    " WHERE user_id = ?1";
// A confirmed credential is never replaced by a setup: the WHERE leaves it be.
constexpr char kUpsertPendingTotp[] =
    "INSERT INTO totp_credentials (user_id, secret_sealed, confirmed_at, last_accepted_step, created_at)"
    " VALUES (?1, ?2, NULL, NULL, ?3) ON CONFLICT (user_id) DO UPDATE SET secret_sealed = excluded.secret_sealed,"
    " created_at = excluded.created_at WHERE totp_credentials.confirmed_at IS NULL";
constexpr char kConfirmTotp[] =
    "UPDATE totp_credentials SET confirmed_at = ?3, last_accepted_step = ?4"
    " WHERE user_id = ?1 AND secret_sealed = ?2 AND confirmed_at IS NULL";
constexpr char kAdvanceTotpStep[] =
    "UPDATE totp_credentials SET last_accepted_step = ?2 WHERE user_id = ?1 AND confirmed_at IS NOT NULL"
    " AND (last_accepted_step IS NULL OR last_accepted_step < ?2)";
constexpr char kDeleteTotpCredential[] = "DELETE FROM totp_credentials WHERE user_id = ?1";
constexpr char kSelectBackupCodes[] =
    "SELECT id, user_id, lookup, code_hash, created_at, used_at FROM backup_codes"
    " WHERE user_id = ?1 AND lookup = ?2 AND used_at IS NULL";
constexpr char kConsumeBackupCode[] = "UPDATE backup_codes SET used_at = ?2 WHERE id = ?1 AND used_at IS NULL";
constexpr char kCountUnusedBackupCodes[] = "SELECT count(*) FROM backup_codes WHERE user_id = ?1 AND used_at IS NULL";
constexpr char kDeleteBackupCodes[] = "DELETE FROM backup_codes WHERE user_id = ?1";
constexpr char kInsertBackupCode[] =
    "INSERT INTO backup_codes (id, user_id, lookup, code_hash, created_at, used_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr char kInsertMfaChallenge[] =
    "INSERT INTO mfa_challenges (token_hash, user_id, created_at, expires_at, attempts, used_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)";
constexpr char kCountMfaAttempt[] =
    "UPDATE mfa_challenges SET attempts = attempts + 1"
    " WHERE token_hash = ?1 AND used_at IS NULL AND expires_at > ?2 AND attempts < ?3"
    " RETURNING token_hash, user_id, created_at, expires_at, attempts, used_at";
constexpr char kCompleteMfaChallenge[] =
    "UPDATE mfa_challenges SET used_at = ?2 WHERE token_hash = ?1 AND used_at IS NULL";
// Challenges are short-lived; spent and expired ones are swept as new ones are made.
constexpr char kDeleteStaleMfaChallenges[] = "DELETE FROM mfa_challenges WHERE expires_at <= ?1";


// ---- rows ------------------------------------------------------------------

Result<SessionRecord> read_session(const Statement& row) {
  SessionRecord session;
  session.id.value = row.text(0);
  session.user_id.value = row.text(1);
  session.created_at = row.integer(2);
  session.last_active_at = row.integer(3);
  session.expires_at = row.integer(4);
  session.ip = row.text(5);
  session.user_agent = row.text(6);
  auto amr = decode_string_list(row.text(7));
  if (!amr) return amr.error();
  session.amr = std::move(amr).value();
  session.revoked_at = row.optional_integer(8);
  session.revoked_reason = row.text(9);
  session.scope = row.text(10);
  return session;
}

RefreshTokenRecord read_refresh_token(const Statement& row) {
  RefreshTokenRecord token;
  token.token_hash = row.text(0);
  token.session_id.value = row.text(1);
  token.issued_at = row.integer(2);
  token.expires_at = row.integer(3);
  token.used_at = row.optional_integer(4);
  token.successor_hash = row.text(5);
  token.successor_sealed = row.text(6);
  return token;
}

TotpCredentialRecord read_totp_credential(const Statement& row) {
  TotpCredentialRecord credential;
  credential.user_id.value = row.text(0);
  credential.secret_sealed = row.text(1);
  credential.confirmed_at = row.optional_integer(2);
  credential.last_accepted_step = row.optional_integer(3);
  credential.created_at = row.integer(4);
  return credential;
}

BackupCodeRecord read_backup_code(const Statement& row) {
  BackupCodeRecord code;
  code.id = row.text(0);
  code.user_id.value = row.text(1);
  code.lookup = row.text(2);
  code.code_hash = row.text(3);
  code.created_at = row.integer(4);
  code.used_at = row.optional_integer(5);
  return code;
}

MfaChallengeRecord read_mfa_challenge(const Statement& row) {
  MfaChallengeRecord challenge;
  challenge.token_hash = row.text(0);
  challenge.user_id.value = row.text(1);
  challenge.created_at = row.integer(2);
  challenge.expires_at = row.integer(3);
  challenge.attempts = static_cast<int>(row.integer(4));
  challenge.used_at = row.optional_integer(5);
  return challenge;
}

Result<void> insert_backup_codes(Connection& connection, const UserId& user,
                                 const std::vector<BackupCodeRecord>& codes) {
  if (auto deleted = connection.run(kDeleteBackupCodes, user.value); !deleted) return deleted.error();
  for (const auto& code : codes) {
    auto inserted = connection.run(kInsertBackupCode, code.id, user.value, code.lookup, code.code_hash,
                                   code.created_at, code.used_at);
    if (!inserted) return inserted.error();
  }
  return {};
}

template <class T>
struct ResultValue { using type = T; };
template <class T>
struct ResultValue<Result<T>> { using type = T; };

// Runs a query expected to return at most one row and reads it with `read`
// (which returns a value or a Result of one).
template <class Read, class... Args>
auto find_one(Connection& connection, const char* sql, Read read, const Args&... args)
    -> Result<std::optional<typename ResultValue<decltype(read(std::declval<const Statement&>()))>::type>> {
  using Value = typename ResultValue<decltype(read(std::declval<const Statement&>()))>::type;
  auto stmt = connection.query(sql, args...);
  if (!stmt) return stmt.error();
  auto has_row = stmt->step();
  if (!has_row) return has_row.error();
  if (!*has_row) return std::optional<Value>{};
  Result<Value> value = read(*stmt);
  if (!value) return value.error();
  return std::optional<Value>(std::move(value).value());
}

Result<std::optional<LoginFailureRow>> find_login_failure(Connection& connection, std::string_view key) {
  return find_one(connection, kSelectLoginFailure, [](const Statement& row) {
    return LoginFailureRow{static_cast<int>(row.integer(0)), row.integer(1), row.optional_integer(2)};
  }, key);
}

}  // namespace

namespace sqlite {

constexpr char kInsertUser[] =
    "INSERT INTO users (" SESAME_SQLITE_USER_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)"
    " ON CONFLICT (tenant_id, email_key) DO NOTHING";

Result<UserRecord> read_user(const Statement& row) {
  UserRecord user;
  user.id.value = row.text(0);
  user.email = row.text(1);
  user.email_key = row.text(2);
  user.name = row.text(3);
  user.tenant_id = row.text(4);
  auto roles = decode_string_list(row.text(5));
  if (!roles) return roles.error();
  user.roles = std::move(roles).value();
  user.password_hash = row.text(6);
  user.email_verified = row.integer(7) != 0;
  user.disabled = row.integer(8) != 0;
  user.created_at = row.integer(9);
  user.updated_at = row.integer(10);
  user.password_must_change = row.integer(11) != 0;
  return user;
}

Result<int> insert_user(Connection& connection, const UserRecord& user) {
  return connection.run(kInsertUser, user.id.value, user.email, user.email_key, user.name, user.tenant_id,
                        encode_string_list(user.roles), user.password_hash, user.email_verified, user.disabled,
                        user.created_at, user.updated_at, user.password_must_change);
}

}  // namespace sqlite

SqliteStore::SqliteStore(const std::string& path, const SqliteOptions& options)
    : pool_(path, options.connections, options.busy_timeout) {}

Result<std::unique_ptr<SqliteStore>> SqliteStore::open(const std::string& path, const SqliteOptions& options) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(path, options));
  // Open one connection now, so a bad path fails here and not on first use.
  if (auto lease = store->pool_.acquire(); !lease) return lease.error();
  return store;
}

// ---- migrations ------------------------------------------------------------

Result<int> SqliteStore::migrate() {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  int applied = 0;
  for (const Migration& migration : sqlite_migrations()) {
    // A migration that rebuilds a referenced table runs with foreign keys off
    // (they cannot change inside a transaction) and checks them before commit.
    const bool rebuilds = migration.sql.find(kForeignKeysOffMarker) != std::string_view::npos;
    if (rebuilds) {
      if (auto off = connection.execute(kForeignKeysOff); !off) return off.error();
    }
    struct ForeignKeysBackOn {
      Connection& connection;
      bool active;
      ~ForeignKeysBackOn() {
        if (active) (void)connection.execute(kForeignKeysOn);
      }
    } back_on{connection, rebuilds};
    // One transaction per migration, holding the write lock: a second process
    // waits, then finds the version recorded and skips it.
    ImmediateTransaction transaction(connection);
    if (auto begun = transaction.begin(); !begun) return begun.error();
    if (auto created = connection.execute(kCreateSchemaMigrations); !created) return created.error();
    auto recorded = find_one(connection, kSelectMigrationApplied, [](const Statement&) { return true; },
                             migration.version);
    if (!recorded) return recorded.error();
    if (recorded->has_value()) continue;
    if (auto ran = connection.execute(std::string(migration.sql)); !ran) return ran.error();
    if (migration.version == kAuditChainMigration) {
      if (auto chained = sqlite::chain_existing_audit_events(connection); !chained) return chained.error();
    }
    if (rebuilds) {
      auto dangling = find_one(connection, kForeignKeyCheck, [](const Statement& row) { return row.text(0); });
      if (!dangling) return dangling.error();
      if (dangling->has_value()) {
        return Error{ErrorCode::internal_error, "migration " + std::string(migration.name) +
                                                    " left a dangling foreign key in " + **dangling};
      }
    }
    if (auto noted = connection.run(kInsertMigration, migration.version, migration.name); !noted) return noted.error();
    if (auto committed = transaction.commit(); !committed) return committed.error();
    ++applied;
  }
  return applied;
}

Result<void> SqliteStore::ping() {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto answered = find_one(**lease, kPing, [](const Statement&) { return true; });
  if (!answered) return answered.error();
  return {};
}

// ---- accounts --------------------------------------------------------------

Result<void> SqliteStore::create_user(const UserRecord& user) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto inserted = sqlite::insert_user(**lease, user);
  if (!inserted) return inserted.error();
  // ON CONFLICT (tenant_id, email_key) DO NOTHING: no row means the email is taken.
  if (*inserted == 0) return Error{ErrorCode::email_taken, "email already registered"};
  return {};
}

Result<std::optional<UserRecord>> SqliteStore::find_user_by_email_key(std::string_view tenant_id,
                                                                       std::string_view email_key) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  return find_one(**lease, kSelectUserByEmailKey, sqlite::read_user, tenant_id, email_key);
}

Result<std::optional<UserRecord>> SqliteStore::find_user_by_id(const UserId& id) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  return find_one(**lease, kSelectUserById, sqlite::read_user, id.value);
}

Result<void> SqliteStore::update_password_hash(const UserId& id, std::string_view password_hash, std::int64_t now) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto updated = (*lease)->run(kUpdatePasswordHash, id.value, password_hash, now);
  if (!updated) return updated.error();
  if (*updated == 0) return Error{ErrorCode::not_found, "no such user"};
  return {};
}

// ---- sessions --------------------------------------------------------------

Result<void> SqliteStore::create_session(const SessionRecord& session) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto inserted = (*lease)->run(kInsertSession, session.id.value, session.user_id.value, session.created_at,
                                session.last_active_at, session.expires_at, session.ip, session.user_agent,
                                encode_string_list(session.amr), session.revoked_at, session.revoked_reason,
                                session.scope);
  if (!inserted) return inserted.error();
  return {};
}

Result<std::optional<SessionRecord>> SqliteStore::find_session(const SessionId& id) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  return find_one(**lease, kSelectSession, read_session, id.value);
}

Result<std::vector<SessionRecord>> SqliteStore::list_active_sessions(const UserId& user, std::int64_t now) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto stmt = (*lease)->query(kSelectActiveSessions, user.value, now);
  if (!stmt) return stmt.error();
  std::vector<SessionRecord> sessions;
  for (;;) {
    auto has_row = stmt->step();
    if (!has_row) return has_row.error();
    if (!*has_row) break;
    auto session = read_session(*stmt);
    if (!session) return session.error();
    sessions.push_back(std::move(session).value());
  }
  return sessions;
}

Result<bool> SqliteStore::revoke_session(const SessionId& id, const UserId& user, std::int64_t now,
                                         std::string_view reason) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto revoked = (*lease)->run(kRevokeSession, id.value, user.value, now, reason);
  if (!revoked) return revoked.error();
  return *revoked == 1;
}

Result<int> SqliteStore::revoke_all_sessions(std::int64_t now, std::string_view reason) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  return (*lease)->run(kRevokeAllSessions, now, reason);
}

Result<int> SqliteStore::revoke_user_sessions(const UserId& user, const std::optional<SessionId>& keep,
                                              std::int64_t now, std::string_view reason) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  std::optional<std::string> kept;
  if (keep) kept = keep->value;
  return (*lease)->run(kRevokeUserSessions, user.value, now, reason, kept);
}

Result<bool> SqliteStore::is_session_active(const SessionId& id, std::int64_t now) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto found = find_one(**lease, kSelectSessionActive, [](const Statement&) { return true; }, id.value, now);
  if (!found) return found.error();
  return found->has_value();
}

Result<bool> SqliteStore::upgrade_session(const SessionId& id, std::string_view scope,
                                          const std::vector<std::string>& amr, std::int64_t now) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto upgraded = (*lease)->run(kUpgradeSession, id.value, scope, encode_string_list(amr), now);
  if (!upgraded) return upgraded.error();
  return *upgraded == 1;
}

// ---- refresh tokens ----------------------------------------------------------

Result<void> SqliteStore::insert_refresh_token(const RefreshTokenRecord& token) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto inserted = (*lease)->run(kInsertRefreshToken, token.token_hash, token.session_id.value, token.issued_at,
                                token.expires_at, token.used_at, token.successor_hash, token.successor_sealed);
  if (!inserted) return inserted.error();
  return {};
}

Result<std::optional<SessionRecord>> SqliteStore::find_refresh_token_session(std::string_view token_hash,
                                                                             std::int64_t now) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  return find_one(**lease, kSelectRefreshTokenSession, read_session, token_hash, now);
}

Result<RotationResult> SqliteStore::rotate_refresh_token(std::string_view presented_hash,
                                                         const RefreshTokenRecord& successor,
                                                         std::string_view successor_sealed, std::int64_t now,
                                                         std::int64_t grace_seconds, const ReuseAlert& reuse_alert) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  // Write lock first: of concurrent rotations of one token, the first marks it
  // used and every later one reads it as used.
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();

  auto token = find_one(connection, kSelectRefreshToken, read_refresh_token, presented_hash);
  if (!token) return token.error();
  std::optional<SessionRecord> session;
  if (token->has_value()) {
    auto found = find_one(connection, kSelectSession, read_session, (*token)->session_id.value);
    if (!found) return found.error();
    session = std::move(found).value();
  }

  const RotationResult result = plan_rotation(*token, session, now, grace_seconds);
  switch (result.outcome) {
    case RotationOutcome::reuse_detected: {
      auto revoked = connection.run(kRevokeSessionById, session->id.value, now, kRefreshReuseReason);
      if (!revoked) return revoked.error();
      if (reuse_alert) {
        auto user = find_one(connection, kSelectUserById, sqlite::read_user, session->user_id.value);
        if (!user) return user.error();
        if (user->has_value()) {
          if (auto queued = sqlite::insert_mail(connection, reuse_alert(**user, *session)); !queued) {
            return queued.error();
          }
        }
      }
      if (auto committed = transaction.commit(); !committed) return committed.error();
      return result;
    }
    case RotationOutcome::rotated:
      break;
    default:
      return result;  // nothing to write
  }

  const RefreshTokenRecord next = successor_in_session(successor, *session);
  auto marked = connection.run(kMarkRefreshTokenUsed, presented_hash, now, next.token_hash, successor_sealed);
  if (!marked) return marked.error();
  if (*marked != 1) return Error{ErrorCode::internal_error, "refresh token changed under the write lock"};
  auto inserted = connection.run(kInsertRefreshToken, next.token_hash, next.session_id.value, next.issued_at,
                                 next.expires_at, next.used_at, next.successor_hash, next.successor_sealed);
  if (!inserted) return inserted.error();
  auto touched = connection.run(kTouchSession, session->id.value, now);
  if (!touched) return touched.error();
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return result;
}

// ---- lockout -----------------------------------------------------------------

Result<LockoutState> SqliteStore::record_login_failure(std::string_view key, std::int64_t now,
                                                       const LockoutPolicy& policy, std::string_view account_key) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  auto current = find_login_failure(connection, key);
  if (!current) return current.error();
  const LoginFailureRow next = next_login_failure(*current, now, policy);
  auto stored = connection.run(kUpsertLoginFailure, key, next.failures, next.window_ends_at, next.locked_until,
                               account_key.empty() ? key : account_key);
  if (!stored) return stored.error();
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return lockout_state_at(next, now);
}

Result<LockoutState> SqliteStore::lockout_state(std::string_view key, std::int64_t now) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto row = find_login_failure(**lease, key);
  if (!row) return row.error();
  return lockout_state_at(*row, now);
}

Result<void> SqliteStore::clear_login_failures(std::string_view key) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto deleted = (*lease)->run(kDeleteLoginFailures, key);
  if (!deleted) return deleted.error();
  return {};
}

// ---- MFA -------------------------------------------------------------------

Result<std::optional<TotpCredentialRecord>> SqliteStore::find_totp_credential(const UserId& user) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  return find_one(**lease, kSelectTotpCredential, read_totp_credential, user.value);
}

Result<bool> SqliteStore::save_pending_totp(const TotpCredentialRecord& pending) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto saved = (*lease)->run(kUpsertPendingTotp, pending.user_id.value, pending.secret_sealed, pending.created_at);
  if (!saved) return saved.error();
  return *saved == 1;
}

Result<bool> SqliteStore::confirm_totp(const UserId& user, std::string_view secret_sealed, std::int64_t step,
                                       std::int64_t now, const std::vector<BackupCodeRecord>& codes,
                                       const MailRecord& alert) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  auto confirmed = connection.run(kConfirmTotp, user.value, secret_sealed, now, step);
  if (!confirmed) return confirmed.error();
  if (*confirmed != 1) return false;  // rolled back
  if (auto stored = insert_backup_codes(connection, user, codes); !stored) return stored.error();
  if (auto queued = sqlite::insert_mail(connection, alert); !queued) return queued.error();
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return true;
}

Result<bool> SqliteStore::advance_totp_step(const UserId& user, std::int64_t step) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto advanced = (*lease)->run(kAdvanceTotpStep, user.value, step);
  if (!advanced) return advanced.error();
  return *advanced == 1;
}

Result<bool> SqliteStore::delete_totp(const UserId& user, const MailRecord& alert) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  auto deleted = connection.run(kDeleteTotpCredential, user.value);
  if (!deleted) return deleted.error();
  if (*deleted != 1) return false;  // rolled back
  if (auto codes = connection.run(kDeleteBackupCodes, user.value); !codes) return codes.error();
  if (auto queued = sqlite::insert_mail(connection, alert); !queued) return queued.error();
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return true;
}

Result<std::vector<BackupCodeRecord>> SqliteStore::find_backup_codes(const UserId& user, std::string_view lookup) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto stmt = (*lease)->query(kSelectBackupCodes, user.value, lookup);
  if (!stmt) return stmt.error();
  std::vector<BackupCodeRecord> codes;
  for (;;) {
    auto has_row = stmt->step();
    if (!has_row) return has_row.error();
    if (!*has_row) break;
    codes.push_back(read_backup_code(*stmt));
  }
  return codes;
}

Result<bool> SqliteStore::consume_backup_code(std::string_view id, std::int64_t now) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto consumed = (*lease)->run(kConsumeBackupCode, id, now);
  if (!consumed) return consumed.error();
  return *consumed == 1;
}

Result<int> SqliteStore::count_unused_backup_codes(const UserId& user) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto count = find_one(**lease, kCountUnusedBackupCodes,
                        [](const Statement& row) { return static_cast<int>(row.integer(0)); }, user.value);
  if (!count) return count.error();
  return count->value_or(0);
}

Result<void> SqliteStore::replace_backup_codes(const UserId& user, const std::vector<BackupCodeRecord>& codes) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  if (auto stored = insert_backup_codes(connection, user, codes); !stored) return stored.error();
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return {};
}

Result<void> SqliteStore::create_mfa_challenge(const MfaChallengeRecord& challenge) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  if (auto swept = (*lease)->run(kDeleteStaleMfaChallenges, challenge.created_at); !swept) return swept.error();
  auto inserted = (*lease)->run(kInsertMfaChallenge, challenge.token_hash, challenge.user_id.value,
                                challenge.created_at, challenge.expires_at, challenge.attempts, challenge.used_at);
  if (!inserted) return inserted.error();
  return {};
}

Result<std::optional<MfaChallengeRecord>> SqliteStore::count_mfa_attempt(std::string_view token_hash,
                                                                         std::int64_t now, int max_attempts) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  return find_one(**lease, kCountMfaAttempt, read_mfa_challenge, token_hash, now, max_attempts);
}

Result<bool> SqliteStore::complete_mfa_challenge(std::string_view token_hash, std::int64_t now) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto completed = (*lease)->run(kCompleteMfaChallenge, token_hash, now);
  if (!completed) return completed.error();
  return *completed == 1;
}

}  // namespace sesame::server
