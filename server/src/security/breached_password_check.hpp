#pragma once
// The optional breached-password check (SESAME_BREACHED_PASSWORDS_URL): a
// k-anonymity range API is asked for the 5-character SHA-1 prefix only, with
// `Add-Padding: true` so the answer's size says nothing either. The service
// is a convenience, not a gate: when it fails or is slow (2 s) the check is
// skipped with a logged warning (fail open), never an error for the user.

#include <chrono>
#include <string>
#include <string_view>

namespace sesame::server {

enum class BreachVerdict { not_listed, listed, unknown };

class BreachedPasswordCheck {
 public:
  virtual ~BreachedPasswordCheck() = default;
  [[nodiscard]] virtual BreachVerdict check(std::string_view password) const = 0;
};

class RangeApiBreachCheck final : public BreachedPasswordCheck {
 public:
  // `base_url` gets the prefix appended ("https://api.pwnedpasswords.com/range/").
  explicit RangeApiBreachCheck(std::string base_url, std::chrono::milliseconds timeout = std::chrono::seconds(2))
      : base_url_(std::move(base_url)), timeout_(timeout) {}
  [[nodiscard]] BreachVerdict check(std::string_view password) const override;

 private:
  std::string base_url_;
  std::chrono::milliseconds timeout_;
};

}  // namespace sesame::server
