#define BOOST_TEST_MODULE server_http_framing
#include <boost/test/unit_test.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <arpa/inet.h>

#include <chrono>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "http/http_server.hpp"
#include "http/request_framing.hpp"

using namespace sesame;
using namespace sesame::server::http;
using namespace std::chrono_literals;

namespace {

// ---- The framing rules on their own --------------------------------------------------

const FramingLimits kLimits{1024, 4096};

RequestFrame frame(std::string_view bytes) { return frame_request(bytes, kLimits); }

void check_refused(std::string_view bytes, ErrorCode code) {
  const RequestFrame result = frame(bytes);
  BOOST_TEST_CONTEXT(bytes) {
    BOOST_TEST((result.kind == RequestFrame::Kind::refused));
    BOOST_TEST(error_code_name(result.refusal) == error_code_name(code));
  }
}

// ---- A raw TCP client: bytes out, every byte the server sends back ---------------------

class RawConnection {
 public:
  explicit RawConnection(std::uint16_t port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    if (fd_ < 0) throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      throw std::runtime_error("connect failed");
    }
  }
  ~RawConnection() { ::close(fd_); }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  void send(std::string_view bytes) {
    std::size_t written = 0;
    while (written < bytes.size()) {
      const ssize_t n = ::send(fd_, bytes.data() + written, bytes.size() - written, MSG_NOSIGNAL);
      if (n <= 0) throw std::runtime_error("send failed");
      written += static_cast<std::size_t>(n);
    }
  }

  // Reads until the server closes or `wait` passes; `closed` says which.
  std::string read_all(std::chrono::milliseconds wait) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    closed = false;
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return out;
      pollfd poll_fd{fd_, POLLIN, 0};
      if (::poll(&poll_fd, 1, static_cast<int>(left.count())) <= 0) return out;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) {
        closed = true;
        return out;
      }
      out.append(buffer, static_cast<std::size_t>(n));
    }
  }

  // Reads until `count` complete responses (Content-Length framed) arrived.
  std::string read_responses(std::size_t count, std::chrono::milliseconds wait = 5s) {
    std::string out;
    const auto deadline = std::chrono::steady_clock::now() + wait;
    while (responses_in(out).size() < count && std::chrono::steady_clock::now() < deadline) {
      pollfd poll_fd{fd_, POLLIN, 0};
      if (::poll(&poll_fd, 1, 50) <= 0) continue;
      char buffer[4096];
      const ssize_t n = ::recv(fd_, buffer, sizeof buffer, 0);
      if (n <= 0) break;
      out.append(buffer, static_cast<std::size_t>(n));
    }
    return out;
  }

  struct Answer {
    int status = 0;
    std::string head;
    std::string body;
    [[nodiscard]] bool has_header(std::string_view line) const { return head.find(line) != std::string::npos; }
  };

  // Splits a byte stream into the responses in it.
  static std::vector<Answer> responses_in(std::string_view bytes) {
    std::vector<Answer> out;
    while (true) {
      const std::size_t head_end = bytes.find("\r\n\r\n");
      if (head_end == std::string_view::npos) return out;
      Answer answer;
      answer.head = std::string(bytes.substr(0, head_end + 2));
      answer.status = std::stoi(answer.head.substr(9, 3));
      std::size_t length = 0;
      const std::size_t at = answer.head.find("Content-Length: ");
      if (at != std::string::npos) length = std::stoul(answer.head.substr(at + 16));
      if (bytes.size() < head_end + 4 + length) return out;
      answer.body = std::string(bytes.substr(head_end + 4, length));
      out.push_back(std::move(answer));
      bytes.remove_prefix(head_end + 4 + length);
    }
  }

  bool closed = false;

 private:
  int fd_;
};

// The real server on an ephemeral port, echoing what it was asked, with the
// log captured.
class EchoServer {
 public:
  explicit EchoServer(HttpServerOptions options = {}) {
    options.listen = "127.0.0.1:0";
    options.max_body_bytes = 1024;
    options.max_header_bytes = 2048;
    options.access_log = [this](std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    };
    Router router;
    router.add(Method::get, "/api/v1/echo/:n", [](const Request& request) {
      return Response::json(200, {{"n", request.path_param("n")}});
    });
    router.add(Method::post, "/api/v1/echo", [](const Request& request) {
      return Response::json(200, {{"body", request.body()}});
    });
    server_ = std::make_unique<HttpServer>(std::move(options), std::move(router));
    server_->start();
  }

  [[nodiscard]] std::uint16_t port() const { return server_->port(); }

  std::vector<std::string> raw_log_lines() {
    std::lock_guard lock(mutex_);
    return lines_;
  }

  std::vector<nlohmann::json> log_lines() {
    std::lock_guard lock(mutex_);
    std::vector<nlohmann::json> out;
    for (const auto& line : lines_) out.push_back(nlohmann::json::parse(line));
    return out;
  }

  std::vector<nlohmann::json> events() {
    std::vector<nlohmann::json> out;
    for (auto& line : log_lines()) {
      if (line.contains("event")) out.push_back(std::move(line));
    }
    return out;
  }

 private:
  std::mutex mutex_;
  std::vector<std::string> lines_;
  std::unique_ptr<HttpServer> server_;
};

nlohmann::json body_of(const RawConnection::Answer& answer) { return nlohmann::json::parse(answer.body); }

void check_bad_request(const RawConnection::Answer& answer) {
  BOOST_TEST(answer.status == 400);
  BOOST_TEST(answer.has_header("Content-Type: application/problem+json"));
  BOOST_TEST(answer.has_header("X-Request-Id: "));
  BOOST_TEST(answer.has_header("X-Content-Type-Options: nosniff"));
  BOOST_TEST(answer.has_header("Connection: close"));
  BOOST_TEST(body_of(answer)["code"] == "bad_request");
}

}  // namespace

// ---- Framing rules --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(a_request_without_body_ends_at_the_blank_line) {
  const std::string bytes = "GET / HTTP/1.1\r\nHost: x\r\n\r\nGET /next HTTP/1.1\r\n";
  const RequestFrame result = frame(bytes);
  BOOST_TEST((result.kind == RequestFrame::Kind::complete));
  BOOST_TEST(result.size == bytes.find("GET /next"));
}

BOOST_AUTO_TEST_CASE(a_content_length_body_is_waited_for_then_framed) {
  BOOST_TEST((frame("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabc").kind == RequestFrame::Kind::incomplete));
  const RequestFrame result = frame("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcdeGET");
  BOOST_TEST((result.kind == RequestFrame::Kind::complete));
  BOOST_TEST(result.size == std::string("POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\nabcde").size());
  BOOST_TEST((frame("POST / HTTP/1.1\r\nContent-Length: 5, 5\r\n\r\nabcde").kind == RequestFrame::Kind::complete));
}

BOOST_AUTO_TEST_CASE(a_chunked_body_ends_after_the_last_chunk_and_trailers) {
  const std::string request = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-T: 1\r\n\r\n";
  const RequestFrame result = frame(request + "GET");
  BOOST_TEST((result.kind == RequestFrame::Kind::complete));
  BOOST_TEST(result.size == request.size());
  BOOST_TEST((frame(request.substr(0, request.size() - 3)).kind == RequestFrame::Kind::incomplete));
}

BOOST_AUTO_TEST_CASE(ambiguous_framing_is_refused_as_bad_request) {
  check_refused("POST / HTTP/1.1\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nabcdef", ErrorCode::bad_request);
  check_refused("POST / HTTP/1.1\r\nContent-Length: 5, 6\r\n\r\nabcdef", ErrorCode::bad_request);
  check_refused("POST / HTTP/1.1\r\nContent-Length: five\r\n\r\n", ErrorCode::bad_request);
  check_refused("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n", ErrorCode::bad_request);
  check_refused("POST / HTTP/1.1\r\nContent-Length: +5\r\n\r\nabcde", ErrorCode::bad_request);
  check_refused("POST / HTTP/1.1\r\nContent-Length: 99999999999999999999999\r\n\r\n", ErrorCode::bad_request);
  check_refused("POST / HTTP/1.1\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
                ErrorCode::bad_request);
  check_refused("POST / HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", ErrorCode::bad_request);
  check_refused("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3;ext=1\r\nabc\r\n0\r\n\r\n",
                ErrorCode::bad_request);
  check_refused("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcd\r\n0\r\n\r\n", ErrorCode::bad_request);
  check_refused("POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", ErrorCode::bad_request);
  check_refused("GET / HTTP/1.1\nHost: x\n\n", ErrorCode::bad_request);
  check_refused("GET / HTTP/1.1\r\nHost : x\r\n\r\n", ErrorCode::bad_request);
  check_refused("GET / HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", ErrorCode::bad_request);
  check_refused("GET / HTTP/2.0\r\n\r\n", ErrorCode::bad_request);
  check_refused("GET /a b HTTP/1.1\r\n\r\n", ErrorCode::bad_request);
  check_refused("GET\r\n", ErrorCode::bad_request);
}

BOOST_AUTO_TEST_CASE(sizes_over_the_limits_are_431_and_413) {
  check_refused("GET / HTTP/1.1\r\nX: " + std::string(2000, 'a'), ErrorCode::headers_too_large);
  check_refused("GET / HTTP/1.1\r\nX: " + std::string(2000, 'a') + "\r\n\r\n", ErrorCode::headers_too_large);
  check_refused("POST / HTTP/1.1\r\nContent-Length: 4097\r\n\r\n", ErrorCode::payload_too_large);
  check_refused("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n1001\r\n", ErrorCode::payload_too_large);
  std::string tiny_chunks = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n";
  for (int i = 0; i < 2000; ++i) tiny_chunks += "1\r\nx\r\n";
  check_refused(tiny_chunks, ErrorCode::payload_too_large);
}

BOOST_AUTO_TEST_CASE(empty_lines_before_a_request_are_skipped) {
  BOOST_TEST(leading_empty_lines("\r\n\r\nGET / HTTP/1.1\r\n") == 4u);
  BOOST_TEST(leading_empty_lines("GET") == 0u);
}

BOOST_AUTO_TEST_CASE(valueless_cookies_are_dropped_and_the_rest_kept) {
  BOOST_TEST(drop_valueless_cookies("GET / HTTP/1.1\r\nCookie: a=1; junk; b=2\r\nX: y\r\n\r\n") ==
             "GET / HTTP/1.1\r\nCookie: a=1; b=2\r\nX: y\r\n\r\n");
  BOOST_TEST(drop_valueless_cookies("GET / HTTP/1.1\r\nCookie: junk\r\n\r\n") == "GET / HTTP/1.1\r\n\r\n");
}

// ---- Over a raw socket against the real server ------------------------------------------

BOOST_AUTO_TEST_CASE(pipelined_requests_in_one_packet_are_all_answered_in_order) {
  EchoServer server;
  RawConnection connection(server.port());
  std::string packet;
  for (int n = 1; n <= 5; ++n) packet += "GET /api/v1/echo/" + std::to_string(n) + " HTTP/1.1\r\nHost: x\r\n\r\n";
  packet += "POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}";
  connection.send(packet);
  const auto answers = RawConnection::responses_in(connection.read_responses(6));
  BOOST_TEST_REQUIRE(answers.size() == 6u);
  for (int n = 1; n <= 5; ++n) {
    BOOST_TEST(answers[n - 1].status == 200);
    BOOST_TEST(body_of(answers[n - 1])["n"] == std::to_string(n));
  }
  BOOST_TEST(body_of(answers[5])["body"] == "{}");
}

BOOST_AUTO_TEST_CASE(a_request_split_across_packets_is_answered_once_complete) {
  EchoServer server;
  RawConnection connection(server.port());
  connection.send("GET /api/v1/ec");
  std::this_thread::sleep_for(50ms);
  connection.send("ho/7 HTTP/1.1\r\nHost: x\r\n\r\nGET /api/v1/echo/8 HTTP/1.1\r\nHo");
  std::this_thread::sleep_for(50ms);
  connection.send("st: x\r\n\r\n");
  const auto answers = RawConnection::responses_in(connection.read_responses(2));
  BOOST_TEST_REQUIRE(answers.size() == 2u);
  BOOST_TEST(body_of(answers[0])["n"] == "7");
  BOOST_TEST(body_of(answers[1])["n"] == "8");
}

BOOST_AUTO_TEST_CASE(connection_close_closes_right_after_the_answer) {
  EchoServer server;  // the keep-alive timeout is a minute: a close within 2 s is ours
  RawConnection connection(server.port());
  connection.send("GET /api/v1/echo/1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                  "GET /api/v1/echo/2 HTTP/1.1\r\nHost: x\r\n\r\n");
  const std::string bytes = connection.read_all(2s);
  BOOST_TEST(connection.closed);
  const auto answers = RawConnection::responses_in(bytes);
  BOOST_TEST_REQUIRE(answers.size() == 1u);
  BOOST_TEST(answers[0].has_header("Connection: close"));
}

BOOST_AUTO_TEST_CASE(http_1_0_without_keep_alive_is_closed_after_the_answer) {
  EchoServer server;
  RawConnection connection(server.port());
  connection.send("GET /api/v1/echo/1 HTTP/1.0\r\n\r\n");
  const std::string bytes = connection.read_all(2s);
  BOOST_TEST(connection.closed);
  const auto answers = RawConnection::responses_in(bytes);
  BOOST_TEST_REQUIRE(answers.size() == 1u);
  BOOST_TEST(answers[0].head.starts_with("HTTP/1.0 200"));

  RawConnection kept(server.port());
  kept.send("GET /api/v1/echo/1 HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
  BOOST_TEST(RawConnection::responses_in(kept.read_all(500ms)).size() == 1u);
  BOOST_TEST(!kept.closed);
}

BOOST_AUTO_TEST_CASE(conflicting_content_lengths_are_400_and_never_a_guessed_body) {
  EchoServer server;
  for (const std::string framing :
       {"Content-Length: 2\r\nContent-Length: 12\r\n", "Content-Length: 2x\r\n",
        "Content-Length: 12\r\nTransfer-Encoding: chunked\r\n"}) {
    BOOST_TEST_CONTEXT(framing) {
      RawConnection connection(server.port());
      // A smuggled second request rides in the body; it must never be answered.
      connection.send("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n" + framing +
                      "\r\n{}GET /api/v1/echo/smuggled HTTP/1.1\r\nHost: x\r\n\r\n");
      const std::string bytes = connection.read_all(2s);
      BOOST_TEST(connection.closed);
      const auto answers = RawConnection::responses_in(bytes);
      BOOST_TEST_REQUIRE(answers.size() == 1u);
      check_bad_request(answers[0]);
      BOOST_TEST(bytes.find("smuggled") == std::string::npos);
    }
  }
  const auto events = server.events();
  BOOST_TEST_REQUIRE(events.size() == 3u);
  BOOST_TEST(events[0]["event"] == "malformed_request_rejected");
  BOOST_TEST(events[0]["path"] == "/api/v1/echo");
  BOOST_TEST(events[0]["ip"] == "127.0.0.1");
  BOOST_TEST(events[0]["request_id"].get<std::string>().size() == 32u);
}

BOOST_AUTO_TEST_CASE(a_chunked_body_reaches_the_handler_decoded) {
  EchoServer server;
  RawConnection connection(server.port());
  connection.send("POST /api/v1/echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                  "Transfer-Encoding: chunked\r\n\r\n1\r\n{\r\n1\r\n}\r\n0\r\n\r\nGET /api/v1/echo/2 HTTP/1.1\r\n\r\n");
  const auto answers = RawConnection::responses_in(connection.read_responses(2));
  BOOST_TEST_REQUIRE(answers.size() == 2u);
  BOOST_TEST(body_of(answers[0])["body"] == "{}");
  BOOST_TEST(body_of(answers[1])["n"] == "2");
}

BOOST_AUTO_TEST_CASE(header_sections_over_the_limit_are_431_problems) {
  EchoServer server;
  RawConnection connection(server.port());
  connection.send("GET /api/v1/echo/1 HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(3000, 'p') + "\r\n\r\n");
  const std::string bytes = connection.read_all(2s);
  BOOST_TEST(connection.closed);
  const auto answers = RawConnection::responses_in(bytes);
  BOOST_TEST_REQUIRE(answers.size() == 1u);
  BOOST_TEST(answers[0].status == 431);
  BOOST_TEST(answers[0].has_header("Content-Type: application/problem+json"));
  BOOST_TEST(answers[0].has_header("Content-Security-Policy: default-src 'none'; frame-ancestors 'none'"));
  BOOST_TEST(body_of(answers[0])["code"] == "headers_too_large");
  BOOST_TEST(server.events().at(0)["event"] == "oversized_headers_rejected");
}

BOOST_AUTO_TEST_CASE(a_slow_request_is_a_408_problem_and_the_connection_closes) {
  HttpServerOptions options;
  options.request_timeout = 1s;
  EchoServer server(options);
  RawConnection connection(server.port());
  connection.send("GET /api/v1/echo/1 HTTP/1.1\r\nHost: x\r\n");  // the blank line never comes
  const auto started = std::chrono::steady_clock::now();
  const std::string bytes = connection.read_all(4s);
  BOOST_TEST(connection.closed);
  BOOST_TEST((std::chrono::steady_clock::now() - started < 3s));
  const auto answers = RawConnection::responses_in(bytes);
  BOOST_TEST_REQUIRE(answers.size() == 1u);
  BOOST_TEST(answers[0].status == 408);
  BOOST_TEST(answers[0].has_header("Content-Type: application/problem+json"));
  BOOST_TEST(answers[0].has_header("X-Request-Id: "));
  BOOST_TEST(answers[0].has_header("X-Frame-Options: DENY"));
  BOOST_TEST(body_of(answers[0])["code"] == "request_timeout");
  BOOST_TEST(server.events().at(0)["event"] == "slow_request_rejected");
}

BOOST_AUTO_TEST_CASE(a_kept_alive_connection_is_not_timed_out_between_requests) {
  HttpServerOptions options;
  options.request_timeout = 1s;
  EchoServer server(options);
  RawConnection connection(server.port());
  connection.send("GET /api/v1/echo/1 HTTP/1.1\r\nHost: x\r\n\r\n");
  BOOST_TEST(RawConnection::responses_in(connection.read_responses(1)).size() == 1u);
  std::this_thread::sleep_for(1500ms);
  connection.send("GET /api/v1/echo/2 HTTP/1.1\r\nHost: x\r\n\r\n");
  const auto answers = RawConnection::responses_in(connection.read_responses(1));
  BOOST_TEST_REQUIRE(answers.size() == 1u);
  BOOST_TEST(answers[0].status == 200);
}

BOOST_AUTO_TEST_CASE(hostile_user_agent_and_path_stay_inert_in_the_log) {
  EchoServer server;
  RawConnection connection(server.port());
  const std::string hostile_agent = "evil\"}\x1b[31m\x01\x7f" + std::string(1000, 'A');
  connection.send("GET /api/v1/echo/%0a%22%1b HTTP/1.1\r\nHost: x\r\nUser-Agent: " + hostile_agent + "\r\n\r\n");
  BOOST_TEST(RawConnection::responses_in(connection.read_responses(1)).size() == 1u);
  const auto lines = server.log_lines();  // each parsed as one JSON object: nothing broke out
  BOOST_TEST_REQUIRE(lines.size() == 1u);
  BOOST_TEST(lines[0]["path"] == "/api/v1/echo/%0a%22%1b");
  const std::string agent = lines[0]["user_agent"];
  BOOST_TEST(agent.starts_with("evil\"}\x1b[31m"));
  BOOST_TEST(agent.size() <= kMaxLoggedUserAgentBytes);
  const std::string raw = server.raw_log_lines().at(0);
  BOOST_TEST(raw.find('\n') == raw.size() - 1);
  BOOST_TEST(raw.find('\x1b') == std::string::npos);  // escaped as \u001b, never a live ANSI sequence
  BOOST_TEST(raw.find("\\u001b") != std::string::npos);
}
