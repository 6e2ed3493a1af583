#pragma once
// The production store: PostgreSQL through libpqxx, shared by every server
// instance. Row locks (SELECT ... FOR UPDATE) make rotation and lockout
// counting atomic across processes; migrations serialise on an advisory lock.

#include <memory>
#include <string>

#include "store/postgres/postgres_pool.hpp"
#include "store/store.hpp"

namespace sesame::server {

class PostgresStore final : public Store {
 public:
  // Connects once to check the URL and the server; the pool opens more on demand.
  [[nodiscard]] static Result<std::unique_ptr<PostgresStore>> open(const std::string& url,
                                                                   const postgres::PoolOptions& options = {});

  Result<void> create_user(const UserRecord& user) override;
  Result<std::optional<UserRecord>> find_user_by_email_key(std::string_view tenant_id,
                                                            std::string_view email_key) override;
  Result<std::optional<UserRecord>> find_user_by_id(const UserId& id) override;
  Result<void> update_password_hash(const UserId& id, std::string_view password_hash, std::int64_t now) override;

  Result<void> create_session(const SessionRecord& session) override;
  Result<std::optional<SessionRecord>> find_session(const SessionId& id) override;
  Result<std::vector<SessionRecord>> list_active_sessions(const UserId& user, std::int64_t now) override;
  Result<bool> revoke_session(const SessionId& id, const UserId& user, std::int64_t now,
                              std::string_view reason) override;
  Result<int> revoke_all_sessions(std::int64_t now, std::string_view reason) override;
  Result<int> revoke_user_sessions(const UserId& user, const std::optional<SessionId>& keep, std::int64_t now,
                                   std::string_view reason) override;
  Result<bool> is_session_active(const SessionId& id, std::int64_t now) override;
  Result<std::unique_ptr<CacheInvalidationFeed>> open_invalidation_feed() override;
  std::uint64_t local_invalidations() const noexcept override;
  Result<bool> upgrade_session(const SessionId& id, std::string_view scope, const std::vector<std::string>& amr,
                               std::int64_t now) override;

  Result<void> insert_refresh_token(const RefreshTokenRecord& token) override;
  Result<std::optional<SessionRecord>> find_refresh_token_session(std::string_view token_hash, std::int64_t now) override;
  Result<RotationResult> rotate_refresh_token(std::string_view presented_hash, const RefreshTokenRecord& successor,
                                              std::string_view successor_sealed, std::int64_t now,
                                              std::int64_t grace_seconds, const ReuseAlert& reuse_alert) override;

  Result<LockoutState> record_login_failure(std::string_view key, std::int64_t now,
                                            const LockoutPolicy& policy, std::string_view account_key) override;
  Result<LockoutState> lockout_state(std::string_view key, std::int64_t now) override;
  Result<void> clear_login_failures(std::string_view key) override;

  Result<std::optional<TotpCredentialRecord>> find_totp_credential(const UserId& user) override;
  Result<bool> save_pending_totp(const TotpCredentialRecord& pending) override;
  Result<bool> confirm_totp(const UserId& user, std::string_view secret_sealed, std::int64_t step, std::int64_t now,
                            const std::vector<BackupCodeRecord>& codes, const MailRecord& alert) override;
  Result<bool> advance_totp_step(const UserId& user, std::int64_t step) override;
  Result<bool> delete_totp(const UserId& user, const MailRecord& alert) override;
  Result<std::vector<BackupCodeRecord>> find_backup_codes(const UserId& user, std::string_view lookup) override;
  Result<bool> consume_backup_code(std::string_view id, std::int64_t now) override;
  Result<int> count_unused_backup_codes(const UserId& user) override;
  Result<void> replace_backup_codes(const UserId& user, const std::vector<BackupCodeRecord>& codes) override;
  Result<void> create_mfa_challenge(const MfaChallengeRecord& challenge) override;
  Result<std::optional<MfaChallengeRecord>> count_mfa_attempt(std::string_view token_hash, std::int64_t now,
                                                              int max_attempts) override;
  Result<bool> complete_mfa_challenge(std::string_view token_hash, std::int64_t now) override;

  // The audit chain (postgres_audit_store.cpp).
  Result<void> append_audit_event(const AuditEventRecord& event) override;
  Result<std::vector<AuditEventRecord>> list_audit_events(const AuditQuery& query) override;
  Result<std::vector<AuditEventRecord>> read_audit_chain(std::int64_t after_sequence, int limit) override;
  Result<std::optional<AuditChainHead>> audit_chain_head() override;
  Result<std::optional<AuditEventRecord>> first_unchained_audit_event() override;

  // The housekeeping sweep (postgres_housekeeping_store.cpp).
  Result<std::optional<SweepCounts>> sweep_expired(const SweepCutoffs& cutoffs) override;

  // Mail outbox and account tokens (postgres_recovery_store.cpp).
  Result<void> enqueue_mail(const MailRecord& mail) override;
  Result<std::vector<MailRecord>> claim_due_mail(std::int64_t now, int limit, std::int64_t lease_seconds) override;
  Result<void> mark_mail_sent(std::string_view id, std::int64_t now, bool keep_bodies) override;
  Result<void> record_mail_failure(std::string_view id, std::int64_t now, std::optional<std::int64_t> next_attempt_at,
                                   std::string_view error) override;
  Result<std::vector<MailRecord>> list_mail_to(std::string_view to_key, int limit) override;
  Result<void> create_user_with_verification(const UserRecord& user, const AccountTokenRecord& token,
                                             const MailRecord& mail) override;
  Result<void> issue_account_token(const AccountTokenRecord& token, const MailRecord& mail) override;
  Result<bool> record_mail_request(std::string_view budget_key, std::int64_t now, std::int64_t window_seconds,
                                      int max_mails, const std::optional<AccountTokenRecord>& token,
                                      const std::optional<MailRecord>& mail) override;
  Result<std::optional<AccountTokenRecord>> find_account_token(std::string_view token_hash) override;
  Result<std::optional<UserId>> verify_email(std::string_view token_hash, std::int64_t now,
                                             const std::optional<MailRecord>& alert) override;
  Result<std::vector<UserRecord>> list_users(const UserQuery& query) override;
  Result<std::optional<UserRecord>> update_user(const UserId& id, const UserChanges& changes, std::int64_t now,
                                                std::string_view revoke_reason) override;
  Result<void> create_tenant(const TenantRecord& tenant) override;
  Result<std::optional<TenantRecord>> find_tenant(std::string_view id) override;
  Result<std::vector<TenantRecord>> list_tenants() override;
  Result<std::optional<TenantRecord>> set_tenant_disabled(std::string_view id, bool disabled, std::int64_t now,
                                                          std::string_view revoke_reason) override;

  Result<std::optional<int>> replace_password(const PasswordReplacement& change, std::int64_t now) override;

  Result<int> migrate() override;
  Result<void> ping() override;
  std::string_view dialect() const noexcept override { return "postgres"; }

 private:
  PostgresStore(const std::string& url, const postgres::PoolOptions& options);

  postgres::ConnectionPool pool_;
};

}  // namespace sesame::server
