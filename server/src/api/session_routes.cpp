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

  // Both take {password?} (ASVS 7.5.2): on the hashing pool, as it may be checked.
  router.add_async(Method::delete_, "/api/v1/auth/sessions/:id",
                   [s](const Request& request, http::AsyncResponse out) {
                     const SessionId id{std::string(request.path_param("id"))};
                     authorized_on_hashing_pool<api::SessionRevokeRequest>(
                         s,
                         [s, id](const Principal& who, const api::SessionRevokeRequest& body,
                                 const ClientContext& client) {
                           return or_failure(s.sessions.revoke(who, id, body, client),
                                             [] { return Response::no_content(); });
                         },
                         &authenticate, BodyRequirement::optional)(request, std::move(out));
                   });

  router.add_async(Method::delete_, "/api/v1/auth/sessions",
                   authorized_on_hashing_pool<api::SessionRevokeRequest>(
                       s,
                       [s](const Principal& who, const api::SessionRevokeRequest& body, const ClientContext& client) {
                         return or_failure(s.sessions.revoke_others(who, body, client),
                                           [] { return Response::no_content(); });
                       },
                       &authenticate, BodyRequirement::optional));
}

}  // namespace sesame::server
