#pragma once
// The storage interfaces: one narrow interface per feature (Ory Kratos style),
// implemented once per dialect (store/sqlite, store/postgres) and held to one
// conformance suite (tests/server/store/store_conformance_test.cpp).
//
// Every implementation is thread-safe. Failures of the database itself are
// ErrorCode::service_unavailable; a broken invariant is internal_error.
// "Not found" is an empty optional, never an error.

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sesame/result.hpp"
#include "store/records.hpp"

namespace sesame::server {

class AccountStore {
 public:
  virtual ~AccountStore() = default;
  // email_taken when another user of the same tenant has the same email_key
  // (atomic: of many concurrent creates with one email, exactly one succeeds).
  [[nodiscard]] virtual Result<void> create_user(const UserRecord& user) = 0;
  [[nodiscard]] virtual Result<std::optional<UserRecord>> find_user_by_email_key(std::string_view tenant_id,
                                                                                std::string_view email_key) = 0;
  [[nodiscard]] virtual Result<std::optional<UserRecord>> find_user_by_id(const UserId& id) = 0;
  [[nodiscard]] virtual Result<void> update_password_hash(const UserId& id, std::string_view password_hash,
                                                          std::int64_t now) = 0;
};

class SessionStore {
 public:
  virtual ~SessionStore() = default;
  [[nodiscard]] virtual Result<void> create_session(const SessionRecord& session) = 0;
  [[nodiscard]] virtual Result<std::optional<SessionRecord>> find_session(const SessionId& id) = 0;
  // Sessions not revoked and not past expires_at, newest first.
  [[nodiscard]] virtual Result<std::vector<SessionRecord>> list_active_sessions(const UserId& user,
                                                                              std::int64_t now) = 0;
  // True when the session existed, belonged to `user` and was active until now.
  [[nodiscard]] virtual Result<bool> revoke_session(const SessionId& id, const UserId& user, std::int64_t now,
                                                    std::string_view reason) = 0;
  // Revokes every active session of `user` except `keep` (when given); returns how many.
  [[nodiscard]] virtual Result<int> revoke_user_sessions(const UserId& user, const std::optional<SessionId>& keep,
                                                         std::int64_t now, std::string_view reason) = 0;
  // Incident response (sesame-server sessions revoke-all): revokes every active
  // session of every user; returns how many.
  [[nodiscard]] virtual Result<int> revoke_all_sessions(std::int64_t now, std::string_view reason) = 0;
  // The cheap check behind every authenticated request: a primary-key lookup.
  [[nodiscard]] virtual Result<bool> is_session_active(const SessionId& id, std::int64_t now) = 0;
  // Widens an active session once its user proved a second factor (an
  // enrolment-only session after TOTP confirmation); false when not active.
  [[nodiscard]] virtual Result<bool> upgrade_session(const SessionId& id, std::string_view scope,
                                                     const std::vector<std::string>& amr, std::int64_t now) = 0;
};

// What in-memory caches of this process must forget, as the database logs
// it (migration 0007): sessions that ended before their time (revoked, or
// deleted while live) and users whose account view changed (the user row,
// TOTP, backup codes).
struct Invalidations {
  std::vector<SessionId> sessions;
  std::vector<UserId> users;
  [[nodiscard]] bool empty() const noexcept { return sessions.empty() && users.empty(); }
};

// One feed per reader; not thread-safe.
class CacheInvalidationFeed {
 public:
  virtual ~CacheInvalidationFeed() = default;
  // What changed since the previous call (the first call: since the feed was
  // opened), by this process or any other on the database. Something may be
  // reported more than once.
  [[nodiscard]] virtual Result<Invalidations> take_new() = 0;
};

class CacheInvalidationStore {
 public:
  virtual ~CacheInvalidationStore() = default;
  [[nodiscard]] virtual Result<std::unique_ptr<CacheInvalidationFeed>> open_invalidation_feed() = 0;
  // Changes once a change logged through this store has committed, before the
  // call that made it returns: a reader that sees it change reads its feed
  // before trusting its caches, so the instance that made it never lags.
  [[nodiscard]] virtual std::uint64_t local_invalidations() const noexcept = 0;
};

enum class RotationOutcome {
  rotated,             // the presented token was current; `successor` is now current
  already_rotated,     // used within the grace interval: the same successor is handed out again
  reuse_detected,      // used before the grace interval: the session is now revoked (RFC 9700)
  unknown_token,       // no such token
  expired_token,       // past its own expires_at
  inactive_session,    // the session is revoked or past its absolute lifetime
};

// The mail that tells a user their session was ended for a reused refresh
// token; pure (the store calls it inside its transaction).
using ReuseAlert = std::function<MailRecord(const UserRecord& user, const SessionRecord& session)>;

struct RotationResult {
  RotationOutcome outcome = RotationOutcome::unknown_token;
  std::optional<SessionRecord> session;  // set unless unknown_token
  std::string successor_sealed;          // set for already_rotated
};

class RefreshTokenStore {
 public:
  virtual ~RefreshTokenStore() = default;
  [[nodiscard]] virtual Result<void> insert_refresh_token(const RefreshTokenRecord& token) = 0;
  // The session a refresh token (current or already rotated) belongs to, if
  // that session is still active: how a browser signs out with only its cookie.
  [[nodiscard]] virtual Result<std::optional<SessionRecord>> find_refresh_token_session(std::string_view token_hash,
                                                                                       std::int64_t now) = 0;
  // In one transaction: finds the token by hash and
  //  - current and valid: marks it used at `now`, records `successor.token_hash`
  //    and `successor_sealed` on it, inserts `successor` (with session_id set to
  //    the presented token's session and expires_at capped at the session's
  //    expires_at: the caller cannot know them beforehand), touches the session → rotated;
  //  - used, and now - used_at <= grace_seconds → already_rotated (with its sealed successor);
  //  - used earlier than that → revokes the session with reason "refresh_reuse"
  //    and queues `reuse_alert(user, session)` (when given) for the session's
  //    user, in the same transaction → reuse_detected;
  //  - otherwise unknown_token / expired_token / inactive_session, changing nothing.
  // Concurrent calls with one token: exactly one gets `rotated`.
  [[nodiscard]] virtual Result<RotationResult> rotate_refresh_token(std::string_view presented_hash,
                                                                    const RefreshTokenRecord& successor,
                                                                    std::string_view successor_sealed,
                                                                    std::int64_t now, std::int64_t grace_seconds,
                                                                    const ReuseAlert& reuse_alert = {}) = 0;
};

struct LockoutState {
  int failures = 0;                         // within the current window
  std::optional<std::int64_t> locked_until;  // set once failures reached the limit
};

struct LockoutPolicy {
  int max_failures = 5;
  std::int64_t window_seconds = 15 * 60;
  std::int64_t lock_seconds = 15 * 60;
};

// Per-account lockout lives in the store so that several instances share it.
class LockoutStore {
 public:
  virtual ~LockoutStore() = default;
  // Atomically counts a failed sign-in for `key` (a window older than
  // window_seconds starts over) and locks when failures reach max_failures.
  // `account_key` (empty: `key` itself) files the counter under an account,
  // for clear_login_failures.
  [[nodiscard]] virtual Result<LockoutState> record_login_failure(std::string_view key, std::int64_t now,
                                                                  const LockoutPolicy& policy,
                                                                  std::string_view account_key = {}) = 0;
  [[nodiscard]] virtual Result<LockoutState> lockout_state(std::string_view key, std::int64_t now) = 0;
  // Removes the counter `key` and every counter filed under it as account_key
  // (PasswordReplacement::lockout_key does the same).
  [[nodiscard]] virtual Result<void> clear_login_failures(std::string_view key) = 0;
};

// TOTP credentials, backup codes and MFA challenges. Every "exactly once" below
// holds across processes on one database: it is one conditional UPDATE.
class MfaStore {
 public:
  virtual ~MfaStore() = default;
  [[nodiscard]] virtual Result<std::optional<TotpCredentialRecord>> find_totp_credential(const UserId& user) = 0;
  // Stores a pending credential, replacing a pending one; false (and nothing
  // changed) when the user's TOTP is already confirmed.
  [[nodiscard]] virtual Result<bool> save_pending_totp(const TotpCredentialRecord& pending) = 0;
  // In one transaction: confirms the pending credential whose secret is still
  // `secret_sealed` (a setup in between replaced it: false), sets its
  // last_accepted_step to `step`, replaces the user's backup codes with `codes`
  // and queues the `alert` mail.
  [[nodiscard]] virtual Result<bool> confirm_totp(const UserId& user, std::string_view secret_sealed,
                                                  std::int64_t step, std::int64_t now,
                                                  const std::vector<BackupCodeRecord>& codes,
                                                  const MailRecord& alert) = 0;
  // Raises the confirmed credential's last_accepted_step to `step` when it is
  // lower (or unset). Of concurrent calls with one step, exactly one gets true.
  [[nodiscard]] virtual Result<bool> advance_totp_step(const UserId& user, std::int64_t step) = 0;
  // Removes the credential and every backup code and queues the `alert` mail,
  // in one transaction; false (and nothing queued) when there was none.
  [[nodiscard]] virtual Result<bool> delete_totp(const UserId& user, const MailRecord& alert) = 0;

  // The user's unused codes with this lookup prefix.
  [[nodiscard]] virtual Result<std::vector<BackupCodeRecord>> find_backup_codes(const UserId& user,
                                                                              std::string_view lookup) = 0;
  // Marks an unused code used; of concurrent calls, exactly one gets true.
  [[nodiscard]] virtual Result<bool> consume_backup_code(std::string_view id, std::int64_t now) = 0;
  [[nodiscard]] virtual Result<int> count_unused_backup_codes(const UserId& user) = 0;
  // Deletes the user's whole set and stores `codes`, in one transaction.
  [[nodiscard]] virtual Result<void> replace_backup_codes(const UserId& user,
                                                          const std::vector<BackupCodeRecord>& codes) = 0;

  [[nodiscard]] virtual Result<void> create_mfa_challenge(const MfaChallengeRecord& challenge) = 0;
  // Counts one try on an unused, unexpired challenge that has had fewer than
  // `max_attempts`, and returns it as it is after the count; empty otherwise
  // (unknown, used, expired or out of tries), changing nothing.
  [[nodiscard]] virtual Result<std::optional<MfaChallengeRecord>> count_mfa_attempt(std::string_view token_hash,
                                                                                   std::int64_t now,
                                                                                   int max_attempts) = 0;
  // Marks the challenge used; of concurrent calls, exactly one gets true.
  [[nodiscard]] virtual Result<bool> complete_mfa_challenge(std::string_view token_hash, std::int64_t now) = 0;
};

// The admin view of the audit log: every filter that is set must match.
struct AuditQuery {
  std::string user_id;    // the event's user
  std::string type;       // e.g. "login.failed"
  std::string tenant_id;  // events whose user belongs to this tenant
  // The cursor: only events appended before this one (empty: from the newest).
  // Pages keyed by it never repeat an event, even while events are appended.
  std::string before_id;
  int limit = 50;  // at most 1000
};

// The end of the chain: the last event's sequence and hash (0 and the genesis
// hash while the log is empty).
struct AuditChainHead {
  std::int64_t sequence = 0;
  std::string hash;
};

// The audit log: an append-only hash chain (store/audit_chain.hpp). No call
// changes or removes an event.
class AuditStore {
 public:
  virtual ~AuditStore() = default;
  // In one transaction, under the chain's lock (so that appends from every
  // thread and instance form one linear chain): reads the head, stores the
  // event as head.sequence + 1 chained to head.hash, and moves the head to it.
  [[nodiscard]] virtual Result<void> append_audit_event(const AuditEventRecord& event) = 0;
  // Newest first (append order), at most query.limit.
  [[nodiscard]] virtual Result<std::vector<AuditEventRecord>> list_audit_events(const AuditQuery& query) = 0;
  // The chain in append order: events with sequence > after_sequence, at most
  // `limit` (the verifier pages through the log with it).
  [[nodiscard]] virtual Result<std::vector<AuditEventRecord>> read_audit_chain(std::int64_t after_sequence,
                                                                             int limit) = 0;
  // Empty when the head row is missing (someone removed it).
  [[nodiscard]] virtual Result<std::optional<AuditChainHead>> audit_chain_head() = 0;
  // The first event (in insertion order) that has no place in the chain: a row
  // written into the table behind the store's back.
  [[nodiscard]] virtual Result<std::optional<AuditEventRecord>> first_unchained_audit_event() = 0;
};

// The durable mail outbox. Messages are usually written by the AccountTokenStore
// calls below, in the transaction of the change that causes them.
class MailOutboxStore {
 public:
  virtual ~MailOutboxStore() = default;
  [[nodiscard]] virtual Result<void> enqueue_mail(const MailRecord& mail) = 0;
  // Claims up to `limit` due messages (oldest first) until now + lease_seconds:
  // of several senders (processes) claiming at once, each message goes to one.
  [[nodiscard]] virtual Result<std::vector<MailRecord>> claim_due_mail(std::int64_t now, int limit,
                                                                      std::int64_t lease_seconds) = 0;
  // Delivered: sent_at = now, the claim released; the bodies are emptied
  // unless keep_bodies (dev mode: the dev mailbox shows them).
  [[nodiscard]] virtual Result<void> mark_mail_sent(std::string_view id, std::int64_t now, bool keep_bodies) = 0;
  // A failed attempt: attempts + 1, last_error kept, the claim released; due
  // again at next_attempt_at, or given up (failed_at = now) when that is empty.
  [[nodiscard]] virtual Result<void> record_mail_failure(std::string_view id, std::int64_t now,
                                                         std::optional<std::int64_t> next_attempt_at,
                                                         std::string_view error) = 0;
  // Messages to an address (by canonical key), oldest first, at most `limit`.
  [[nodiscard]] virtual Result<std::vector<MailRecord>> list_mail_to(std::string_view to_key, int limit) = 0;
};

// GET /admin/users: one page of users in a stable order.
struct UserQuery {
  std::string tenant_id;          // empty: every tenant (a global admin)
  std::string email_key_prefix;   // non-empty: only users whose email_key starts with it (LIKE metacharacters are literal)
  std::optional<bool> disabled;   // set: only users with that flag
  // The (created_at, id) of the last user of the previous page; empty: from the start.
  std::optional<std::pair<std::int64_t, std::string>> after;
  int limit = 50;
};

// PATCH /admin/users/{id}: an absent member is left as it is.
struct UserChanges {
  std::optional<std::string> name;
  std::optional<std::vector<std::string>> roles;
  std::optional<bool> disabled;
  std::optional<bool> email_verified;
};

// What admins read and change: users across the tenant, and tenants.
class AdminStore {
 public:
  virtual ~AdminStore() = default;
  // Oldest first, ordered by (created_at, id), at most `limit` rows: across
  // pages every user that existed at the first page is listed exactly once,
  // and users created meanwhile never push others back.
  [[nodiscard]] virtual Result<std::vector<UserRecord>> list_users(const UserQuery& query) = 0;
  // Applies `changes` (updated_at = now) and, when they disable the user,
  // revokes every active session of the user with `revoke_reason`, in one
  // transaction; the user as it is afterwards, or nullopt when there is none.
  [[nodiscard]] virtual Result<std::optional<UserRecord>> update_user(const UserId& id, const UserChanges& changes,
                                                                      std::int64_t now,
                                                                      std::string_view revoke_reason) = 0;
  // tenant_exists when the id is taken.
  [[nodiscard]] virtual Result<void> create_tenant(const TenantRecord& tenant) = 0;
  [[nodiscard]] virtual Result<std::optional<TenantRecord>> find_tenant(std::string_view id) = 0;
  // Ordered by id.
  [[nodiscard]] virtual Result<std::vector<TenantRecord>> list_tenants() = 0;
  // Sets the tenant's disabled flag and, when it becomes disabled, revokes
  // every active session of its users with `revoke_reason`, in one transaction;
  // the tenant afterwards, or nullopt when there is none.
  [[nodiscard]] virtual Result<std::optional<TenantRecord>> set_tenant_disabled(std::string_view id, bool disabled,
                                                                                std::int64_t now,
                                                                                std::string_view revoke_reason) = 0;
};

// A password change or reset, applied in one transaction.
struct PasswordReplacement {
  UserId user_id;
  std::string password_hash;
  std::optional<SessionId> keep_session;  // the session that changed it, if any
  std::string revoke_reason;              // for every other session of the user
  std::string lockout_key;                // cleared when not empty
  // When set, the change happens only if this reset token is unused, unexpired
  // and the user's; it is then marked used (with every other reset token of the user).
  std::optional<std::string> reset_token_hash;
  std::optional<MailRecord> alert;  // enqueued with the change
};

// Email verification and password reset tokens, and the writes that go with
// them. Each call is one transaction, mail included.
class AccountTokenStore {
 public:
  virtual ~AccountTokenStore() = default;
  // create_user + the verification token + its mail; email_taken as create_user.
  [[nodiscard]] virtual Result<void> create_user_with_verification(const UserRecord& user,
                                                                  const AccountTokenRecord& token,
                                                                  const MailRecord& mail) = 0;
  // A new token and its mail; every other unused token of that user and
  // purpose stops working.
  [[nodiscard]] virtual Result<void> issue_account_token(const AccountTokenRecord& token, const MailRecord& mail) = 0;
  // The mail budget of an address for unauthenticated requests (reset,
  // verification resend): when fewer than `max_mails` requests were recorded
  // under `budget_key` (e.g. "reset:" + email_key) since now - window_seconds,
  // records this one and, when given, issues `token` with `mail` (as
  // issue_account_token) → true. Otherwise changes nothing → false. Unknown
  // addresses are recorded too, so they cost the same work.
  [[nodiscard]] virtual Result<bool> record_mail_request(std::string_view budget_key, std::int64_t now,
                                                            std::int64_t window_seconds, int max_mails,
                                                            const std::optional<AccountTokenRecord>& token,
                                                            const std::optional<MailRecord>& mail) = 0;
  [[nodiscard]] virtual Result<std::optional<AccountTokenRecord>> find_account_token(std::string_view token_hash) = 0;
  // Uses a verification token: when it is unused, unexpired and its address is
  // still the user's, marks it used, sets email_verified and enqueues `alert`;
  // returns the user. Otherwise changes nothing → nullopt.
  [[nodiscard]] virtual Result<std::optional<UserId>> verify_email(std::string_view token_hash, std::int64_t now,
                                                                  const std::optional<MailRecord>& alert) = 0;
  // Sets the password hash (and clears password_must_change), revokes the sessions, clears the lockout and
  // enqueues the alert; the number of sessions revoked, or nullopt when the
  // reset token was no longer usable (then nothing changed).
  [[nodiscard]] virtual Result<std::optional<int>> replace_password(const PasswordReplacement& change,
                                                                   std::int64_t now) = 0;
};

// What the housekeeping sweep removes: rows whose time (in the column named)
// is at or before the cutoff. The audit log is never touched.
struct SweepCutoffs {
  std::int64_t now = 0;  // expires_at of sessions, unused refresh tokens, MFA challenges, account tokens; lockout windows
  std::int64_t revoked_before = 0;        // revoked_at of sessions (they go with every refresh token of theirs)
  std::int64_t mail_before = 0;           // sent_at or failed_at (given up) of mail
  std::int64_t mail_requests_before = 0;  // created_at of mail budget rows
  std::int64_t invalidations_before = 0;  // logged_at of the cache invalidation log (migration 0007)
};

struct SweepCounts {
  int sessions = 0;  // expired or long revoked
  int refresh_tokens = 0;  // of those sessions, and unused ones that expired
  int mfa_challenges = 0;
  int account_tokens = 0;
  int mail_requests = 0;
  int mail = 0;
  int login_failures = 0;
  int cache_invalidations = 0;
  friend bool operator==(const SweepCounts&, const SweepCounts&) = default;
};

class HousekeepingStore {
 public:
  virtual ~HousekeepingStore() = default;
  // Deletes what the cutoffs say and counts it. Each delete is idempotent, so
  // two instances sweeping at once remove each row once between them; a
  // refresh token that was used stays as long as its session (reuse detection
  // needs it). PostgreSQL: one sweeper at a time (an advisory lock); the other
  // returns nullopt at once.
  [[nodiscard]] virtual Result<std::optional<SweepCounts>> sweep_expired(const SweepCutoffs& cutoffs) = 0;
};

class Store : public AccountStore,
              public SessionStore,
              public CacheInvalidationStore,
              public RefreshTokenStore,
              public LockoutStore,
              public MfaStore,
              public AuditStore,
              public MailOutboxStore,
              public AccountTokenStore,
              public AdminStore,
              public HousekeepingStore {
 public:
  // Applies the numbered migrations not yet recorded in schema_migrations; safe
  // to run twice and from several processes at once. Returns how many it applied.
  [[nodiscard]] virtual Result<int> migrate() = 0;
  // For /readyz: the database answers.
  [[nodiscard]] virtual Result<void> ping() = 0;
  [[nodiscard]] virtual std::string_view dialect() const noexcept = 0;  // "sqlite" | "postgres"
};

// "postgres://..." / "postgresql://..." → PostgresStore; "sqlite:PATH" or an
// empty URL → SqliteStore at PATH (default: <data_dir>/sesame.db).
[[nodiscard]] Result<std::unique_ptr<Store>> open_store(std::string_view database_url, std::string_view data_dir);

}  // namespace sesame::server
