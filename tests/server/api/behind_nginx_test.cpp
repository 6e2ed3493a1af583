// The scale-out deployment of the README: two sesame-server processes on one
// PostgreSQL, sharing their secrets by configuration, behind a real nginx that
// runs deploy/nginx/sesame.conf as it is (only its three addresses replaced).
// Pinned: tokens name the public URL as issuer whichever instance signs them;
// every auth call works through nginx, with requests reaching both instances,
// and nginx moves on when one of them dies; a session ended on one instance is
// refused on the other within 1 s; the client address the server uses is the
// one nginx saw, never the X-Forwarded-For a client sends.
#define BOOST_TEST_MODULE server_behind_nginx
#include <boost/test/unit_test.hpp>

#include <curl/curl.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <functional>
#include <memory>
#include <sstream>
#include <thread>

#include "http_client.hpp"
#include "nginx_process.hpp"
#include "server_process.hpp"
#include "sesame/encoding.hpp"
#include "sesame/jwt.hpp"
#include "test_databases.hpp"

namespace {

using nlohmann::json;
using sesame::test::HeaderList;
using sesame::test::HttpClient;
using sesame::test::HttpResponse;
using sesame::test::NginxProcess;
using sesame::test::ServerProcess;
using sesame::test::Settings;
using Clock = std::chrono::steady_clock;

const std::string kPassword = "correct horse battery staple";
// A documentation address (RFC 5737) a client claims to be.
const std::string kSpoofedAddress = "203.0.113.9";
// nginx reaches the instances from 127.0.0.1; a client on 127.0.0.2 is told
// apart from the proxy by the address the server reports.
const std::string kClientAddress = "127.0.0.2";

// 32 random bytes as base64url: what SESAME_PEPPER and SESAME_AT_REST_KEY take.
std::string random_secret() {
  sesame::Bytes bytes(32);
  std::ifstream random("/dev/urandom", std::ios::binary);
  random.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
  BOOST_REQUIRE(random.good());
  return sesame::base64url_encode(bytes);
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  BOOST_REQUIRE_MESSAGE(in, "cannot read " + path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Every `from` in `text` becomes `to`; a config that no longer names `from`
// fails the test rather than run with the wrong address.
std::string replace_address(std::string text, const std::string& from, const std::string& to) {
  std::size_t count = 0;
  for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
    text.replace(at, from.size(), to);
    ++count;
  }
  BOOST_REQUIRE_MESSAGE(count > 0, std::string(SESAME_NGINX_SITE_CONFIG) + " no longer names " + from);
  return text;
}

std::string code_of(const HttpResponse& response) { return response.json().value("code", std::string()); }

HeaderList bearer(const json& tokens) { return {{"Authorization", "Bearer " + tokens["access_token"].get<std::string>()}}; }

// Polls `done` every 20 ms until it holds or `limit` has passed; says whether it held.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto deadline = Clock::now() + limit;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

// One request to nginx from kClientAddress (curl bound to it).
HttpResponse request_from_client_address(std::uint16_t port, const std::string& method, const std::string& path,
                                         const HeaderList& headers, const std::string& body = {}) {
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> curl(curl_easy_init(), curl_easy_cleanup);
  BOOST_REQUIRE(curl != nullptr);
  curl_slist* list = nullptr;
  for (const auto& [name, value] : headers) list = curl_slist_append(list, (name + ": " + value).c_str());
  std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)> header_list(list, curl_slist_free_all);
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + path;
  const std::string source = "host!" + kClientAddress;
  HttpResponse response;
  CURL* handle = curl.get();
  curl_easy_setopt(handle, CURLOPT_URL, url.c_str());
  curl_easy_setopt(handle, CURLOPT_INTERFACE, source.c_str());
  curl_easy_setopt(handle, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(handle, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(handle, CURLOPT_TIMEOUT, 60L);
  curl_easy_setopt(handle, CURLOPT_HTTPHEADER, header_list.get());
  curl_easy_setopt(handle, CURLOPT_CUSTOMREQUEST, method.c_str());
  if (!body.empty()) {
    curl_easy_setopt(handle, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(handle, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  }
  curl_easy_setopt(handle, CURLOPT_WRITEFUNCTION, +[](char* data, size_t size, size_t count, void* user) {
    static_cast<std::string*>(user)->append(data, size * count);
    return size * count;
  });
  curl_easy_setopt(handle, CURLOPT_WRITEDATA, &response.body);
  const CURLcode result = curl_easy_perform(handle);
  BOOST_REQUIRE_MESSAGE(result == CURLE_OK, method + " " + url + " from " + kClientAddress + ": " + curl_easy_strerror(result));
  curl_easy_getinfo(handle, CURLINFO_RESPONSE_CODE, &response.status);
  return response;
}

struct BehindNginx {
  explicit BehindNginx(const Settings& extra = {})
      : a(instance_settings("a", extra)), b(instance_settings("b", extra)), nginx(site_config(), nginx_port) {}

  sesame::test::Databases databases;
  const std::string database_url = databases.fresh_url();
  // Shared by configuration rather than by one data dir, as the README shows.
  const std::string pepper = random_secret();
  const std::string at_rest_key = random_secret();
  const std::string signing_keys_file = (databases.temp_dir() / "signing_keys.json").string();
  // The instances pick their own ports (ServerProcess's SESAME_LISTEN=127.0.0.1:0)
  // and nginx's config is written after they listen: only nginx's is chosen up front.
  const std::uint16_t nginx_port = sesame::test::free_loopback_port();
  const std::string public_url = "http://127.0.0.1:" + std::to_string(nginx_port);
  // A starts first: it migrates and writes the signing key file that B reads.
  ServerProcess a;
  ServerProcess b;
  NginxProcess nginx;

  [[nodiscard]] const HttpClient& proxy() const { return nginx.http(); }

  Settings instance_settings(const std::string& name, const Settings& extra) const {
    Settings settings = {{"DATABASE_URL", database_url},
                         {"SESAME_DATA_DIR", (databases.temp_dir() / name).string()},
                         {"SESAME_PEPPER", pepper},
                         {"SESAME_AT_REST_KEY", at_rest_key},
                         {"SESAME_SIGNING_KEYS_FILE", signing_keys_file},
                         {"SESAME_PUBLIC_URL", public_url},
                         {"SESAME_TRUST_PROXY", "1"}};
    for (const auto& [key, value] : extra) settings[key] = value;
    return settings;
  }

  std::string site_config() const {
    BOOST_REQUIRE_MESSAGE(a.port() != 0, "instance A did not start:\n" + a.log());
    BOOST_REQUIRE_MESSAGE(b.port() != 0, "instance B did not start:\n" + b.log());
    std::string text = read_text(SESAME_NGINX_SITE_CONFIG);
    text = replace_address(text, "127.0.0.1:8080", "127.0.0.1:" + std::to_string(nginx_port));
    text = replace_address(text, "127.0.0.1:8081", "127.0.0.1:" + std::to_string(a.port()));
    return replace_address(text, "127.0.0.1:8082", "127.0.0.1:" + std::to_string(b.port()));
  }

  void register_account(const std::string& email) const {
    BOOST_TEST_REQUIRE(proxy().post_json("/api/v1/auth/register", {{"email", email}, {"password", kPassword}}).status == 201);
  }

  static json sign_in(const HttpClient& http, const std::string& email) {
    auto answer = http.post_json("/api/v1/auth/token", {{"email", email}, {"password", kPassword}});
    BOOST_TEST_REQUIRE(answer.status == 200, answer.body);
    return answer.json();
  }
};

// Whether `server`'s access log has a line for the request with this X-Request-Id.
bool served(const ServerProcess& server, const std::string& request_id) {
  return server.log().find("\"request_id\":\"" + request_id + "\"") != std::string::npos;
}

// Requests through nginx, each with an X-Request-Id of its own (the server
// keeps a well-formed one): the instance whose access log names the id is the
// one nginx sent the request to.
class TracedRequests {
 public:
  TracedRequests(const HttpClient& proxy, std::string label) : proxy_(proxy), label_(std::move(label)) {}

  HttpResponse get(const std::string& path, HeaderList headers = {}) {
    return proxy_.get(path, traced(std::move(headers)));
  }
  HttpResponse post_json(const std::string& path, const json& body, HeaderList headers = {}) {
    return proxy_.post_json(path, body, traced(std::move(headers)));
  }

  // How many of the requests each instance served, once every one is in a
  // log (the line is written just before the answer, read from a pipe).
  std::pair<int, int> served_by(const ServerProcess& a, const ServerProcess& b) const {
    int on_a = 0;
    int on_b = 0;
    const bool all_logged = eventually(
        [&] {
          on_a = 0;
          on_b = 0;
          for (const auto& id : ids_) {
            on_a += served(a, id) ? 1 : 0;
            on_b += served(b, id) ? 1 : 0;
          }
          return on_a + on_b == static_cast<int>(ids_.size());
        },
        std::chrono::seconds(2));
    BOOST_TEST(all_logged, on_a << " + " << on_b << " of " << ids_.size() << " requests in the instances' logs");
    return {on_a, on_b};
  }

 private:
  HeaderList traced(HeaderList headers) {
    ids_.push_back(label_ + "-" + std::to_string(ids_.size()));
    headers.emplace_back("X-Request-Id", ids_.back());
    return headers;
  }

  const HttpClient& proxy_;
  std::string label_;  // unique within a test: ids of two tracers never collide
  std::vector<std::string> ids_;
};

struct BehindNginxWithRateLimit : BehindNginx {
  static constexpr int kPerMinute = 3;
  BehindNginxWithRateLimit() : BehindNginx({{"SESAME_RATE_LIMIT_PER_IP", std::to_string(kPerMinute)}}) {}
};

}  // namespace

BOOST_FIXTURE_TEST_SUITE(behind_nginx, BehindNginx)

BOOST_AUTO_TEST_CASE(tokens_of_either_instance_name_the_public_url_as_issuer_and_verify_with_the_jwks_served_through_nginx) {
  register_account("issuer@example.com");
  const std::string jwks = proxy().get("/.well-known/jwks.json").body;
  BOOST_TEST(a.http().get("/.well-known/jwks.json").body == jwks);
  BOOST_TEST(b.http().get("/.well-known/jwks.json").body == jwks);
  auto keys = sesame::JwkSet::parse(jwks);
  BOOST_TEST_REQUIRE(keys.ok());

  const sesame::AccessTokenVerifyOptions expected{
      .expected_issuer = public_url, .expected_audience = "sesame", .now_unix_seconds = std::time(nullptr)};
  for (const HttpClient* http : {&a.http(), &b.http(), &proxy()}) {
    const std::string token = sign_in(*http, "issuer@example.com")["access_token"];
    auto verified = sesame::verify_access_token(token, *keys, expected);
    BOOST_TEST(verified.ok(), http->base_url() << ": " << (verified.ok() ? "" : verified.error().detail));
    // Introspection through nginx agrees, whichever instance answers.
    const json introspected = proxy().post_json("/api/v1/auth/introspect", {{"token", token}}).json();
    BOOST_TEST(introspected["active"] == true);
    BOOST_TEST(introspected["iss"] == public_url);
  }
}

BOOST_AUTO_TEST_CASE(register_sign_in_me_refresh_sessions_and_logout_work_through_nginx_on_both_instances) {
  TracedRequests through(proxy(), "call");
  const std::string email = "journey@example.com";
  BOOST_TEST_REQUIRE(through.post_json("/api/v1/auth/register", {{"email", email}, {"password", kPassword}}).status == 201);
  auto signed_in = through.post_json("/api/v1/auth/token", {{"email", email}, {"password", kPassword}});
  BOOST_TEST_REQUIRE(signed_in.status == 200);
  json tokens = signed_in.json();
  const std::string session_id = tokens["session_id"];

  // Rotations and their access tokens, traced apart: once both instances
  // have rotated, a refresh token issued by one was taken by the other.
  TracedRequests rotations(proxy(), "rotation");
  for (int i = 0; i < 12; ++i) {
    auto refreshed = rotations.post_json("/api/v1/auth/refresh", {{"refresh_token", tokens["refresh_token"]}});
    BOOST_TEST_REQUIRE(refreshed.status == 200, "rotation " << i << ": " << refreshed.body);
    tokens = refreshed.json();
    BOOST_TEST(tokens["session_id"] == session_id);
    for (int j = 0; j < 2; ++j) {  // three requests a round: the rotations alternate under round robin
      auto me = through.get("/api/v1/auth/me", bearer(tokens));
      BOOST_TEST_REQUIRE(me.status == 200, me.body);
      BOOST_TEST(me.json()["email"] == email);
    }
  }

  auto sessions = through.get("/api/v1/auth/sessions", bearer(tokens));
  BOOST_TEST_REQUIRE(sessions.status == 200);
  const json list = sessions.json()["sessions"];
  BOOST_TEST_REQUIRE(list.size() == 1u);
  BOOST_TEST(list[0]["id"] == session_id);
  BOOST_TEST(list[0]["current"] == true);

  BOOST_TEST(through.post_json("/api/v1/auth/logout", json::object(), bearer(tokens)).status == 204);
  // The refresh token is checked in the shared database: refused at once, on either.
  auto after_logout = through.post_json("/api/v1/auth/refresh", {{"refresh_token", tokens["refresh_token"]}});
  BOOST_TEST(after_logout.status == 401);

  for (const TracedRequests* traced : {&through, &rotations}) {
    const auto [on_a, on_b] = traced->served_by(a, b);
    BOOST_TEST(on_a > 0);
    BOOST_TEST(on_b > 0);
  }
}

BOOST_AUTO_TEST_CASE(nginx_serves_from_the_other_instance_when_one_dies) {
  register_account("failover@example.com");
  json tokens = sign_in(a.http(), "failover@example.com");

  a.kill_hard();
  TracedRequests through(proxy(), "after-kill");
  for (int i = 0; i < 6; ++i) {
    auto refreshed = through.post_json("/api/v1/auth/refresh", {{"refresh_token", tokens["refresh_token"]}});
    BOOST_TEST_REQUIRE(refreshed.status == 200, "rotation " << i << ": " << refreshed.body);
    tokens = refreshed.json();
    BOOST_TEST(through.get("/api/v1/auth/me", bearer(tokens)).status == 200);
  }
  BOOST_TEST(through.post_json("/api/v1/auth/token", {{"email", "failover@example.com"}, {"password", kPassword}}).status == 200);
  const auto [on_a, on_b] = through.served_by(a, b);
  BOOST_TEST(on_a == 0);
  BOOST_TEST(on_b == 13);
  // nginx did try the dead one (round robin), and moved on to B.
  const std::string upstream_a = "upstream: \"http://127.0.0.1:" + std::to_string(a.port()) + "/";
  BOOST_TEST(nginx.messages().find(upstream_a) != std::string::npos, nginx.messages());
}

// An instance may trust a token it verified for a moment, and learns of
// sessions ended elsewhere by polling: the bound pinned is 1 s, and the test
// waits up to 1.5 s so that a busy two-core machine does not fail it.
BOOST_AUTO_TEST_CASE(a_session_logged_out_on_one_instance_is_refused_on_the_other_within_one_second) {
  register_account("revoked@example.com");
  const json tokens = sign_in(a.http(), "revoked@example.com");
  // B has seen the token in use before the logout (whatever it may remember of it).
  for (int i = 0; i < 3; ++i) BOOST_TEST_REQUIRE(b.http().get("/api/v1/auth/me", bearer(tokens)).status == 200);

  BOOST_TEST_REQUIRE(a.http().post_json("/api/v1/auth/logout", json::object(), bearer(tokens)).status == 204);
  const auto logged_out = Clock::now();
  HttpResponse last;
  const bool refused = eventually(
      [&] {
        last = b.http().get("/api/v1/auth/me", bearer(tokens));
        return last.status != 200;
      },
      std::chrono::milliseconds(1500));
  const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - logged_out);
  BOOST_TEST(refused, "B still accepted the access token " << elapsed.count() << " ms after the logout on A");
  BOOST_TEST(last.status == 401);
  BOOST_TEST(code_of(last) == "session_revoked");
  BOOST_TEST_MESSAGE("refused on B " << elapsed.count() << " ms after the logout on A");
  auto refresh = b.http().post_json("/api/v1/auth/refresh", {{"refresh_token", tokens["refresh_token"]}});
  BOOST_TEST(refresh.status == 401);
}

BOOST_AUTO_TEST_CASE(the_client_address_recorded_is_the_one_nginx_saw_not_the_forwarded_for_the_client_sent) {
  register_account("address@example.com");
  const HeaderList spoofed = {{"Content-Type", "application/json"}, {"X-Forwarded-For", kSpoofedAddress}};
  for (int i = 0; i < 2; ++i) {  // round robin: once on each instance
    const std::string request_id = "address-" + std::to_string(i);
    HeaderList headers = spoofed;
    headers.emplace_back("X-Request-Id", request_id);
    auto answer = request_from_client_address(nginx_port, "POST", "/api/v1/auth/token", headers,
                                              json{{"email", "address@example.com"}, {"password", kPassword}}.dump());
    BOOST_TEST_REQUIRE(answer.status == 200, answer.body);
    const json tokens = answer.json();

    HeaderList with_bearer = bearer(tokens);
    with_bearer.emplace_back("X-Forwarded-For", kSpoofedAddress);
    auto sessions = request_from_client_address(nginx_port, "GET", "/api/v1/auth/sessions", with_bearer);
    BOOST_TEST_REQUIRE(sessions.status == 200, sessions.body);
    const json list = sessions.json()["sessions"];
    BOOST_TEST_REQUIRE(list.size() == static_cast<std::size_t>(i + 1));
    for (const json& session : list) BOOST_TEST(session["ip"] == kClientAddress);

    // The access log of the instance that served the sign-in says the same.
    const ServerProcess* server = nullptr;
    BOOST_TEST_REQUIRE(eventually([&] {
      server = served(a, request_id) ? &a : served(b, request_id) ? &b : nullptr;
      return server != nullptr;
    }, std::chrono::seconds(2)));
    const std::string log = server->log();
    const auto line_start = log.rfind('\n', log.find("\"request_id\":\"" + request_id + "\"")) + 1;
    const json line = json::parse(log.substr(line_start, log.find('\n', line_start) - line_start));
    BOOST_TEST(line["ip"] == kClientAddress);
  }
}

// Each instance has its own limiter (in memory), so nginx's round robin lets
// at most kPerMinute requests per instance through from one address.
BOOST_FIXTURE_TEST_CASE(forged_forwarded_for_headers_do_not_escape_the_per_ip_rate_limit, BehindNginxWithRateLimit) {
  constexpr int kRequests = 4 * kPerMinute;
  int limited = 0;
  for (int i = 0; i < kRequests; ++i) {
    // A different claimed address each time: were it believed, none would be limited.
    auto answer = proxy().post_json("/api/v1/auth/refresh", {{"refresh_token", "not-a-token"}},
                                    {{"X-Forwarded-For", "203.0.113." + std::to_string(i + 1)}});
    BOOST_TEST((answer.status == 401 || answer.status == 429), answer.status << " " << answer.body);
    if (answer.status == 429) {
      ++limited;
      BOOST_TEST(code_of(answer) == "rate_limited");
    }
  }
  BOOST_TEST(limited >= kRequests - 2 * kPerMinute);
  // The limit is the address's, not the proxy's: another client still gets through on both.
  for (int i = 0; i < 2; ++i) {
    auto other = request_from_client_address(nginx_port, "POST", "/api/v1/auth/refresh",
                                             {{"Content-Type", "application/json"}}, R"({"refresh_token":"not-a-token"})");
    BOOST_TEST(other.status == 401, other.body);
  }
}

BOOST_AUTO_TEST_SUITE_END()
