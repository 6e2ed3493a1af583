#include "auth/tokens/token_service.hpp"

#include <algorithm>
#include <limits>

#include "auth/identifiers.hpp"
#include "security/opaque_token.hpp"
#include "sesame/jwt.hpp"

namespace sesame::server {
namespace {

const Failure kInvalidRefreshToken{ErrorCode::invalid_token, "the refresh token is not valid", {}, std::nullopt};

}  // namespace

TokenService::TokenService(Store& store, LiveSigningKeyRing& keys, const TokenSealer& successor_sealer,
                           RandomSource& random, const Clock& clock, AuditTrail& audit,
                           InvalidationWatch& invalidations, TokenPolicy policy, const AccountMail* alerts)
    : store_(store),
      keys_(keys),
      successor_sealer_(successor_sealer),
      random_(random),
      clock_(clock),
      audit_(audit),
      policy_(std::move(policy)),
      alerts_(alerts),
      verified_tokens_(invalidations, policy_.verified_token_capacity) {}

std::int64_t TokenService::refresh_expires_at(const SessionRecord& session, std::int64_t now) const noexcept {
  return std::min(now + policy_.refresh_token_ttl_seconds, session.expires_at);
}

RefreshTokenRecord TokenService::refresh_record(const std::string& token, const SessionRecord& session,
                                                std::int64_t now) const {
  RefreshTokenRecord record;
  record.token_hash = hash_opaque_token(token);
  record.session_id = session.id;
  record.issued_at = now;
  record.expires_at = refresh_expires_at(session, now);
  return record;
}

Outcome<IssuedTokens> TokenService::issue(const UserRecord& user, const SessionRecord& session,
                                          std::string refresh_token, std::int64_t now) {
  const auto ring = keys_.snapshot(now);
  AccessTokenClaims claims;
  claims.iss = policy_.issuer;
  claims.sub = user.id.value;
  claims.aud = policy_.audience;
  claims.iat = now;
  // An access token never outlives its session either.
  claims.exp = std::min(now + policy_.access_token_ttl_seconds, session.expires_at);
  claims.jti = new_uuid_v4(random_);
  claims.sid = session.id.value;
  claims.tenant_id = user.tenant_id;
  claims.roles = user.roles;
  claims.amr = session.amr;
  if (!session.scope.empty()) claims.extra["scope"] = session.scope;
  auto token = sign_access_token(claims, ring->current());
  if (!token.ok()) return to_failure(token.error());

  IssuedTokens issued;
  issued.response.access_token = std::move(token.value());
  issued.response.expires_in = claims.exp - now;
  issued.response.issued_at = api::Timestamp{now};
  issued.response.kid = ring->current().kid();
  issued.response.session_id = session.id.value;
  issued.response.refresh_expires_in = refresh_expires_at(session, now) - now;
  issued.refresh_token = std::move(refresh_token);
  return issued;
}

Outcome<void> TokenService::end_held_session(const ClientContext& client, std::int64_t now) {
  if (client.refresh_token.empty() || client.refresh_token.size() > api::kMaxOpaqueTokenBytes) return {};
  auto held = store_.find_refresh_token_session(hash_opaque_token(client.refresh_token), now);
  if (!held.ok()) return to_failure(held.error());
  if (!held->has_value()) return {};
  const SessionRecord& session = **held;
  auto revoked = store_.revoke_session(session.id, session.user_id, now, "replaced");
  if (!revoked.ok()) return to_failure(revoked.error());
  if (*revoked) audit_.record("session.replaced", now, session.user_id.value, client, {{"session_id", session.id.value}});
  return {};
}

Outcome<void> TokenService::end_sessions_past_limit(const SessionRecord& started, const ClientContext& client,
                                                    std::int64_t now) {
  auto sessions = store_.list_active_sessions(started.user_id, now);  // newest first
  if (!sessions.ok()) return to_failure(sessions.error());
  // The new one always stays (sessions of one second have no order among them).
  std::erase_if(*sessions, [&](const SessionRecord& session) { return session.id == started.id; });
  const auto others_kept = static_cast<std::size_t>(std::max(policy_.max_sessions_per_user, 1) - 1);
  for (std::size_t i = others_kept; i < sessions->size(); ++i) {
    const SessionRecord& oldest = (*sessions)[i];
    const UserId& user = started.user_id;
    auto revoked = store_.revoke_session(oldest.id, user, now, "session_limit");
    if (!revoked.ok()) return to_failure(revoked.error());
    if (*revoked) {
      audit_.record("session.limit_reached", now, user.value, client,
                    {{"session_id", oldest.id.value}, {"limit", policy_.max_sessions_per_user}});
    }
  }
  return {};
}

Outcome<IssuedTokens> TokenService::start_session(const UserRecord& user, std::vector<std::string> amr,
                                                  const ClientContext& client, std::string scope) {
  const std::int64_t now = clock_.now_unix_seconds();
  if (auto ended = end_held_session(client, now); !ended.ok()) return ended.error();
  SessionRecord session;
  session.id = SessionId{new_uuid_v4(random_)};
  session.user_id = user.id;
  session.created_at = now;
  session.last_active_at = now;
  session.expires_at = now + policy_.session_max_age_seconds;
  session.ip = client.ip;
  session.user_agent = client.user_agent;
  session.amr = std::move(amr);
  session.scope = std::move(scope);
  if (auto created = store_.create_session(session); !created.ok()) return to_failure(created.error());

  std::string refresh_token = generate_opaque_token(random_);
  if (auto stored = store_.insert_refresh_token(refresh_record(refresh_token, session, now)); !stored.ok()) {
    return to_failure(stored.error());
  }
  nlohmann::json details{{"session_id", session.id.value}, {"amr", session.amr}};
  if (!session.scope.empty()) details["scope"] = session.scope;
  audit_.record("session.created", now, user.id.value, client, details);
  if (auto limited = end_sessions_past_limit(session, client, now); !limited.ok()) return limited.error();
  return issue(user, session, std::move(refresh_token), now);
}

Outcome<IssuedTokens> TokenService::refresh(std::string_view refresh_token, const ClientContext& client) {
  if (refresh_token.empty() || refresh_token.size() > api::kMaxOpaqueTokenBytes) return kInvalidRefreshToken;
  const std::int64_t now = clock_.now_unix_seconds();

  // The successor is prepared up front so that the store can swap in one transaction.
  std::string successor = generate_opaque_token(random_);
  auto sealed = successor_sealer_.seal(successor, random_);
  if (!sealed.ok()) return to_failure(sealed.error());
  RefreshTokenRecord successor_record;
  successor_record.token_hash = hash_opaque_token(successor);
  successor_record.issued_at = now;
  successor_record.expires_at = now + policy_.refresh_token_ttl_seconds;  // capped by the store to the session

  // A reuse ends the session and mails its user, in one transaction.
  ReuseAlert reuse_alert;
  if (alerts_ != nullptr) {
    reuse_alert = [this, now](const UserRecord& user, const SessionRecord&) {
      return alerts_->security_alert(user, SecurityAlert::refresh_token_reused, now);
    };
  }
  auto rotation = store_.rotate_refresh_token(hash_opaque_token(refresh_token), successor_record, *sealed, now,
                                              policy_.refresh_reuse_grace_seconds, reuse_alert);
  if (!rotation.ok()) return to_failure(rotation.error());

  switch (rotation->outcome) {
    case RotationOutcome::rotated:
      break;
    case RotationOutcome::already_rotated: {
      // An honest concurrent refresh: hand out the successor already issued.
      auto opened = successor_sealer_.open(rotation->successor_sealed);
      if (!opened.ok()) return to_failure(opened.error());
      successor = std::move(opened.value());
      break;
    }
    case RotationOutcome::reuse_detected: {
      const auto& session = *rotation->session;
      audit_.record("refresh.reuse_detected", now, session.user_id.value, client,
                    {{"session_id", session.id.value}});
      return Failure{ErrorCode::refresh_token_reused, "the refresh token was already used; the session is revoked",
                     {}, std::nullopt};
    }
    case RotationOutcome::unknown_token:
    case RotationOutcome::expired_token:
    case RotationOutcome::inactive_session:
      return kInvalidRefreshToken;
  }

  const SessionRecord& session = *rotation->session;
  auto user = store_.find_user_by_id(session.user_id);
  if (!user.ok()) return to_failure(user.error());
  if (!user->has_value() || (*user)->disabled) return kInvalidRefreshToken;
  return issue(**user, session, std::move(successor), now);
}

Result<AccessToken> TokenService::verify(std::string_view access_token, std::int64_t now,
                                         std::int64_t leeway_seconds) {
  auto decoded = decode_jwt(access_token);
  if (!decoded.ok()) return decoded.error();
  // A kid we don't know yet may come from a key rotated by another instance.
  const auto ring = keys_.snapshot_for_kid(decoded->kid, now);
  AccessTokenVerifyOptions options;
  options.expected_issuer = policy_.issuer;
  options.expected_audience = policy_.audience;
  options.now_unix_seconds = now;
  options.leeway_seconds = leeway_seconds;
  return verify_access_token(access_token, ring->verification_keys(), options);
}

Outcome<Principal> TokenService::authenticate(std::string_view access_token) {
  const std::int64_t now = clock_.now_unix_seconds();
  auto cached = verified_tokens_.find(access_token, now);
  if (cached.principal) return std::move(*cached.principal);
  auto verified = verify(access_token, now, policy_.leeway_seconds);
  if (!verified.ok()) {
    if (verified.code() == ErrorCode::jwt_expired) {
      return Failure{ErrorCode::token_expired, "the access token has expired", {}, std::nullopt};
    }
    return Failure{ErrorCode::invalid_token, "the access token is not valid", {}, std::nullopt};
  }
  SessionId session{verified->claims.sid};
  auto active = store_.is_session_active(session, now);
  if (!active.ok()) return to_failure(active.error());
  if (!*active) return Failure{ErrorCode::session_revoked, "the session has ended", {}, std::nullopt};
  std::string scope;
  if (const auto claim = verified->claims.extra.find("scope");
      claim != verified->claims.extra.end() && claim->is_string()) {
    scope = claim->get<std::string>();
  }
  Principal principal{UserId{verified->claims.sub}, std::move(session), verified->claims.roles,
                      verified->claims.amr, std::move(scope), verified->claims.tenant_id};
  // Accepted until verify() would refuse it: now >= exp + leeway (saturating).
  const std::int64_t exp = verified->claims.exp;
  const std::int64_t valid_until = exp > std::numeric_limits<std::int64_t>::max() - policy_.leeway_seconds
                                       ? std::numeric_limits<std::int64_t>::max()
                                       : exp + policy_.leeway_seconds;
  verified_tokens_.remember(access_token, principal, valid_until, cached);
  return principal;
}

Outcome<Introspection> TokenService::introspect(std::string_view access_token) {
  const std::int64_t now = clock_.now_unix_seconds();
  // No leeway: an introspecting backend asks about now, not about clock skew.
  auto verified = verify(access_token, now, 0);
  if (!verified.ok()) return Introspection{};
  auto active = store_.is_session_active(SessionId{verified->claims.sid}, now);
  if (!active.ok()) return to_failure(active.error());
  if (!*active) return Introspection{};
  return Introspection{true, std::move(verified->claims)};
}

nlohmann::json TokenService::jwks() { return keys_.snapshot(clock_.now_unix_seconds())->jwks(); }

}  // namespace sesame::server
