#define BOOST_TEST_MODULE server_http
#include <boost/test/unit_test.hpp>

#include <condition_variable>
#include <future>
#include <latch>
#include <mutex>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "http/async_response.hpp"
#include "http/cookies.hpp"
#include "http/http_server.hpp"
#include "http/json_body.hpp"
#include "http/worker_pool.hpp"
#include "http_client.hpp"
#include "printing.hpp"

using namespace sesame;
using namespace sesame::server::http;
using sesame::test::HttpClient;
using sesame::test::HttpResponse;

namespace {

constexpr std::size_t kBodyLimit = 1024;
constexpr const char* kAllowedOrigin = "https://app.example";

std::string thread_name(std::thread::id id) {
  std::ostringstream out;
  out << id;
  return out.str();
}

bool is_hex32(const std::string& text) { return std::regex_match(text, std::regex("[0-9a-f]{32}")); }

// A door the slow route's job waits at; opening it twice is fine, so a
// failing test can always open it on its way out.
class Gate {
 public:
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    opened_.notify_all();
  }
  void wait() {
    std::unique_lock lock(mutex_);
    opened_.wait(lock, [this] { return open_; });
  }

 private:
  std::mutex mutex_;
  std::condition_variable opened_;
  bool open_ = false;
};

// Opens the gate when the test leaves, however it leaves.
struct OpenOnExit {
  Gate& gate;
  ~OpenOnExit() { gate.open(); }
};

// The real server on 127.0.0.1:0 with a few routes, a worker pool of one
// thread and no queue, and the access log captured.
class TestServer {
 public:
  explicit TestServer(HttpServerOptions options = {}) : pool_(1, 0) {
    options.listen = "127.0.0.1:0";
    options.max_body_bytes = kBodyLimit;
    options.max_header_bytes = 4096;
    options.cors_allowed_origins = {kAllowedOrigin};
    options.access_log = [this](std::string_view line) {
      std::lock_guard lock(log_mutex_);
      log_lines_.emplace_back(line);
    };
    server_ = std::make_unique<HttpServer>(std::move(options), routes());
    server_->start();
    client_ = std::make_unique<HttpClient>("127.0.0.1", server_->port());
  }

  HttpServer& server() { return *server_; }
  const HttpClient& client() const { return *client_; }

  // The access-log line of one request.
  nlohmann::json log_line_of(const std::string& request_id) {
    std::lock_guard lock(log_mutex_);
    for (const std::string& line : log_lines_) {
      auto parsed = nlohmann::json::parse(line);
      if (parsed["request_id"] == request_id) return parsed;
    }
    return nullptr;
  }
  std::vector<std::string> log_lines() {
    std::lock_guard lock(log_mutex_);
    return log_lines_;
  }

  ~TestServer() {
    release.open();
    server_.reset();
  }

  // The slow route's job signals `started` and waits for `release`.
  std::latch started{1};
  Gate release;

 private:
  Router routes() {
    Router router;
    router.add(Method::get, "/ping", [](const Request&) { return Response::json(200, {{"pong", true}}); });
    router.add(Method::get, "/api/v1/items/:id", [](const Request& request) {
      return Response::json(200, {{"id", request.path_param("id")}, {"q", request.query("q").value_or("")}});
    });
    router.add(Method::delete_, "/api/v1/items/:id", [](const Request&) { return Response::no_content(); });
    router.add(Method::post, "/api/v1/register", [](const Request& request) {
      auto body = parse_json_body<api::RegisterRequest>(request);
      if (!body) return Response::problem(body.problem());
      return Response::json(201, {{"email", body->email}});
    });
    router.add(Method::get, "/api/v1/boom", [](const Request&) -> Response {
      throw std::runtime_error("boom detail from deep inside");
    });
    router.add(Method::get, "/api/v1/ip", [](const Request& request) {
      return Response::json(200, {{"ip", request.client_ip()}});
    });
    router.add(Method::get, "/api/v1/cookies", [](const Request& request) {
      Response response = Response::json(200, {{"seen", read_cookie(request, "__Host-refresh").value_or("")}});
      CookieOptions options;
      options.max_age = 60;
      if (!set_cookie(response, "__Host-refresh", "new-token", options).ok()) return Response(500);
      if (!set_cookie(response, "theme", "dark", CookieOptions{}).ok()) return Response(500);
      return response;
    });
    router.add_async(Method::get, "/api/v1/slow", [this](const Request&, AsyncResponse response) {
      respond_from_pool(pool_, std::move(response), [this] {
        started.count_down();
        release.wait();
        return Response::json(200, {{"done", true}});
      });
    });
    router.add_async(Method::get, "/api/v1/threads", [this](const Request&, AsyncResponse response) {
      const std::string http_thread = thread_name(std::this_thread::get_id());
      respond_from_pool(pool_, std::move(response), [http_thread] {
        return Response::json(200, {{"http_thread", http_thread},
                                    {"worker_thread", thread_name(std::this_thread::get_id())}});
      });
    });
    return router;
  }

  WorkerPool pool_;  // outlives the server: in-flight jobs finish before it stops
  std::mutex log_mutex_;
  std::vector<std::string> log_lines_;
  std::unique_ptr<HttpServer> server_;
  std::unique_ptr<HttpClient> client_;
};

void check_problem(const HttpResponse& response, int status, const std::string& code) {
  BOOST_TEST(response.status == status);
  BOOST_TEST(response.header("Content-Type").value_or("") == "application/problem+json");
  const auto body = response.json();
  BOOST_TEST(body["code"] == code);
  BOOST_TEST(body["status"] == status);
  BOOST_TEST(body["type"] == "about:blank");
  BOOST_TEST(body["request_id"] == response.header("X-Request-Id").value_or("missing"));
}

void check_security_headers(const HttpResponse& response) {
  BOOST_TEST(response.header("X-Content-Type-Options").value_or("") == "nosniff");
  BOOST_TEST(response.header("Referrer-Policy").value_or("") == "no-referrer");
  BOOST_TEST(response.header("X-Frame-Options").value_or("") == "DENY");
  // Strict on API answers and problems, frame-ancestors alone on other paths.
  BOOST_TEST(response.header("Content-Security-Policy").value_or("").ends_with("frame-ancestors 'none'"));
  BOOST_TEST(!response.header("Strict-Transport-Security").has_value());
}

}  // namespace

// ---- Routing --------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(handler_sees_decoded_path_and_query_parameters) {
  TestServer t;
  const auto response = t.client().get("/api/v1/items/a%20b?q=x%2By&other=1");
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.header("Content-Type").value_or("") == "application/json");
  BOOST_TEST(response.json()["id"] == "a b");
  BOOST_TEST(response.json()["q"] == "x+y");
}

BOOST_AUTO_TEST_CASE(unknown_path_is_a_not_found_problem) {
  TestServer t;
  check_problem(t.client().get("/api/v1/nothing-here"), 404, "not_found");
}

BOOST_AUTO_TEST_CASE(wrong_method_is_method_not_allowed_with_allow_header) {
  TestServer t;
  const auto response = t.client().send_json("PUT", "/api/v1/items/7", {{"a", 1}});
  check_problem(response, 405, "method_not_allowed");
  BOOST_TEST(response.header("Allow").value_or("") == "GET, DELETE");
  BOOST_TEST(t.client().request("DELETE", "/api/v1/items/7").status == 204);
}

// ---- Bodies ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(json_body_reaches_the_handler) {
  TestServer t;
  const auto response =
      t.client().request("POST", "/api/v1/register", {{"Content-Type", "application/json; charset=utf-8"}},
                         R"({"email": "a@example.com", "password": "correct horse"})");
  BOOST_TEST(response.status == 201);
  BOOST_TEST(response.json()["email"] == "a@example.com");
}

BOOST_AUTO_TEST_CASE(body_over_the_limit_is_payload_too_large) {
  TestServer t;
  const std::string body = "{\"email\": \"" + std::string(kBodyLimit, 'a') + "\"}";
  check_problem(t.client().request("POST", "/api/v1/register", {{"Content-Type", "application/json"}}, body), 413,
                "payload_too_large");
}

BOOST_AUTO_TEST_CASE(body_far_over_pistaches_buffer_is_payload_too_large_too) {
  TestServer t;
  const std::string body(1024 * 1024, 'x');
  check_problem(t.client().request("POST", "/api/v1/register", {{"Content-Type", "application/json"}}, body), 413,
                "payload_too_large");
  BOOST_TEST(t.client().get("/ping").status == 200);
}

BOOST_AUTO_TEST_CASE(oversized_headers_are_431_headers_too_large) {
  TestServer t;
  const std::string request = "GET /ping HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(8000, 'p') + "\r\n\r\n";
  const auto response = t.client().send_raw(request);
  check_problem(response, 431, "headers_too_large");
  check_security_headers(response);
  BOOST_TEST(response.header("Connection").value_or("") == "close");
}

BOOST_AUTO_TEST_CASE(malformed_http_is_a_bad_request_problem) {
  TestServer t;
  const auto response = t.client().send_raw("BREW /pot HTTP/1.1\r\nHost: x\r\n\r\n");
  check_problem(response, 400, "bad_request");
  BOOST_TEST(response.header("Connection").value_or("") == "close");
}

BOOST_AUTO_TEST_CASE(body_that_is_not_json_is_unsupported_media_type) {
  TestServer t;
  check_problem(t.client().request("POST", "/api/v1/register", {{"Content-Type", "text/plain"}}, "{}"), 415,
                "unsupported_media_type");
  check_problem(t.client().request("POST", "/api/v1/register", {}, "{}"), 415, "unsupported_media_type");
}

BOOST_AUTO_TEST_CASE(malformed_json_is_a_malformed_json_problem) {
  TestServer t;
  check_problem(t.client().request("POST", "/api/v1/register", {{"Content-Type", "application/json"}}, "{\"email\":"),
                400, "malformed_json");
}

BOOST_AUTO_TEST_CASE(invalid_field_is_validation_failed_with_its_pointer) {
  TestServer t;
  const auto response = t.client().post_json("/api/v1/register", {{"email", 5}, {"password", "pw"}});
  check_problem(response, 422, "validation_failed");
  const auto violations = response.json()["violations"];
  BOOST_TEST_REQUIRE(violations.size() == 1u);
  BOOST_TEST(violations[0]["pointer"] == "/email");
  BOOST_TEST(violations[0]["code"] == "invalid_field");
}

// ---- Failures ----------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(throwing_handler_is_internal_error_without_detail_and_server_survives) {
  TestServer t;
  const auto response = t.client().get("/api/v1/boom");
  check_problem(response, 500, "internal_error");
  BOOST_TEST(response.body.find("boom detail") == std::string::npos);
  BOOST_TEST(!response.json().contains("detail"));
  BOOST_TEST(t.client().get("/ping").status == 200);
}

// ---- Request ids --------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(request_id_is_generated_when_absent) {
  TestServer t;
  const auto first = t.client().get("/ping");
  const auto second = t.client().get("/ping");
  BOOST_TEST(is_hex32(first.header("X-Request-Id").value_or("")));
  BOOST_TEST(first.header("X-Request-Id").value_or("1") != second.header("X-Request-Id").value_or("2"));
}

BOOST_AUTO_TEST_CASE(safe_request_id_from_the_client_is_echoed) {
  TestServer t;
  const auto response = t.client().get("/api/v1/nothing", {{"X-Request-Id", "trace-42.a_B"}});
  BOOST_TEST(response.header("X-Request-Id").value_or("") == "trace-42.a_B");
  BOOST_TEST(response.json()["request_id"] == "trace-42.a_B");
}

BOOST_AUTO_TEST_CASE(unsafe_request_id_from_the_client_is_replaced) {
  TestServer t;
  for (const std::string& unsafe : {std::string("has spaces in it"), std::string("<script>"), std::string(129, 'a')}) {
    const auto response = t.client().get("/ping", {{"X-Request-Id", unsafe}});
    BOOST_TEST(is_hex32(response.header("X-Request-Id").value_or("")), unsafe);
  }
}

// ---- Security headers and CORS --------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(security_headers_are_on_successes_and_errors) {
  TestServer t;
  const auto success = t.client().get("/api/v1/items/1");
  BOOST_TEST(success.status == 200);
  check_security_headers(success);
  BOOST_TEST(success.header("Cache-Control").value_or("") == "no-store");

  const auto error = t.client().get("/nope");
  BOOST_TEST(error.status == 404);
  check_security_headers(error);
  BOOST_TEST(error.header("Cache-Control").value_or("") == "no-store");
}

BOOST_AUTO_TEST_CASE(hsts_is_sent_only_when_behind_tls) {
  HttpServerOptions options;
  options.behind_tls = true;
  TestServer t(options);
  BOOST_TEST(t.client().get("/ping").header("Strict-Transport-Security").value_or("") ==
             "max-age=31536000; includeSubDomains");
  options.hsts_include_subdomains = false;
  TestServer without_subdomains(options);
  BOOST_TEST(without_subdomains.client().get("/ping").header("Strict-Transport-Security").value_or("") ==
             "max-age=31536000");
}

BOOST_AUTO_TEST_CASE(preflight_from_an_allowed_origin_is_answered_with_cors_headers) {
  TestServer t;
  const auto response = t.client().request("OPTIONS", "/api/v1/register",
                                           {{"Origin", kAllowedOrigin},
                                            {"Access-Control-Request-Method", "POST"},
                                            {"Access-Control-Request-Headers", "content-type, authorization"}});
  BOOST_TEST(response.status == 204);
  BOOST_TEST(response.header("Access-Control-Allow-Origin").value_or("") == kAllowedOrigin);
  BOOST_TEST(response.header("Access-Control-Allow-Credentials").value_or("") == "true");
  BOOST_TEST(response.header("Access-Control-Allow-Methods").value_or("") == "POST");
  const std::string allowed_headers = response.header("Access-Control-Allow-Headers").value_or("");
  BOOST_TEST(allowed_headers.find("Authorization") != std::string::npos);
  BOOST_TEST(allowed_headers.find("Content-Type") != std::string::npos);
  BOOST_TEST(allowed_headers.find("X-Requested-With") != std::string::npos);
  BOOST_TEST(response.header("Vary").value_or("") ==
             "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
}

BOOST_AUTO_TEST_CASE(preflight_of_an_unknown_path_is_answered_so_the_browser_sees_the_404) {
  TestServer t;
  const auto preflight = t.client().request("OPTIONS", "/api/v1/not-yet-offered",
                                            {{"Origin", kAllowedOrigin}, {"Access-Control-Request-Method", "POST"}});
  BOOST_TEST(preflight.status == 204);
  BOOST_TEST(preflight.header("Access-Control-Allow-Origin").value_or("") == kAllowedOrigin);
  BOOST_TEST(preflight.header("Access-Control-Allow-Methods").value_or("").find("POST") != std::string::npos);
  const auto actual = t.client().request("POST", "/api/v1/not-yet-offered", {{"Origin", kAllowedOrigin}});
  BOOST_TEST(actual.status == 404);
  BOOST_TEST(actual.header("Access-Control-Allow-Origin").value_or("") == kAllowedOrigin);
  BOOST_TEST(actual.json()["code"] == "not_found");
  // A plain OPTIONS (no preflight) of an unknown path is still a 404.
  BOOST_TEST(t.client().request("OPTIONS", "/api/v1/not-yet-offered").status == 404);
}

BOOST_AUTO_TEST_CASE(preflight_from_another_origin_gets_no_cors_headers) {
  TestServer t;
  const auto response = t.client().request(
      "OPTIONS", "/api/v1/register", {{"Origin", "https://evil.example"}, {"Access-Control-Request-Method", "POST"}});
  BOOST_TEST(response.status == 204);
  BOOST_TEST(!response.header("Access-Control-Allow-Origin").has_value());
  BOOST_TEST(!response.header("Access-Control-Allow-Credentials").has_value());
  BOOST_TEST(!response.header("Access-Control-Allow-Methods").has_value());
}

BOOST_AUTO_TEST_CASE(actual_request_from_an_allowed_origin_exposes_retry_after) {
  TestServer t;
  const auto allowed = t.client().get("/ping", {{"Origin", kAllowedOrigin}});
  BOOST_TEST(allowed.header("Access-Control-Allow-Origin").value_or("") == kAllowedOrigin);
  BOOST_TEST(allowed.header("Access-Control-Expose-Headers").value_or("").find("Retry-After") != std::string::npos);
  const auto other = t.client().get("/ping", {{"Origin", "https://evil.example"}});
  BOOST_TEST(other.status == 200);
  BOOST_TEST(!other.header("Access-Control-Allow-Origin").has_value());
}

// ---- Client address, cookies, access log ----------------------------------------------------------

BOOST_AUTO_TEST_CASE(client_ip_comes_from_the_socket_unless_a_proxy_is_trusted) {
  const sesame::test::HeaderList forwarded{{"X-Forwarded-For", "203.0.113.7, 198.51.100.9"}};
  {
    TestServer t;
    BOOST_TEST(t.client().get("/api/v1/ip", forwarded).json()["ip"] == "127.0.0.1");
  }
  HttpServerOptions options;
  options.trust_forwarded_for = true;
  TestServer t(options);
  BOOST_TEST(t.client().get("/api/v1/ip", forwarded).json()["ip"] == "198.51.100.9");
}

BOOST_AUTO_TEST_CASE(cookies_are_read_and_several_are_set) {
  TestServer t;
  const auto response = t.client().get("/api/v1/cookies", {{"Cookie", "theme=light; __Host-refresh=old-token"}});
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.json()["seen"] == "old-token");
  const auto cookies = response.headers_named("Set-Cookie");
  BOOST_TEST_REQUIRE(cookies.size() == 2u);
  BOOST_TEST(cookies[0] == "__Host-refresh=new-token; Path=/; Max-Age=60; Secure; HttpOnly; SameSite=Strict");
  BOOST_TEST(cookies[1] == "theme=dark; Path=/; Secure; HttpOnly; SameSite=Strict");
}

BOOST_AUTO_TEST_CASE(cookie_without_a_value_does_not_break_the_request) {
  TestServer t;
  const auto response = t.client().get("/api/v1/cookies", {{"Cookie", "=x; __Host-refresh=tok; junk"}});
  BOOST_TEST(response.status == 200);
  BOOST_TEST(response.json()["seen"] == "tok");
}

BOOST_AUTO_TEST_CASE(access_log_has_one_line_per_request_without_query_or_credentials) {
  TestServer t;
  const auto response = t.client().get("/api/v1/items/9?token=query-secret",
                                       {{"Authorization", "Bearer header-secret"},
                                        {"Cookie", "__Host-refresh=cookie-secret"},
                                        {"User-Agent", "test-agent/1.0"}});
  const std::string request_id = response.header("X-Request-Id").value_or("");
  const auto line = t.log_line_of(request_id);
  BOOST_TEST_REQUIRE(!line.is_null());
  BOOST_TEST(line["method"] == "GET");
  BOOST_TEST(line["path"] == "/api/v1/items/9");
  BOOST_TEST(line["status"] == 200);
  BOOST_TEST(line["ip"] == "127.0.0.1");
  BOOST_TEST(line["user_agent"] == "test-agent/1.0");
  BOOST_TEST(line["duration_ms"].is_number());
  BOOST_TEST(line["time"].get<std::string>().ends_with("Z"));
  const auto lines = t.log_lines();
  BOOST_TEST(lines.size() == 1u);
  for (const std::string& text : lines) {
    BOOST_TEST(text.find("secret") == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(access_log_keeps_the_reason_of_an_internal_error) {
  TestServer t;
  const auto response = t.client().get("/api/v1/boom");
  const auto line = t.log_line_of(response.header("X-Request-Id").value_or(""));
  BOOST_TEST_REQUIRE(!line.is_null());
  BOOST_TEST(line["status"] == 500);
  BOOST_TEST(line["note"].get<std::string>().find("boom detail") != std::string::npos);
}

// ---- Worker pool and async responses -----------------------------------------------------------------

BOOST_AUTO_TEST_CASE(async_response_is_sent_from_the_worker_thread) {
  TestServer t;
  const auto response = t.client().get("/api/v1/threads");
  BOOST_TEST_REQUIRE(response.status == 200);
  BOOST_TEST(response.json()["http_thread"] != response.json()["worker_thread"]);
  check_security_headers(response);
  BOOST_TEST(is_hex32(response.header("X-Request-Id").value_or("")));
}

BOOST_AUTO_TEST_CASE(full_worker_pool_answers_server_busy_with_retry_after) {
  TestServer t;
  auto slow = std::async(std::launch::async, [&] { return t.client().get("/api/v1/slow"); });
  const OpenOnExit open_on_exit{t.release};
  t.started.wait();  // the only worker is now busy, and there is no queue

  const auto busy = t.client().get("/api/v1/slow");
  check_problem(busy, 503, "server_busy");
  BOOST_TEST(busy.header("Retry-After").value_or("") == "1");
  BOOST_TEST(busy.json()["retry_after"] == 1);

  t.release.open();
  const auto done = slow.get();
  BOOST_TEST(done.status == 200);
  BOOST_TEST(done.json()["done"] == true);
}

BOOST_AUTO_TEST_CASE(concurrent_requests_are_each_answered_once) {
  TestServer t;
  std::vector<std::future<HttpResponse>> responses;
  for (int i = 0; i < 16; ++i) {
    responses.push_back(std::async(std::launch::async, [&t, i] {
      return t.client().get("/api/v1/items/" + std::to_string(i));
    }));
  }
  for (int i = 0; i < 16; ++i) {
    const auto response = responses[static_cast<std::size_t>(i)].get();
    BOOST_TEST(response.status == 200);
    BOOST_TEST(response.json()["id"] == std::to_string(i));
  }
  BOOST_TEST(t.log_lines().size() == 16u);
}

// ---- Graceful stop ----------------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(graceful_stop_completes_the_request_in_flight) {
  TestServer t;
  auto slow = std::async(std::launch::async, [&] { return t.client().get("/api/v1/slow"); });
  const OpenOnExit open_on_exit{t.release};
  t.started.wait();

  std::jthread stopper([&] { t.server().stop(); });  // joined even when a check throws
  while (!t.server().draining()) std::this_thread::yield();

  // Draining: new requests are turned away and asked to close the connection.
  const auto refused = t.client().get("/ping");
  check_problem(refused, 503, "service_unavailable");
  BOOST_TEST(refused.header("Connection").value_or("") == "close");

  t.release.open();
  const auto done = slow.get();
  BOOST_TEST(done.status == 200);
  BOOST_TEST(done.json()["done"] == true);
  stopper.join();

  BOOST_CHECK_THROW((void)t.client().get("/ping"), std::runtime_error);
}
