#pragma once
// TOTP as a second factor (RFC 6238): enrolment (setup → confirm with a first
// code → 10 backup codes), the second step of sign-in (an opaque mfa_token,
// single use, 5 minutes, 5 tries), disabling it and regenerating backup codes.
// A TOTP code is accepted once per user: the step that matched is advanced
// atomically in the store, so concurrent requests (on any instance) with one
// code give one success. Every wrong second factor counts towards the
// account's lockout, like a wrong password.

#include <cstdint>
#include <optional>
#include <string>

#include "auth/audit_trail.hpp"
#include "auth/lockout.hpp"
#include "auth/recent_sign_in.hpp"
#include "auth/recovery/account_mail.hpp"
#include "auth/service.hpp"
#include "auth/tokens/token_service.hpp"
#include "security/password_hasher.hpp"
#include "security/token_sealer.hpp"
#include "sesame/contract.hpp"
#include "sesame/totp.hpp"
#include "store/store.hpp"

namespace sesame::server {

struct MfaPolicy {
  std::string totp_issuer = "Sesame";  // what authenticator apps show above the account
  OtpParameters otp;                   // SHA-1, 6 digits, 30 s: what authenticator apps support
  int window_steps = 1;                // one step either side (RFC 6238 §5.2)
  std::int64_t challenge_ttl_seconds = 300;
  int challenge_max_attempts = 5;
  // TOTP setup needs the password again when the session's sign-in is older (ASVS 7.5).
  std::int64_t reauthentication_seconds = kReauthenticationSeconds;
};

class MfaService {
 public:
  MfaService(Store& store, const PasswordHasher& hasher, const TokenSealer& totp_sealer, TokenService& tokens,
             AccountLockout& lockout, RandomSource& random, const Clock& clock, AuditTrail& audit,
             const AccountMail& mail, MfaPolicy policy);

  // Whether the user's TOTP is confirmed (sign-in then asks for the second step).
  [[nodiscard]] Outcome<bool> totp_enabled(const UserId& user);

  // The second step of sign-in for a user whose password was just verified.
  [[nodiscard]] Outcome<api::MfaChallenge> start_challenge(const UserRecord& user, const ClientContext& client);

  // mfa_token_invalid for an unknown, used or expired token or one past its
  // tries; invalid_mfa_code for a wrong code; tokens with amr ["pwd", "otp"].
  [[nodiscard]] Outcome<IssuedTokens> verify(const api::MfaVerifyRequest& request, const ClientContext& client);

  // A new pending secret (replacing a pending one). reauthentication_required
  // when the sign-in is old and no password came; mfa_already_enabled.
  [[nodiscard]] Outcome<api::TotpSetupResponse> setup(const Principal& principal, const api::TotpSetupRequest& request,
                                                      const ClientContext& client);

  // Enables TOTP with a first valid code; the backup codes, shown once. An
  // enrolment-only session becomes a full one (its next refresh says so).
  [[nodiscard]] Outcome<api::BackupCodesResponse> confirm(const Principal& principal,
                                                          const api::TotpConfirmRequest& request,
                                                          const ClientContext& client);

  // Needs the password and a current code (or a backup code); ends the user's other sessions.
  [[nodiscard]] Outcome<void> disable(const Principal& principal, const api::TotpDisableRequest& request,
                                      const ClientContext& client);

  // Needs a current TOTP code; the old set stops working.
  [[nodiscard]] Outcome<api::BackupCodesResponse> regenerate_backup_codes(
      const Principal& principal, const api::BackupCodesRegenerateRequest& request, const ClientContext& client);

 private:
  struct UserWithTotp {
    UserRecord user;
    TotpCredentialRecord credential;
  };
  [[nodiscard]] Outcome<UserRecord> signed_in_user(const Principal& principal);
  [[nodiscard]] Outcome<TotpCredentialRecord> enabled_credential(const UserId& user);
  // The signed-in user and their confirmed TOTP credential; mfa_not_enabled without one.
  [[nodiscard]] Outcome<UserWithTotp> signed_in_user_with_totp(const Principal& principal);
  // True when `code` is a current TOTP code not used before; the step is then used up.
  [[nodiscard]] Outcome<bool> accept_totp_code(const TotpCredentialRecord& credential, std::string_view code,
                                               std::int64_t now);
  [[nodiscard]] Outcome<bool> accept_second_factor(const TotpCredentialRecord& credential, api::MfaCodeKind kind,
                                                   std::string_view code, std::int64_t now,
                                                   const ClientContext& client);
  // A wrong second factor: counted towards the lockout, answered invalid_mfa_code.
  [[nodiscard]] Failure wrong_second_factor(const UserRecord& user, std::int64_t now, const ClientContext& client,
                                            std::string_view event);
  [[nodiscard]] Outcome<api::BackupCodesResponse> store_new_backup_codes(const UserId& user, std::int64_t now);

  Store& store_;
  const PasswordHasher& hasher_;
  const TokenSealer& totp_sealer_;
  TokenService& tokens_;
  AccountLockout& lockout_;
  RandomSource& random_;
  const Clock& clock_;
  AuditTrail& audit_;
  const AccountMail& mail_;  // security alerts: TOTP turned on or off
  MfaPolicy policy_;
  TotpVerifier verifier_;
};

}  // namespace sesame::server
