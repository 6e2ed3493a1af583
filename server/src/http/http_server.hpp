#pragma once
// The HTTP server: Pistache underneath, our router and middleware on top.
//
//   http::Router router;
//   router.add(http::Method::get, "/healthz", [](const http::Request&) { ... });
//   http::HttpServer server(options, std::move(router));
//   server.start();                          // listens; serves on background threads
//   ... wait for SIGTERM (termination_signals.hpp) ...
//   server.stop();                           // drains in-flight requests, then returns
//
// Every response, the errors included, carries X-Request-Id, the security
// headers and (for allowed origins) CORS headers, and is logged as one JSON
// line. Requests are framed by request_framing.hpp before Pistache parses
// them: pipelined requests are answered one after the other in order, a
// broken framing answers 400 bad_request, a head over the limit 431, a slow
// request 408, and after each of those (and after an answer to
// "Connection: close" or an HTTP/1.0 request without keep-alive) the
// connection is closed. Order of the checks: oversized body (413), draining (503), unknown
// path (404), CORS preflight / OPTIONS (204), wrong method (405), body that
// is not JSON on POST/PUT/PATCH (415), then the handler. A handler that
// throws answers 500 internal_error; the exception's text is logged only.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http/middleware.hpp"
#include "http/router.hpp"
#include "sesame/contract.hpp"

namespace sesame::server::http {

struct ListenAddress {
  std::string host;  // "127.0.0.1", "0.0.0.0", "::1" (no brackets), "localhost"
  std::uint16_t port = 0;  // 0: an ephemeral port, see HttpServer::port()
};

// "host:port" or "[ipv6]:port"; nullopt when malformed.
[[nodiscard]] std::optional<ListenAddress> parse_listen_address(std::string_view text);

struct HttpServerOptions {
  std::string listen = "127.0.0.1:8080";
  std::size_t threads = 2;
  // Larger bodies answer 413 payload_too_large.
  std::size_t max_body_bytes = kMaxRequestBodyBytes;
  // The request line and headers; larger ones answer 431 headers_too_large.
  std::size_t max_header_bytes = 16 * 1024;
  // A request whose line, headers or body take longer answers 408
  // request_timeout and its connection is closed.
  std::chrono::seconds request_timeout{30};
  std::chrono::seconds keepalive_timeout{60};

  std::vector<std::string> cors_allowed_origins;  // exact origins, e.g. "https://app.example.com"
  std::vector<std::string> cors_allowed_headers = {"Authorization", "Content-Type", "X-Requested-With",
                                                   "X-CSRF-Token", "X-Request-Id"};
  std::int64_t cors_max_age_seconds = 600;
  // Paths whose bodies may also be application/x-www-form-urlencoded (RFC 7662
  // introspection); every other body must be JSON, which keeps plain HTML
  // forms of other sites away from the cookie routes.
  std::vector<std::string> form_body_paths;

  bool behind_tls = false;               // adds Strict-Transport-Security (served over https)
  bool hsts_include_subdomains = true;   // ... with includeSubDomains
  bool trust_forwarded_for = false;  // client IP from X-Forwarded-For (behind one proxy)
  AccessLogSink access_log;          // empty: stderr
};

class HttpServer {
 public:
  HttpServer(HttpServerOptions options, Router router);
  ~HttpServer();  // stops without waiting if still running
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and serves on background threads. Throws std::runtime_error when
  // the address is malformed or cannot be bound. Call once.
  void start();

  // The port actually bound (the ephemeral one when listening on port 0).
  [[nodiscard]] std::uint16_t port() const;

  // From now on new requests answer 503 service_unavailable (and ask the
  // client to close the connection); /readyz handlers can report it.
  void begin_draining() noexcept;
  [[nodiscard]] bool draining() const noexcept;

  // Graceful stop: begin_draining(), wait (at most `grace`) until every
  // request in flight has been answered and written, then stop listening
  // and join the HTTP threads. Idempotent. Responses sent after that are
  // dropped.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(30));

  class Core;  // shared with the Pistache handler and every pending response

 private:
  class Runtime;
  std::shared_ptr<Core> core_;
  std::unique_ptr<Runtime> runtime_;
};

}  // namespace sesame::server::http
