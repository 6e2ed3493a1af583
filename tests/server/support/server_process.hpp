#pragma once
// The real sesame-server binary as a child process (the fault tests, two instances): started with
// the settings a test gives, stopped with SIGTERM or killed with SIGKILL, and its log
// (stderr) kept for the messages a test expects.
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <vector>

#include "http_client.hpp"

extern char** environ;

namespace sesame::test {

using Settings = std::map<std::string, std::string>;

class ServerProcess {
 public:
  // Starts `sesame-server serve`; `port()` is 0 when it exited before listening
  // (then `exit_code()` and `log()` say why).
  explicit ServerProcess(const Settings& settings) {
    Settings env = {{"SESAME_LISTEN", "127.0.0.1:0"},      {"SESAME_ARGON2_MEMORY_KIB", "64"},
                    {"SESAME_ARGON2_ITERATIONS", "1"},      {"SESAME_RATE_LIMIT_PER_IP", "0"},
                    {"SESAME_REFRESH_REUSE_GRACE", "0"}};
    for (const auto& [key, value] : settings) env[key] = value;
    std::vector<std::string> entries;
    for (char** entry = environ; *entry != nullptr; ++entry) {
      const std::string text = *entry;
      if (env.count(text.substr(0, text.find('='))) == 0) entries.push_back(text);
    }
    for (const auto& [key, value] : env) entries.push_back(key + "=" + value);
    std::vector<char*> envp;
    for (auto& entry : entries) envp.push_back(entry.data());
    envp.push_back(nullptr);

    int pipe_fds[2];
    BOOST_REQUIRE(::pipe(pipe_fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDERR_FILENO);
    // stdout carries the mail of a server without SMTP: not needed here.
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
    const std::string binary = SESAME_SERVER_BINARY;
    char* argv[] = {const_cast<char*>(binary.c_str()), const_cast<char*>("serve"), nullptr};
    BOOST_REQUIRE(::posix_spawn(&pid_, binary.c_str(), &actions, nullptr, argv, envp.data()) == 0);
    posix_spawn_file_actions_destroy(&actions);
    ::close(pipe_fds[1]);
    log_file_ = ::fdopen(pipe_fds[0], "r");

    // The first log line with a port says where it listens; EOF: it exited.
    char line[4096];
    const std::regex port_field(R"re("port":(\d+))re");
    while (std::fgets(line, sizeof line, log_file_) != nullptr) {
      log_ += line;
      std::cmatch match;
      if (std::regex_search(line, match, port_field)) {
        port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
        break;
      }
    }
    if (port_ != 0) {
      client_ = std::make_unique<HttpClient>("127.0.0.1", port_);
      // Keeps reading, so that a full pipe never blocks the server's logging.
      drain_ = std::thread([this] {
        char rest[4096];
        while (std::fgets(rest, sizeof rest, log_file_) != nullptr) {
          const std::lock_guard lock(log_mutex_);
          log_ += rest;
        }
      });
    } else {
      reap();
    }
  }

  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  ~ServerProcess() {
    if (pid_ > 0) {
      ::kill(pid_, SIGTERM);
      reap();
    }
    if (log_file_ != nullptr) std::fclose(log_file_);
  }

  [[nodiscard]] std::uint16_t port() const { return port_; }
  [[nodiscard]] const HttpClient& http() const {
    BOOST_REQUIRE_MESSAGE(client_ != nullptr, "sesame-server is not listening; its log:\n" + log());
    return *client_;
  }

  // kill -9: no shutdown code runs.
  void kill_hard() {
    ::kill(pid_, SIGKILL);
    reap();
  }

  // The exit status (after it exited), and everything it logged until then.
  [[nodiscard]] int exit_code() const { return exit_code_; }
  [[nodiscard]] std::string log() const {
    const std::lock_guard lock(log_mutex_);
    return log_;
  }

 private:
  void reap() {
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    if (drain_.joinable()) {
      drain_.join();
    } else {
      char line[4096];
      while (std::fgets(line, sizeof line, log_file_) != nullptr) log_ += line;
    }
  }

  pid_t pid_ = -1;
  std::FILE* log_file_ = nullptr;
  mutable std::mutex log_mutex_;
  std::string log_;
  std::thread drain_;
  std::uint16_t port_ = 0;
  int exit_code_ = -1;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace sesame::test
