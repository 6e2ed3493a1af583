#pragma once
// Password rules of NIST SP 800-63B §5.1.1.2: length bounds counted in Unicode code
// points, a blocklist of common passwords, and no password equal to the account's
// email or to a context word (the service's name, the user's name, the email's words).
// No composition rules, on purpose.
// The server and the browser run this same code, so a form shows the verdict the
// server will give.

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "sesame/result.hpp"

namespace sesame {

struct PasswordPolicy {
  // NIST floors: a policy may ask for more, never for less. check_password() applies
  // them even to a policy built by hand; validate_password_policy() reports them.
  static constexpr std::size_t nist_min_length = 8;
  static constexpr std::size_t nist_max_length_floor = 64;

  std::size_t min_length = nist_min_length;        // code points
  std::size_t max_length = nist_max_length_floor;  // code points
};

// invalid_argument when min_length < 8, max_length < 64 or min_length > max_length
// (for configuration errors at start-up).
[[nodiscard]] Result<void> validate_password_policy(const PasswordPolicy& policy);

enum class PasswordViolationCode : std::uint8_t {
  password_invalid_utf8,
  password_too_short,
  password_too_long,
  password_common,
  password_matches_email,
  password_matches_context,  // built on a context word: its letters are the word's letters
};

// The stable wire name, e.g. "password_too_short" (used in 422 responses and by the SDK).
[[nodiscard]] std::string_view password_violation_name(PasswordViolationCode code) noexcept;

struct PasswordViolation {
  PasswordViolationCode code;
  // What a message needs ("at least 8 characters, you typed 5"): the bounds applied
  // and the password's length in code points (bytes that are not UTF-8 count as one).
  std::size_t min_length;
  std::size_t max_length;
  std::size_t length;

  [[nodiscard]] std::string_view name() const noexcept { return password_violation_name(code); }
};

struct PasswordVerdict {
  std::size_t length = 0;  // code points
  std::vector<PasswordViolation> violations;  // every rule broken, in enum order

  [[nodiscard]] bool acceptable() const noexcept { return violations.empty(); }
  [[nodiscard]] bool has(PasswordViolationCode code) const noexcept;
};

// What a password must not be built on (NIST SP 800-63B §5.1.1.2 "context-specific
// words", ASVS 6.2.11): the email, and words such as the service's name and the user's name.
// password_matches_email: the password equals the email or its local part.
// password_matches_context: otherwise, the password equals a context word, or its letters
// (every ASCII digit, symbol and space removed, ASCII case ignored) are the letters of one:
// "Sesame2024!", "2024-sesame", "Alice.Smith1" for alice.smith@example.com. The context words
// are each extra word, the email's local part and its domain, and each run of 3+ letters in
// them ("alice", "smith", "example"); a word without letters matches only exactly.
struct PasswordContext {
  std::string_view email;
  std::vector<std::string_view> extra_words;  // e.g. the product name, the user's name; empty ones ignored
};

// Never fails: a password that is not valid UTF-8 gets password_invalid_utf8 along
// with whatever else it breaks. Comparisons are ASCII case-insensitive.
[[nodiscard]] PasswordVerdict check_password(std::string_view password, const PasswordPolicy& policy = {},
                                             const PasswordContext& context = {});

// True when the password is on the blocklist (ASCII case-insensitive). The blocklist
// (ASVS 6.2.4) is generated at build time by cmake/PasswordBlocklist.cmake: zxcvbn's most
// frequent passwords and John the Ripper's list, entries of at least 8 code points. It is
// stored as a hash set, so a password on neither list is also refused with a probability
// of about 2^-SESAME_PASSWORD_LIST_RICE_BITS (1 in 4,096 by default); a listed one always is.
[[nodiscard]] bool is_common_password(std::string_view password) noexcept;

// How many passwords the blocklist was built from.
[[nodiscard]] std::size_t common_password_count() noexcept;

}  // namespace sesame
