#pragma once
// Real services on loopback that the server talks to in tests: an SMTP
// listener that keeps what it receives, and a stub of a k-anonymity range API
// (the breached-password service). Each accepts on 127.0.0.1 in a thread of
// its own; the destructor stops it.
//
//   sesame::test::SmtpListener smtp;                 // ephemeral port
//   ... SESAME_SMTP_URL=smtp://127.0.0.1:<smtp.port()> ...
//   BOOST_REQUIRE(smtp.wait_for_messages(1, 10s));
//   smtp.messages()[0].data  // the message as sent (dot-unstuffed)

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace sesame::test {

// A port that was free a moment ago (for a service that starts later).
[[nodiscard]] std::uint16_t free_loopback_port();

// Accepts connections one at a time and hands each to `serve(fd)`.
class LoopbackListener {
 public:
  LoopbackListener(std::uint16_t port, std::function<void(int fd, const std::atomic<bool>& stopping)> serve);
  ~LoopbackListener();
  LoopbackListener(const LoopbackListener&) = delete;
  LoopbackListener& operator=(const LoopbackListener&) = delete;
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }

 private:
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> client_fd_{-1};
  std::function<void(int, const std::atomic<bool>&)> serve_;
  std::thread thread_;
};

struct ReceivedMail {
  std::string mail_from;              // the envelope sender, as in MAIL FROM:<...>
  std::vector<std::string> rcpt_to;   // envelope recipients
  std::string data;                   // headers and body, CRLF, dot-unstuffed

  // The first header of that name (case-insensitive), unfolded.
  [[nodiscard]] std::string header(const std::string& name) const;
};

class SmtpListener {
 public:
  explicit SmtpListener(std::uint16_t port = 0);
  [[nodiscard]] std::uint16_t port() const noexcept { return listener_.port(); }
  [[nodiscard]] std::vector<ReceivedMail> messages() const;
  // Polls (no sleeping guess): true once at least `count` messages arrived.
  [[nodiscard]] bool wait_for_messages(std::size_t count, std::chrono::milliseconds deadline) const;

 private:
  void serve(int fd);

  mutable std::mutex mutex_;
  mutable std::condition_variable arrived_;
  std::vector<ReceivedMail> messages_;
  LoopbackListener listener_;  // last: stops before the members above go
};

// GET <anything>/<PREFIX> → the body registered for PREFIX (else an empty
// 200). With `hang`, it reads the request and never answers until destroyed.
class RangeApiStub {
 public:
  explicit RangeApiStub(std::map<std::string, std::string> bodies, bool hang = false);
  [[nodiscard]] std::uint16_t port() const noexcept { return listener_.port(); }
  // Each request's head as received (request line and headers).
  [[nodiscard]] std::vector<std::string> requests() const;

 private:
  void serve(int fd, const std::atomic<bool>& stopping);

  std::map<std::string, std::string> bodies_;
  bool hang_;
  mutable std::mutex mutex_;
  std::vector<std::string> requests_;
  LoopbackListener listener_;
};

}  // namespace sesame::test
