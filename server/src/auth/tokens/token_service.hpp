#pragma once
// Access and refresh tokens: starting a session, rotating its refresh token
// (RFC 9700 reuse detection with a grace interval), and authenticating a
// bearer token, including the cheap check that its session is still active.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "auth/audit_trail.hpp"
#include "auth/recovery/account_mail.hpp"
#include "auth/tokens/principal.hpp"
#include "auth/tokens/verified_token_cache.hpp"
#include "auth/service.hpp"
#include "security/signing_key_ring.hpp"
#include "security/token_sealer.hpp"
#include "sesame/contract.hpp"
#include "store/store.hpp"

namespace sesame::server {

struct TokenPolicy {
  std::string issuer;
  std::string audience;
  std::int64_t access_token_ttl_seconds = 900;
  std::int64_t refresh_token_ttl_seconds = 30 * 86400;
  std::int64_t session_max_age_seconds = 30 * 86400;
  std::int64_t refresh_reuse_grace_seconds = 10;
  std::int64_t leeway_seconds = 5;  // our own tokens: the server's clock is the issuer's
  int max_sessions_per_user = 100;  // a new session past it ends the oldest (ASVS 7.1.2)
  std::size_t verified_token_capacity = 16384;  // VerifiedTokenCache entries; 0: off
};

// RFC 7662 token introspection of an access token: active only when it
// verifies and its session is still active (claims set then).
struct Introspection {
  bool active = false;
  AccessTokenClaims claims;
};

// The route decides whether refresh_token goes in the body or in the cookie.
struct IssuedTokens {
  api::TokenResponse response;  // refresh_token not set
  std::string refresh_token;
  std::string device_token;  // set by a full sign-in (AccountLockout::remember_device)
};

class TokenService {
 public:
  TokenService(Store& store, LiveSigningKeyRing& keys, const TokenSealer& successor_sealer, RandomSource& random,
               const Clock& clock, AuditTrail& audit, InvalidationWatch& invalidations, TokenPolicy policy,
               const AccountMail* alerts = nullptr);

  // Creates a session for `user` and issues its first access and refresh tokens.
  // A non-empty `scope` (kEnrolmentScope) is carried by every token of the session.
  // The session of the refresh token the client held ends (ASVS 7.2.4), and
  // past max_sessions_per_user the user's oldest sessions end (ASVS 7.1.2).
  [[nodiscard]] Outcome<IssuedTokens> start_session(const UserRecord& user, std::vector<std::string> amr,
                                                    const ClientContext& client, std::string scope = {});

  // Rotates a refresh token. Honest concurrent refreshes within the grace
  // interval all get the one successor; a used token presented later revokes
  // the session (refresh_token_reused). Anything else is invalid_token.
  [[nodiscard]] Outcome<IssuedTokens> refresh(std::string_view refresh_token, const ClientContext& client);

  // Verifies a bearer access token and that its session is active (a token
  // verified before comes from VerifiedTokenCache, revocation still honoured).
  [[nodiscard]] Outcome<Principal> authenticate(std::string_view access_token);

  // What an access token is worth right now, for backends that cannot see
  // revocation in the JWT itself (POST /auth/introspect).
  [[nodiscard]] Outcome<Introspection> introspect(std::string_view access_token);

  // Public keys for /.well-known/jwks.json.
  [[nodiscard]] nlohmann::json jwks();

  [[nodiscard]] const TokenPolicy& policy() const noexcept { return policy_; }

 private:
  [[nodiscard]] Outcome<IssuedTokens> issue(const UserRecord& user, const SessionRecord& session,
                                            std::string refresh_token, std::int64_t now);
  // A refresh token issued now expires after its TTL, or with its session if sooner.
  [[nodiscard]] std::int64_t refresh_expires_at(const SessionRecord& session, std::int64_t now) const noexcept;
  // Signature, typ, iss, aud and times; not the session.
  [[nodiscard]] Result<AccessToken> verify(std::string_view access_token, std::int64_t now,
                                           std::int64_t leeway_seconds);
  [[nodiscard]] Outcome<void> end_held_session(const ClientContext& client, std::int64_t now);
  [[nodiscard]] Outcome<void> end_sessions_past_limit(const SessionRecord& started, const ClientContext& client,
                                                      std::int64_t now);
  [[nodiscard]] RefreshTokenRecord refresh_record(const std::string& token, const SessionRecord& session,
                                                  std::int64_t now) const;

  Store& store_;
  LiveSigningKeyRing& keys_;
  const TokenSealer& successor_sealer_;
  RandomSource& random_;
  const Clock& clock_;
  AuditTrail& audit_;
  TokenPolicy policy_;
  const AccountMail* alerts_;  // mails the user when reuse ends a session; may be null
  VerifiedTokenCache verified_tokens_;
};

}  // namespace sesame::server
