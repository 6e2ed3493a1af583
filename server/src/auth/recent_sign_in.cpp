#include "auth/recent_sign_in.hpp"

namespace sesame::server {

Outcome<void> RecentSignIn::require(const Principal& principal, const UserRecord& user,
                                    const std::optional<std::string>& password, std::int64_t now,
                                    const ClientContext& client, std::string_view failed_event) const {
  auto session = sessions_.find_session(principal.session_id);
  if (!session.ok()) return to_failure(session.error());
  if (session->has_value() && now - (*session)->created_at <= window_seconds_) return {};
  if (!password) {
    return Failure{ErrorCode::reauthentication_required,
                   "this sign-in is more than " + std::to_string(window_seconds_ / 60) +
                       " minutes old: send the password too",
                   {}, std::nullopt};
  }
  return lockout_.verify_password(hasher_, user, *password, now, client, failed_event);
}

}  // namespace sesame::server
