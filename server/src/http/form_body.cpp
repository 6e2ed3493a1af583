#include "http/form_body.hpp"

#include <string>

#include "http/request.hpp"

namespace sesame::server::http {
namespace {

int hex_value(char c) noexcept {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+') {
      out.push_back(' ');
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

}  // namespace

bool is_form_media_type(std::string_view content_type) noexcept {
  constexpr std::string_view kForm = "application/x-www-form-urlencoded";
  const auto end = content_type.find(';');
  std::string_view type = content_type.substr(0, end);
  while (!type.empty() && type.back() == ' ') type.remove_suffix(1);
  return equals_ignoring_case(type, kForm);
}

std::optional<nlohmann::json> decode_form(std::string_view body) {
  nlohmann::json fields = nlohmann::json::object();
  while (!body.empty()) {
    const auto amp = body.find('&');
    const std::string_view pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view{} : body.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!name || !value) return std::nullopt;
    if (!fields.contains(*name)) fields[*name] = std::move(*value);
  }
  // Not UTF-8: dump() would throw on it later.
  try {
    (void)fields.dump();
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  return fields;
}

}  // namespace sesame::server::http
