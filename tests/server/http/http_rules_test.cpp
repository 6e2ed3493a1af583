#define BOOST_TEST_MODULE server_http_rules
#include <boost/test/unit_test.hpp>

#include <atomic>
#include <latch>
#include <string>
#include <thread>

#include <sodium.h>

#include "http/cookies.hpp"
#include "http/http_server.hpp"
#include "http/json_body.hpp"
#include "http/middleware.hpp"
#include "http/router.hpp"
#include "http/worker_pool.hpp"
#include "printing.hpp"

using namespace sesame;
using namespace sesame::server::http;

namespace {

Handler answering(int status) {
  return [status](const Request&) { return Response(status); };
}

Request json_request(std::string body, std::string content_type = "application/json") {
  return Request(Method::post, "/x", {}, {{"Content-Type", std::move(content_type)}}, std::move(body));
}

bool is_hex32(std::string_view text) {
  if (text.size() != 32) return false;
  for (const char c : text) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

}  // namespace

// ---- Router -------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(router_extracts_and_decodes_path_parameters) {
  Router router;
  router.add(Method::delete_, "/api/v1/auth/sessions/:id", answering(204));
  const auto match = router.match(Method::delete_, "/api/v1/auth/sessions/a%20b");
  BOOST_TEST_REQUIRE((match.kind == Router::Match::Kind::found));
  BOOST_TEST(match.path_params.size() == 1u);
  BOOST_TEST(match.path_params[0].first == "id");
  BOOST_TEST(match.path_params[0].second == "a b");
}

BOOST_AUTO_TEST_CASE(router_prefers_a_literal_segment_over_a_parameter) {
  Router router;
  router.add(Method::get, "/sessions/:id", answering(201));
  router.add(Method::get, "/sessions/current", answering(202));
  const auto match = router.match(Method::get, "/sessions/current");
  BOOST_TEST_REQUIRE((match.kind == Router::Match::Kind::found));
  BOOST_TEST(match.route->pattern == "/sessions/current");
  BOOST_TEST(router.match(Method::get, "/sessions/other").route->pattern == "/sessions/:id");
}

BOOST_AUTO_TEST_CASE(router_tells_unknown_paths_from_wrong_methods) {
  Router router;
  router.add(Method::get, "/items/:id", answering(200));
  router.add(Method::delete_, "/items/:id", answering(204));
  BOOST_TEST((router.match(Method::get, "/items").kind == Router::Match::Kind::path_unknown));
  BOOST_TEST((router.match(Method::get, "/items/1/").kind == Router::Match::Kind::path_unknown));
  BOOST_TEST((router.match(Method::get, "/items//").kind == Router::Match::Kind::path_unknown));
  const auto wrong = router.match(Method::post, "/items/1");
  BOOST_TEST((wrong.kind == Router::Match::Kind::method_not_allowed));
  BOOST_TEST(join_methods(wrong.allowed_methods) == "GET, DELETE");
}

BOOST_AUTO_TEST_CASE(router_refuses_a_route_registered_twice) {
  Router router;
  router.add(Method::get, "/a", answering(200));
  BOOST_CHECK_THROW(router.add(Method::get, "/a", answering(200)), std::invalid_argument);
  BOOST_CHECK_THROW(router.add(Method::get, "no-slash", answering(200)), std::invalid_argument);
  BOOST_CHECK_THROW(router.add(Method::options, "/a", answering(200)), std::invalid_argument);
  BOOST_CHECK_THROW(router.add(Method::head, "/a", answering(200)), std::invalid_argument);
  BOOST_CHECK_NO_THROW(router.add(Method::post, "/a", answering(200)));
}

BOOST_AUTO_TEST_CASE(router_rest_parameter_takes_the_remaining_segments_and_loses_to_any_other_route) {
  Router router;
  router.add(Method::get, "/sdk/*path", answering(200));
  router.add(Method::get, "/sdk/:file", answering(201));
  router.add(Method::get, "/sdk/lib/index.js", answering(202));
  const auto deep = router.match(Method::get, "/sdk/lib/a%20b/tabs.js");
  BOOST_TEST_REQUIRE((deep.kind == Router::Match::Kind::found));
  BOOST_TEST(deep.route->pattern == "/sdk/*path");
  BOOST_TEST(deep.path_params.at(0).first == "path");
  BOOST_TEST(deep.path_params.at(0).second == "lib/a b/tabs.js");
  BOOST_TEST(router.match(Method::get, "/sdk/package.json").route->pattern == "/sdk/:file");
  BOOST_TEST(router.match(Method::get, "/sdk/lib/index.js").route->pattern == "/sdk/lib/index.js");
  BOOST_TEST((router.match(Method::get, "/sdk").kind == Router::Match::Kind::path_unknown));
  BOOST_TEST((router.match(Method::post, "/sdk/x/y").kind == Router::Match::Kind::method_not_allowed));
  BOOST_CHECK_THROW(router.add(Method::get, "/a/*rest/b", answering(200)), std::invalid_argument);
}

BOOST_AUTO_TEST_CASE(router_serves_the_root_path) {
  Router router;
  router.add(Method::get, "/", answering(200));
  BOOST_TEST((router.match(Method::get, "/").kind == Router::Match::Kind::found));
  BOOST_TEST((router.match(Method::get, "").kind == Router::Match::Kind::path_unknown));
}

// ---- Request ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(request_headers_are_found_in_any_case) {
  const Request request(Method::get, "/", {{"q", "1"}}, {{"X-Request-Id", "abc"}}, "");
  BOOST_TEST(request.header("x-request-id").value_or("") == "abc");
  BOOST_TEST(!request.header("X-Other").has_value());
  BOOST_TEST(request.query("q").value_or("") == "1");
}

BOOST_AUTO_TEST_CASE(percent_decoding_keeps_malformed_escapes) {
  BOOST_TEST(percent_decode("a%2Fb+c", true) == "a/b c");
  BOOST_TEST(percent_decode("a+b", false) == "a+b");
  BOOST_TEST(percent_decode("100%", false) == "100%");
  BOOST_TEST(percent_decode("%zz%4", false) == "%zz%4");
}

// ---- Responses and problems ----------------------------------------------------------

BOOST_AUTO_TEST_CASE(problem_response_carries_request_id_and_retry_after) {
  Response response = Response::problem(ErrorCode::rate_limited);
  response.set_retry_after(30);
  response.render_problem("req-1");
  BOOST_TEST(response.status() == 429);
  BOOST_TEST(response.header("Content-Type").value_or("") == "application/problem+json");
  BOOST_TEST(response.header("Retry-After").value_or("") == "30");
  const auto body = nlohmann::json::parse(response.body());
  BOOST_TEST(body["code"] == "rate_limited");
  BOOST_TEST(body["status"] == 429);
  BOOST_TEST(body["retry_after"] == 30);
  BOOST_TEST(body["request_id"] == "req-1");
}

BOOST_AUTO_TEST_CASE(service_errors_keep_api_codes_and_hide_internal_ones) {
  const Response taken = Response::error(Error{ErrorCode::email_taken, "that email is registered"});
  BOOST_TEST(taken.status() == 409);
  BOOST_TEST(taken.problem()->code == "email_taken");
  BOOST_TEST(taken.problem()->detail.value_or("") == "that email is registered");

  const Response internal = Response::error(Error{ErrorCode::jwt_invalid_key, "key ring file unreadable"});
  BOOST_TEST(internal.status() == 500);
  BOOST_TEST(internal.problem()->code == "internal_error");
  BOOST_TEST(!internal.problem()->detail.has_value());
  BOOST_TEST(internal.log_note().find("key ring file unreadable") != std::string::npos);

  const Response down = Response::error(Error{ErrorCode::service_unavailable, "connection refused on 10.0.0.5"});
  BOOST_TEST(down.status() == 503);
  BOOST_TEST(!down.problem()->detail.has_value());
}

BOOST_AUTO_TEST_CASE(json_dump_replaces_invalid_utf8_instead_of_throwing) {
  const nlohmann::json value{{"text", std::string("bad \xff byte")}};
  std::string dumped;
  BOOST_CHECK_NO_THROW(dumped = dump_json(value));
  BOOST_TEST(dumped.find("bad") != std::string::npos);
}

// ---- JSON bodies -----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(json_media_type_allows_parameters_and_any_case) {
  BOOST_TEST(is_json_media_type("application/json"));
  BOOST_TEST(is_json_media_type("Application/JSON; charset=utf-8"));
  BOOST_TEST(is_json_media_type(" application/json ;charset=UTF-8"));
  BOOST_TEST(!is_json_media_type("text/plain"));
  BOOST_TEST(!is_json_media_type("application/jsonx"));
  BOOST_TEST(!is_json_media_type(""));
}

BOOST_AUTO_TEST_CASE(parse_json_body_maps_each_failure_to_its_problem) {
  const auto wrong_type = parse_json_body<api::RegisterRequest>(json_request("{}", "text/plain"));
  BOOST_TEST_REQUIRE(!wrong_type.ok());
  BOOST_TEST(wrong_type.problem().code == "unsupported_media_type");
  BOOST_TEST(wrong_type.problem().status == 415);

  const auto malformed = parse_json_body<api::RegisterRequest>(json_request("{\"email\":"));
  BOOST_TEST_REQUIRE(!malformed.ok());
  BOOST_TEST(malformed.problem().code == "malformed_json");
  BOOST_TEST(malformed.problem().status == 400);

  const auto invalid = parse_json_body<api::RegisterRequest>(json_request(R"({"email": 5, "password": "pw"})"));
  BOOST_TEST_REQUIRE(!invalid.ok());
  BOOST_TEST(invalid.problem().code == "validation_failed");
  BOOST_TEST(invalid.problem().status == 422);
  BOOST_TEST_REQUIRE(invalid.problem().violations.has_value());
  BOOST_TEST(invalid.problem().violations->at(0).pointer.value_or("") == "/email");

  const auto large = parse_json_body<api::RegisterRequest>(json_request(std::string(100, ' ') + "{}"), 50);
  BOOST_TEST_REQUIRE(!large.ok());
  BOOST_TEST(large.problem().status == 413);

  const auto good = parse_json_body<api::RegisterRequest>(
      json_request(R"({"email": "a@example.com", "password": "correct horse"})", "application/json; charset=utf-8"));
  BOOST_TEST_REQUIRE(good.ok());
  BOOST_TEST(good->email == "a@example.com");
}

// ---- Cookies ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(host_cookie_is_written_with_every_attribute) {
  CookieOptions options;
  options.max_age = 3600;
  const auto header = format_set_cookie("__Host-refresh", "abc_DEF-123", options);
  BOOST_TEST_REQUIRE(header.ok());
  BOOST_TEST(*header == "__Host-refresh=abc_DEF-123; Path=/; Max-Age=3600; Secure; HttpOnly; SameSite=Strict");
}

BOOST_AUTO_TEST_CASE(host_prefix_rules_are_enforced) {
  CookieOptions insecure;
  insecure.secure = false;
  BOOST_TEST(format_set_cookie("__Host-a", "1", insecure).code() == ErrorCode::invalid_argument);
  CookieOptions with_path;
  with_path.path = "/api";
  BOOST_TEST(format_set_cookie("__Host-a", "1", with_path).code() == ErrorCode::invalid_argument);
  CookieOptions with_domain;
  with_domain.domain = "example.com";
  BOOST_TEST(format_set_cookie("__Host-a", "1", with_domain).code() == ErrorCode::invalid_argument);
  BOOST_TEST(format_set_cookie("__Secure-a", "1", insecure).code() == ErrorCode::invalid_argument);
  BOOST_TEST(format_set_cookie("plain", "1", with_domain).ok());
}

BOOST_AUTO_TEST_CASE(cookie_names_and_values_are_checked) {
  const CookieOptions options;
  BOOST_TEST(!format_set_cookie("a b", "1", options).ok());
  BOOST_TEST(!format_set_cookie("", "1", options).ok());
  BOOST_TEST(!format_set_cookie("a", "x;y", options).ok());
  BOOST_TEST(!format_set_cookie("a", "x\r\nSet-Cookie: evil=1", options).ok());
  CookieOptions bad_path;
  bad_path.path = "/; Domain=evil.example";
  BOOST_TEST(!format_set_cookie("a", "1", bad_path).ok());
}

BOOST_AUTO_TEST_CASE(clearing_a_cookie_expires_it_at_the_same_path) {
  Response response;
  BOOST_TEST_REQUIRE(clear_cookie(response, "__Host-refresh", CookieOptions{}).ok());
  BOOST_TEST(response.header("Set-Cookie").value_or("") ==
             "__Host-refresh=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Strict");
}

BOOST_AUTO_TEST_CASE(read_cookie_finds_its_cookie_and_skips_malformed_ones) {
  const Request request(Method::get, "/", {},
                        {{"Cookie", "junk; theme=dark; __Host-refresh=\"tok\"; other=1"}}, "");
  BOOST_TEST(read_cookie(request, "__Host-refresh").value_or("") == "tok");
  BOOST_TEST(read_cookie(request, "theme").value_or("") == "dark");
  BOOST_TEST(!read_cookie(request, "junk").has_value());
  BOOST_TEST(!read_cookie(request, "missing").has_value());
}

// ---- Middleware rules ----------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(request_ids_from_clients_must_be_short_and_safe) {
  BOOST_TEST(is_acceptable_request_id("abc-123.X_y"));
  BOOST_TEST(is_acceptable_request_id(std::string(128, 'a')));
  BOOST_TEST(!is_acceptable_request_id(std::string(129, 'a')));
  BOOST_TEST(!is_acceptable_request_id(""));
  BOOST_TEST(!is_acceptable_request_id("has space"));
  BOOST_TEST(!is_acceptable_request_id("quote\""));
  BOOST_TEST(!is_acceptable_request_id("line\nbreak"));
}

BOOST_AUTO_TEST_CASE(generated_request_ids_are_random_hex) {
  BOOST_TEST_REQUIRE(sodium_init() >= 0);
  const std::string first = generate_request_id();
  const std::string second = generate_request_id();
  BOOST_TEST(is_hex32(first));
  BOOST_TEST(first != second);
}

BOOST_AUTO_TEST_CASE(forwarded_for_is_used_only_when_trusted) {
  const std::string_view forwarded = "203.0.113.7, 198.51.100.9";
  BOOST_TEST(client_ip_for("10.0.0.1", forwarded, false) == "10.0.0.1");
  BOOST_TEST(client_ip_for("10.0.0.1", forwarded, true) == "198.51.100.9");
  BOOST_TEST(client_ip_for("10.0.0.1", std::string_view("2001:db8::1"), true) == "2001:db8::1");
  BOOST_TEST(client_ip_for("10.0.0.1", std::string_view("not-an-ip"), true) == "10.0.0.1");
  BOOST_TEST(client_ip_for("10.0.0.1", std::nullopt, true) == "10.0.0.1");
}

BOOST_AUTO_TEST_CASE(cors_allows_only_listed_origins) {
  const CorsPolicy cors({"https://app.example"}, {"Authorization"}, 600);
  BOOST_TEST(cors.allows("https://app.example"));
  BOOST_TEST(!cors.allows("https://app.example.evil"));
  BOOST_TEST(!cors.allows("http://app.example"));
  BOOST_TEST(!cors.allows("null"));
  BOOST_TEST(!cors.allows(""));
}

BOOST_AUTO_TEST_CASE(security_headers_leave_a_handlers_own_policy) {
  Response page = Response::text(200, "<html></html>", "text/html");
  page.set_header("Content-Security-Policy", "default-src 'self'");
  add_security_headers(page, "/", HstsPolicy{});
  BOOST_TEST(page.header("Content-Security-Policy").value_or("") == "default-src 'self'");
  BOOST_TEST(!page.header("Cache-Control").has_value());
  BOOST_TEST(!page.header("Strict-Transport-Security").has_value());

  Response asset = Response::text(200, "export {}", "text/javascript");
  add_security_headers(asset, "/sdk/index.js", HstsPolicy{});
  BOOST_TEST(asset.header("Content-Security-Policy").value_or("") == "frame-ancestors 'none'");
}

BOOST_AUTO_TEST_CASE(api_answers_get_the_strict_csp_and_hsts_with_subdomains_over_https) {
  Response api = Response::json(200, {{"ok", true}});
  add_security_headers(api, "/api/v1/auth/me", HstsPolicy{true, true});
  BOOST_TEST(api.header("Content-Security-Policy").value_or("") == "default-src 'none'; frame-ancestors 'none'");
  BOOST_TEST(api.header("Cache-Control").value_or("") == "no-store");
  BOOST_TEST(api.header("X-Content-Type-Options").value_or("") == "nosniff");
  BOOST_TEST(api.header("Strict-Transport-Security").value_or("") == "max-age=31536000; includeSubDomains");

  Response jwks = Response::json(200, {{"keys", nlohmann::json::array()}});
  add_security_headers(jwks, "/.well-known/jwks.json", HstsPolicy{true, false});
  BOOST_TEST(jwks.header("Content-Security-Policy").value_or("") == "default-src 'none'; frame-ancestors 'none'");
  BOOST_TEST(jwks.header("Strict-Transport-Security").value_or("") == "max-age=31536000");

  Response missing = Response::problem(ErrorCode::not_found);
  add_security_headers(missing, "/nothing-here", HstsPolicy{});
  BOOST_TEST(missing.header("Content-Security-Policy").value_or("") == "default-src 'none'; frame-ancestors 'none'");
}

BOOST_AUTO_TEST_CASE(every_503_carries_retry_after_the_store_down_too) {
  Response down = Response::error(Error{ErrorCode::service_unavailable, "the database is unreachable"});
  down.render_problem("rid");
  BOOST_TEST(down.status() == 503);
  BOOST_TEST(down.header("Retry-After").value_or("") == std::to_string(kDefaultRetryAfterSeconds));
  BOOST_TEST(nlohmann::json::parse(down.body())["retry_after"] == kDefaultRetryAfterSeconds);
  BOOST_TEST(down.body().find("database") == std::string::npos);

  Response busy = Response::problem(ErrorCode::server_busy);
  busy.set_retry_after(7);
  busy.render_problem("rid");
  BOOST_TEST(busy.header("Retry-After").value_or("") == "7");
}

BOOST_AUTO_TEST_CASE(a_bearer_challenge_is_added_to_401s_of_bearer_requests_only) {
  Response refused = Response::problem(ErrorCode::token_expired);
  add_bearer_challenge(refused, true);
  BOOST_TEST(refused.header("WWW-Authenticate").value_or("") == R"(Bearer realm="sesame", error="invalid_token")");
  Response missing = Response::problem(ErrorCode::unauthorized);
  add_bearer_challenge(missing, false);
  BOOST_TEST(missing.header("WWW-Authenticate").value_or("") == R"(Bearer realm="sesame")");
  Response password = Response::problem(ErrorCode::invalid_credentials);
  add_bearer_challenge(password, false);
  BOOST_TEST(!password.header("WWW-Authenticate").has_value());
  Response forbidden = Response::problem(ErrorCode::forbidden);
  add_bearer_challenge(forbidden, true);
  BOOST_TEST(!forbidden.header("WWW-Authenticate").has_value());
}

BOOST_AUTO_TEST_CASE(bearer_token_reads_only_a_well_formed_bearer_credential) {
  const auto with = [](std::string value) {
    return Request(Method::get, "/", {}, {{"Authorization", std::move(value)}}, "");
  };
  BOOST_TEST(bearer_token(with("Bearer abc.def-_~+/==")).value_or("") == "abc.def-_~+/==");
  BOOST_TEST(bearer_token(with("bearer abc")).value_or("") == "abc");
  BOOST_TEST(!bearer_token(with("Bearer ")).has_value());
  BOOST_TEST(!bearer_token(with("Bearer a b")).has_value());
  BOOST_TEST(!bearer_token(with("Bearer a=b")).has_value());
  BOOST_TEST(!bearer_token(with("Basic abc")).has_value());
  BOOST_TEST(!bearer_token(Request(Method::get, "/", {}, {}, "")).has_value());
}

BOOST_AUTO_TEST_CASE(refused_requests_are_security_events_and_others_are_not) {
  BOOST_TEST(security_event_for(Response::problem(ErrorCode::rate_limited)).value_or("") == "rate_limit_exceeded");
  BOOST_TEST(security_event_for(Response::problem(ErrorCode::csrf_check_failed)).value_or("") == "csrf_rejected");
  BOOST_TEST(security_event_for(Response::problem(ErrorCode::bad_request)).value_or("") ==
             "malformed_request_rejected");
  BOOST_TEST(security_event_for(Response::problem(ErrorCode::headers_too_large)).value_or("") ==
             "oversized_headers_rejected");
  BOOST_TEST(!security_event_for(Response::problem(ErrorCode::not_found)).has_value());
  BOOST_TEST(!security_event_for(Response::json(200, {{"ok", true}})).has_value());

  const std::string line = format_security_event_line(SecurityEventEntry{
      .time = std::chrono::system_clock::time_point(std::chrono::seconds(1'700'000'000)),
      .event = "csrf_rejected",
      .request_id = "rid",
      .method = "POST",
      .path = "/api/v1/auth/refresh",
      .status = 403,
      .client_ip = "127.0.0.1",
  });
  BOOST_TEST(line.find('\n') == line.size() - 1);
  const auto parsed = nlohmann::json::parse(line);
  BOOST_TEST(parsed["event"] == "csrf_rejected");
  BOOST_TEST(parsed["request_id"] == "rid");
  BOOST_TEST(parsed["path"] == "/api/v1/auth/refresh");
  BOOST_TEST(parsed["ip"] == "127.0.0.1");
}

BOOST_AUTO_TEST_CASE(access_log_line_is_one_json_object_without_secrets) {
  const std::string line = format_access_log_line(AccessLogEntry{
      .time = std::chrono::system_clock::time_point(std::chrono::milliseconds(1'700'000'000'123)),
      .request_id = "rid",
      .method = "POST",
      .path = "/api/v1/auth/token",
      .status = 401,
      .duration_ms = 12.3456789,
      .client_ip = "127.0.0.1",
      .user_agent = std::string(1000, 'u'),
      .note = {},
  });
  BOOST_TEST(line.back() == '\n');
  BOOST_TEST(line.find('\n') == line.size() - 1);
  const auto parsed = nlohmann::json::parse(line);
  BOOST_TEST(parsed["time"] == "2023-11-14T22:13:20.123Z");
  BOOST_TEST(parsed["request_id"] == "rid");
  BOOST_TEST(parsed["status"] == 401);
  BOOST_TEST(parsed["path"] == "/api/v1/auth/token");
  BOOST_TEST(parsed["user_agent"].get<std::string>().size() == kMaxLoggedUserAgentBytes);
  BOOST_TEST(!parsed.contains("note"));
}

BOOST_AUTO_TEST_CASE(listen_addresses_parse_host_and_port) {
  const auto v4 = parse_listen_address("127.0.0.1:0");
  BOOST_TEST_REQUIRE(v4.has_value());
  BOOST_TEST(v4->host == "127.0.0.1");
  BOOST_TEST(v4->port == 0);
  const auto v6 = parse_listen_address("[::1]:8080");
  BOOST_TEST_REQUIRE(v6.has_value());
  BOOST_TEST(v6->host == "::1");
  BOOST_TEST(v6->port == 8080);
  BOOST_TEST(!parse_listen_address("127.0.0.1").has_value());
  BOOST_TEST(!parse_listen_address("127.0.0.1:65536").has_value());
  BOOST_TEST(!parse_listen_address(":80").has_value());
  BOOST_TEST(!parse_listen_address("::1:80").has_value());
  BOOST_TEST(!parse_listen_address("host:8x").has_value());
}

// ---- Worker pool ------------------------------------------------------------------------------

BOOST_AUTO_TEST_CASE(worker_pool_refuses_work_beyond_threads_and_queue) {
  WorkerPool pool(1, 1);
  std::latch started(1);
  std::latch release(1);
  BOOST_TEST(pool.submit([&] {
    started.count_down();
    release.wait();
  }));
  started.wait();
  BOOST_TEST(pool.submit([] {}));   // waits in the queue
  BOOST_TEST(!pool.submit([] {}));  // thread busy, queue full
  release.count_down();
  pool.stop();
  BOOST_TEST(!pool.submit([] {}));  // stopped
}

BOOST_AUTO_TEST_CASE(worker_pool_stop_runs_the_queued_jobs) {
  std::atomic<int> ran{0};
  {
    WorkerPool pool(1, 8);
    std::latch release(1);
    BOOST_TEST(pool.submit([&] { release.wait(); ++ran; }));
    for (int i = 0; i < 3; ++i) BOOST_TEST(pool.submit([&] { ++ran; }));
    release.count_down();
    pool.stop();
  }
  BOOST_TEST(ran.load() == 4);
}

BOOST_AUTO_TEST_CASE(worker_pool_survives_a_throwing_job) {
  WorkerPool pool(1, 4);
  std::latch done(1);
  BOOST_TEST(pool.submit([] { throw std::runtime_error("job failed"); }));
  BOOST_TEST(pool.submit([&] { done.count_down(); }));
  done.wait();
}

// A channel that keeps what was sent, to check respond_from_pool without a server.
class RecordingChannel final : public ResponseChannel {
 public:
  bool send(Response response) override {
    std::lock_guard lock(mutex);
    if (sent) return false;
    sent = std::move(response);
    delivered.count_down();
    return true;
  }
  std::mutex mutex;
  std::optional<Response> sent;
  std::latch delivered{1};
};

BOOST_AUTO_TEST_CASE(respond_from_pool_answers_server_busy_when_full) {
  WorkerPool pool(1, 0);
  std::latch started(1);
  std::latch release(1);
  auto first = std::make_shared<RecordingChannel>();
  BOOST_TEST(respond_from_pool(pool, AsyncResponse(first), [&] {
    started.count_down();
    release.wait();
    return Response::no_content();
  }));
  started.wait();
  auto second = std::make_shared<RecordingChannel>();
  BOOST_TEST(!respond_from_pool(pool, AsyncResponse(second), [] { return Response::no_content(); }, 7));
  BOOST_TEST_REQUIRE(second->sent.has_value());
  BOOST_TEST(second->sent->status() == 503);
  BOOST_TEST(second->sent->problem()->code == "server_busy");
  BOOST_TEST(second->sent->header("Retry-After").value_or("") == "7");
  release.count_down();
  first->delivered.wait();
  BOOST_TEST(first->sent->status() == 204);
}

BOOST_AUTO_TEST_CASE(respond_from_pool_turns_an_exception_into_internal_error) {
  WorkerPool pool(1, 0);
  auto channel = std::make_shared<RecordingChannel>();
  BOOST_TEST(respond_from_pool(pool, AsyncResponse(channel), []() -> Response { throw std::runtime_error("x"); }));
  channel->delivered.wait();
  BOOST_TEST(channel->sent->status() == 500);
  BOOST_TEST(channel->sent->problem()->code == "internal_error");
}
