// SqliteStore: the mail outbox and the account tokens (email verification,
// password reset). Every write that sends mail writes it in its own
// transaction (BEGIN IMMEDIATE), so a change never happens without its mail.
#include <algorithm>
#include <utility>

#include "store/json_columns.hpp"
#include "store/sqlite/sqlite_outbox.hpp"
#include "store/sqlite/sqlite_users.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace sesame::server {

namespace {

using sqlite::Connection;
using sqlite::ImmediateTransaction;
using sqlite::Statement;

constexpr char kInsertMail[] =
    "INSERT INTO mail_outbox (id, kind, to_address, to_key, user_id, subject, text_body, html_body, created_at,"
    " attempts, next_attempt_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 0, ?10)";
constexpr char kSelectDueMail[] =
    "SELECT id, kind, to_address, to_key, user_id, subject, text_body, html_body, created_at, attempts,"
    " next_attempt_at, sent_at, failed_at, last_error FROM mail_outbox"
    " WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?1 AND claimed_until <= ?1"
    " ORDER BY next_attempt_at, seq LIMIT ?2";
// The claim re-checks the row under the write lock: a second process that read
// the same row before this transaction began claims nothing.
constexpr char kClaimMail[] =
    "UPDATE mail_outbox SET claimed_until = ?2 WHERE id = ?1 AND sent_at IS NULL AND failed_at IS NULL"
    " AND claimed_until <= ?3";
constexpr char kMarkMailSent[] =
    "UPDATE mail_outbox SET sent_at = ?2, claimed_until = 0, attempts = attempts + 1, last_error = '',"
    " text_body = CASE WHEN ?3 THEN text_body ELSE '' END, html_body = CASE WHEN ?3 THEN html_body ELSE '' END"
    " WHERE id = ?1";
constexpr char kRecordMailFailure[] =
    "UPDATE mail_outbox SET attempts = attempts + 1, last_error = ?3, claimed_until = 0,"
    " next_attempt_at = COALESCE(?4, next_attempt_at), failed_at = CASE WHEN ?4 IS NULL THEN ?2 ELSE NULL END"
    " WHERE id = ?1";
constexpr char kSelectMailTo[] =
    "SELECT id, kind, to_address, to_key, user_id, subject, text_body, html_body, created_at, attempts,"
    " next_attempt_at, sent_at, failed_at, last_error FROM mail_outbox WHERE to_key = ?1"
    " ORDER BY seq LIMIT ?2";

constexpr char kInsertAccountToken[] =
    "INSERT INTO account_tokens (token_hash, purpose, user_id, email_key, created_at, expires_at, used_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)";
constexpr char kVoidAccountTokens[] =
    "DELETE FROM account_tokens WHERE user_id = ?1 AND purpose = ?2 AND used_at IS NULL";
constexpr char kSelectAccountToken[] =
    "SELECT token_hash, purpose, user_id, email_key, created_at, expires_at, used_at FROM account_tokens"
    " WHERE token_hash = ?1";
// Single use: of concurrent uses of one token, one changes the row.
constexpr char kUseAccountToken[] =
    "UPDATE account_tokens SET used_at = ?3 WHERE token_hash = ?1 AND purpose = ?2 AND used_at IS NULL"
    " AND expires_at > ?3 AND (?4 IS NULL OR user_id = ?4)";
constexpr char kUseOtherResetTokens[] =
    "UPDATE account_tokens SET used_at = ?2 WHERE user_id = ?1 AND purpose = 'password_reset' AND used_at IS NULL";
constexpr char kSetEmailVerified[] =
    "UPDATE users SET email_verified = 1, updated_at = ?3 WHERE id = ?1 AND email_key = ?2";
constexpr char kCountMailRequests[] =
    "SELECT count(*) FROM mail_requests WHERE budget_key = ?1 AND created_at > ?2";
constexpr char kInsertMailRequest[] = "INSERT INTO mail_requests (budget_key, created_at) VALUES (?1, ?2)";
constexpr char kPruneMailRequests[] = "DELETE FROM mail_requests WHERE created_at <= ?1";

constexpr char kUpdatePasswordHash[] =
    "UPDATE users SET password_hash = ?2, password_must_change = 0, updated_at = ?3 WHERE id = ?1";
constexpr char kRevokeUserSessions[] =
    "UPDATE sessions SET revoked_at = ?2, revoked_reason = ?3"
    " WHERE user_id = ?1 AND revoked_at IS NULL AND expires_at > ?2 AND id IS NOT ?4";
constexpr char kDeleteLoginFailures[] = "DELETE FROM login_failures WHERE key = ?1 OR account_key = ?1";

constexpr int kMaxMailPage = 1000;

MailRecord read_mail(const Statement& row) {
  MailRecord mail;
  mail.id = row.text(0);
  mail.kind = row.text(1);
  mail.to = row.text(2);
  mail.to_key = row.text(3);
  mail.user_id = row.text(4);
  mail.subject = row.text(5);
  mail.text_body = row.text(6);
  mail.html_body = row.text(7);
  mail.created_at = row.integer(8);
  mail.attempts = static_cast<int>(row.integer(9));
  mail.next_attempt_at = row.integer(10);
  mail.sent_at = row.optional_integer(11);
  mail.failed_at = row.optional_integer(12);
  mail.last_error = row.text(13);
  return mail;
}

AccountTokenRecord read_account_token(const Statement& row) {
  AccountTokenRecord token;
  token.token_hash = row.text(0);
  token.purpose = row.text(1);
  token.user_id.value = row.text(2);
  token.email_key = row.text(3);
  token.created_at = row.integer(4);
  token.expires_at = row.integer(5);
  token.used_at = row.optional_integer(6);
  return token;
}

Result<std::vector<MailRecord>> read_mail_rows(Statement& stmt) {
  std::vector<MailRecord> rows;
  for (;;) {
    auto has_row = stmt.step();
    if (!has_row) return has_row.error();
    if (!*has_row) break;
    rows.push_back(read_mail(stmt));
  }
  return rows;
}

Result<void> insert_token(Connection& connection, const AccountTokenRecord& token) {
  if (auto voided = connection.run(kVoidAccountTokens, token.user_id.value, token.purpose); !voided) {
    return voided.error();
  }
  auto inserted = connection.run(kInsertAccountToken, token.token_hash, token.purpose, token.user_id.value,
                                 token.email_key, token.created_at, token.expires_at);
  if (!inserted) return inserted.error();
  return {};
}

}  // namespace

Result<void> sqlite::insert_mail(Connection& connection, const MailRecord& mail) {
  auto inserted = connection.run(kInsertMail, mail.id, mail.kind, mail.to, mail.to_key, mail.user_id, mail.subject,
                                 mail.text_body, mail.html_body, mail.created_at, mail.next_attempt_at);
  if (!inserted) return inserted.error();
  return {};
}

// ---- outbox ----------------------------------------------------------------

Result<void> SqliteStore::enqueue_mail(const MailRecord& mail) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  return sqlite::insert_mail(**lease, mail);
}

Result<std::vector<MailRecord>> SqliteStore::claim_due_mail(std::int64_t now, int limit, std::int64_t lease_seconds) {
  limit = std::clamp(limit, 0, kMaxMailPage);
  if (limit == 0) return std::vector<MailRecord>{};
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  std::vector<MailRecord> due;
  {
    auto stmt = connection.query(kSelectDueMail, now, limit);
    if (!stmt) return stmt.error();
    auto rows = read_mail_rows(*stmt);
    if (!rows) return rows.error();
    due = std::move(rows).value();
  }
  std::vector<MailRecord> claimed;
  for (auto& mail : due) {
    auto updated = connection.run(kClaimMail, mail.id, now + lease_seconds, now);
    if (!updated) return updated.error();
    if (*updated == 1) claimed.push_back(std::move(mail));
  }
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return claimed;
}

Result<void> SqliteStore::mark_mail_sent(std::string_view id, std::int64_t now, bool keep_bodies) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto updated = (*lease)->run(kMarkMailSent, id, now, keep_bodies);
  if (!updated) return updated.error();
  return {};
}

Result<void> SqliteStore::record_mail_failure(std::string_view id, std::int64_t now,
                                              std::optional<std::int64_t> next_attempt_at, std::string_view error) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto updated = (*lease)->run(kRecordMailFailure, id, now, error, next_attempt_at);
  if (!updated) return updated.error();
  return {};
}

Result<std::vector<MailRecord>> SqliteStore::list_mail_to(std::string_view to_key, int limit) {
  limit = std::clamp(limit, 0, kMaxMailPage);
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto stmt = (*lease)->query(kSelectMailTo, to_key, limit);
  if (!stmt) return stmt.error();
  return read_mail_rows(*stmt);
}

// ---- account tokens ----------------------------------------------------------

Result<void> SqliteStore::create_user_with_verification(const UserRecord& user, const AccountTokenRecord& token,
                                                        const MailRecord& mail) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  auto inserted = sqlite::insert_user(connection, user);
  if (!inserted) return inserted.error();
  if (*inserted == 0) return Error{ErrorCode::email_taken, "email already registered"};
  if (auto stored = insert_token(connection, token); !stored) return stored.error();
  if (auto queued = sqlite::insert_mail(connection, mail); !queued) return queued.error();
  return transaction.commit();
}

Result<void> SqliteStore::issue_account_token(const AccountTokenRecord& token, const MailRecord& mail) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  if (auto stored = insert_token(connection, token); !stored) return stored.error();
  if (auto queued = sqlite::insert_mail(connection, mail); !queued) return queued.error();
  return transaction.commit();
}

Result<bool> SqliteStore::record_mail_request(std::string_view budget_key, std::int64_t now,
                                                 std::int64_t window_seconds, int max_mails,
                                                 const std::optional<AccountTokenRecord>& token,
                                                 const std::optional<MailRecord>& mail) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  const std::int64_t since = now - window_seconds;
  if (auto pruned = connection.run(kPruneMailRequests, since); !pruned) return pruned.error();
  std::int64_t recorded = 0;
  {
    auto stmt = connection.query(kCountMailRequests, budget_key, since);
    if (!stmt) return stmt.error();
    auto has_row = stmt->step();
    if (!has_row) return has_row.error();
    recorded = *has_row ? stmt->integer(0) : 0;
  }
  if (recorded >= max_mails) return false;
  if (auto noted = connection.run(kInsertMailRequest, budget_key, now); !noted) return noted.error();
  if (token && mail) {
    if (auto stored = insert_token(connection, *token); !stored) return stored.error();
    if (auto queued = sqlite::insert_mail(connection, *mail); !queued) return queued.error();
  }
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return true;
}

Result<std::optional<AccountTokenRecord>> SqliteStore::find_account_token(std::string_view token_hash) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  auto stmt = (*lease)->query(kSelectAccountToken, token_hash);
  if (!stmt) return stmt.error();
  auto has_row = stmt->step();
  if (!has_row) return has_row.error();
  if (!*has_row) return std::optional<AccountTokenRecord>{};
  return std::optional<AccountTokenRecord>(read_account_token(*stmt));
}

Result<std::optional<UserId>> SqliteStore::verify_email(std::string_view token_hash, std::int64_t now,
                                                        const std::optional<MailRecord>& alert) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  std::optional<AccountTokenRecord> token;
  {
    auto stmt = connection.query(kSelectAccountToken, token_hash);
    if (!stmt) return stmt.error();
    auto has_row = stmt->step();
    if (!has_row) return has_row.error();
    if (*has_row) token = read_account_token(*stmt);
  }
  if (!token) return std::optional<UserId>{};
  auto used = connection.run(kUseAccountToken, token_hash, kEmailVerificationPurpose, now, std::nullopt);
  if (!used) return used.error();
  if (*used != 1) return std::optional<UserId>{};
  auto verified = connection.run(kSetEmailVerified, token->user_id.value, token->email_key, now);
  if (!verified) return verified.error();
  if (*verified != 1) return std::optional<UserId>{};  // the address changed since: roll back
  if (alert) {
    if (auto queued = sqlite::insert_mail(connection, *alert); !queued) return queued.error();
  }
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return std::optional<UserId>(token->user_id);
}

Result<std::optional<int>> SqliteStore::replace_password(const PasswordReplacement& change, std::int64_t now) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  Connection& connection = **lease;
  ImmediateTransaction transaction(connection);
  if (auto begun = transaction.begin(); !begun) return begun.error();
  if (change.reset_token_hash) {
    auto used = connection.run(kUseAccountToken, *change.reset_token_hash, kPasswordResetPurpose, now,
                               change.user_id.value);
    if (!used) return used.error();
    if (*used != 1) return std::optional<int>{};
    if (auto others = connection.run(kUseOtherResetTokens, change.user_id.value, now); !others) return others.error();
  }
  auto updated = connection.run(kUpdatePasswordHash, change.user_id.value, change.password_hash, now);
  if (!updated) return updated.error();
  if (*updated == 0) return Error{ErrorCode::not_found, "no such user"};
  std::optional<std::string> kept;
  if (change.keep_session) kept = change.keep_session->value;
  auto revoked = connection.run(kRevokeUserSessions, change.user_id.value, now, change.revoke_reason, kept);
  if (!revoked) return revoked.error();
  if (!change.lockout_key.empty()) {
    if (auto cleared = connection.run(kDeleteLoginFailures, change.lockout_key); !cleared) return cleared.error();
  }
  if (change.alert) {
    if (auto queued = sqlite::insert_mail(connection, *change.alert); !queued) return queued.error();
  }
  if (auto committed = transaction.commit(); !committed) return committed.error();
  return std::optional<int>(*revoked);
}

}  // namespace sesame::server
