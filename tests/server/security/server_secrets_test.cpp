#define BOOST_TEST_MODULE server_security_secrets
#include <boost/test/unit_test.hpp>

#include <latch>
#include <string>
#include <thread>
#include <vector>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "security/private_files.hpp"
#include "security/server_secrets.hpp"
#include "security/sodium_random.hpp"
#include "outcome.hpp"
#include "printing.hpp"
#include "sesame/encoding.hpp"
#include "temp_dir.hpp"

using namespace sesame;
using namespace sesame::server;
using sesame::test::outcome_of;
using sesame::test::TempDir;
namespace fs = std::filesystem;

namespace {

constexpr std::int64_t kNow = 1'700'000'000;

unsigned mode_of(const fs::path& path) {
  struct stat status {};
  BOOST_TEST_REQUIRE(::stat(path.c_str(), &status) == 0);
  return status.st_mode & 07777u;
}

ServerSecrets load(const fs::path& data_dir, const SecretSources& sources = {}) {
  SodiumRandom random;
  auto secrets = load_server_secrets(data_dir, sources, random, kNow);
  BOOST_TEST_REQUIRE(secrets.ok(), (secrets.ok() ? "" : secrets.error().detail));
  return std::move(secrets).value();
}

std::string fingerprint(const ServerSecrets& secrets) {
  return base64url_encode(secrets.pepper.view()) + "|" + base64url_encode(secrets.at_rest_key.view()) + "|" +
         secrets.signing_keys.to_json();
}

}  // namespace

BOOST_AUTO_TEST_CASE(secrets_are_created_once_owner_only_and_reused) {
  const TempDir temp;
  const fs::path data_dir = temp.path() / "data";
  const auto first = load(data_dir);
  BOOST_TEST(first.pepper.size() == kPepperBytes);
  BOOST_TEST(first.at_rest_key.size() == kAtRestKeyBytes);
  BOOST_TEST(!(first.pepper == first.at_rest_key));

  const fs::path dir = secrets_directory(data_dir);
  BOOST_TEST(mode_of(data_dir) == 0700u);
  BOOST_TEST(mode_of(dir) == 0700u);
  for (const char* name : {"pepper", "at_rest_key", "signing_keys.json"}) {
    BOOST_TEST(mode_of(dir / name) == 0600u, name);
  }
  BOOST_TEST(first.signing_keys_file == dir / "signing_keys.json");
  // No temporary files are left behind.
  for (const auto& entry : fs::directory_iterator(dir)) {
    BOOST_TEST(entry.path().filename().string().find(".tmp-") == std::string::npos, entry.path());
  }

  const auto second = load(data_dir);
  BOOST_TEST(fingerprint(first) == fingerprint(second));
}

BOOST_AUTO_TEST_CASE(configured_secrets_are_used_and_not_written) {
  const TempDir temp;
  const Bytes pepper(kPepperBytes, 7);
  const Bytes key(kAtRestKeyBytes, 9);
  SecretSources sources;
  sources.pepper_base64url = base64url_encode(pepper);
  sources.at_rest_key_base64url = base64url_encode(key);
  sources.signing_keys_file = temp.path() / "ring.json";

  const auto secrets = load(temp.path() / "data", sources);
  BOOST_TEST((secrets.pepper == SecretBytes(ByteView(pepper))));
  BOOST_TEST((secrets.at_rest_key == SecretBytes(ByteView(key))));
  BOOST_TEST(secrets.signing_keys_file == temp.path() / "ring.json");
  BOOST_TEST(fs::exists(temp.path() / "ring.json"));
  BOOST_TEST(mode_of(temp.path() / "ring.json") == 0600u);
  // Nothing configured needed the data dir's secrets directory.
  BOOST_TEST(!fs::exists(secrets_directory(temp.path() / "data")));
  BOOST_TEST(signing_keys_path(temp.path() / "data", sources) == temp.path() / "ring.json");
}

BOOST_AUTO_TEST_CASE(malformed_configured_secrets_are_refused_without_echoing_them) {
  const TempDir temp;
  SodiumRandom random;
  const std::string short_pepper = base64url_encode(Bytes(16, 0x41));
  for (const std::string& bad : {short_pepper, std::string("not base64url!"), base64url_encode(Bytes(32, 1)) + "=="}) {
    SecretSources sources;
    sources.pepper_base64url = bad;
    auto loaded = load_server_secrets(temp.path(), sources, random, kNow);
    BOOST_TEST_REQUIRE(!loaded.ok());
    BOOST_TEST(outcome_of(loaded) == "invalid_argument");
    BOOST_TEST(loaded.error().detail.find("SESAME_PEPPER") != std::string::npos);
    BOOST_TEST(loaded.error().detail.find(bad) == std::string::npos);
  }
  SecretSources sources;
  sources.at_rest_key_base64url = base64url_encode(Bytes(31, 1));
  BOOST_TEST(outcome_of(load_server_secrets(temp.path(), sources, random, kNow)) == "invalid_argument");
}

BOOST_AUTO_TEST_CASE(environment_names_are_read) {
  ::setenv("SESAME_PEPPER", "pepper-value", 1);
  ::setenv("SESAME_AT_REST_KEY", "key-value", 1);
  ::setenv("SESAME_SIGNING_KEYS_FILE", "/run/secrets/ring.json", 1);
  const auto sources = SecretSources::from_environment();
  ::unsetenv("SESAME_PEPPER");
  ::unsetenv("SESAME_AT_REST_KEY");
  ::unsetenv("SESAME_SIGNING_KEYS_FILE");
  BOOST_TEST(sources.pepper_base64url == "pepper-value");
  BOOST_TEST(sources.at_rest_key_base64url == "key-value");
  BOOST_TEST(sources.signing_keys_file == fs::path("/run/secrets/ring.json"));
  BOOST_TEST(SecretSources::from_environment().pepper_base64url.empty());

  const auto from_map = SecretSources::from_variables({{"SESAME_PEPPER", "p"}, {"SESAME_LISTEN", "x"}});
  BOOST_TEST(from_map.pepper_base64url == "p");
  BOOST_TEST(from_map.at_rest_key_base64url.empty());
  BOOST_TEST(from_map.signing_keys_file.empty());
}

BOOST_AUTO_TEST_CASE(a_secret_file_other_users_can_read_is_refused) {
  const TempDir temp;
  const auto first = load(temp.path());
  BOOST_TEST_REQUIRE(::chmod((secrets_directory(temp.path()) / "pepper").c_str(), 0644) == 0);
  SodiumRandom random;
  auto loaded = load_server_secrets(temp.path(), {}, random, kNow);
  BOOST_TEST_REQUIRE(!loaded.ok());
  BOOST_TEST(loaded.error().detail.find("pepper") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_corrupt_secret_file_is_refused_not_replaced) {
  const TempDir temp;
  const auto first = load(temp.path());
  const fs::path pepper = secrets_directory(temp.path()) / "pepper";
  BOOST_TEST_REQUIRE(replace_private_file(pepper, as_bytes("short\n")).ok());
  SodiumRandom random;
  BOOST_TEST(outcome_of(load_server_secrets(temp.path(), {}, random, kNow)) == "invalid_argument");
  auto contents = read_private_file(pepper);
  BOOST_TEST_REQUIRE(contents.ok());
  BOOST_TEST((*contents)->size() == 6u);
}

BOOST_AUTO_TEST_CASE(concurrent_first_starts_in_threads_agree) {
  // Several rounds on fresh dirs: a missing lock would let threads write different secrets.
  for (int round = 0; round < 5; ++round) {
    const TempDir temp;
    constexpr int kThreads = 6;
    std::vector<std::string> seen(kThreads);
    std::latch start(kThreads);
    std::vector<std::thread> threads;
    for (int i = 0; i < kThreads; ++i) {
      threads.emplace_back([&, i] {
        SodiumRandom random;
        start.arrive_and_wait();
        auto secrets = load_server_secrets(temp.path(), {}, random, kNow);
        seen[static_cast<std::size_t>(i)] = secrets.ok() ? fingerprint(*secrets) : "error: " + secrets.error().detail;
      });
    }
    for (auto& thread : threads) thread.join();
    BOOST_TEST(seen.front().rfind("error", 0) != 0u, seen.front());
    for (const auto& fingerprint_seen : seen) BOOST_TEST(fingerprint_seen == seen.front());
    BOOST_TEST(fingerprint(load(temp.path())) == seen.front());
  }
}

BOOST_AUTO_TEST_CASE(concurrent_first_starts_in_processes_agree) {
  const TempDir temp;
  constexpr int kProcesses = 4;
  const fs::path data_dir = temp.path() / "data";
  std::vector<pid_t> children;
  for (int i = 0; i < kProcesses; ++i) {
    const pid_t pid = ::fork();
    BOOST_TEST_REQUIRE(pid >= 0);
    if (pid == 0) {
      // The child writes what it loaded to a file of its own and exits without
      // running the parent's test framework teardown.
      SodiumRandom random;
      auto secrets = load_server_secrets(data_dir, {}, random, kNow);
      if (!secrets) ::_exit(1);
      const std::string text = fingerprint(*secrets);
      auto written = replace_private_file(temp.path() / ("child-" + std::to_string(i)), as_bytes(text));
      ::_exit(written ? 0 : 2);
    }
    children.push_back(pid);
  }
  for (const pid_t pid : children) {
    int status = 0;
    BOOST_TEST_REQUIRE(::waitpid(pid, &status, 0) == pid);
    BOOST_TEST(WIFEXITED(status));
    BOOST_TEST(WEXITSTATUS(status) == 0);
  }
  const std::string expected = fingerprint(load(data_dir));
  for (int i = 0; i < kProcesses; ++i) {
    auto seen = read_private_file(temp.path() / ("child-" + std::to_string(i)));
    BOOST_TEST_REQUIRE(seen.ok());
    BOOST_TEST_REQUIRE(seen->has_value());
    const SecretBytes& bytes = **seen;
    BOOST_TEST(std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size()) == expected);
  }
}
