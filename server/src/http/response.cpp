#include "http/response.hpp"

#include <algorithm>

#include "http/request.hpp"

namespace sesame::server::http {

std::string dump_json(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Response Response::json(int status, const nlohmann::json& body) {
  Response response(status);
  response.set_body(dump_json(body), std::string(kJsonMediaType));
  return response;
}

Response Response::no_content() { return Response(204); }

Response Response::text(int status, std::string body, std::string content_type) {
  Response response(status);
  response.set_body(std::move(body), std::move(content_type));
  return response;
}

Response Response::problem(api::Problem problem) {
  Response response(problem.status);
  if (problem.retry_after) response.set_header("Retry-After", std::to_string(*problem.retry_after));
  response.problem_ = std::move(problem);
  return response;
}

Response Response::problem(ErrorCode code, std::string detail) {
  return problem(api::make_problem(code, std::move(detail)));
}

Response Response::error(const Error& error) {
  const int status = api::problem_status(error.code);
  if (status == 500 || error.code == ErrorCode::service_unavailable) {
    const ErrorCode code = status == 500 ? ErrorCode::internal_error : error.code;
    Response response = problem(code);
    response.set_log_note(std::string(error_code_name(error.code)) + ": " + error.detail);
    return response;
  }
  return problem(error.code, error.detail);
}

std::optional<std::string_view> Response::header(std::string_view name) const noexcept {
  for (const auto& [key, value] : headers_) {
    if (equals_ignoring_case(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

Response& Response::set_header(std::string name, std::string value) {
  std::erase_if(headers_, [&](const auto& field) { return equals_ignoring_case(field.first, name); });
  headers_.emplace_back(std::move(name), std::move(value));
  return *this;
}

Response& Response::add_header(std::string name, std::string value) {
  headers_.emplace_back(std::move(name), std::move(value));
  return *this;
}

Response& Response::set_body(std::string body, std::string content_type) {
  body_ = std::move(body);
  problem_.reset();
  set_header("Content-Type", std::move(content_type));
  return *this;
}

Response& Response::set_retry_after(std::int64_t seconds) {
  set_header("Retry-After", std::to_string(seconds));
  if (problem_) problem_->retry_after = seconds;
  return *this;
}

void Response::render_problem(std::string_view request_id) {
  if (!problem_) return;
  problem_->request_id = std::string(request_id);
  // Every 503 says when to come back (the store down, the pool full, draining).
  if (problem_->status == 503 && !problem_->retry_after) problem_->retry_after = kDefaultRetryAfterSeconds;
  if (problem_->retry_after) set_header("Retry-After", std::to_string(*problem_->retry_after));
  body_ = dump_json(api::to_json(*problem_));
  set_header("Content-Type", std::string(kProblemMediaType));
}

}  // namespace sesame::server::http
