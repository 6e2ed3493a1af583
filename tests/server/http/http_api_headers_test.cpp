// The HTTP headers the whole server adds to its API answers (challenges,
// caching, HSTS, CSP), the access-token leeway, and the security events on
// the server's real stderr. Runs once per store.
#define BOOST_TEST_MODULE server_http_api_headers
#include <boost/test/unit_test.hpp>

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "api_server.hpp"

using namespace sesame::test;

namespace {

constexpr const char* kChallenge = R"(Bearer realm="sesame")";
constexpr const char* kInvalidTokenChallenge = R"(Bearer realm="sesame", error="invalid_token")";

// Points this process's stderr (where the server logs) at a file while alive.
class StderrCapture {
 public:
  StderrCapture() : path_(std::filesystem::temp_directory_path() / ("sesame-stderr-" + std::to_string(::getpid()))) {
    std::fflush(stderr);
    saved_ = ::dup(STDERR_FILENO);
    std::FILE* file = std::fopen(path_.c_str(), "w");
    BOOST_REQUIRE(file != nullptr);
    ::dup2(::fileno(file), STDERR_FILENO);
    std::fclose(file);
  }
  ~StderrCapture() { restore(); }
  StderrCapture(const StderrCapture&) = delete;
  StderrCapture& operator=(const StderrCapture&) = delete;

  // Everything written so far, one entry a line.
  std::vector<std::string> lines() {
    std::fflush(stderr);
    std::ifstream in(path_);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  void restore() {
    if (saved_ < 0) return;
    std::fflush(stderr);
    ::dup2(saved_, STDERR_FILENO);
    ::close(saved_);
    saved_ = -1;
    std::filesystem::remove(path_);
  }

 private:
  std::filesystem::path path_;
  int saved_ = -1;
};

std::vector<json> events_in(const std::vector<std::string>& lines, const std::string& event) {
  std::vector<json> out;
  for (const auto& line : lines) {
    auto parsed = json::parse(line, nullptr, false);
    if (!parsed.is_discarded() && parsed.is_object() && parsed.value("event", "") == event) out.push_back(parsed);
  }
  return out;
}

}  // namespace

BOOST_AUTO_TEST_CASE(every_401_of_a_bearer_route_carries_a_bearer_challenge) {
  ApiServer server;
  const auto none = server.http().get("/api/v1/auth/me");
  require_problem(none, 401, "unauthorized");
  BOOST_TEST(none.header("WWW-Authenticate").value_or("") == kChallenge);

  const auto forged = server.get_with("/api/v1/auth/me", "eyJhbGciOiJub25lIn0.e30.");
  require_problem(forged, 401, "invalid_token");
  BOOST_TEST(forged.header("WWW-Authenticate").value_or("") == kInvalidTokenChallenge);

  const auto tokens = server.signed_in_user("ada@example.com");
  const auto wrong_password =
      server.post_with("/api/v1/auth/password/change", tokens["access_token"],
                       {{"current_password", "not the password"}, {"new_password", "a brand new passphrase"}});
  BOOST_TEST(wrong_password.status == 401);
  BOOST_TEST(wrong_password.header("WWW-Authenticate").value_or("") == kChallenge);

  // The password step is not a Bearer route: no challenge there.
  const auto refused = server.sign_in("ada@example.com", "not the password");
  BOOST_TEST(refused.status == 401);
  BOOST_TEST(!refused.header("WWW-Authenticate").has_value());
}

BOOST_AUTO_TEST_CASE(token_answers_are_never_cached_and_the_jwks_is_for_five_minutes) {
  ApiServer server;
  BOOST_REQUIRE_EQUAL(server.register_user("ada@example.com").status, 201);
  const auto signed_in = server.sign_in("ada@example.com");
  BOOST_TEST(signed_in.status == 200);
  BOOST_TEST(signed_in.header("Cache-Control").value_or("") == "no-store");
  BOOST_TEST(signed_in.header("Pragma").value_or("") == "no-cache");
  const auto refreshed = server.refresh(signed_in.json()["refresh_token"]);
  BOOST_TEST(refreshed.status == 200);
  BOOST_TEST(refreshed.header("Pragma").value_or("") == "no-cache");

  const auto jwks = server.http().get("/.well-known/jwks.json");
  BOOST_TEST(jwks.status == 200);
  BOOST_TEST(jwks.header("Cache-Control").value_or("") == "public, max-age=300");
  BOOST_TEST(jwks.header("Content-Security-Policy").value_or("") == "default-src 'none'; frame-ancestors 'none'");
}

BOOST_AUTO_TEST_CASE(an_access_token_dies_within_seconds_of_its_exp) {
  ApiServer server;
  const auto tokens = server.signed_in_user("ada@example.com");
  const std::int64_t ttl = tokens["expires_in"];
  server.clock().advance(ttl + 3);  // inside the default leeway of 5 s
  BOOST_TEST(server.get_with("/api/v1/auth/me", tokens["access_token"]).status == 200);
  server.clock().advance(7);  // 10 s past exp
  const auto expired = server.get_with("/api/v1/auth/me", tokens["access_token"]);
  require_problem(expired, 401, "token_expired");
  BOOST_TEST(expired.header("WWW-Authenticate").value_or("") == kInvalidTokenChallenge);
}

BOOST_AUTO_TEST_CASE(the_access_token_leeway_is_configurable) {
  ApiServer server(Environment{{"SESAME_ACCESS_TOKEN_LEEWAY", "0"}});
  const auto tokens = server.signed_in_user("ada@example.com");
  server.clock().advance(tokens["expires_in"].get<std::int64_t>() + 1);
  require_problem(server.get_with("/api/v1/auth/me", tokens["access_token"]), 401, "token_expired");
}

// One server a test case: the PostgreSQL fixture names its databases per case.
BOOST_AUTO_TEST_CASE(no_hsts_over_plain_http) {
  ApiServer plain;
  BOOST_TEST(!plain.http().get("/healthz").header("Strict-Transport-Security").has_value());
}

BOOST_AUTO_TEST_CASE(hsts_with_subdomains_follows_an_https_public_url) {
  ApiServer https(Environment{{"SESAME_PUBLIC_URL", "https://auth.example.com"}});
  BOOST_TEST(https.http().get("/healthz").header("Strict-Transport-Security").value_or("") ==
             "max-age=31536000; includeSubDomains");
}

BOOST_AUTO_TEST_CASE(hsts_without_subdomains_when_configured) {
  ApiServer host_only({{"SESAME_PUBLIC_URL", "https://auth.example.com"}, {"SESAME_HSTS_INCLUDE_SUBDOMAINS", "0"}});
  BOOST_TEST(host_only.http().get("/healthz").header("Strict-Transport-Security").value_or("") == "max-age=31536000");
}

BOOST_AUTO_TEST_CASE(refused_requests_are_security_events_on_stderr_without_secrets) {
  ApiServer server(Environment{{"SESAME_RATE_LIMIT_PER_IP", "2"}});
  StderrCapture stderr_capture;
  // A refresh cookie without the CSRF header.
  const auto csrf = server.http().request("POST", "/api/v1/auth/refresh",
                                          {{"Cookie", "__Host-sesame_refresh=secret-refresh-value"}});
  require_problem(csrf, 403, "csrf_check_failed");
  // The per-IP limit of 2 a minute: the refresh above was the first.
  (void)server.sign_in("nobody@example.com", "secret-password-value");
  const auto limited = server.sign_in("nobody@example.com", "secret-password-value");
  require_problem(limited, 429, "rate_limited");
  const auto hostile = server.http().get("/api/v1/nothing", {{"User-Agent", "x\x1b[2J\"}{\"event\":\"forged\""}});
  BOOST_TEST(hostile.status == 404);
  const auto lines = stderr_capture.lines();
  stderr_capture.restore();

  const auto csrf_events = events_in(lines, "csrf_rejected");
  BOOST_TEST_REQUIRE(csrf_events.size() == 1u);
  BOOST_TEST(csrf_events[0]["request_id"] == csrf.header("X-Request-Id").value_or("?"));
  BOOST_TEST(csrf_events[0]["path"] == "/api/v1/auth/refresh");
  BOOST_TEST(csrf_events[0]["ip"] == "127.0.0.1");
  const auto rate_events = events_in(lines, "rate_limit_exceeded");
  BOOST_TEST_REQUIRE(rate_events.size() == 1u);
  BOOST_TEST(rate_events[0]["request_id"] == limited.header("X-Request-Id").value_or("?"));
  BOOST_TEST(events_in(lines, "forged").empty());
  for (const auto& line : lines) {
    BOOST_TEST(line.find("secret-refresh-value") == std::string::npos);
    BOOST_TEST(line.find("secret-password-value") == std::string::npos);
    BOOST_TEST(line.find('\x1b') == std::string::npos);
    BOOST_TEST(!json::parse(line, nullptr, false).is_discarded(), line);  // every line one JSON object
  }
}
