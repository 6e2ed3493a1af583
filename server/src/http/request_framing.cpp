#include "http/request_framing.hpp"

#include <charconv>
#include <cstdint>
#include <optional>

#include "http/request.hpp"

namespace sesame::server::http {
namespace {

constexpr std::string_view kCrlf = "\r\n";

std::string_view trim_spaces(std::string_view text) noexcept {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

// RFC 9110 §5.6.2 tchar.
bool is_token_char(char c) noexcept {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool is_token(std::string_view text) noexcept {
  if (text.empty()) return false;
  for (const char c : text) {
    if (!is_token_char(c)) return false;
  }
  return true;
}

RequestFrame refuse(ErrorCode code, std::string detail) {
  RequestFrame frame;
  frame.kind = RequestFrame::Kind::refused;
  frame.refusal = code;
  frame.detail = std::move(detail);
  return frame;
}

RequestFrame bad_request(std::string detail) { return refuse(ErrorCode::bad_request, std::move(detail)); }

std::optional<std::uint64_t> parse_decimal(std::string_view text) noexcept {
  if (text.empty() || text.size() > 18) return std::nullopt;  // 18 digits never overflow
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "HTTP/1.1" requests with a target free of spaces and control characters.
bool is_request_line(std::string_view line) noexcept {
  const std::size_t first = line.find(' ');
  if (first == std::string_view::npos || !is_token(line.substr(0, first))) return false;
  const std::size_t second = line.find(' ', first + 1);
  if (second == std::string_view::npos || second == first + 1) return false;
  for (const char c : line.substr(first + 1, second - first - 1)) {
    if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
  }
  const std::string_view version = line.substr(second + 1);
  return version == "HTTP/1.1" || version == "HTTP/1.0";
}

struct BodyFraming {
  std::optional<std::uint64_t> content_length;
  bool chunked = false;
};

// The header lines (after the request line, before the blank line).
std::optional<RequestFrame> read_body_framing(std::string_view lines, BodyFraming& framing) {
  bool transfer_encoding = false;
  while (!lines.empty()) {
    const std::size_t end = lines.find(kCrlf);
    const std::string_view line = lines.substr(0, end);
    lines.remove_prefix(end == std::string_view::npos ? lines.size() : end + 2);
    if (line.front() == ' ' || line.front() == '\t') return bad_request("obsolete line folding in the headers");
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bad_request("a header line without a colon");
    const std::string_view name = line.substr(0, colon);
    if (!is_token(name)) return bad_request("a malformed header name");
    const std::string_view value = trim_spaces(line.substr(colon + 1));
    for (const char c : value) {
      if (c == '\r' || c == '\0') return bad_request("a control character in a header value");
    }
    if (equals_ignoring_case(name, "content-length")) {
      // A list of equal values ("5, 5") is one length (RFC 9110 §8.6); anything else is ambiguous.
      std::string_view rest = value;
      do {
        const std::size_t comma = rest.find(',');
        const auto length = parse_decimal(trim_spaces(rest.substr(0, comma)));
        if (!length) return bad_request("Content-Length is not a decimal number");
        if (framing.content_length && *framing.content_length != *length) {
          return bad_request("conflicting Content-Length values");
        }
        framing.content_length = length;
        rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
      } while (!rest.empty());
    } else if (equals_ignoring_case(name, "transfer-encoding")) {
      if (transfer_encoding || !equals_ignoring_case(value, "chunked")) {
        return bad_request("the only transfer coding accepted is chunked");
      }
      transfer_encoding = true;
    }
  }
  if (transfer_encoding && framing.content_length) {
    return bad_request("Content-Length together with Transfer-Encoding");
  }
  framing.chunked = transfer_encoding;
  return std::nullopt;
}

// The end of a chunked body starting at `body` (RFC 9112 §7.1), without
// extensions; trailer fields are read over and ignored.
RequestFrame frame_chunked(std::string_view input, std::size_t body, const FramingLimits& limits) {
  std::size_t at = body;
  std::uint64_t decoded = 0;
  while (true) {
    const std::size_t line_end = input.find(kCrlf, at);
    if (line_end == std::string_view::npos) {
      if (input.size() - at > 18) return bad_request("a malformed chunk size");
      return {};
    }
    const std::string_view size_text = input.substr(at, line_end - at);
    std::uint64_t size = 0;
    if (size_text.empty() || size_text.size() > 15) return bad_request("a malformed chunk size");
    const auto [end, error] = std::from_chars(size_text.data(), size_text.data() + size_text.size(), size, 16);
    if (error != std::errc() || end != size_text.data() + size_text.size()) {
      return bad_request("a malformed chunk size (extensions are not accepted)");
    }
    at = line_end + 2;
    if (size == 0) break;
    decoded += size;
    if (decoded > limits.max_body_bytes) {
      return refuse(ErrorCode::payload_too_large,
                    "the body exceeds " + std::to_string(limits.max_body_bytes) + " bytes");
    }
    if (input.size() < at + size + 2) return {};
    if (input.substr(at + size, 2) != kCrlf) return bad_request("a chunk longer than its size");
    at += size + 2;
    // Tiny chunks cost more framing than data: bound the bytes on the wire too.
    if (at - body > 2 * limits.max_body_bytes) {
      return refuse(ErrorCode::payload_too_large, "the chunked body is too large on the wire");
    }
  }
  // Trailer section: lines until an empty one.
  while (true) {
    const std::size_t line_end = input.find(kCrlf, at);
    if (line_end == std::string_view::npos) {
      if (input.size() - at > limits.max_header_bytes) {
        return refuse(ErrorCode::headers_too_large, "the trailer fields are too large");
      }
      return {};
    }
    const bool last = line_end == at;
    at = line_end + 2;
    if (last) break;
  }
  RequestFrame frame;
  frame.kind = RequestFrame::Kind::complete;
  frame.size = at;
  return frame;
}

}  // namespace

std::size_t leading_empty_lines(std::string_view input) noexcept {
  std::size_t at = 0;
  while (input.substr(at, 2) == kCrlf) at += 2;
  return at;
}

RequestFrame frame_request(std::string_view input, const FramingLimits& limits) {
  const std::size_t head_end = input.find("\r\n\r\n");
  const std::string_view head = input.substr(0, head_end == std::string_view::npos ? input.size() : head_end);
  // A bare LF would end a line for some parsers and not for others.
  for (std::size_t i = 0; i < head.size(); ++i) {
    if (head[i] == '\n' && (i == 0 || head[i - 1] != '\r')) return bad_request("a line ends without CR");
    if (head[i] == '\0') return bad_request("a NUL byte in the request head");
  }
  if (head_end == std::string_view::npos) {
    if (input.size() > limits.max_header_bytes) {
      return refuse(ErrorCode::headers_too_large,
                    "the request headers exceed " + std::to_string(limits.max_header_bytes) + " bytes");
    }
    // The request line alone can already be judged.
    const std::size_t line_end = input.find(kCrlf);
    if (line_end != std::string_view::npos && !is_request_line(input.substr(0, line_end))) {
      return bad_request("a malformed request line");
    }
    return {};
  }
  const std::size_t head_size = head_end + 4;
  if (head_size > limits.max_header_bytes) {
    return refuse(ErrorCode::headers_too_large,
                  "the request headers exceed " + std::to_string(limits.max_header_bytes) + " bytes");
  }
  const std::size_t line_end = head.find(kCrlf);
  if (!is_request_line(head.substr(0, line_end))) return bad_request("a malformed request line");

  BodyFraming framing;
  const std::string_view lines =
      line_end == std::string_view::npos ? std::string_view{} : head.substr(line_end + 2);
  if (auto refused = read_body_framing(lines, framing)) return std::move(*refused);

  if (framing.chunked) {
    if (head.substr(0, line_end).ends_with("HTTP/1.0")) {
      return bad_request("Transfer-Encoding in an HTTP/1.0 request");
    }
    RequestFrame frame = frame_chunked(input, head_size, limits);
    frame.head_size = head_size;
    return frame;
  }
  const std::uint64_t length = framing.content_length.value_or(0);
  if (length > limits.max_body_bytes) {
    return refuse(ErrorCode::payload_too_large, "the body exceeds " + std::to_string(limits.max_body_bytes) + " bytes");
  }
  if (input.size() < head_size + length) return {};
  RequestFrame frame;
  frame.kind = RequestFrame::Kind::complete;
  frame.head_size = head_size;
  frame.size = head_size + static_cast<std::size_t>(length);
  return frame;
}

std::string drop_valueless_cookies(std::string_view head) {
  std::string out;
  out.reserve(head.size());
  while (!head.empty()) {
    const std::size_t end = head.find(kCrlf);
    const std::string_view line = head.substr(0, end == std::string_view::npos ? head.size() : end + 2);
    head.remove_prefix(line.size());
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || !equals_ignoring_case(trim_spaces(line.substr(0, colon)), "cookie")) {
      out.append(line);
      continue;
    }
    std::string value;
    std::string_view rest = line.substr(colon + 1, line.size() - colon - 1 - (line.ends_with(kCrlf) ? 2 : 0));
    while (!rest.empty()) {
      const std::size_t semicolon = rest.find(';');
      const std::string_view pair = trim_spaces(rest.substr(0, semicolon));
      rest = semicolon == std::string_view::npos ? std::string_view{} : rest.substr(semicolon + 1);
      const std::size_t equals = pair.find('=');
      if (equals == std::string_view::npos || equals == 0) continue;
      if (!value.empty()) value += "; ";
      value += pair;
    }
    if (!value.empty()) out.append("Cookie: ").append(value).append(kCrlf);
  }
  return out;
}

}  // namespace sesame::server::http
