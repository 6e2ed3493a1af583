// The signed-in user's sessions: list, revoke one, revoke all but this one.
#include "api/route_support.hpp"

namespace sesame::server {

using http::Method;
using http::Request;
using http::Response;

void add_session_routes(http::Router& router, const ApiServices& s) {
  router.add(Method::get, "/api/v1/auth/sessions", [s](const Request& request) {
    auto principal = authenticate(request, s.tokens);
    if (!principal.ok()) return failure_response(principal.error());
    return or_failure(s.sessions.list(principal.value()), [](const api::SessionsResponse& list) {
      return Response::json(200, api::to_json(list));
    });
  });

  router.add(Method::delete_, "/api/v1/auth/sessions/:id", [s](const Request& request) {
    auto principal = authenticate(request, s.tokens);
    if (!principal.ok()) return failure_response(principal.error());
    return or_failure(s.sessions.revoke(principal.value(), SessionId{std::string(request.path_param("id"))},
                                        client_of(request)),
                      [] { return Response::no_content(); });
  });

  router.add(Method::delete_, "/api/v1/auth/sessions", [s](const Request& request) {
    auto principal = authenticate(request, s.tokens);
    if (!principal.ok()) return failure_response(principal.error());
    return or_failure(s.sessions.revoke_others(principal.value(), client_of(request)),
                      [] { return Response::no_content(); });
  });
}

}  // namespace sesame::server
