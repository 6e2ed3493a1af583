#include "auth/login/login_service.hpp"

#include "auth/identifiers.hpp"
#include "auth/lockout.hpp"

namespace sesame::server {
namespace {

const Failure kInvalidCredentials{ErrorCode::invalid_credentials, "the email or password is wrong", {}, std::nullopt};

}  // namespace

Outcome<IssuedTokens> LoginService::sign_in(const api::TokenRequest& request, const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  const std::string key = email_key(request.email);
  const std::string account_key = lockout_key(key);

  auto state = store_.lockout_state(account_key, now);
  if (!state.ok()) return to_failure(state.error());
  if (state->locked_until && *state->locked_until > now) {
    // No password check while locked: a guess can't be confirmed by timing either.
    audit_.record("login.locked_out", now, "", client, {{"email_key", key}});
    return locked_failure(*state->locked_until, now);
  }

  auto user = store_.find_user_by_email_key(key);
  if (!user.ok()) return to_failure(user.error());

  bool password_ok = false;
  if (user->has_value()) {
    password_ok = hasher_.verify((*user)->password_hash, request.password);
  } else {
    hasher_.dummy_verify(request.password);  // the same work as a real verify
  }

  if (!password_ok) {
    auto failed = store_.record_login_failure(account_key, now, lockout_);
    if (!failed.ok()) return to_failure(failed.error());
    const std::string user_id = user->has_value() ? (*user)->id.value : std::string();
    audit_.record("login.failed", now, user_id, client, {{"email_key", key}, {"failures", failed->failures}});
    if (failed->locked_until && *failed->locked_until > now) {
      audit_.record("account.locked", now, user_id, client, {{"email_key", key}, {"until", *failed->locked_until}});
    }
    return kInvalidCredentials;
  }

  const UserRecord& account = **user;
  if (account.disabled) {
    audit_.record("login.disabled_account", now, account.id.value, client);
    return Failure{ErrorCode::account_disabled, "the account is disabled", {}, std::nullopt};
  }
  if (auto cleared = store_.clear_login_failures(account_key); !cleared.ok()) return to_failure(cleared.error());
  // After the password check, so the answer tells nothing to whoever does not know it.
  if (require_verified_email_ && !account.email_verified) {
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

  auto issued = tokens_.start_session(account, {"pwd"}, client);
  if (issued.ok()) audit_.record("login.succeeded", now, account.id.value, client, {{"session_id", issued->response.session_id}});
  return issued;
}

}  // namespace sesame::server
