#pragma once
// A real nginx (/usr/sbin/nginx, a test dependency: scripts/bootstrap.sh
// installs it) as a child process in the foreground, for the scale-out tests.
// Everything it writes (pid file, logs, temp files) goes to a temp dir of its
// own, and the top-level nginx.conf is written here, so it neither reads
// /etc/nginx nor collides with a system nginx (Debian's package starts one on
// port 80 when it can).
//
//   NginxProcess nginx(site_config_text, free_loopback_port());
//   nginx.http().get("/healthz");
#include <boost/test/unit_test.hpp>

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <thread>

#include "http_client.hpp"

extern char** environ;

namespace sesame::test {

// A port on 127.0.0.1 that was free a moment ago (the kernel's pick).
inline std::uint16_t free_loopback_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  BOOST_REQUIRE(fd >= 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  const bool bound = ::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
                     ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) == 0;
  ::close(fd);
  BOOST_REQUIRE(bound);
  return ntohs(address.sin_port);
}

class NginxProcess {
 public:
  static constexpr const char* kBinary = "/usr/sbin/nginx";

  // Starts nginx with `site_config` (directives of an http block, such as
  // deploy/nginx/sesame.conf) that listens on 127.0.0.1:`port`, and returns
  // once that port accepts connections; fails the test, with nginx's own
  // messages, when it does not.
  NginxProcess(const std::string& site_config, std::uint16_t port) : port_(port) {
    BOOST_REQUIRE_MESSAGE(::access(kBinary, X_OK) == 0,
                          std::string(kBinary) + " is missing: nginx is a test dependency (scripts/bootstrap.sh installs nginx-light)");
    char pattern[] = "/tmp/sesame-nginx.XXXXXX";
    BOOST_REQUIRE(::mkdtemp(pattern) != nullptr);
    dir_ = pattern;
    // Run as root, nginx's workers switch to `nobody`: they must be able to
    // reach the temp paths inside (the master creates those for that user).
    if (::geteuid() == 0) ::chmod(dir_.c_str(), 0711);
    write_file(dir_ / "site.conf", site_config);
    write_file(dir_ / "nginx.conf", top_level_config());

    const std::string prefix = dir_.string() + "/";
    const std::string config = (dir_ / "nginx.conf").string();
    const std::string startup_log = (dir_ / "error.log").string();
    const std::string output = (dir_ / "output.log").string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    // A group of its own, so that the workers can be killed with the master
    // if it ever fails to stop them.
    posix_spawnattr_t attributes;
    posix_spawnattr_init(&attributes);
    posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
    posix_spawnattr_setpgroup(&attributes, 0);
    // -e: even the messages before the config is read stay out of /var/log/nginx.
    const char* argv[] = {kBinary, "-p", prefix.c_str(), "-c", config.c_str(), "-e", startup_log.c_str(), nullptr};
    const int spawned = ::posix_spawn(&pid_, kBinary, &actions, &attributes, const_cast<char**>(argv), environ);
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attributes);
    BOOST_REQUIRE_MESSAGE(spawned == 0, "cannot start " + std::string(kBinary));

    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!accepts_connections()) {
      int status = 0;
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        fail_to_start("exited before listening on port " + std::to_string(port_));
      }
      if (std::chrono::steady_clock::now() > deadline) {
        fail_to_start("did not listen on port " + std::to_string(port_) + " within 10 s");
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    client_ = std::make_unique<HttpClient>("127.0.0.1", port_);
  }

  NginxProcess(const NginxProcess&) = delete;
  NginxProcess& operator=(const NginxProcess&) = delete;

  ~NginxProcess() {
    stop();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  [[nodiscard]] const HttpClient& http() const { return *client_; }

  // What nginx logged: its error log (upstream failures among others) and
  // anything it wrote to stdout or stderr.
  [[nodiscard]] std::string messages() const { return read_file(dir_ / "error.log") + read_file(dir_ / "output.log"); }

 private:
  // Fails the test (BOOST_FAIL throws). The destructor does not run for a
  // constructor that throws: this cleans up.
  void fail_to_start(const std::string& what) {
    stop();
    const std::string log = messages();
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
    BOOST_FAIL("nginx " + what + ":\n" + log);
  }

  std::string top_level_config() const {
    const std::string dir = dir_.string();
    // Every temp path of Debian's build points into the temp dir: nginx
    // creates them at start, and the defaults are under /var/lib/nginx.
    return "daemon off;\n"
           "worker_processes 1;\n"
           "pid " + dir + "/nginx.pid;\n"
           "error_log " + dir + "/error.log warn;\n"
           "events {}\n"
           "http {\n"
           "  access_log " + dir + "/access.log;\n"
           "  client_body_temp_path " + dir + "/client_body;\n"
           "  proxy_temp_path " + dir + "/proxy;\n"
           "  fastcgi_temp_path " + dir + "/fastcgi;\n"
           "  uwsgi_temp_path " + dir + "/uwsgi;\n"
           "  scgi_temp_path " + dir + "/scgi;\n"
           "  include " + dir + "/site.conf;\n"
           "}\n";
  }

  [[nodiscard]] bool accepts_connections() const {
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return false;
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(port_);
    const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0;
    ::close(fd);
    return connected;
  }

  // SIGTERM: the master stops its workers, then exits. Should it hang, the
  // whole group is killed (before the master is reaped, so the group id
  // cannot have been reused).
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGTERM);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (std::chrono::steady_clock::now() > deadline) {
        ::kill(-pid_, SIGKILL);
        ::waitpid(pid_, &status, 0);
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    pid_ = -1;
  }

  static void write_file(const std::filesystem::path& path, const std::string& text) {
    std::ofstream out(path);
    out << text;
    BOOST_REQUIRE_MESSAGE(out.good(), "cannot write " + path.string());
  }

  static std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path);
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
  }

  std::uint16_t port_;
  std::filesystem::path dir_;
  pid_t pid_ = -1;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace sesame::test
