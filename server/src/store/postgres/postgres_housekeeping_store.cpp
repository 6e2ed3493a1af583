// PostgresStore: the housekeeping sweep. One transaction under a
// transaction-scoped advisory lock: of several instances sweeping at once,
// one sweeps and the others skip at once (their DELETEs would be idempotent
// anyway; the lock only saves the duplicate work).
#include "store/postgres/postgres_audit_statements.hpp"
#include "store/postgres/postgres_store.hpp"

namespace sesame::server {

namespace {

using postgres::PreparedStatement;

constexpr std::int64_t kSweepLockKey = 0x5357'4545'50;  // "SWEEP"
constexpr PreparedStatement kTrySweepLock{"sweep_try_lock", "SELECT pg_try_advisory_xact_lock($1::bigint)"};
// $1 = now, $2 = revoked_before. A used refresh token stays with its session:
// presented again, it is evidence of theft (reuse detection).
constexpr PreparedStatement kDeleteDeadSessionTokens{
    "sweep_dead_session_tokens",
    "DELETE FROM refresh_tokens WHERE session_id IN"
    " (SELECT id FROM sessions WHERE expires_at <= $1::bigint OR revoked_at <= $2::bigint)"};
constexpr PreparedStatement kDeleteExpiredUnusedTokens{
    "sweep_expired_unused_tokens", "DELETE FROM refresh_tokens WHERE used_at IS NULL AND expires_at <= $1::bigint"};
constexpr PreparedStatement kDeleteDeadSessions{
    "sweep_dead_sessions", "DELETE FROM sessions WHERE expires_at <= $1::bigint OR revoked_at <= $2::bigint"};
constexpr PreparedStatement kDeleteSpentMfaChallenges{
    "sweep_spent_mfa_challenges", "DELETE FROM mfa_challenges WHERE used_at IS NOT NULL OR expires_at <= $1::bigint"};
constexpr PreparedStatement kDeleteSpentAccountTokens{
    "sweep_spent_account_tokens", "DELETE FROM account_tokens WHERE used_at IS NOT NULL OR expires_at <= $1::bigint"};
constexpr PreparedStatement kDeleteStaleMailRequests{
    "sweep_stale_mail_requests", "DELETE FROM mail_requests WHERE created_at <= $1::bigint"};
constexpr PreparedStatement kDeleteOldMail{
    "sweep_old_mail", "DELETE FROM mail_outbox WHERE sent_at <= $1::bigint OR failed_at <= $1::bigint"};
// A lapsed window (store_rules.cpp: window_lapsed) counts nothing any more.
constexpr PreparedStatement kDeleteLapsedLoginFailures{
    "sweep_lapsed_login_failures",
    "DELETE FROM login_failures WHERE (locked_until IS NULL AND window_ends_at <= $1::bigint)"
    " OR locked_until <= $1::bigint"};
constexpr PreparedStatement kDeleteOldInvalidations{
    "sweep_old_invalidations", "DELETE FROM cache_invalidations WHERE logged_at <= $1::bigint"};

constexpr PreparedStatement kStatements[] = {
    kTrySweepLock,          kDeleteDeadSessionTokens, kDeleteExpiredUnusedTokens, kDeleteDeadSessions,
    kDeleteSpentMfaChallenges, kDeleteSpentAccountTokens, kDeleteStaleMailRequests, kDeleteOldMail,
    kDeleteLapsedLoginFailures, kDeleteOldInvalidations,
};

}  // namespace

std::span<const PreparedStatement> postgres_housekeeping_statements() noexcept { return kStatements; }

Result<std::optional<SweepCounts>> PostgresStore::sweep_expired(const SweepCutoffs& cutoffs) {
  return pool_.run([&](pqxx::connection& connection) -> Result<std::optional<SweepCounts>> {
    pqxx::work transaction(connection);
    if (!transaction.exec_prepared(kTrySweepLock.name, kSweepLockKey)[0][0].as<bool>()) {
      return std::optional<SweepCounts>{};  // another instance is sweeping
    }
    const auto deleted = [&](const PreparedStatement& statement, auto... args) {
      return static_cast<int>(transaction.exec_prepared(statement.name, args...).affected_rows());
    };
    SweepCounts counts;
    counts.refresh_tokens = deleted(kDeleteDeadSessionTokens, cutoffs.now, cutoffs.revoked_before);
    counts.refresh_tokens += deleted(kDeleteExpiredUnusedTokens, cutoffs.now);
    counts.sessions = deleted(kDeleteDeadSessions, cutoffs.now, cutoffs.revoked_before);
    counts.mfa_challenges = deleted(kDeleteSpentMfaChallenges, cutoffs.now);
    counts.account_tokens = deleted(kDeleteSpentAccountTokens, cutoffs.now);
    counts.mail_requests = deleted(kDeleteStaleMailRequests, cutoffs.mail_requests_before);
    counts.mail = deleted(kDeleteOldMail, cutoffs.mail_before);
    counts.login_failures = deleted(kDeleteLapsedLoginFailures, cutoffs.now);
    counts.cache_invalidations = deleted(kDeleteOldInvalidations, cutoffs.invalidations_before);
    transaction.commit();
    return std::optional<SweepCounts>(counts);
  });
}

}  // namespace sesame::server
