#include "auth/mfa/mfa_service.hpp"

#include "auth/mfa/backup_code_hashing.hpp"
#include "security/opaque_token.hpp"
#include "security/secret_bytes.hpp"
#include "sesame/encoding.hpp"
#include "sesame/otpauth.hpp"
#include "sesame/qr.hpp"

namespace sesame::server {
namespace {

const Failure kInvalidMfaToken{ErrorCode::mfa_token_invalid,
                               "the MFA challenge is unknown, expired, used or out of tries; sign in again",
                               {}, std::nullopt};
const Failure kNotEnabled{ErrorCode::mfa_not_enabled, "TOTP is not enabled for this account", {}, std::nullopt};

// The plaintext of a sealed TOTP secret, wiped when it goes out of scope.
class OpenedSecret {
 public:
  explicit OpenedSecret(std::string bytes) : bytes_(std::move(bytes)) {}
  OpenedSecret(const OpenedSecret&) = delete;
  OpenedSecret& operator=(const OpenedSecret&) = delete;
  ~OpenedSecret() { wipe_string(bytes_); }
  [[nodiscard]] ByteView view() const noexcept {
    return {reinterpret_cast<const std::uint8_t*>(bytes_.data()), bytes_.size()};
  }

 private:
  std::string bytes_;
};

Outcome<std::unique_ptr<OpenedSecret>> open_secret(const TokenSealer& sealer, const TotpCredentialRecord& credential) {
  auto opened = sealer.open(credential.secret_sealed);
  if (!opened.ok()) return Failure{ErrorCode::internal_error, "the stored TOTP secret does not open", {}, std::nullopt};
  return std::make_unique<OpenedSecret>(std::move(opened.value()));
}

}  // namespace

MfaService::MfaService(Store& store, const PasswordHasher& hasher, const TokenSealer& totp_sealer, TokenService& tokens,
                       AccountLockout& lockout, RandomSource& random, const Clock& clock, AuditTrail& audit,
                       const AccountMail& mail, MfaPolicy policy)
    : store_(store),
      hasher_(hasher),
      totp_sealer_(totp_sealer),
      tokens_(tokens),
      lockout_(lockout),
      random_(random),
      clock_(clock),
      audit_(audit),
      mail_(mail),
      policy_(std::move(policy)),
      verifier_(policy_.otp, policy_.window_steps) {}

Outcome<bool> MfaService::totp_enabled(const UserId& user) {
  auto credential = store_.find_totp_credential(user);
  if (!credential.ok()) return to_failure(credential.error());
  return credential->has_value() && (*credential)->enabled();
}

Outcome<api::MfaChallenge> MfaService::start_challenge(const UserRecord& user, const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  std::string token = generate_opaque_token(random_);
  MfaChallengeRecord challenge;
  challenge.token_hash = hash_opaque_token(token);
  challenge.user_id = user.id;
  challenge.created_at = now;
  challenge.expires_at = now + policy_.challenge_ttl_seconds;
  if (auto created = store_.create_mfa_challenge(challenge); !created.ok()) return to_failure(created.error());
  audit_.record("mfa.challenge_started", now, user.id.value, client);
  return api::MfaChallenge{std::move(token), {"totp", "backup_code"}, policy_.challenge_ttl_seconds};
}

Outcome<IssuedTokens> MfaService::verify(const api::MfaVerifyRequest& request, const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  const std::string token_hash = hash_opaque_token(request.mfa_token);
  // The try is counted before the code is looked at: a 6th try is refused even with the right code.
  auto challenge = store_.count_mfa_attempt(token_hash, now, policy_.challenge_max_attempts);
  if (!challenge.ok()) return to_failure(challenge.error());
  if (!challenge->has_value()) return kInvalidMfaToken;

  auto user = store_.find_user_by_id((*challenge)->user_id);
  if (!user.ok()) return to_failure(user.error());
  if (!user->has_value()) return kInvalidMfaToken;
  const UserRecord& account = **user;
  if (account.disabled) return Failure{ErrorCode::account_disabled, "the account is disabled", {}, std::nullopt};
  // The tenant may have been disabled since the password step.
  auto tenant = store_.find_tenant(account.tenant_id);
  if (!tenant.ok()) return to_failure(tenant.error());
  if (!tenant->has_value() || (*tenant)->disabled) {
    return Failure{ErrorCode::tenant_disabled, "the account's tenant is disabled", {}, std::nullopt};
  }
  if (auto locked = lockout_.refuse_while_locked(account.email_key, account.id.value, client, now); !locked.ok()) return locked.error();

  auto credential = enabled_credential(account.id);
  if (!credential.ok()) return kInvalidMfaToken;  // TOTP was turned off since the password step
  auto accepted = accept_second_factor(*credential, request.kind, request.code, now, client);
  if (!accepted.ok()) return accepted.error();
  if (!*accepted) return wrong_second_factor(account, now, client, "mfa.failed");

  auto completed = store_.complete_mfa_challenge(token_hash, now);
  if (!completed.ok()) return to_failure(completed.error());
  if (!*completed) return kInvalidMfaToken;  // a concurrent request finished it first
  if (auto cleared = lockout_.clear(account.email_key); !cleared.ok()) return cleared.error();

  // An admin-chosen password is changed before anything else, second factor or not.
  auto issued = tokens_.start_session(account, {"pwd", "otp"}, client,
                                      account.password_must_change ? kPasswordChangeScope : "");
  if (issued.ok()) {
    issued->device_token = lockout_.remember_device(account.id.value, client);
    audit_.record("login.succeeded", now, account.id.value, client,
                  {{"session_id", issued->response.session_id},
                   {"second_factor", request.kind == api::MfaCodeKind::backup_code ? "backup_code" : "totp"}});
  }
  return issued;
}

Outcome<api::TotpSetupResponse> MfaService::setup(const Principal& principal, const api::TotpSetupRequest& request,
                                                  const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  auto user = signed_in_user(principal);
  if (!user.ok()) return user.error();
  auto enabled = totp_enabled(user->id);
  if (!enabled.ok()) return enabled.error();
  if (*enabled) return Failure{ErrorCode::mfa_already_enabled, "TOTP is already enabled; disable it first", {}, std::nullopt};

  const RecentSignIn recent(store_, lockout_, hasher_, policy_.reauthentication_seconds);
  if (auto proven = recent.require(principal, *user, request.password, now, client, "mfa.reauthentication_failed");
      !proven.ok()) {
    return proven.error();
  }

  SecretBytes secret(generate_totp_secret(random_, policy_.otp.algorithm));
  const std::string_view secret_text(reinterpret_cast<const char*>(secret.view().data()), secret.view().size());
  auto sealed = totp_sealer_.seal(secret_text, random_);
  if (!sealed.ok()) return to_failure(sealed.error());
  TotpCredentialRecord pending;
  pending.user_id = user->id;
  pending.secret_sealed = std::move(sealed.value());
  pending.created_at = now;
  auto saved = store_.save_pending_totp(pending);
  if (!saved.ok()) return to_failure(saved.error());
  if (!*saved) return Failure{ErrorCode::mfa_already_enabled, "TOTP is already enabled; disable it first", {}, std::nullopt};

  OtpauthUri key{policy_.totp_issuer, user->email, Bytes(secret.view().begin(), secret.view().end()), policy_.otp};
  auto uri = build_otpauth_uri(key);
  sodium_memzero(key.secret.data(), key.secret.size());
  if (!uri.ok()) return to_failure(uri.error());
  auto svg = qr_svg(*uri);
  if (!svg.ok()) return to_failure(svg.error());
  audit_.record("mfa.totp_setup_started", now, user->id.value, client);
  return api::TotpSetupResponse{base32_encode(secret.view(), Base32Padding::without_padding), std::move(uri.value()),
                                std::move(svg.value())};
}

Outcome<api::BackupCodesResponse> MfaService::confirm(const Principal& principal, const api::TotpConfirmRequest& request,
                                                      const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  auto credential = store_.find_totp_credential(principal.user_id);
  if (!credential.ok()) return to_failure(credential.error());
  if (!credential->has_value()) {
    return Failure{ErrorCode::mfa_setup_not_started, "start with /mfa/totp/setup", {}, std::nullopt};
  }
  if ((*credential)->enabled()) {
    return Failure{ErrorCode::mfa_already_enabled, "TOTP is already enabled", {}, std::nullopt};
  }
  auto secret = open_secret(totp_sealer_, **credential);
  if (!secret.ok()) return secret.error();
  auto checked = verifier_.verify((*secret)->view(), request.code, now);
  if (!checked.ok()) return to_failure(checked.error());
  if (!checked->accepted()) {
    audit_.record("mfa.totp_confirm_failed", now, principal.user_id.value, client);
    return Failure{ErrorCode::invalid_mfa_code, "the code is not the authenticator's current one", {}, std::nullopt};
  }

  auto user = signed_in_user(principal);
  if (!user.ok()) return user.error();
  auto set = make_backup_code_set(principal.user_id, hasher_, random_, now);
  if (!set.ok()) return set.error();
  auto confirmed = store_.confirm_totp(principal.user_id, (*credential)->secret_sealed, checked->step, now, set->rows,
                                       mail_.security_alert(*user, SecurityAlert::mfa_enabled, now));
  if (!confirmed.ok()) return to_failure(confirmed.error());
  if (!*confirmed) {
    return Failure{ErrorCode::mfa_setup_not_started, "another setup replaced this secret; scan the new one", {},
                   std::nullopt};
  }
  if (principal.scope == kEnrolmentScope) {
    // Both factors were just shown: the enrolment-only session becomes a full one.
    auto upgraded = store_.upgrade_session(principal.session_id, "", {"pwd", "otp"}, now);
    if (!upgraded.ok()) return to_failure(upgraded.error());
  }
  audit_.record("mfa.totp_enabled", now, principal.user_id.value, client);
  return api::BackupCodesResponse{std::move(set->display)};
}

Outcome<void> MfaService::disable(const Principal& principal, const api::TotpDisableRequest& request,
                                  const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  auto account = signed_in_user_with_totp(principal);
  if (!account.ok()) return account.error();
  const auto& [user, credential] = *account;
  if (auto verified = lockout_.verify_password(hasher_, user, request.password, now, client, "mfa.disable_failed");
      !verified.ok()) {
    return verified.error();
  }
  auto accepted = accept_second_factor(credential, request.kind, request.code, now, client);
  if (!accepted.ok()) return accepted.error();
  if (!*accepted) return wrong_second_factor(user, now, client, "mfa.disable_failed");

  auto deleted = store_.delete_totp(user.id, mail_.security_alert(user, SecurityAlert::mfa_disabled, now));
  if (!deleted.ok()) return to_failure(deleted.error());
  if (!*deleted) return kNotEnabled;  // a concurrent disable won
  auto revoked = store_.revoke_user_sessions(user.id, principal.session_id, now, "mfa_disabled");
  if (!revoked.ok()) return to_failure(revoked.error());
  audit_.record("mfa.totp_disabled", now, user.id.value, client, {{"sessions_revoked", *revoked}});
  return {};
}

Outcome<api::BackupCodesResponse> MfaService::regenerate_backup_codes(const Principal& principal,
                                                                      const api::BackupCodesRegenerateRequest& request,
                                                                      const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  auto account = signed_in_user_with_totp(principal);
  if (!account.ok()) return account.error();
  const auto& [user, credential] = *account;
  if (auto locked = lockout_.refuse_while_locked(user.email_key, user.id.value, client, now); !locked.ok()) return locked.error();
  auto accepted = accept_totp_code(credential, request.code, now);
  if (!accepted.ok()) return accepted.error();
  if (!*accepted) return wrong_second_factor(user, now, client, "mfa.backup_codes_regenerate_failed");

  auto set = make_backup_code_set(user.id, hasher_, random_, now);
  if (!set.ok()) return set.error();
  if (auto replaced = store_.replace_backup_codes(user.id, set->rows); !replaced.ok()) {
    return to_failure(replaced.error());
  }
  audit_.record("mfa.backup_codes_regenerated", now, user.id.value, client);
  return api::BackupCodesResponse{std::move(set->display)};
}

Outcome<UserRecord> MfaService::signed_in_user(const Principal& principal) {
  auto user = store_.find_user_by_id(principal.user_id);
  if (!user.ok()) return to_failure(user.error());
  if (!user->has_value()) return Failure{ErrorCode::unauthorized, "the account no longer exists", {}, std::nullopt};
  return std::move(**user);
}

Outcome<TotpCredentialRecord> MfaService::enabled_credential(const UserId& user) {
  auto credential = store_.find_totp_credential(user);
  if (!credential.ok()) return to_failure(credential.error());
  if (!credential->has_value() || !(*credential)->enabled()) return kNotEnabled;
  return std::move(**credential);
}

Outcome<MfaService::UserWithTotp> MfaService::signed_in_user_with_totp(const Principal& principal) {
  auto user = signed_in_user(principal);
  if (!user.ok()) return user.error();
  auto credential = enabled_credential(user->id);
  if (!credential.ok()) return credential.error();
  return UserWithTotp{std::move(user.value()), std::move(credential.value())};
}

Outcome<bool> MfaService::accept_totp_code(const TotpCredentialRecord& credential, std::string_view code,
                                           std::int64_t now) {
  auto secret = open_secret(totp_sealer_, credential);
  if (!secret.ok()) return secret.error();
  auto checked = verifier_.verify((*secret)->view(), code, now, credential.last_accepted_step);
  if (!checked.ok()) return to_failure(checked.error());
  if (!checked->accepted()) return false;
  // The verifier read last_accepted_step a moment ago; only the store can say
  // whether another request took this step since (RFC 6238 §5.2).
  auto advanced = store_.advance_totp_step(credential.user_id, checked->step);
  if (!advanced.ok()) return to_failure(advanced.error());
  return *advanced;
}

Outcome<bool> MfaService::accept_second_factor(const TotpCredentialRecord& credential, api::MfaCodeKind kind,
                                               std::string_view code, std::int64_t now, const ClientContext& client) {
  if (kind != api::MfaCodeKind::backup_code) return accept_totp_code(credential, code, now);
  auto redeemed = redeem_backup_code(store_, hasher_, credential.user_id, code, now);
  if (redeemed.ok() && *redeemed) {
    // Each code works once: the user learns from the log which were spent, and when.
    auto remaining = store_.count_unused_backup_codes(credential.user_id);
    audit_.record("mfa.backup_code_used", now, credential.user_id.value, client,
                  {{"remaining", remaining.ok() ? *remaining : -1}});
  }
  return redeemed;
}

Failure MfaService::wrong_second_factor(const UserRecord& user, std::int64_t now, const ClientContext& client,
                                        std::string_view event) {
  if (auto counted = lockout_.count_failure(user.email_key, now, user.id.value, client, event); !counted.ok()) {
    return counted.error();
  }
  return Failure{ErrorCode::invalid_mfa_code, "the code is wrong or was already used", {}, std::nullopt};
}

}  // namespace sesame::server
