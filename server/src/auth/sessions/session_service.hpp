#pragma once
// A user's own sessions: list, revoke one, revoke all but the current, sign out.

#include "auth/audit_trail.hpp"
#include "auth/recent_sign_in.hpp"
#include "auth/service.hpp"
#include "auth/tokens/token_service.hpp"
#include "sesame/contract.hpp"
#include "store/store.hpp"

namespace sesame::server {

class SessionService {
 public:
  SessionService(Store& store, const Clock& clock, AuditTrail& audit, RecentSignIn recent)
      : store_(store), clock_(clock), audit_(audit), recent_(recent) {}

  [[nodiscard]] Outcome<api::SessionsResponse> list(const Principal& principal);
  // not_found unless `id` is an active session of the principal's user. Ending
  // another session than the current one needs a recent sign-in or the
  // password (reauthentication_required, ASVS 7.5.2).
  [[nodiscard]] Outcome<void> revoke(const Principal& principal, const SessionId& id,
                                     const api::SessionRevokeRequest& request, const ClientContext& client);
  // Needs a recent sign-in or the password, like revoke.
  [[nodiscard]] Outcome<void> revoke_others(const Principal& principal, const api::SessionRevokeRequest& request,
                                            const ClientContext& client);
  // Ends the principal's current session (its refresh tokens die with it).
  [[nodiscard]] Outcome<void> sign_out(const Principal& principal, const ClientContext& client);
  // Ends the session a refresh token belongs to (a browser holding only the cookie).
  [[nodiscard]] Outcome<void> sign_out_with_refresh_token(std::string_view refresh_token, const ClientContext& client);

 private:
  Store& store_;
  const Clock& clock_;
  AuditTrail& audit_;
  RecentSignIn recent_;
};

}  // namespace sesame::server
