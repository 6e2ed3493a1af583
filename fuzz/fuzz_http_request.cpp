// The HTTP request path of the server, in-process: raw bytes are framed the
// way a connection frames them (request_framing), cleaned of valueless
// cookies and parsed by Pistache's request parser, request after request as
// if pipelined. Nothing may crash; a frame never claims more bytes than it
// has; every request the framing accepts is one Pistache reads to the end or
// refuses by throwing (the server then answers 400), never one it waits on.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <pistache/http.h>

#include "http/request_framing.hpp"

using namespace sesame::server::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  const FramingLimits limits{4096, 8192};
  Pistache::Http::RequestParser parser(2 * (limits.max_header_bytes + limits.max_body_bytes));
  for (int requests = 0; requests < 64; ++requests) {
    input.remove_prefix(leading_empty_lines(input));
    const RequestFrame frame = frame_request(input, limits);
    if (frame.kind != RequestFrame::Kind::complete) break;
    if (frame.size > input.size() || frame.head_size > frame.size || frame.head_size < 4) __builtin_trap();
    const std::string bytes = drop_valueless_cookies(input.substr(0, frame.head_size)) +
                              std::string(input.substr(frame.head_size, frame.size - frame.head_size));
    parser.reset();
    try {
      if (!parser.feed(bytes.data(), bytes.size())) __builtin_trap();  // the buffer is sized for any frame
      (void)parser.parse();
      (void)parser.request.resource();
      (void)parser.request.headers().rawList();
    } catch (const std::exception&) {
      // Refused by Pistache: a 400 for the client.
    }
    input.remove_prefix(frame.size);
  }
  return 0;
}
