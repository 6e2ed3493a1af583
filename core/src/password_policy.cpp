#include "sesame/password_policy.hpp"

#include <algorithm>
#include <string>

#include "password_blocklist.hpp"

namespace sesame {
namespace {

struct Utf8Count {
  std::size_t code_points = 0;
  bool valid = true;
};

// Counts code points and checks well-formedness (Unicode Table 3-7: no overlong
// forms, no surrogates, nothing above U+10FFFF). A byte that does not start a
// well-formed sequence counts as one, so a length can still be reported.
Utf8Count count_utf8(std::string_view text) noexcept {
  Utf8Count count;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t extra = 0;
    unsigned char second_min = 0x80;
    unsigned char second_max = 0xBF;
    if (lead < 0x80) {
      extra = 0;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      extra = 2;
      if (lead == 0xE0) second_min = 0xA0;  // overlong
      if (lead == 0xED) second_max = 0x9F;  // surrogates
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      extra = 3;
      if (lead == 0xF0) second_min = 0x90;  // overlong
      if (lead == 0xF4) second_max = 0x8F;  // above U+10FFFF
    } else {
      count.valid = false;
      ++count.code_points;
      ++i;
      continue;
    }
    bool well_formed = i + extra < text.size();
    for (std::size_t k = 1; well_formed && k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      const unsigned char low = k == 1 ? second_min : 0x80;
      const unsigned char high = k == 1 ? second_max : 0xBF;
      well_formed = next >= low && next <= high;
    }
    ++count.code_points;
    if (well_formed) {
      i += extra + 1;
    } else {
      count.valid = false;
      ++i;
    }
  }
  return count;
}

constexpr unsigned char ascii_lower(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 'A' && byte <= 'Z' ? static_cast<unsigned char>(byte - 'A' + 'a') : byte;
}

bool equals_ignoring_ascii_case(std::string_view a, std::string_view b) noexcept {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) { return ascii_lower(x) == ascii_lower(y); });
}

// The blocklist's hash (cmake/password_blocklist.py computes the same over its
// lowercased entries): 64-bit FNV-1a of the ASCII-lowercased bytes, then fmix64.
std::uint64_t blocklist_hash(std::string_view password) noexcept {
  std::uint64_t value = 0xCBF29CE484222325u;
  for (char c : password) value = (value ^ ascii_lower(c)) * 0x100000001B3u;
  value ^= value >> 33;
  value *= 0xFF51AFD7ED558CCDu;
  value ^= value >> 33;
  value *= 0xC4CEB9FE1A85EC53u;
  value ^= value >> 33;
  return value;
}

// Walks the Golomb-Rice coded, ascending values until one reaches the wanted value.
bool coded_set_contains(const blocklist::CodedSet& set, std::uint64_t wanted) noexcept {
  std::size_t bit = 0;
  const std::size_t total_bits = set.bits.size() * 8;
  const auto next_bit = [&]() noexcept -> unsigned {
    const unsigned value = (set.bits[bit / 8] >> (7 - bit % 8)) & 1u;
    ++bit;
    return value;
  };
  std::uint64_t value = 0;
  for (std::size_t i = 0; i < set.count; ++i) {
    std::uint64_t quotient = 0;
    while (bit < total_bits && next_bit() == 1) ++quotient;
    std::uint64_t low = 0;
    for (unsigned k = 0; k < set.rice_bits && bit < total_bits; ++k) low = (low << 1) | next_bit();
    value += (quotient << set.rice_bits) | low;
    if (value >= wanted) return value == wanted;
  }
  return false;
}

// Digits, punctuation, spaces and controls: what the context rule looks through.
bool is_decoration(char c) noexcept {
  const unsigned char lower = ascii_lower(c);
  return lower < 0x80 && !(lower >= 'a' && lower <= 'z');
}

bool matches_email(std::string_view password, std::string_view email) noexcept {
  if (email.empty()) return false;
  if (equals_ignoring_ascii_case(password, email)) return true;
  const std::size_t at = email.rfind('@');
  if (at == std::string_view::npos || at == 0) return false;
  return equals_ignoring_ascii_case(password, email.substr(0, at));
}

// The letters of a text: every decoration removed, ASCII lowercased ("Sesame-2024!" -> "sesame").
std::string letters_of(std::string_view text) {
  std::string letters;
  for (char c : text) {
    if (!is_decoration(c)) letters.push_back(static_cast<char>(ascii_lower(c)));
  }
  return letters;
}

// A context word and its parts: the whole word, and each run of letters of at least
// three (shorter pieces would refuse passwords such as "io123456" for no good reason).
void add_context_word(std::vector<std::string>& words, std::string_view word) {
  if (word.empty()) return;
  words.emplace_back(word);
  std::size_t start = 0;
  while (start < word.size()) {
    while (start < word.size() && is_decoration(word[start])) ++start;
    std::size_t end = start;
    while (end < word.size() && !is_decoration(word[end])) ++end;
    if (end - start >= 3 && end - start < word.size()) words.emplace_back(word.substr(start, end - start));
    start = end;
  }
}

// The words of the context (ASVS 6.2.11): the extra words (product name, the user's
// name), the email's local part and its domain, each with its parts.
std::vector<std::string> context_words(const PasswordContext& context) {
  std::vector<std::string> words;
  for (std::string_view word : context.extra_words) add_context_word(words, word);
  const std::size_t at = context.email.rfind('@');
  if (at != std::string_view::npos) {
    add_context_word(words, context.email.substr(0, at));
    add_context_word(words, context.email.substr(at + 1));
  }
  return words;
}

// A password matches a context word when it equals it, or when its letters (digits and
// symbols removed wherever they are) are the word's letters: "Sesame2024!", "s-e-s-a-m-e".
// A word without letters (all digits) matches only exactly.
bool matches_context_word(std::string_view password, const PasswordContext& context) {
  const std::string password_letters = letters_of(password);
  for (const std::string& word : context_words(context)) {
    if (equals_ignoring_ascii_case(password, word)) return true;
    const std::string word_letters = letters_of(word);
    if (!word_letters.empty() && word_letters == password_letters) return true;
  }
  return false;
}

}  // namespace

Result<void> validate_password_policy(const PasswordPolicy& policy) {
  if (policy.min_length < PasswordPolicy::nist_min_length) {
    return Error{ErrorCode::invalid_argument, "min_length below 8 (NIST SP 800-63B)"};
  }
  if (policy.max_length < PasswordPolicy::nist_max_length_floor) {
    return Error{ErrorCode::invalid_argument, "max_length below 64 (NIST SP 800-63B)"};
  }
  if (policy.min_length > policy.max_length) {
    return Error{ErrorCode::invalid_argument, "min_length above max_length"};
  }
  return {};
}

std::string_view password_violation_name(PasswordViolationCode code) noexcept {
  switch (code) {
    case PasswordViolationCode::password_invalid_utf8: return "password_invalid_utf8";
    case PasswordViolationCode::password_too_short: return "password_too_short";
    case PasswordViolationCode::password_too_long: return "password_too_long";
    case PasswordViolationCode::password_common: return "password_common";
    case PasswordViolationCode::password_matches_email: return "password_matches_email";
    case PasswordViolationCode::password_matches_context: return "password_matches_context";
  }
  return "password_unknown_violation";
}

bool PasswordVerdict::has(PasswordViolationCode code) const noexcept {
  return std::any_of(violations.begin(), violations.end(),
                     [code](const PasswordViolation& violation) { return violation.code == code; });
}

bool is_common_password(std::string_view password) noexcept {
  const blocklist::CodedSet& set = blocklist::kCommonPasswords;
  return coded_set_contains(set, blocklist_hash(password) % set.modulus);
}

std::size_t common_password_count() noexcept { return blocklist::kEntryCount; }

PasswordVerdict check_password(std::string_view password, const PasswordPolicy& policy,
                               const PasswordContext& context) {
  // A hand-built policy never weakens the NIST floors.
  const std::size_t min_length = std::max(policy.min_length, PasswordPolicy::nist_min_length);
  const std::size_t max_length = std::max({policy.max_length, PasswordPolicy::nist_max_length_floor, min_length});

  const Utf8Count count = count_utf8(password);
  PasswordVerdict verdict;
  verdict.length = count.code_points;
  const auto add = [&](PasswordViolationCode code) {
    verdict.violations.push_back(PasswordViolation{code, min_length, max_length, count.code_points});
  };
  if (!count.valid) add(PasswordViolationCode::password_invalid_utf8);
  if (count.code_points < min_length) add(PasswordViolationCode::password_too_short);
  if (count.code_points > max_length) add(PasswordViolationCode::password_too_long);
  if (is_common_password(password)) add(PasswordViolationCode::password_common);
  // One violation for the email: equal to it, or else built on its words.
  if (matches_email(password, context.email)) {
    add(PasswordViolationCode::password_matches_email);
  } else if (matches_context_word(password, context)) {
    add(PasswordViolationCode::password_matches_context);
  }
  return verdict;
}

}  // namespace sesame
