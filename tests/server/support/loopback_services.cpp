#include "loopback_services.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <stdexcept>

namespace sesame::test {
namespace {

int bind_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) throw std::runtime_error("socket failed");
  const int yes = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd, 16) != 0) {
    ::close(fd);
    throw std::runtime_error("cannot listen on 127.0.0.1:" + std::to_string(port));
  }
  return fd;
}

std::uint16_t port_of(int fd) {
  sockaddr_in address{};
  socklen_t size = sizeof address;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &size);
  return ntohs(address.sin_port);
}

// Lines ending in CRLF (or LF) from a socket, with a little buffering.
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd) {}
  // False when the peer closed.
  bool next(std::string& line) {
    for (;;) {
      const auto end = buffer_.find('\n');
      if (end != std::string::npos) {
        line = buffer_.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.pop_back();
        buffer_.erase(0, end + 1);
        return true;
      }
      char chunk[4096];
      const ssize_t n = ::recv(fd_, chunk, sizeof chunk, 0);
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }

 private:
  int fd_;
  std::string buffer_;
};

void send_all(int fd, const std::string& text) {
  std::size_t sent = 0;
  while (sent < text.size()) {
    const ssize_t n = ::send(fd, text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return;
    sent += static_cast<std::size_t>(n);
  }
}

std::string upper(std::string text) {
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

std::string between_angles(const std::string& text) {
  const auto open = text.find('<');
  const auto close = text.rfind('>');
  if (open == std::string::npos || close == std::string::npos || close < open) return text;
  return text.substr(open + 1, close - open - 1);
}

}  // namespace

std::uint16_t free_loopback_port() {
  const int fd = bind_loopback(0);
  const std::uint16_t port = port_of(fd);
  ::close(fd);
  return port;
}

LoopbackListener::LoopbackListener(std::uint16_t port,
                                   std::function<void(int fd, const std::atomic<bool>& stopping)> serve)
    : listen_fd_(bind_loopback(port)), port_(port_of(listen_fd_)), serve_(std::move(serve)) {
  thread_ = std::thread([this] {
    while (!stopping_) {
      pollfd waiting{listen_fd_, POLLIN, 0};
      if (::poll(&waiting, 1, 50) <= 0) continue;  // wakes to look at stopping_
      const int fd = ::accept(listen_fd_, nullptr, nullptr);
      if (fd < 0) continue;
      client_fd_ = fd;
      serve_(fd, stopping_);
      client_fd_ = -1;
      ::close(fd);
    }
  });
}

LoopbackListener::~LoopbackListener() {
  stopping_ = true;
  if (const int fd = client_fd_.load(); fd >= 0) ::shutdown(fd, SHUT_RDWR);  // unblocks a reading handler
  thread_.join();
  ::close(listen_fd_);
}

std::string ReceivedMail::header(const std::string& name) const {
  const std::string wanted = upper(name) + ":";
  std::size_t start = 0;
  while (start < data.size()) {
    auto end = data.find("\r\n", start);
    if (end == std::string::npos) end = data.size();
    const std::string line = data.substr(start, end - start);
    if (line.empty()) break;  // end of the header section
    if (upper(line.substr(0, wanted.size())) == wanted) {
      std::string value = line.substr(wanted.size());
      value.erase(0, value.find_first_not_of(' '));
      return value;
    }
    start = end + 2;
  }
  return {};
}

SmtpListener::SmtpListener(std::uint16_t port)
    : listener_(port, [this](int fd, const std::atomic<bool>&) { serve(fd); }) {}

void SmtpListener::serve(int fd) {
  LineReader reader(fd);
  send_all(fd, "220 localhost ESMTP sesame-test\r\n");
  ReceivedMail mail;
  std::string line;
  while (reader.next(line)) {
    const std::string verb = upper(line.substr(0, 4));
    if (verb == "EHLO") {
      send_all(fd, "250-localhost\r\n250-8BITMIME\r\n250 SIZE 10485760\r\n");
    } else if (verb == "HELO") {
      send_all(fd, "250 localhost\r\n");
    } else if (verb == "MAIL") {
      mail = ReceivedMail{};
      mail.mail_from = between_angles(line);
      send_all(fd, "250 OK\r\n");
    } else if (verb == "RCPT") {
      mail.rcpt_to.push_back(between_angles(line));
      send_all(fd, "250 OK\r\n");
    } else if (verb == "DATA") {
      send_all(fd, "354 end with <CRLF>.<CRLF>\r\n");
      std::string data;
      while (reader.next(line) && line != ".") {
        if (line.rfind("..", 0) == 0) line.erase(0, 1);  // RFC 5321 §4.5.2
        data += line + "\r\n";
      }
      mail.data = std::move(data);
      {
        std::lock_guard lock(mutex_);
        messages_.push_back(mail);
      }
      arrived_.notify_all();
      send_all(fd, "250 OK queued\r\n");
    } else if (verb == "QUIT") {
      send_all(fd, "221 bye\r\n");
      return;
    } else if (verb == "RSET" || verb == "NOOP") {
      send_all(fd, "250 OK\r\n");
    } else {
      send_all(fd, "502 not implemented\r\n");
    }
  }
}

std::vector<ReceivedMail> SmtpListener::messages() const {
  std::lock_guard lock(mutex_);
  return messages_;
}

bool SmtpListener::wait_for_messages(std::size_t count, std::chrono::milliseconds deadline) const {
  std::unique_lock lock(mutex_);
  return arrived_.wait_for(lock, deadline, [&] { return messages_.size() >= count; });
}

RangeApiStub::RangeApiStub(std::map<std::string, std::string> bodies, bool hang)
    : bodies_(std::move(bodies)),
      hang_(hang),
      listener_(0, [this](int fd, const std::atomic<bool>& stopping) { serve(fd, stopping); }) {}

void RangeApiStub::serve(int fd, const std::atomic<bool>& stopping) {
  LineReader reader(fd);
  std::string line;
  std::string head;
  while (reader.next(line) && !line.empty()) head += line + "\n";
  {
    std::lock_guard lock(mutex_);
    requests_.push_back(head);
  }
  if (hang_) {
    // A service that never answers: the client's timeout must end the wait.
    while (!stopping) {
      pollfd waiting{fd, POLLIN, 0};
      char ignored[256];
      if (::poll(&waiting, 1, 50) > 0 && ::recv(fd, ignored, sizeof ignored, 0) <= 0) return;
    }
    return;
  }
  const auto path_end = head.find(' ', 4);
  const std::string path = head.substr(4, path_end - 4);
  const std::string prefix = path.substr(path.rfind('/') + 1);
  const auto found = bodies_.find(prefix);
  const std::string body = found == bodies_.end() ? std::string() : found->second;
  send_all(fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\nContent-Length: " +
                   std::to_string(body.size()) + "\r\n\r\n" + body);
}

std::vector<std::string> RangeApiStub::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

}  // namespace sesame::test
