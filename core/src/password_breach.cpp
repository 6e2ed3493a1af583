#include "sesame/password_breach.hpp"

#include <charconv>

#include "sha1.hpp"

namespace sesame {
namespace {

char upper_ascii(char c) noexcept { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

bool equal_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (upper_ascii(a[i]) != upper_ascii(b[i])) return false;
  }
  return true;
}

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\r')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) text.remove_suffix(1);
  return text;
}

}  // namespace

BreachRangeQuery breach_range_query(std::string_view password) {
  // SHA-1 as the range API defines it; it identifies, it does not protect.
  const Sha1::Digest digest =
      sha1(as_bytes(password));
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string hex;
  hex.reserve(digest.size() * 2);
  for (std::uint8_t byte : digest) {
    hex.push_back(kHex[byte >> 4]);
    hex.push_back(kHex[byte & 0x0f]);
  }
  return {hex.substr(0, 5), hex.substr(5)};
}

std::int64_t breach_count(std::string_view range_body, std::string_view suffix) noexcept {
  while (!range_body.empty()) {
    const auto end = range_body.find('\n');
    const std::string_view line = trim(range_body.substr(0, end));
    range_body = end == std::string_view::npos ? std::string_view() : range_body.substr(end + 1);
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || !equal_ignoring_case(trim(line.substr(0, colon)), suffix)) continue;
    const std::string_view digits = trim(line.substr(colon + 1));
    std::int64_t count = 0;
    const auto [rest, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
    if (ec != std::errc() || rest != digits.data() + digits.size() || count < 0) continue;
    return count;  // a padding entry says 0
  }
  return 0;
}

}  // namespace sesame
