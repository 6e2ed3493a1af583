#include "auth/login/login_service.hpp"

#include "auth/identifiers.hpp"

namespace sesame::server {
namespace {

const Failure kInvalidCredentials{ErrorCode::invalid_credentials, "the email or password is wrong", {}, std::nullopt};

}  // namespace

Outcome<SignInOutcome> LoginService::sign_in(const api::TokenRequest& request, const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  const std::string key = email_key(request.email);

  // The account first: a device token is bound to its user id.
  auto user = store_.find_user_by_email_key(request.tenant_id.value_or(kDefaultTenant), key);
  if (!user.ok()) return to_failure(user.error());
  const std::string user_id = user->has_value() ? (*user)->id.value : std::string();

  if (auto locked = lockout_.refuse_while_locked(key, user_id, client, now); !locked.ok()) {
    // No password check while locked: a guess can't be confirmed by timing either.
    audit_.record("login.locked_out", now, "", client, {{"email_key", key}});
    return locked.error();
  }

  bool password_ok = false;
  if (user->has_value()) {
    password_ok = hasher_.verify((*user)->password_hash, request.password);
  } else {
    hasher_.dummy_verify(request.password);  // the same work as a real verify
  }

  if (!password_ok) {
    if (auto counted = lockout_.count_failure(key, now, user_id, client, "login.failed"); !counted.ok()) {
      return counted.error();
    }
    return kInvalidCredentials;
  }

  const UserRecord& account = **user;
  if (account.disabled) {
    audit_.record("login.disabled_account", now, account.id.value, client);
    return Failure{ErrorCode::account_disabled, "the account is disabled", {}, std::nullopt};
  }
  auto tenant = store_.find_tenant(account.tenant_id);
  if (!tenant.ok()) return to_failure(tenant.error());
  if (!tenant->has_value() || (*tenant)->disabled) {
    audit_.record("login.tenant_disabled", now, account.id.value, client, {{"tenant_id", account.tenant_id}});
    return Failure{ErrorCode::tenant_disabled, "the account's tenant is disabled", {}, std::nullopt};
  }
  // After the password check, so the answer tells nothing to whoever does not know it.
  if (requirements_.verified_email && !account.email_verified) {
    audit_.record("login.email_not_verified", now, account.id.value, client);
    return Failure{ErrorCode::email_not_verified,
                   "confirm your email address first: open the link we mailed you, or get a new one with "
                   "POST /api/v1/auth/email/verify/resend {\"email\": \"...\"}",
                   {}, std::nullopt};
  }

  // New Argon2 parameters take effect as people sign in.
  if (hasher_.needs_rehash(account.password_hash)) {
    if (auto rehashed = hasher_.hash(request.password); rehashed.ok()) {
      (void)store_.update_password_hash(account.id, *rehashed, now);
    }
  }

  auto has_totp = mfa_.totp_enabled(account.id);
  if (!has_totp.ok()) return has_totp.error();
  if (*has_totp) {
    // The lockout is cleared only once the second factor is right too.
    auto challenge = mfa_.start_challenge(account, client);
    if (!challenge.ok()) return challenge.error();
    return SignInOutcome{std::move(challenge.value())};
  }

  if (auto cleared = lockout_.clear(key); !cleared.ok()) return cleared.error();
  // An admin-chosen password is changed before anything else (then MFA enrolment, if required).
  const char* scope = account.password_must_change ? kPasswordChangeScope : requirements_.mfa ? kEnrolmentScope : "";
  auto issued = tokens_.start_session(account, {"pwd"}, client, scope);
  if (!issued.ok()) return issued.error();
  issued->device_token = lockout_.remember_device(account.id.value, client);
  audit_.record("login.succeeded", now, account.id.value, client, {{"session_id", issued->response.session_id}});
  return SignInOutcome{std::move(issued.value())};
}

}  // namespace sesame::server
