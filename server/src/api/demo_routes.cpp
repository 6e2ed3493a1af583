// The demo page and the SDK package it imports, served as files. A missing
// folder only means 404s: the API works without them (SESAME_DEMO=0 removes
// the routes altogether).
#include "api/routes.hpp"
#include "http/static_files.hpp"

namespace sesame::server {

using http::Method;
using http::Request;

void add_demo_routes(http::Router& router, const DemoSite& site) {
  router.add(Method::get, "/", [root = site.web_dir](const Request& request) {
    return http::serve_file(root, "index.html", request);
  });
  router.add(Method::get, "/demo/*path", [root = site.web_dir](const Request& request) {
    return http::serve_file(root, request.path_param("path"), request);
  });
  router.add(Method::get, "/sdk/*path", [root = site.sdk_dir](const Request& request) {
    return http::serve_file(root, request.path_param("path"), request);
  });
}

}  // namespace sesame::server
