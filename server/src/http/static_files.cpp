#include "http/static_files.hpp"

#include <array>
#include <fstream>
#include <iterator>
#include <system_error>

#include <sodium.h>

namespace sesame::server::http {
namespace {

constexpr std::size_t kMaxStaticFileBytes = 16 * 1024 * 1024;

// Segments a file request may not contain: "..", ".", empty, hidden names and backslashes.
bool is_safe_relative_path(std::string_view relative) {
  if (relative.empty() || relative.size() > 1024) return false;
  std::size_t start = 0;
  while (start <= relative.size()) {
    const std::size_t end = relative.find('/', start);
    const std::string_view segment = relative.substr(start, end == std::string_view::npos ? end : end - start);
    if (segment.empty() || segment.front() == '.') return false;
    if (segment.find_first_of(std::string_view("\\\0", 2)) != std::string_view::npos) return false;
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return true;
}

// A strong validator from the content: the first 16 bytes of its BLAKE2b hash, hex.
std::string etag_of(std::string_view body) {
  std::array<unsigned char, 16> digest{};
  crypto_generichash(digest.data(), digest.size(), reinterpret_cast<const unsigned char*>(body.data()), body.size(),
                     nullptr, 0);
  std::array<char, 2 * 16 + 1> hex{};
  sodium_bin2hex(hex.data(), hex.size(), digest.data(), digest.size());
  return "\"" + std::string(hex.data()) + "\"";
}

Response not_found() { return Response::problem(ErrorCode::not_found, "no such file"); }

}  // namespace

std::string_view media_type_for(const std::filesystem::path& file) noexcept {
  const std::string extension = file.extension().string();
  if (extension == ".html") return "text/html; charset=utf-8";
  if (extension == ".js" || extension == ".mjs") return "text/javascript; charset=utf-8";
  if (extension == ".css") return "text/css; charset=utf-8";
  if (extension == ".wasm") return "application/wasm";
  if (extension == ".json") return "application/json";
  if (extension == ".svg") return "image/svg+xml";
  if (extension == ".png") return "image/png";
  if (extension == ".ico") return "image/x-icon";
  if (extension == ".txt" || extension == ".md") return "text/plain; charset=utf-8";
  if (extension == ".ts") return "text/plain; charset=utf-8";  // .d.ts declarations, for reading
  return "application/octet-stream";
}

Response serve_file(const std::filesystem::path& root, std::string_view relative, const Request& request) {
  if (!is_safe_relative_path(relative)) return not_found();
  const std::filesystem::path file = root / std::filesystem::path(std::string(relative));
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) return not_found();
  const auto size = std::filesystem::file_size(file, error);
  if (error || size > kMaxStaticFileBytes) return not_found();
  std::ifstream in(file, std::ios::binary);
  if (!in) return not_found();
  std::string body((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());

  const std::string etag = etag_of(body);
  Response response = request.header("If-None-Match") == std::optional<std::string_view>(etag)
                          ? Response(304)
                          : Response::text(200, std::move(body), std::string(media_type_for(file)));
  response.set_header("ETag", etag);
  response.set_header("Cache-Control", "no-cache");
  if (file.extension() == ".html") response.set_header("Content-Security-Policy", std::string(kPageContentSecurityPolicy));
  return response;
}

}  // namespace sesame::server::http
