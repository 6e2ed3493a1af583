#include "auth/accounts/account_service.hpp"

#include "auth/identifiers.hpp"
#include "auth/lockout.hpp"
#include "security/opaque_token.hpp"

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
  out.password_must_change = user.password_must_change;
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
  if (!open_registration_) {
    return Failure{ErrorCode::registration_closed, "accounts are created by an administrator here", {}, std::nullopt};
  }
  NewAccount account;
  account.email = request.email;
  account.password = request.password;
  account.name = request.name;
  account.tenant_id = request.tenant_id.value_or(kDefaultTenant);
  account.event = "account.registered";
  return create_account(account, client);
}

Outcome<api::User> AccountService::create_admin(const api::RegisterRequest& request, const ClientContext& client,
                                                bool global) {
  NewAccount account;
  account.email = request.email;
  account.password = request.password;
  account.name = request.name;
  account.roles = {kAdminRole, kUserRole};
  if (global) account.roles.insert(account.roles.begin(), kGlobalAdminRole);
  account.event = "account.admin_created";
  return create_account(account, client);
}

Outcome<api::User> AccountService::create_account(const NewAccount& account, const ClientContext& client) {
  auto tenant = store_.find_tenant(account.tenant_id);
  if (!tenant.ok()) return to_failure(tenant.error());
  if (!tenant->has_value()) {
    Failure unknown{ErrorCode::validation_failed, "no such tenant", {}, std::nullopt};
    unknown.violations.push_back({"invalid_field", "no tenant has this id", "/tenant_id"});
    return unknown;
  }
  if ((*tenant)->disabled) return Failure{ErrorCode::tenant_disabled, "this tenant is disabled", {}, std::nullopt};
  if (account.password) {
    if (auto refused = screen_.refusal(*account.password, account.email, account.name.value_or(""), "/password")) {
      return *refused;
    }
  }
  // Invited without a password: the hash of a random secret nobody knows, so a
  // sign-in before the invitation is used costs the same and fails.
  auto hash = hasher_.hash(account.password ? *account.password : generate_opaque_token(random_));
  if (!hash.ok()) return to_failure(hash.error());

  const std::int64_t now = clock_.now_unix_seconds();
  UserRecord user;
  user.id = UserId{new_uuid_v4(random_)};
  user.email = account.email;
  user.email_key = email_key(account.email);
  user.name = account.name.value_or("");
  user.tenant_id = account.tenant_id;
  user.roles = account.roles;
  if (!has_role(user.roles, kUserRole)) user.roles.push_back(kUserRole);  // every user has `user`
  user.password_hash = std::move(hash.value());
  user.password_must_change = account.password && account.password_must_change;
  user.created_at = now;
  user.updated_at = now;
  // The verification (or invitation) mail is written with the account: one transaction.
  const AccountMail::TokenMail mail = account.password ? mail_.email_verification(user, now) : mail_.invitation(user, now);
  if (auto created = store_.create_user_with_verification(user, mail.record, mail.mail); !created.ok()) {
    if (created.code() == ErrorCode::email_taken) {
      return Failure{ErrorCode::email_taken, "an account with this email already exists", {}, std::nullopt};
    }
    return to_failure(created.error());
  }
  nlohmann::json details = nlohmann::json::object();
  if (user.tenant_id != kDefaultTenant) details["tenant_id"] = user.tenant_id;
  if (!account.actor_id.empty()) {
    details["roles"] = user.roles;
    details["invited"] = !account.password;
  }
  audit_.record(account.event, now, user.id.value, client, details, account.actor_id);
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
  // The password an admin chose is gone: this session gets full access.
  if (principal.scope == kPasswordChangeScope) {
    auto upgraded = store_.upgrade_session(principal.session_id, "", principal.amr, now);
    if (!upgraded.ok()) return to_failure(upgraded.error());
  }
  audit_.record("password.changed", now, principal.user_id.value, client, {{"sessions_revoked", revoked->value_or(0)}});
  return {};
}

Outcome<api::User> AccountService::me(const Principal& principal) {
  auto cached = views_.find(principal.user_id);
  if (cached.user) return std::move(*cached.user);
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
  views_.remember(principal.user_id, out, cached);
  return out;
}

}  // namespace sesame::server
