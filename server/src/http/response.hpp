#pragma once
// What a handler answers: a status, headers and a body, or a problem
// (RFC 9457) that the server renders when it sends the response, so every
// problem carries the request id and the Retry-After header without the
// handler's help. This is the one place an ErrorCode becomes an HTTP answer,
// through the core's make_problem / problem_status.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "sesame/contract.hpp"
#include "sesame/error.hpp"

namespace sesame::server::http {

inline constexpr std::string_view kJsonMediaType = "application/json";
inline constexpr std::string_view kProblemMediaType = "application/problem+json";
// Retry-After of a 503 whose sender named no time.
inline constexpr std::int64_t kDefaultRetryAfterSeconds = 2;

// JSON text of untrusted content: invalid UTF-8 is replaced, never thrown on.
[[nodiscard]] std::string dump_json(const nlohmann::json& value);

class Response {
 public:
  using Fields = std::vector<std::pair<std::string, std::string>>;

  Response() = default;
  explicit Response(int status) : status_(status) {}

  // A JSON body (application/json).
  [[nodiscard]] static Response json(int status, const nlohmann::json& body);
  // 204 without a body.
  [[nodiscard]] static Response no_content();
  // Any other body, e.g. the demo page's HTML.
  [[nodiscard]] static Response text(int status, std::string body, std::string content_type);
  // A problem+json answer; its status is the problem's.
  [[nodiscard]] static Response problem(api::Problem problem);
  [[nodiscard]] static Response problem(ErrorCode code, std::string detail = {});
  // The answer to a failed service call. Codes that are not API problems
  // (problem_status 500) become a bare internal_error, and service_unavailable
  // loses its detail: what went wrong inside goes to the log, not to the client.
  [[nodiscard]] static Response error(const Error& error);

  [[nodiscard]] int status() const noexcept { return status_; }
  [[nodiscard]] const std::string& body() const noexcept { return body_; }
  [[nodiscard]] const Fields& headers() const noexcept { return headers_; }
  // The first header of that (case-insensitive) name.
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const noexcept;
  [[nodiscard]] const std::optional<api::Problem>& problem() const noexcept { return problem_; }

  // Replaces every header of that name.
  Response& set_header(std::string name, std::string value);
  // Adds one more header of that name (Set-Cookie).
  Response& add_header(std::string name, std::string value);
  Response& set_status(int status) noexcept {
    status_ = status;
    return *this;
  }
  Response& set_body(std::string body, std::string content_type);
  // Seconds for Retry-After; on a problem also its `retry_after` member.
  Response& set_retry_after(std::int64_t seconds);

  // A diagnostic for the access log only (never sent), e.g. why a 500 happened.
  [[nodiscard]] const std::string& log_note() const noexcept { return log_note_; }
  Response& set_log_note(std::string note) {
    log_note_ = std::move(note);
    return *this;
  }

  // Called by the server as it sends: writes a problem's body with the
  // request id in it, and its Retry-After header.
  void render_problem(std::string_view request_id);

 private:
  int status_ = 200;
  Fields headers_;
  std::string body_;
  std::optional<api::Problem> problem_;
  std::string log_note_;
};

}  // namespace sesame::server::http
