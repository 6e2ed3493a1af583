#pragma once
// Where one HTTP/1.1 request ends in the bytes a connection received
// (RFC 9112 §6), decided before Pistache's parser sees them. Pistache 0.0.5
// drops everything after the first request of a read and takes the last of
// two Content-Length headers, so the server frames requests itself: it hands
// Pistache exactly one request at a time and keeps the rest (pipelining), and
// refuses framing that two parsers could read differently (request
// smuggling, ASVS 4.2.1). Pure functions, so the rules are tested and fuzzed
// on their own.

#include <cstddef>
#include <string>
#include <string_view>

#include "sesame/error.hpp"

namespace sesame::server::http {

struct FramingLimits {
  std::size_t max_header_bytes = 16 * 1024;  // request line and headers, blank line included
  std::size_t max_body_bytes = 64 * 1024;    // the body once decoded (chunked or not)
};

struct RequestFrame {
  enum class Kind {
    incomplete,  // more bytes are needed
    complete,    // the first `size` bytes are one request
    refused,     // answer `refusal` and stop reading the connection
  };
  Kind kind = Kind::incomplete;
  std::size_t size = 0;       // complete: head and body
  std::size_t head_size = 0;  // complete: request line and headers with the blank line
  ErrorCode refusal = ErrorCode::bad_request;  // bad_request, headers_too_large or payload_too_large
  std::string detail;                          // why, for the client (never echoes the input)
};

// Frames the request at the start of `input` (empty lines before it are the
// caller's to skip, see leading_empty_lines). Refused: a bare LF, obsolete
// line folding, a field name with spaces or control characters, a value with
// CR/NUL, a request line that is not "METHOD SP target SP HTTP/1.x",
// Content-Length values that are not decimal or disagree, Content-Length
// together with Transfer-Encoding, a transfer coding other than "chunked",
// chunk extensions; 431 for a head over the limit, 413 for a body over it
// (known as soon as the Content-Length arrives) and for a chunked body whose
// encoding takes more than twice the body limit. A complete request is thus
// at most 2 * (max_header_bytes + max_body_bytes) bytes.
[[nodiscard]] RequestFrame frame_request(std::string_view input, const FramingLimits& limits);

// RFC 9112 §2.2: a server ignores empty lines (CRLF) received before a request line.
[[nodiscard]] std::size_t leading_empty_lines(std::string_view input) noexcept;

// Pistache's cookie parser throws on a cookie without '=' ("a=1; junk"), which
// would fail every request from a browser holding one such cookie for this
// host (document.cookie = "junk" makes one). Those entries are dropped from
// the Cookie headers of `head`; everything else is returned untouched.
[[nodiscard]] std::string drop_valueless_cookies(std::string_view head);

}  // namespace sesame::server::http
