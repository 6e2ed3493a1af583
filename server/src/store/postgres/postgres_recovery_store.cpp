// PostgresStore: the mail outbox and the account tokens (email verification,
// password reset). Mail is written in the transaction of the change that
// causes it; senders on several instances claim rows with FOR UPDATE SKIP
// LOCKED, so each message goes to exactly one of them.
#include <algorithm>
#include <utility>

#include "store/json_columns.hpp"
#include "store/postgres/postgres_recovery_statements.hpp"
#include "store/postgres/postgres_store.hpp"
#include "store/postgres/postgres_users.hpp"

namespace sesame::server {

namespace {

using postgres::NullableParam;
using postgres::PreparedStatement;

constexpr PreparedStatement kInsertMail{
    "recovery_insert_mail",
    "INSERT INTO mail_outbox (id, kind, to_address, to_key, user_id, subject, text_body, html_body, created_at,"
    " attempts, next_attempt_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9::bigint, 0, $10::bigint)"};
// SKIP LOCKED: a row another sender is claiming right now is left to it; a row
// it already claimed (and committed) fails the claimed_until test.
constexpr PreparedStatement kClaimDueMail{
    "recovery_claim_due_mail",
    "UPDATE mail_outbox SET claimed_until = $2::bigint WHERE id IN ("
    " SELECT id FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1::bigint"
    " AND claimed_until <= $1::bigint ORDER BY next_attempt_at, seq LIMIT $3::integer FOR UPDATE SKIP LOCKED)"
    " RETURNING id, kind, to_address, to_key, user_id, subject, text_body, html_body, created_at, attempts,"
    " next_attempt_at, sent_at, failed_at, last_error"};
constexpr PreparedStatement kMarkMailSent{
    "recovery_mark_mail_sent",
    "UPDATE mail_outbox SET sent_at = $2::bigint, claimed_until = 0, attempts = attempts + 1, last_error = '',"
    " text_body = CASE WHEN $3::boolean THEN text_body ELSE '' END,"
    " html_body = CASE WHEN $3::boolean THEN html_body ELSE '' END WHERE id = $1"};
constexpr PreparedStatement kRecordMailFailure{
    "recovery_record_mail_failure",
    "UPDATE mail_outbox SET attempts = attempts + 1, last_error = $3, claimed_until = 0,"
    " next_attempt_at = COALESCE($4::bigint, next_attempt_at),"
    " failed_at = CASE WHEN $4::bigint IS NULL THEN $2::bigint ELSE NULL END WHERE id = $1"};
constexpr PreparedStatement kSelectMailTo{
    "recovery_select_mail_to",
    "SELECT id, kind, to_address, to_key, user_id, subject, text_body, html_body, created_at, attempts,"
    " next_attempt_at, sent_at, failed_at, last_error FROM mail_outbox WHERE to_key = $1"
    " ORDER BY seq LIMIT $2::integer"};

constexpr PreparedStatement kInsertAccountToken{
    "recovery_insert_account_token",
    "INSERT INTO account_tokens (token_hash, purpose, user_id, email_key, created_at, expires_at, used_at)"
    " VALUES ($1, $2, $3, $4, $5::bigint, $6::bigint, NULL)"};
constexpr PreparedStatement kVoidAccountTokens{
    "recovery_void_account_tokens",
    "DELETE FROM account_tokens WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL"};
constexpr PreparedStatement kSelectAccountToken{
    "recovery_select_account_token",
    "SELECT token_hash, purpose, user_id, email_key, created_at, expires_at, used_at FROM account_tokens"
    " WHERE token_hash = $1"};
// Single use: the row lock makes concurrent uses of one token queue; one wins.
constexpr PreparedStatement kUseAccountToken{
    "recovery_use_account_token",
    "UPDATE account_tokens SET used_at = $3::bigint WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL"
    " AND expires_at > $3::bigint AND ($4::text IS NULL OR user_id = $4::text)"
    " RETURNING user_id, email_key"};
constexpr PreparedStatement kUseOtherResetTokens{
    "recovery_use_other_reset_tokens",
    "UPDATE account_tokens SET used_at = $2::bigint WHERE user_id = $1 AND purpose = 'password_reset'"
    " AND used_at IS NULL"};
constexpr PreparedStatement kSetEmailVerified{
    "recovery_set_email_verified",
    "UPDATE users SET email_verified = true, updated_at = $3::bigint WHERE id = $1 AND email_key = $2"};
// The address's budget row is locked first, so that concurrent requests for
// one address count one after the other.
constexpr PreparedStatement kLockMailBudget{
    "recovery_lock_mail_budget", "SELECT pg_advisory_xact_lock(hashtextextended($1, 7))"};
constexpr PreparedStatement kCountMailRequests{
    "recovery_count_mail_requests",
    "SELECT count(*) FROM mail_requests WHERE budget_key = $1 AND created_at > $2::bigint"};
constexpr PreparedStatement kInsertMailRequest{
    "recovery_insert_mail_request",
    "INSERT INTO mail_requests (budget_key, created_at) VALUES ($1, $2::bigint)"};
constexpr PreparedStatement kPruneMailRequests{
    "recovery_prune_mail_requests",
    "DELETE FROM mail_requests WHERE budget_key = $1 AND created_at <= $2::bigint"};

constexpr PreparedStatement kUpdatePasswordHash{
    "recovery_update_password_hash",
    "UPDATE users SET password_hash = $2, password_must_change = false, updated_at = $3::bigint WHERE id = $1"};
constexpr PreparedStatement kRevokeUserSessions{
    "recovery_revoke_user_sessions",
    "UPDATE sessions SET revoked_at = $2::bigint, revoked_reason = $3"
    " WHERE user_id = $1 AND revoked_at IS NULL AND expires_at > $2::bigint AND id IS DISTINCT FROM $4::text"};
constexpr PreparedStatement kDeleteLoginFailures{"recovery_delete_login_failures",
                                                 "DELETE FROM login_failures WHERE key = $1 OR account_key = $1"};

constexpr PreparedStatement kRecoveryStatements[] = {
    kInsertMail, kClaimDueMail, kMarkMailSent, kRecordMailFailure, kSelectMailTo,
    kInsertAccountToken, kVoidAccountTokens, kSelectAccountToken, kUseAccountToken,
    kUseOtherResetTokens, kSetEmailVerified, kLockMailBudget, kCountMailRequests, kInsertMailRequest,
    kPruneMailRequests, kUpdatePasswordHash, kRevokeUserSessions, kDeleteLoginFailures,
};

constexpr int kMaxMailPage = 1000;

std::string text(const pqxx::field& field) { return field.is_null() ? std::string() : field.as<std::string>(); }

std::optional<std::int64_t> optional_integer(const pqxx::field& field) {
  if (field.is_null()) return std::nullopt;
  return field.as<std::int64_t>();
}

MailRecord read_mail(const pqxx::row& row) {
  MailRecord mail;
  mail.id = text(row[0]);
  mail.kind = text(row[1]);
  mail.to = text(row[2]);
  mail.to_key = text(row[3]);
  mail.user_id = text(row[4]);
  mail.subject = text(row[5]);
  mail.text_body = text(row[6]);
  mail.html_body = text(row[7]);
  mail.created_at = row[8].as<std::int64_t>();
  mail.attempts = row[9].as<int>();
  mail.next_attempt_at = row[10].as<std::int64_t>();
  mail.sent_at = optional_integer(row[11]);
  mail.failed_at = optional_integer(row[12]);
  mail.last_error = text(row[13]);
  return mail;
}

AccountTokenRecord read_account_token(const pqxx::row& row) {
  AccountTokenRecord token;
  token.token_hash = text(row[0]);
  token.purpose = text(row[1]);
  token.user_id.value = text(row[2]);
  token.email_key = text(row[3]);
  token.created_at = row[4].as<std::int64_t>();
  token.expires_at = row[5].as<std::int64_t>();
  token.used_at = optional_integer(row[6]);
  return token;
}

std::vector<MailRecord> read_mail_rows(const pqxx::result& rows) {
  std::vector<MailRecord> mail;
  mail.reserve(rows.size());
  for (const auto& row : rows) mail.push_back(read_mail(row));
  return mail;
}

void insert_token(pqxx::transaction_base& transaction, const AccountTokenRecord& token) {
  transaction.exec_prepared(kVoidAccountTokens.name, token.user_id.value, token.purpose);
  transaction.exec_prepared(kInsertAccountToken.name, token.token_hash, token.purpose, token.user_id.value,
                            token.email_key, token.created_at, token.expires_at);
}

std::string owned(std::string_view value) { return std::string(value); }

}  // namespace

void postgres::insert_mail(pqxx::transaction_base& transaction, const MailRecord& mail) {
  transaction.exec_prepared(kInsertMail.name, mail.id, mail.kind, mail.to, mail.to_key, mail.user_id, mail.subject,
                            mail.text_body, mail.html_body, mail.created_at, mail.next_attempt_at);
}

std::span<const postgres::PreparedStatement> postgres_recovery_statements() noexcept { return kRecoveryStatements; }

// ---- outbox ----------------------------------------------------------------

Result<void> PostgresStore::enqueue_mail(const MailRecord& mail) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::work transaction(connection);
    postgres::insert_mail(transaction, mail);
    transaction.commit();
    return {};
  });
}

Result<std::vector<MailRecord>> PostgresStore::claim_due_mail(std::int64_t now, int limit,
                                                              std::int64_t lease_seconds) {
  limit = std::clamp(limit, 0, kMaxMailPage);
  if (limit == 0) return std::vector<MailRecord>{};
  return pool_.run([&](pqxx::connection& connection) -> Result<std::vector<MailRecord>> {
    pqxx::work transaction(connection);
    auto rows = read_mail_rows(transaction.exec_prepared(kClaimDueMail.name, now, now + lease_seconds, limit));
    transaction.commit();
    return rows;
  });
}

Result<void> PostgresStore::mark_mail_sent(std::string_view id, std::int64_t now, bool keep_bodies) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::nontransaction session(connection);
    session.exec_prepared(kMarkMailSent.name, owned(id), now, keep_bodies);
    return {};
  });
}

Result<void> PostgresStore::record_mail_failure(std::string_view id, std::int64_t now,
                                                std::optional<std::int64_t> next_attempt_at, std::string_view error) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::nontransaction session(connection);
    session.exec_prepared(kRecordMailFailure.name, owned(id), now, owned(error), NullableParam(next_attempt_at).get());
    return {};
  });
}

Result<std::vector<MailRecord>> PostgresStore::list_mail_to(std::string_view to_key, int limit) {
  limit = std::clamp(limit, 0, kMaxMailPage);
  return pool_.run([&](pqxx::connection& connection) -> Result<std::vector<MailRecord>> {
    pqxx::nontransaction session(connection);
    return read_mail_rows(session.exec_prepared(kSelectMailTo.name, owned(to_key), limit));
  });
}

// ---- account tokens ----------------------------------------------------------

Result<void> PostgresStore::create_user_with_verification(const UserRecord& user, const AccountTokenRecord& token,
                                                          const MailRecord& mail) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::work transaction(connection);
    const auto inserted = postgres::insert_user(transaction, user);
    if (inserted.affected_rows() == 0) return Error{ErrorCode::email_taken, "email already registered"};
    insert_token(transaction, token);
    postgres::insert_mail(transaction, mail);
    transaction.commit();
    return {};
  });
}

Result<void> PostgresStore::issue_account_token(const AccountTokenRecord& token, const MailRecord& mail) {
  return pool_.run([&](pqxx::connection& connection) -> Result<void> {
    pqxx::work transaction(connection);
    insert_token(transaction, token);
    postgres::insert_mail(transaction, mail);
    transaction.commit();
    return {};
  });
}

Result<bool> PostgresStore::record_mail_request(std::string_view budget_key, std::int64_t now,
                                                   std::int64_t window_seconds, int max_mails,
                                                   const std::optional<AccountTokenRecord>& token,
                                                   const std::optional<MailRecord>& mail) {
  const std::string key(budget_key);
  return pool_.run([&](pqxx::connection& connection) -> Result<bool> {
    pqxx::work transaction(connection);
    transaction.exec_prepared(kLockMailBudget.name, key);
    const std::int64_t since = now - window_seconds;
    transaction.exec_prepared(kPruneMailRequests.name, key, since);
    const auto counted = transaction.exec_prepared(kCountMailRequests.name, key, since);
    if (counted[0][0].as<std::int64_t>() >= max_mails) return false;
    transaction.exec_prepared(kInsertMailRequest.name, key, now);
    if (token && mail) {
      insert_token(transaction, *token);
      postgres::insert_mail(transaction, *mail);
    }
    transaction.commit();
    return true;
  });
}

Result<std::optional<AccountTokenRecord>> PostgresStore::find_account_token(std::string_view token_hash) {
  return pool_.run([&](pqxx::connection& connection) -> Result<std::optional<AccountTokenRecord>> {
    pqxx::nontransaction session(connection);
    const auto rows = session.exec_prepared(kSelectAccountToken.name, owned(token_hash));
    if (rows.empty()) return std::optional<AccountTokenRecord>{};
    return std::optional<AccountTokenRecord>(read_account_token(rows[0]));
  });
}

Result<std::optional<UserId>> PostgresStore::verify_email(std::string_view token_hash, std::int64_t now,
                                                          const std::optional<MailRecord>& alert) {
  return pool_.run([&](pqxx::connection& connection) -> Result<std::optional<UserId>> {
    pqxx::work transaction(connection);
    const std::optional<std::string> any_user;
    const auto used = transaction.exec_prepared(kUseAccountToken.name, owned(token_hash),
                                                std::string(kEmailVerificationPurpose), now,
                                                NullableParam(any_user).get());
    if (used.empty()) return std::optional<UserId>{};
    const UserId user{text(used[0][0])};
    const auto verified = transaction.exec_prepared(kSetEmailVerified.name, user.value, text(used[0][1]), now);
    if (verified.affected_rows() != 1) return std::optional<UserId>{};  // the address changed since: roll back
    if (alert) postgres::insert_mail(transaction, *alert);
    transaction.commit();
    return std::optional<UserId>(user);
  });
}

Result<std::optional<int>> PostgresStore::replace_password(const PasswordReplacement& change, std::int64_t now) {
  std::optional<std::string> kept;
  if (change.keep_session) kept = change.keep_session->value;
  return pool_.run([&](pqxx::connection& connection) -> Result<std::optional<int>> {
    pqxx::work transaction(connection);
    if (change.reset_token_hash) {
      const auto used = transaction.exec_prepared(kUseAccountToken.name, *change.reset_token_hash,
                                                  std::string(kPasswordResetPurpose), now, change.user_id.value);
      if (used.empty()) return std::optional<int>{};
      transaction.exec_prepared(kUseOtherResetTokens.name, change.user_id.value, now);
    }
    const auto updated = transaction.exec_prepared(kUpdatePasswordHash.name, change.user_id.value,
                                                   change.password_hash, now);
    if (updated.affected_rows() == 0) return Error{ErrorCode::not_found, "no such user"};
    const auto revoked = transaction.exec_prepared(kRevokeUserSessions.name, change.user_id.value, now,
                                                   change.revoke_reason, NullableParam(kept).get());
    if (!change.lockout_key.empty()) transaction.exec_prepared(kDeleteLoginFailures.name, change.lockout_key);
    if (change.alert) postgres::insert_mail(transaction, *change.alert);
    transaction.commit();
    return std::optional<int>(static_cast<int>(revoked.affected_rows()));
  });
}

}  // namespace sesame::server
