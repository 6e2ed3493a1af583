#pragma once
// What a new password must pass, at registration, password change and reset:
// the core's policy (every violation listed), then, when configured, the
// breached-password check (password_breached). The network check runs only
// for passwords the policy accepts, so a refused one never leaves the machine.

#include <optional>
#include <string_view>

#include "auth/service.hpp"
#include "security/breached_password_check.hpp"
#include "sesame/password_policy.hpp"

namespace sesame::server {

class PasswordScreen {
 public:
  explicit PasswordScreen(PasswordPolicy policy = {}, const BreachedPasswordCheck* breached = nullptr)
      : policy_(policy), breached_(breached) {}

  // The failure to answer, or nullopt when the password is acceptable.
  // `pointer` is the JSON pointer of the password in the request body.
  [[nodiscard]] std::optional<Failure> refusal(std::string_view password, std::string_view email,
                                               std::string_view pointer) const;

 private:
  PasswordPolicy policy_;
  const BreachedPasswordCheck* breached_;
};

}  // namespace sesame::server
