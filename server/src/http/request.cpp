#include "http/request.hpp"

namespace sesame::server::http {
namespace {

char lower_ascii(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string_view> find_field(const Request::Fields& fields, std::string_view name, bool ignore_case) {
  for (const auto& [key, value] : fields) {
    if (ignore_case ? equals_ignoring_case(key, name) : key == name) return std::string_view(value);
  }
  return std::nullopt;
}

}  // namespace

std::string_view method_name(Method method) noexcept {
  switch (method) {
    case Method::get: return "GET";
    case Method::head: return "HEAD";
    case Method::post: return "POST";
    case Method::put: return "PUT";
    case Method::patch: return "PATCH";
    case Method::delete_: return "DELETE";
    case Method::options: return "OPTIONS";
    case Method::other: break;
  }
  return "OTHER";
}

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (lower_ascii(a[i]) != lower_ascii(b[i])) return false;
  }
  return true;
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%' && i + 2 < text.size()) {
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high >= 0 && low >= 0) {
        out.push_back(static_cast<char>(high * 16 + low));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_is_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::string_view Request::path_param(std::string_view name) const noexcept {
  return find_field(path_params_, name, false).value_or(std::string_view{});
}

std::optional<std::string_view> Request::query(std::string_view name) const noexcept {
  return find_field(query_, name, false);
}

std::optional<std::string_view> Request::header(std::string_view name) const noexcept {
  return find_field(headers_, name, true);
}

std::optional<std::string_view> bearer_token(const Request& request) noexcept {
  const auto header = request.header("Authorization");
  constexpr std::string_view kScheme = "Bearer ";
  if (!header || header->size() <= kScheme.size() || !equals_ignoring_case(header->substr(0, kScheme.size()), kScheme)) {
    return std::nullopt;
  }
  std::string_view token = header->substr(kScheme.size());
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  // token68: ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/", then "=" padding.
  std::size_t at = 0;
  for (; at < token.size(); ++at) {
    const char c = token[at];
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    std::string_view("-._~+/").find(c) != std::string_view::npos;
    if (!ok) break;
  }
  if (at == 0) return std::nullopt;
  while (at < token.size() && token[at] == '=') ++at;
  if (at != token.size()) return std::nullopt;
  return token;
}

std::string_view Request::user_agent() const noexcept { return header("User-Agent").value_or(std::string_view{}); }

}  // namespace sesame::server::http
