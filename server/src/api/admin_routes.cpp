// The admin API: users, their sessions and lockout, the audit log, tenants.
// authenticate_admin lets only admins in; AdminService confines each call to
// the admin's tenant (global admins: every tenant).
#include <charconv>

#include "api/route_support.hpp"

namespace sesame::server {

using http::Method;
using http::Request;
using http::Response;

namespace {

constexpr int kDefaultPage = 50;

// ?limit= as a number (the service checks its range); the default when absent.
std::optional<int> page_limit(const Request& request) {
  const auto text = request.query("limit");
  if (!text) return kDefaultPage;
  int limit = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), limit);
  if (error != std::errc{} || end != text->data() + text->size()) return std::nullopt;
  return limit;
}

std::string query_text(const Request& request, std::string_view name) {
  return std::string(request.query(name).value_or(""));
}

}  // namespace

void add_admin_routes(http::Router& router, const ApiServices& s) {
  AdminService& admin = *s.admin;

  router.add(Method::get, "/api/v1/admin/users", [s, &admin](const Request& request) {
    auto actor = authenticate_admin(request, s.tokens);
    if (!actor.ok()) return failure_response(actor.error());
    AdminUserFilter filter;
    const auto limit = page_limit(request);
    if (!limit) return failure_response(invalid_query_parameter("limit", "must be a number"));
    filter.limit = *limit;
    filter.email = query_text(request, "email");
    filter.cursor = query_text(request, "cursor");
    if (const auto disabled = request.query("disabled")) {
      if (*disabled != "true" && *disabled != "false") {
        return failure_response(invalid_query_parameter("disabled", "must be true or false"));
      }
      filter.disabled = *disabled == "true";
    }
    return or_failure(admin.list_users(*actor, filter),
                      [](const api::AdminUserList& page) { return Response::json(200, api::to_json(page)); });
  });

  // Hashes the password (or the invitation's placeholder): on the hashing pool.
  router.add_async(Method::post, "/api/v1/admin/users",
                   authorized_on_hashing_pool<api::AdminCreateUserRequest>(
                       s,
                       [&admin](const Principal& actor, const api::AdminCreateUserRequest& body,
                                const ClientContext& client) {
                         return or_failure(admin.create_user(actor, body, client), [](const api::User& user) {
                           return Response::json(201, api::to_json(user));
                         });
                       },
                       &authenticate_admin));

  router.add(Method::patch, "/api/v1/admin/users/:id", [s, &admin](const Request& request) {
    auto actor = authenticate_admin(request, s.tokens);
    if (!actor.ok()) return failure_response(actor.error());
    auto body = http::parse_json_body<api::AdminUpdateUserRequest>(request, s.max_body_bytes);
    if (!body) return Response::problem(body.problem());
    return or_failure(admin.update_user(*actor, UserId{std::string(request.path_param("id"))}, *body, client_of(request)),
                      [](const api::User& user) { return Response::json(200, api::to_json(user)); });
  });

  router.add(Method::delete_, "/api/v1/admin/users/:id/sessions", [s, &admin](const Request& request) {
    auto actor = authenticate_admin(request, s.tokens);
    if (!actor.ok()) return failure_response(actor.error());
    return or_failure(admin.revoke_sessions(*actor, UserId{std::string(request.path_param("id"))}, client_of(request)),
                      [](int) { return Response::no_content(); });
  });

  router.add(Method::delete_, "/api/v1/admin/users/:id/lockout", [s, &admin](const Request& request) {
    auto actor = authenticate_admin(request, s.tokens);
    if (!actor.ok()) return failure_response(actor.error());
    return or_failure(admin.clear_lockout(*actor, UserId{std::string(request.path_param("id"))}, client_of(request)),
                      [] { return Response::no_content(); });
  });

  router.add(Method::get, "/api/v1/admin/audit", [s, &admin](const Request& request) {
    auto actor = authenticate_admin(request, s.tokens);
    if (!actor.ok()) return failure_response(actor.error());
    AdminAuditFilter filter;
    const auto limit = page_limit(request);
    if (!limit) return failure_response(invalid_query_parameter("limit", "must be a number"));
    filter.limit = *limit;
    filter.user_id = query_text(request, "user_id");
    filter.type = query_text(request, "type");
    filter.cursor = query_text(request, "cursor");
    return or_failure(admin.list_audit(*actor, filter),
                      [](const api::AuditEventList& page) { return Response::json(200, api::to_json(page)); });
  });

  router.add(Method::get, "/api/v1/admin/tenants", [s, &admin](const Request& request) {
    auto actor = authenticate_admin(request, s.tokens);
    if (!actor.ok()) return failure_response(actor.error());
    return or_failure(admin.list_tenants(*actor),
                      [](const api::TenantList& list) { return Response::json(200, api::to_json(list)); });
  });

  router.add(Method::post, "/api/v1/admin/tenants", [s, &admin](const Request& request) {
    auto actor = authenticate_admin(request, s.tokens);
    if (!actor.ok()) return failure_response(actor.error());
    auto body = http::parse_json_body<api::AdminCreateTenantRequest>(request, s.max_body_bytes);
    if (!body) return Response::problem(body.problem());
    return or_failure(admin.create_tenant(*actor, *body, client_of(request)),
                      [](const api::Tenant& tenant) { return Response::json(201, api::to_json(tenant)); });
  });

  router.add(Method::patch, "/api/v1/admin/tenants/:id", [s, &admin](const Request& request) {
    auto actor = authenticate_admin(request, s.tokens);
    if (!actor.ok()) return failure_response(actor.error());
    auto body = http::parse_json_body<api::AdminUpdateTenantRequest>(request, s.max_body_bytes);
    if (!body) return Response::problem(body.problem());
    return or_failure(admin.update_tenant(*actor, request.path_param("id"), *body, client_of(request)),
                      [](const api::Tenant& tenant) { return Response::json(200, api::to_json(tenant)); });
  });
}

}  // namespace sesame::server
