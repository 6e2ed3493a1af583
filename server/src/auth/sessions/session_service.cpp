#include "auth/sessions/session_service.hpp"

#include "security/opaque_token.hpp"

namespace sesame::server {

Outcome<api::SessionsResponse> SessionService::list(const Principal& principal) {
  auto sessions = store_.list_active_sessions(principal.user_id, clock_.now_unix_seconds());
  if (!sessions.ok()) return to_failure(sessions.error());
  api::SessionsResponse response;
  for (const auto& session : *sessions) {
    api::SessionInfo info;
    info.id = session.id.value;
    info.current = session.id == principal.session_id;
    info.created_at = api::Timestamp{session.created_at};
    info.last_active_at = api::Timestamp{session.last_active_at};
    info.ip = session.ip;
    info.user_agent = session.user_agent;
    response.sessions.push_back(std::move(info));
  }
  return response;
}

namespace {

Outcome<void> require_recent_sign_in(Store& store, const RecentSignIn& recent, const Principal& principal,
                                     const api::SessionRevokeRequest& request, std::int64_t now,
                                     const ClientContext& client) {
  auto user = store.find_user_by_id(principal.user_id);
  if (!user.ok()) return to_failure(user.error());
  if (!user->has_value()) return Failure{ErrorCode::session_revoked, "the session has ended", {}, std::nullopt};
  return recent.require(principal, **user, request.password, now, client, "session.reauthentication_failed");
}

}  // namespace

Outcome<void> SessionService::revoke(const Principal& principal, const SessionId& id,
                                     const api::SessionRevokeRequest& request, const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  // Ending the current session is signing out: no proof needed.
  if (id != principal.session_id) {
    if (auto proven = require_recent_sign_in(store_, recent_, principal, request, now, client); !proven.ok()) {
      return proven;
    }
  }
  auto revoked = store_.revoke_session(id, principal.user_id, now, "revoked");
  if (!revoked.ok()) return to_failure(revoked.error());
  // Someone else's session answers exactly like a missing one.
  if (!*revoked) return Failure{ErrorCode::not_found, "no such session", {}, std::nullopt};
  audit_.record("session.revoked", now, principal.user_id.value, client, {{"session_id", id.value}});
  return {};
}

Outcome<void> SessionService::revoke_others(const Principal& principal, const api::SessionRevokeRequest& request,
                                            const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  if (auto proven = require_recent_sign_in(store_, recent_, principal, request, now, client); !proven.ok()) {
    return proven;
  }
  auto revoked = store_.revoke_user_sessions(principal.user_id, principal.session_id, now, "revoked");
  if (!revoked.ok()) return to_failure(revoked.error());
  audit_.record("session.revoked_others", now, principal.user_id.value, client, {{"count", *revoked}});
  return {};
}

Outcome<void> SessionService::sign_out(const Principal& principal, const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  auto revoked = store_.revoke_session(principal.session_id, principal.user_id, now, "logout");
  if (!revoked.ok()) return to_failure(revoked.error());
  audit_.record("session.logout", now, principal.user_id.value, client, {{"session_id", principal.session_id.value}});
  return {};
}

Outcome<void> SessionService::sign_out_with_refresh_token(std::string_view refresh_token, const ClientContext& client) {
  const std::int64_t now = clock_.now_unix_seconds();
  auto session = store_.find_refresh_token_session(hash_opaque_token(refresh_token), now);
  if (!session.ok()) return to_failure(session.error());
  if (!session->has_value()) return Failure{ErrorCode::invalid_token, "the refresh token is not valid", {}, std::nullopt};
  const Principal owner{(*session)->user_id, (*session)->id, {}, {}, (*session)->scope, {}};
  return sign_out(owner, client);
}

}  // namespace sesame::server
