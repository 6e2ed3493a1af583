#pragma once
// Files served as they are from a folder (the demo page and the SDK package):
// the media type by extension (application/wasm for .wasm, which
// WebAssembly.instantiateStreaming insists on), an ETag so revalidation costs
// a 304, and a Content-Security-Policy for the pages.

#include <filesystem>
#include <string>
#include <string_view>

#include "http/request.hpp"
#include "http/response.hpp"

namespace sesame::server::http {

// What the demo's pages may do: their own scripts and styles only (no inline
// script or style), WebAssembly compilation, fetches to this origin.
inline constexpr std::string_view kPageContentSecurityPolicy =
    "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

// "text/html; charset=utf-8" for ".html", ...; application/octet-stream when unknown.
[[nodiscard]] std::string_view media_type_for(const std::filesystem::path& file) noexcept;

// The file `relative` (a '/'-separated path from the router) under `root`: 200
// with the body, 304 when If-None-Match names its ETag, and a 404 problem for
// anything missing, a folder, a hidden name or a ".." segment. HTML and
// everything else is sent with Cache-Control: no-cache (always revalidated,
// so a new build is seen at once; the ETag keeps that cheap).
[[nodiscard]] Response serve_file(const std::filesystem::path& root, std::string_view relative,
                                  const Request& request);

}  // namespace sesame::server::http
