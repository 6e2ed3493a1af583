#include "auth/recovery/recovery_service.hpp"

#include "auth/identifiers.hpp"
#include "auth/lockout.hpp"
#include "security/opaque_token.hpp"

namespace sesame::server {
namespace {

const Failure kResetTokenInvalid{ErrorCode::reset_token_invalid,
                                 "the reset link is unknown, expired or already used; ask for a new one",
                                 {},
                                 std::nullopt};
const Failure kVerificationTokenInvalid{ErrorCode::verification_token_invalid,
                                        "the verification link is unknown, expired or already used; ask for a new one",
                                        {},
                                        std::nullopt};

// An account token that may still be used for `purpose` (the store re-checks
// under its lock; this early look finds the user whose email the policy needs).
bool usable(const std::optional<AccountTokenRecord>& token, std::string_view purpose, std::int64_t now) {
  return token && token->purpose == purpose && !token->used_at && token->expires_at > now;
}

}  // namespace

Outcome<void> RecoveryService::initiate_password_reset(const api::PasswordResetInitiateRequest& request,
                                                       const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  const std::string key = email_key(request.email);
  auto user = store_.find_user_by_email_key(request.tenant_id.value_or(kDefaultTenant), key);
  if (!user.ok()) return to_failure(user.error());
  // The token and the mail are made either way, so both paths cost the same;
  // only a real account's are handed to the store.
  const bool known = user->has_value() && !(*user)->disabled;
  AccountMail::TokenMail reset = known ? mail_.password_reset(**user, now) : mail_.password_reset_for_unknown(request.email, now);
  std::optional<AccountTokenRecord> token;
  std::optional<MailRecord> mail;
  if (known) {
    token = std::move(reset.record);
    mail = std::move(reset.mail);
  }
  auto within_budget =
      store_.record_mail_request("reset:" + key, now, kMailBudgetWindowSeconds, policy_.reset_mails_per_hour, token, mail);
  if (!within_budget.ok()) return to_failure(within_budget.error());
  audit_.record(!*within_budget ? "password.reset_throttled" : known ? "password.reset_requested" : "password.reset_unknown_email",
                now, known ? (*user)->id.value : std::string(), client, {{"email_key", key}});
  return {};
}

Outcome<void> RecoveryService::complete_password_reset(const api::PasswordResetCompleteRequest& request,
                                                       const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  const std::string token_hash = hash_opaque_token(request.token);
  auto token = store_.find_account_token(token_hash);
  if (!token.ok()) return to_failure(token.error());
  if (!usable(*token, kPasswordResetPurpose, now)) return kResetTokenInvalid;
  auto user = store_.find_user_by_id((*token)->user_id);
  if (!user.ok()) return to_failure(user.error());
  if (!user->has_value() || (*user)->disabled) return kResetTokenInvalid;
  const UserRecord& account = **user;

  if (auto refused = screen_.refusal(request.new_password, account.email, account.name, "/new_password")) return *refused;
  auto hash = hasher_.hash(request.new_password);
  if (!hash.ok()) return to_failure(hash.error());

  PasswordReplacement change;
  change.user_id = account.id;
  change.password_hash = std::move(hash.value());
  change.revoke_reason = "password_reset";
  change.lockout_key = lockout_key(account.email_key);
  change.reset_token_hash = token_hash;
  change.alert = mail_.security_alert(account, SecurityAlert::password_reset, now);
  auto replaced = store_.replace_password(change, now);
  if (!replaced.ok()) return to_failure(replaced.error());
  if (!replaced->has_value()) return kResetTokenInvalid;  // used by a concurrent request
  audit_.record("password.reset", now, account.id.value, client, {{"sessions_revoked", **replaced}});
  return {};
}

Outcome<void> RecoveryService::verify_email(const api::EmailVerifyRequest& request, const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  const std::string token_hash = hash_opaque_token(request.token);
  auto token = store_.find_account_token(token_hash);
  if (!token.ok()) return to_failure(token.error());
  if (!usable(*token, kEmailVerificationPurpose, now)) return kVerificationTokenInvalid;
  auto user = store_.find_user_by_id((*token)->user_id);
  if (!user.ok()) return to_failure(user.error());
  if (!user->has_value()) return kVerificationTokenInvalid;
  auto verified = store_.verify_email(token_hash, now, mail_.security_alert(**user, SecurityAlert::email_verified, now));
  if (!verified.ok()) return to_failure(verified.error());
  if (!verified->has_value()) return kVerificationTokenInvalid;
  audit_.record("email.verified", now, (*user)->id.value, client, {{"email_key", (*user)->email_key}});
  return {};
}

Outcome<void> RecoveryService::send_verification(const UserRecord& user, const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  AccountMail::TokenMail verification = mail_.email_verification(user, now);
  if (auto issued = store_.issue_account_token(verification.record, verification.mail); !issued.ok()) {
    return to_failure(issued.error());
  }
  audit_.record("email.verification_sent", now, user.id.value, client);
  return {};
}

Outcome<void> RecoveryService::resend_verification(const Principal& principal, const ClientContext& client) {
  auto user = store_.find_user_by_id(principal.user_id);
  if (!user.ok()) return to_failure(user.error());
  if (!user->has_value()) return Failure{ErrorCode::unauthorized, "the account no longer exists", {}, std::nullopt};
  if ((*user)->email_verified) return {};  // nothing to confirm
  return send_verification(**user, client);
}

Outcome<void> RecoveryService::resend_verification_to(std::string_view email, const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  const std::string key = email_key(email);
  auto user = store_.find_user_by_email_key(kDefaultTenant, key);  // the resend body names no tenant
  if (!user.ok()) return to_failure(user.error());
  const bool wanted = user->has_value() && !(*user)->email_verified && !(*user)->disabled;
  std::optional<AccountTokenRecord> token;
  std::optional<MailRecord> mail;
  if (wanted) {
    AccountMail::TokenMail verification = mail_.email_verification(**user, now);
    token = std::move(verification.record);
    mail = std::move(verification.mail);
  }
  auto within_budget =
      store_.record_mail_request("verify:" + key, now, kMailBudgetWindowSeconds, policy_.verification_mails_per_hour, token, mail);
  if (!within_budget.ok()) return to_failure(within_budget.error());
  if (wanted && *within_budget) audit_.record("email.verification_sent", now, (*user)->id.value, client);
  return {};
}

}  // namespace sesame::server
