#pragma once
// Sensitive changes of a signed-in user (TOTP setup, ending other sessions,
// ASVS 7.5.2) need a sign-in younger than a window, or the password again:
// a stolen access token alone, or a device left signed in, is not enough.
#include <optional>
#include <string>
#include <string_view>

#include "auth/lockout.hpp"
#include "auth/service.hpp"
#include "auth/tokens/token_service.hpp"
#include "security/password_hasher.hpp"
#include "store/store.hpp"

namespace sesame::server {

inline constexpr std::int64_t kReauthenticationSeconds = 600;

class RecentSignIn {
 public:
  RecentSignIn(SessionStore& sessions, AccountLockout& lockout, const PasswordHasher& hasher,
               std::int64_t window_seconds = kReauthenticationSeconds)
      : sessions_(sessions), lockout_(lockout), hasher_(hasher), window_seconds_(window_seconds) {}

  // Fine when the principal's session began within the window, or when
  // `password` is the user's (a wrong one counts towards the lockout as
  // `failed_event`: invalid_credentials). reauthentication_required (403) when
  // the sign-in is older and no password was sent.
  [[nodiscard]] Outcome<void> require(const Principal& principal, const UserRecord& user,
                                      const std::optional<std::string>& password, std::int64_t now,
                                      const ClientContext& client, std::string_view failed_event) const;

 private:
  SessionStore& sessions_;
  AccountLockout& lockout_;
  const PasswordHasher& hasher_;
  std::int64_t window_seconds_;
};

}  // namespace sesame::server
