#pragma once
// The password step of sign-in, with per-account lockout kept in the store
// (so several instances share it) and no user enumeration: an unknown email
// costs the same Argon2 work and gets the same answer as a wrong password.

#include "auth/audit_trail.hpp"
#include "security/password_hasher.hpp"
#include "auth/service.hpp"
#include "auth/tokens/token_service.hpp"
#include "sesame/contract.hpp"
#include "store/store.hpp"

namespace sesame::server {

class LoginService {
 public:
  LoginService(Store& store, const PasswordHasher& hasher, TokenService& tokens, const Clock& clock,
               AuditTrail& audit, LockoutPolicy lockout, bool require_verified_email = false)
      : store_(store), hasher_(hasher), tokens_(tokens), clock_(clock), audit_(audit), lockout_(lockout),
        require_verified_email_(require_verified_email) {}

  // Tokens for a correct email and password; invalid_credentials otherwise;
  // account_locked (with retry_after) while the account is locked.
  [[nodiscard]] Outcome<IssuedTokens> sign_in(const api::TokenRequest& request, const ClientContext& client);

 private:
  Store& store_;
  const PasswordHasher& hasher_;
  TokenService& tokens_;
  const Clock& clock_;
  AuditTrail& audit_;
  LockoutPolicy lockout_;
  bool require_verified_email_;  // SESAME_REQUIRE_VERIFIED_EMAIL=1
};

}  // namespace sesame::server
