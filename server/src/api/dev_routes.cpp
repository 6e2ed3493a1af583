// Dev mode only (SESAME_DEV=1): the dev mailbox. Outside dev mode the route
// is not registered at all, so it answers 404 like any unknown path.
#include "api/route_support.hpp"

namespace sesame::server {

using http::Method;
using http::Request;
using http::Response;

void add_dev_routes(http::Router& router, const ApiServices& s) {
  if (s.dev_mailbox == nullptr) return;
  DevMailboxReader& mailbox = *s.dev_mailbox;
  router.add(Method::get, "/api/v1/dev/mailbox", [&mailbox](const Request& request) {
    const auto to = request.query("to");
    if (!to || to->empty()) {
      api::Problem problem = api::make_problem(ErrorCode::validation_failed, "the query parameter `to` is required");
      problem.violations = std::vector<api::ProblemViolation>{{"missing_field", "is required", "/to"}};
      return Response::problem(std::move(problem));
    }
    auto messages = mailbox.messages_to(*to);
    if (!messages.ok()) return Response::error(messages.error());
    return Response::json(200, api::to_json(messages.value()));
  });
}

}  // namespace sesame::server
