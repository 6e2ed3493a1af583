#pragma once
// Method + path pattern → handler. Patterns are literal segments and `:name`
// parameters ("/api/v1/auth/sessions/:id"); a literal segment wins over a
// parameter at the same place, so "/sessions/current" can sit next to
// "/sessions/:id". A last segment `*name` takes one or more remaining
// segments, joined by '/' ("/sdk/*path" serves "/sdk/lib/index.js"), and
// loses to any route that matches without it. The router is filled before the server starts and only
// read afterwards, so it needs no lock.

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "http/async_response.hpp"
#include "http/request.hpp"
#include "http/response.hpp"

namespace sesame::server::http {

// Answers on the HTTP thread by returning the response.
using Handler = std::function<Response(const Request&)>;
// Answers later, from any thread, through the AsyncResponse (e.g. after work
// on a WorkerPool; see respond_from_pool). Everything the work needs must be
// copied out of the request: it does not outlive the call.
using AsyncHandler = std::function<void(const Request&, AsyncResponse)>;

class Router {
 public:
  struct Route {
    Method method;
    std::string pattern;
    std::vector<std::string> segments;  // "" is never a segment; ":id" is a parameter
    AsyncHandler handler;
  };

  struct Match {
    enum class Kind { found, path_unknown, method_not_allowed };
    Kind kind = Kind::path_unknown;
    const Route* route = nullptr;        // when found
    Request::Fields path_params;         // when found
    std::vector<Method> allowed_methods;  // when the path is known, in registration order
  };

  // GET, POST, PUT, PATCH or DELETE; the pattern starts with '/'. Anything
  // else, or one method + pattern twice, throws std::invalid_argument (a
  // wiring mistake).
  Router& add(Method method, std::string_view pattern, Handler handler);
  Router& add_async(Method method, std::string_view pattern, AsyncHandler handler);

  [[nodiscard]] Match match(Method method, std::string_view path) const;
  [[nodiscard]] const std::vector<Route>& routes() const noexcept { return routes_; }

 private:
  std::vector<Route> routes_;
};

}  // namespace sesame::server::http
