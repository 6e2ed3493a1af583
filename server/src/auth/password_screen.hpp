#pragma once
// What a new password must pass, at registration, password change and reset:
// the core's policy (every violation listed), then, when configured, the
// breached-password check (password_breached). The network check runs only
// for passwords the policy accepts, so a refused one never leaves the machine.

#include <optional>
#include <string>
#include <string_view>

#include "auth/service.hpp"
#include "security/breached_password_check.hpp"
#include "sesame/password_policy.hpp"

namespace sesame::server {

class PasswordScreen {
 public:
  // `product_name` (SESAME_PRODUCT_NAME) is a context word of every password.
  explicit PasswordScreen(PasswordPolicy policy = {}, const BreachedPasswordCheck* breached = nullptr,
                          std::string product_name = "Sesame")
      : policy_(policy), breached_(breached), product_name_(std::move(product_name)) {}

  // The failure to answer, or nullopt when the password is acceptable. The email and
  // the user's name (empty: none) are context words too (ASVS 6.2.11).
  // `pointer` is the JSON pointer of the password in the request body.
  [[nodiscard]] std::optional<Failure> refusal(std::string_view password, std::string_view email,
                                               std::string_view name, std::string_view pointer) const;

 private:
  PasswordPolicy policy_;
  const BreachedPasswordCheck* breached_;
  std::string product_name_;
};

}  // namespace sesame::server
