#pragma once
// Request bodies: the media-type rule (415) and the one-step parse a route
// does with the core's contract types, its failures already turned into the
// right problem (400 malformed_json, 413 payload_too_large, 422
// validation_failed with the field's pointer) by the core's
// problem_for_invalid_body.
//
//   auto body = http::parse_json_body<api::RegisterRequest>(request);
//   if (!body) return http::Response::problem(body.problem());
//   ... body.value() ...

#include <cstddef>
#include <string_view>
#include <utility>
#include <variant>

#include "http/request.hpp"
#include "sesame/contract.hpp"

namespace sesame::server::http {

// "application/json", any case, parameters (charset) allowed.
[[nodiscard]] bool is_json_media_type(std::string_view content_type) noexcept;

// A parsed body, or the problem to answer instead.
template <class T>
class ParsedBody {
 public:
  ParsedBody(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  ParsedBody(api::Problem problem) : state_(std::in_place_index<1>, std::move(problem)) {}  // NOLINT

  [[nodiscard]] bool ok() const noexcept { return state_.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }
  [[nodiscard]] T& value() & { return std::get<0>(state_); }
  [[nodiscard]] const T& value() const& { return std::get<0>(state_); }
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  [[nodiscard]] const api::Problem& problem() const { return std::get<1>(state_); }

 private:
  std::variant<T, api::Problem> state_;
};

// unsupported_media_type unless the Content-Type is JSON; then the core's
// parse_body<T>.
template <class T>
[[nodiscard]] ParsedBody<T> parse_json_body(const Request& request,
                                            std::size_t max_bytes = kMaxRequestBodyBytes) {
  if (!is_json_media_type(request.header("Content-Type").value_or(std::string_view{}))) {
    return api::make_problem(ErrorCode::unsupported_media_type, "the body must be application/json");
  }
  auto parsed = api::parse_body<T>(request.body(), max_bytes);
  if (!parsed.ok()) return api::problem_for_invalid_body(parsed.error());
  return std::move(parsed).value();
}

}  // namespace sesame::server::http
