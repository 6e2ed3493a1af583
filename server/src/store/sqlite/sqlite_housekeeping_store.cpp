// SqliteStore: the housekeeping sweep. Each DELETE is its own statement (its
// own short write lock), so a sweep never holds up sign-ins for long; each is
// idempotent, so processes sweeping one file at once remove every row once.
#include "store/sqlite/sqlite_store.hpp"

namespace sesame::server {

namespace {

// ?1 = now, ?2 = revoked_before. A used refresh token stays with its session:
// presented again, it is evidence of theft (reuse detection).
constexpr char kDeleteDeadSessionTokens[] =
    "DELETE FROM refresh_tokens WHERE session_id IN"
    " (SELECT id FROM sessions WHERE expires_at <= ?1 OR revoked_at <= ?2)";
constexpr char kDeleteExpiredUnusedTokens[] =
    "DELETE FROM refresh_tokens WHERE used_at IS NULL AND expires_at <= ?1";
constexpr char kDeleteDeadSessions[] = "DELETE FROM sessions WHERE expires_at <= ?1 OR revoked_at <= ?2";
constexpr char kDeleteSpentMfaChallenges[] =
    "DELETE FROM mfa_challenges WHERE used_at IS NOT NULL OR expires_at <= ?1";
constexpr char kDeleteSpentAccountTokens[] =
    "DELETE FROM account_tokens WHERE used_at IS NOT NULL OR expires_at <= ?1";
constexpr char kDeleteStaleMailRequests[] = "DELETE FROM mail_requests WHERE created_at <= ?1";
constexpr char kDeleteOldMail[] = "DELETE FROM mail_outbox WHERE sent_at <= ?1 OR failed_at <= ?1";
// A lapsed window (store_rules.cpp: window_lapsed) counts nothing any more.
constexpr char kDeleteLapsedLoginFailures[] =
    "DELETE FROM login_failures WHERE (locked_until IS NULL AND window_ends_at <= ?1) OR locked_until <= ?1";
constexpr char kDeleteOldInvalidations[] = "DELETE FROM cache_invalidations WHERE logged_at <= ?1";

}  // namespace

Result<std::optional<SweepCounts>> SqliteStore::sweep_expired(const SweepCutoffs& cutoffs) {
  auto lease = pool_.acquire();
  if (!lease) return lease.error();
  sqlite::Connection& connection = **lease;
  SweepCounts counts;
  auto run = [&](int& count, const char* sql, auto... args) -> Result<void> {
    auto deleted = connection.run(sql, args...);
    if (!deleted) return deleted.error();
    count += *deleted;
    return {};
  };
  if (auto done = run(counts.refresh_tokens, kDeleteDeadSessionTokens, cutoffs.now, cutoffs.revoked_before); !done) return done.error();
  if (auto done = run(counts.refresh_tokens, kDeleteExpiredUnusedTokens, cutoffs.now); !done) return done.error();
  if (auto done = run(counts.sessions, kDeleteDeadSessions, cutoffs.now, cutoffs.revoked_before); !done) return done.error();
  if (auto done = run(counts.mfa_challenges, kDeleteSpentMfaChallenges, cutoffs.now); !done) return done.error();
  if (auto done = run(counts.account_tokens, kDeleteSpentAccountTokens, cutoffs.now); !done) return done.error();
  if (auto done = run(counts.mail_requests, kDeleteStaleMailRequests, cutoffs.mail_requests_before); !done) return done.error();
  if (auto done = run(counts.mail, kDeleteOldMail, cutoffs.mail_before); !done) return done.error();
  if (auto done = run(counts.login_failures, kDeleteLapsedLoginFailures, cutoffs.now); !done) return done.error();
  if (auto done = run(counts.cache_invalidations, kDeleteOldInvalidations, cutoffs.invalidations_before); !done) {
    return done.error();
  }
  return std::optional<SweepCounts>(counts);
}

}  // namespace sesame::server
