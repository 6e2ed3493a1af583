#pragma once
// Cookies (RFC 6265bis): writing Set-Cookie with its attributes, and reading
// one cookie of the request by name. Our own parser reads the raw header, so
// a cookie another app on the host left malformed is skipped, not fatal.
//
// A `__Host-` name requires Secure, Path=/ and no Domain; `__Secure-`
// requires Secure. Browsers drop cookies that break those rules silently, so
// we refuse to write them.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "http/request.hpp"
#include "http/response.hpp"
#include "sesame/result.hpp"

namespace sesame::server::http {

enum class SameSite { strict, lax, none };

struct CookieOptions {
  std::string path = "/";
  std::optional<std::string> domain;
  std::optional<std::int64_t> max_age;  // seconds; absent: ends with the browser session
  bool http_only = true;
  bool secure = true;
  SameSite same_site = SameSite::strict;
};

// The Set-Cookie header value, e.g. "__Host-refresh=abc; Path=/; Max-Age=60;
// Secure; HttpOnly; SameSite=Strict". invalid_argument for a name that is not
// a token, a value outside cookie-octets, or options that break the prefix.
[[nodiscard]] Result<std::string> format_set_cookie(std::string_view name, std::string_view value,
                                                    const CookieOptions& options);

// Adds the Set-Cookie header to `response`.
[[nodiscard]] Result<void> set_cookie(Response& response, std::string_view name, std::string_view value,
                                      const CookieOptions& options);

// Tells the browser to forget the cookie: empty value, Max-Age=0, with the
// same path and domain it was set with (or it would not match).
[[nodiscard]] Result<void> clear_cookie(Response& response, std::string_view name, const CookieOptions& options);

// The value of the first cookie of that name in the request's Cookie headers.
[[nodiscard]] std::optional<std::string> read_cookie(const Request& request, std::string_view name);

}  // namespace sesame::server::http
