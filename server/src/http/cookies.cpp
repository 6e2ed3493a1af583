#include "http/cookies.hpp"

#include <cstring>

namespace sesame::server::http {
namespace {

bool is_token_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return c != '\0' && std::strchr("!#$%&'*+-.^_`|~", c) != nullptr;
}

// RFC 6265 §4.1.1 cookie-octet: visible ASCII except '"', ',', ';' and '\'.
bool is_cookie_octet(char c) noexcept {
  const auto byte = static_cast<unsigned char>(c);
  return byte >= 0x21 && byte <= 0x7e && c != '"' && c != ',' && c != ';' && c != '\\';
}

// Path and Domain values: visible ASCII without ';'.
bool is_attribute_value(std::string_view text) noexcept {
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte > 0x7e || c == ';') return false;
  }
  return true;
}

std::string_view trim(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

std::string_view same_site_name(SameSite same_site) noexcept {
  switch (same_site) {
    case SameSite::strict: return "Strict";
    case SameSite::lax: return "Lax";
    case SameSite::none: break;
  }
  return "None";
}

}  // namespace

Result<std::string> format_set_cookie(std::string_view name, std::string_view value, const CookieOptions& options) {
  if (name.empty()) return Error{ErrorCode::invalid_argument, "cookie name is empty"};
  for (const char c : name) {
    if (!is_token_char(c)) return Error{ErrorCode::invalid_argument, "cookie name is not a token"};
  }
  for (const char c : value) {
    if (!is_cookie_octet(c)) {
      return Error{ErrorCode::invalid_argument, "cookie value has a character outside cookie-octet"};
    }
  }
  if (!is_attribute_value(options.path) || (options.domain && !is_attribute_value(*options.domain))) {
    return Error{ErrorCode::invalid_argument, "cookie path or domain has a forbidden character"};
  }
  if (name.starts_with("__Host-") && (!options.secure || options.path != "/" || options.domain)) {
    return Error{ErrorCode::invalid_argument, "a __Host- cookie needs Secure, Path=/ and no Domain"};
  }
  if (name.starts_with("__Secure-") && !options.secure) {
    return Error{ErrorCode::invalid_argument, "a __Secure- cookie needs Secure"};
  }
  if (options.same_site == SameSite::none && !options.secure) {
    return Error{ErrorCode::invalid_argument, "SameSite=None needs Secure"};
  }

  std::string out;
  out.append(name).append("=").append(value);
  if (!options.path.empty()) out.append("; Path=").append(options.path);
  if (options.domain) out.append("; Domain=").append(*options.domain);
  if (options.max_age) out.append("; Max-Age=").append(std::to_string(*options.max_age < 0 ? 0 : *options.max_age));
  if (options.secure) out.append("; Secure");
  if (options.http_only) out.append("; HttpOnly");
  out.append("; SameSite=").append(same_site_name(options.same_site));
  return out;
}

Result<void> set_cookie(Response& response, std::string_view name, std::string_view value,
                        const CookieOptions& options) {
  auto header = format_set_cookie(name, value, options);
  if (!header.ok()) return header.error();
  response.add_header("Set-Cookie", std::move(header).value());
  return {};
}

Result<void> clear_cookie(Response& response, std::string_view name, const CookieOptions& options) {
  CookieOptions expired = options;
  expired.max_age = 0;
  return set_cookie(response, name, "", expired);
}

std::optional<std::string> read_cookie(const Request& request, std::string_view name) {
  for (const auto& [header_name, header_value] : request.headers()) {
    if (!equals_ignoring_case(header_name, "Cookie")) continue;
    std::string_view rest = header_value;
    while (!rest.empty()) {
      const std::size_t end = rest.find(';');
      const std::string_view pair = trim(rest.substr(0, end));
      rest = end == std::string_view::npos ? std::string_view{} : rest.substr(end + 1);
      const std::size_t equals = pair.find('=');
      if (equals == std::string_view::npos) continue;  // malformed: skip it
      if (trim(pair.substr(0, equals)) != name) continue;
      std::string_view value = trim(pair.substr(equals + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
  }
  return std::nullopt;
}

}  // namespace sesame::server::http
