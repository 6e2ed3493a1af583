// Cookie and Authorization header parsing (server/src/http/cookies, request):
// the input is split into header values at NUL bytes. Nothing may crash, and
// what is read is always a part of the input.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/cookies.hpp"
#include "http/request.hpp"

using namespace sesame::server::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  Request::Fields headers;
  std::size_t at = 0;
  bool cookie = true;
  while (at <= text.size()) {
    const std::size_t end = std::min(text.find('\0', at), text.size());
    headers.emplace_back(cookie ? "Cookie" : "Authorization", std::string(text.substr(at, end - at)));
    cookie = !cookie;
    at = end + 1;
  }
  const Request request(Method::get, "/", {}, std::move(headers), "");
  for (const std::string_view name : {"__Host-sesame_refresh", "sesame_refresh", "a", ""}) {
    if (const auto value = read_cookie(request, name); value && text.find(*value) == std::string_view::npos) {
      __builtin_trap();
    }
  }
  if (const auto token = bearer_token(request); token && (token->empty() || text.find(*token) == std::string_view::npos)) {
    __builtin_trap();
  }
  // Writing a cookie from fuzzed parts either refuses or yields one header line.
  const std::size_t split = text.find('=');
  if (split != std::string_view::npos) {
    const auto line = format_set_cookie(text.substr(0, split), text.substr(split + 1), CookieOptions{});
    if (line.ok() && (line->find('\r') != std::string::npos || line->find('\n') != std::string::npos)) __builtin_trap();
  }
  return 0;
}
