#include "auth/password_screen.hpp"

#include "auth/accounts/account_service.hpp"

namespace sesame::server {

std::optional<Failure> PasswordScreen::refusal(std::string_view password, std::string_view email,
                                               std::string_view name, std::string_view pointer) const {
  const PasswordVerdict verdict = check_password(password, policy_, {email, {product_name_, name}});
  if (!verdict.acceptable()) return password_policy_failure(verdict, pointer);
  if (breached_ != nullptr && breached_->check(password) == BreachVerdict::listed) {
    Failure failure{ErrorCode::password_breached,
                    "this password appears in known data breaches; choose another one", {}, std::nullopt};
    api::ProblemViolation violation;
    violation.code = "password_breached";
    violation.detail = "appears in known data breaches";
    violation.pointer = std::string(pointer);
    failure.violations.push_back(std::move(violation));
    return failure;
  }
  return std::nullopt;
}

}  // namespace sesame::server
