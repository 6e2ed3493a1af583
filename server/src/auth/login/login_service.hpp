#pragma once
// The password step of sign-in, with per-account lockout kept in the store
// (so several instances share it) and no user enumeration: an unknown email
// costs the same Argon2 work and gets the same answer as a wrong password.
// Only after the right password does the answer say whether a second factor
// is needed, so nobody learns which accounts have MFA without the password.

#include <variant>

#include "auth/audit_trail.hpp"
#include "auth/lockout.hpp"
#include "auth/mfa/mfa_service.hpp"
#include "auth/service.hpp"
#include "auth/tokens/token_service.hpp"
#include "security/password_hasher.hpp"
#include "sesame/contract.hpp"
#include "store/store.hpp"

namespace sesame::server {

// Tokens, or the MFA challenge to answer at /mfa/verify.
using SignInOutcome = std::variant<IssuedTokens, api::MfaChallenge>;

class LoginService {
 public:
  // What the server requires of an account before a full session.
  struct Requirements {
    bool mfa = false;             // SESAME_REQUIRE_MFA: without TOTP, only an enrolment-only session
    bool verified_email = false;  // SESAME_REQUIRE_VERIFIED_EMAIL: no sign-in before verification
  };

  LoginService(Store& store, const PasswordHasher& hasher, TokenService& tokens, MfaService& mfa,
               AccountLockout& lockout, const Clock& clock, AuditTrail& audit, Requirements requirements)
      : store_(store),
        hasher_(hasher),
        tokens_(tokens),
        mfa_(mfa),
        lockout_(lockout),
        clock_(clock),
        audit_(audit),
        requirements_(requirements) {}

  // Tokens (or an MFA challenge) for a correct email and password;
  // invalid_credentials otherwise; account_locked (with retry_after) while locked.
  [[nodiscard]] Outcome<SignInOutcome> sign_in(const api::TokenRequest& request, const ClientContext& client);

 private:
  Store& store_;
  const PasswordHasher& hasher_;
  TokenService& tokens_;
  MfaService& mfa_;
  AccountLockout& lockout_;
  const Clock& clock_;
  AuditTrail& audit_;
  Requirements requirements_;
};

}  // namespace sesame::server
