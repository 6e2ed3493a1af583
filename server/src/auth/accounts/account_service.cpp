#include "auth/accounts/account_service.hpp"

#include "auth/identifiers.hpp"
#include "auth/lockout.hpp"

namespace sesame::server {

api::User to_api_user(const UserRecord& user) {
  api::User out;
  out.id = user.id.value;
  out.email = user.email;
  if (!user.name.empty()) out.name = user.name;
  out.tenant_id = user.tenant_id;
  out.roles = user.roles;
  out.email_verified = user.email_verified;
  out.disabled = user.disabled;
  out.created_at = api::Timestamp{user.created_at};
  return out;
}

Failure password_policy_failure(const PasswordVerdict& verdict, std::string_view pointer) {
  Failure failure{ErrorCode::password_policy_violation, "the password does not meet the policy", {}, std::nullopt};
  for (const auto& violation : verdict.violations) {
    api::ProblemViolation item;
    item.code = std::string(violation.name());
    switch (violation.code) {
      case PasswordViolationCode::password_too_short:
        item.detail = "must be at least " + std::to_string(violation.min_length) + " characters";
        break;
      case PasswordViolationCode::password_too_long:
        item.detail = "must be at most " + std::to_string(violation.max_length) + " characters";
        break;
      case PasswordViolationCode::password_common:
        item.detail = "is too common";
        break;
      case PasswordViolationCode::password_matches_email:
        item.detail = "must not be the email address";
        break;
      case PasswordViolationCode::password_matches_context:
        item.detail = "must not be the name of this service";
        break;
      case PasswordViolationCode::password_invalid_utf8:
        item.detail = "must be valid UTF-8";
        break;
    }
    item.pointer = std::string(pointer);
    failure.violations.push_back(std::move(item));
  }
  return failure;
}

Outcome<api::User> AccountService::register_account(const api::RegisterRequest& request, const ClientContext& client) {
  return create_account(request, {"user"}, "account.registered", client);
}

Outcome<api::User> AccountService::create_admin(const api::RegisterRequest& request, const ClientContext& client) {
  return create_account(request, {"admin", "user"}, "account.admin_created", client);
}

Outcome<api::User> AccountService::create_account(const api::RegisterRequest& request, std::vector<std::string> roles,
                                                  std::string_view event, const ClientContext& client) {
  if (auto refused = screen_.refusal(request.password, request.email, request.name.value_or(""), "/password")) return *refused;

  auto hash = hasher_.hash(request.password);
  if (!hash.ok()) return to_failure(hash.error());

  const std::int64_t now = clock_.now_unix_seconds();
  UserRecord user;
  user.id = UserId{new_uuid_v4(random_)};
  user.email = request.email;
  user.email_key = email_key(request.email);
  user.name = request.name.value_or("");
  user.tenant_id = "default";
  user.roles = std::move(roles);
  user.password_hash = std::move(hash.value());
  user.created_at = now;
  user.updated_at = now;
  // The verification mail is written with the account: one transaction.
  const AccountMail::TokenMail verification = mail_.email_verification(user, now);
  if (auto created = store_.create_user_with_verification(user, verification.record, verification.mail);
      !created.ok()) {
    if (created.code() == ErrorCode::email_taken) {
      return Failure{ErrorCode::email_taken, "an account with this email already exists", {}, std::nullopt};
    }
    return to_failure(created.error());
  }
  audit_.record(event, now, user.id.value, client);
  return to_api_user(user);
}

Outcome<void> AccountService::change_password(const Principal& principal, const api::PasswordChangeRequest& request,
                                              const ClientContext& client) {
  auto user = store_.find_user_by_id(principal.user_id);
  if (!user.ok()) return to_failure(user.error());
  if (!user->has_value()) return Failure{ErrorCode::unauthorized, "the account no longer exists", {}, std::nullopt};
  const std::int64_t now = clock_.now_unix_seconds();
  if (auto verified =
          lockout_.verify_password(hasher_, **user, request.current_password, now, client, "password.change_failed");
      !verified.ok()) {
    return verified;
  }
  if (auto refused = screen_.refusal(request.new_password, (*user)->email, (*user)->name, "/new_password")) return *refused;

  auto hash = hasher_.hash(request.new_password);
  if (!hash.ok()) return to_failure(hash.error());
  // The new hash, the other sessions revoked and the alert mail: one transaction.
  PasswordReplacement change;
  change.user_id = principal.user_id;
  change.password_hash = std::move(hash.value());
  change.keep_session = principal.session_id;
  change.revoke_reason = "password_change";
  change.alert = mail_.security_alert(**user, SecurityAlert::password_changed, now);
  auto revoked = store_.replace_password(change, now);
  if (!revoked.ok()) return to_failure(revoked.error());
  audit_.record("password.changed", now, principal.user_id.value, client, {{"sessions_revoked", revoked->value_or(0)}});
  return {};
}

Outcome<api::User> AccountService::me(const Principal& principal) {
  auto user = store_.find_user_by_id(principal.user_id);
  if (!user.ok()) return to_failure(user.error());
  if (!user->has_value()) return Failure{ErrorCode::unauthorized, "the account no longer exists", {}, std::nullopt};
  api::User out = to_api_user(**user);
  auto totp = store_.find_totp_credential(principal.user_id);
  if (!totp.ok()) return to_failure(totp.error());
  out.mfa_enabled = totp->has_value() && (*totp)->enabled();
  if (out.mfa_enabled) {
    auto remaining = store_.count_unused_backup_codes(principal.user_id);
    if (!remaining.ok()) return to_failure(remaining.error());
    out.backup_codes_remaining = *remaining;
  }
  return out;
}

}  // namespace sesame::server
