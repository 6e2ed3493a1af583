#pragma once
// A small HTTP/1.1 client for the server suites: real TCP to the real server
// on its ephemeral port. libcurl does the protocol; send_raw() writes bytes
// exactly as given, for requests curl would refuse to send.
//
//   sesame::test::HttpClient client("127.0.0.1", server.port());
//   auto response = client.post_json("/api/v1/auth/register", {{"email", "a@b.c"}, ...});
//   BOOST_TEST(response.status == 201);
//   BOOST_TEST(response.json()["user"]["email"] == "a@b.c");
//
// Every call is independent (one connection each) and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace sesame::test {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpResponse {
  long status = 0;
  HeaderList headers;  // names lower-cased, in the order received
  std::string body;

  // The first header of that name (any case).
  [[nodiscard]] std::optional<std::string> header(std::string_view name) const;
  // Every header of that name (Set-Cookie).
  [[nodiscard]] std::vector<std::string> headers_named(std::string_view name) const;
  // The body parsed as JSON; throws when it is not JSON.
  [[nodiscard]] nlohmann::json json() const;
};

class HttpClient {
 public:
  HttpClient(std::string host, std::uint16_t port);

  // Throws std::runtime_error when no HTTP answer came back (connection
  // refused, reset, timeout). Without a Content-Type header in `headers`,
  // none is sent.
  [[nodiscard]] HttpResponse request(std::string_view method, std::string_view path, const HeaderList& headers = {},
                                     const std::string& body = {}) const;

  [[nodiscard]] HttpResponse get(std::string_view path, const HeaderList& headers = {}) const;
  // The body as application/json.
  [[nodiscard]] HttpResponse post_json(std::string_view path, const nlohmann::json& body,
                                       HeaderList headers = {}) const;
  [[nodiscard]] HttpResponse send_json(std::string_view method, std::string_view path, const nlohmann::json& body,
                                       HeaderList headers = {}) const;

  // Writes `bytes` on a fresh connection and reads one response (headers and
  // a Content-Length body). Throws when the connection fails or closes early.
  [[nodiscard]] HttpResponse send_raw(std::string_view bytes) const;

  [[nodiscard]] const std::string& base_url() const noexcept { return base_url_; }

 private:
  std::string host_;
  std::uint16_t port_;
  std::string base_url_;
};

}  // namespace sesame::test
