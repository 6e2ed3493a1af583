#include "auth/admin/admin_service.hpp"

#include <algorithm>
#include <charconv>

#include "auth/identifiers.hpp"
#include "auth/roles.hpp"
#include "sesame/encoding.hpp"

namespace sesame::server {
namespace {

constexpr int kMaxPage = 200;
const Failure kNoSuchUser{ErrorCode::not_found, "no such user", {}, std::nullopt};
const Failure kGlobalOnly{ErrorCode::forbidden, "this needs the global_admin role", {}, std::nullopt};

bool is_global(const Principal& actor) { return has_role(actor.roles, kGlobalAdminRole); }

// Cursors are opaque to clients: base64url of what the store pages by.
std::string encode_cursor(std::string_view plain) {
  return base64url_encode(as_bytes(plain));
}

std::optional<std::string> decode_cursor(std::string_view cursor) {
  auto bytes = base64url_decode(cursor);
  if (!bytes.ok()) return std::nullopt;
  return std::string(bytes->begin(), bytes->end());
}

// "<created_at>.<id>" of the last user of a page.
std::optional<std::pair<std::int64_t, std::string>> user_cursor(std::string_view cursor) {
  const auto plain = decode_cursor(cursor);
  if (!plain) return std::nullopt;
  const auto dot = plain->find('.');
  if (dot == std::string::npos || dot + 1 == plain->size()) return std::nullopt;
  std::int64_t created_at = 0;
  const auto [end, error] = std::from_chars(plain->data(), plain->data() + dot, created_at);
  if (error != std::errc{} || end != plain->data() + dot) return std::nullopt;
  return std::pair{created_at, plain->substr(dot + 1)};
}

api::Tenant to_api_tenant(const TenantRecord& tenant) {
  return {tenant.id, tenant.name, tenant.disabled, api::Timestamp{tenant.created_at}};
}

api::AuditEvent to_api_event(const AuditEventRecord& event) {
  api::AuditEvent out;
  out.id = event.id;
  out.type = event.type;
  out.created_at = api::Timestamp{event.created_at};
  const auto set = [](std::optional<std::string>& field, const std::string& value) {
    if (!value.empty()) field = value;
  };
  set(out.user_id, event.user_id);
  set(out.actor_id, event.actor_id);
  set(out.ip, event.ip);
  set(out.user_agent, event.user_agent);
  set(out.request_id, event.request_id);
  out.details = nlohmann::json::parse(event.details_json, nullptr, false);
  if (!out.details.is_object()) out.details = nlohmann::json::object();
  return out;
}

}  // namespace

Outcome<UserRecord> AdminService::visible_user(const Principal& actor, const UserId& id) {
  auto user = store_.find_user_by_id(id);
  if (!user.ok()) return to_failure(user.error());
  if (!user->has_value() || (!is_global(actor) && (*user)->tenant_id != actor.tenant_id)) return kNoSuchUser;
  return std::move(**user);
}

Outcome<api::AdminUserList> AdminService::list_users(const Principal& actor, const AdminUserFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxPage) {
    return invalid_query_parameter("limit", "must be 1 to " + std::to_string(kMaxPage));
  }
  UserQuery query;
  if (!is_global(actor)) query.tenant_id = actor.tenant_id;
  query.email_key_prefix = email_key(filter.email);
  query.disabled = filter.disabled;
  query.limit = filter.limit + 1;  // one more tells whether there is a next page
  if (!filter.cursor.empty()) {
    query.after = user_cursor(filter.cursor);
    if (!query.after) return invalid_query_parameter("cursor", "not a cursor this server gave out");
  }
  auto users = store_.list_users(query);
  if (!users.ok()) return to_failure(users.error());
  api::AdminUserList page;
  const bool more = static_cast<int>(users->size()) > filter.limit;
  if (more) users->resize(static_cast<std::size_t>(filter.limit));
  for (const auto& user : *users) page.users.push_back(to_api_user(user));
  if (more) page.next_cursor = encode_cursor(std::to_string(users->back().created_at) + "." + users->back().id.value);
  return page;
}

Outcome<api::User> AdminService::create_user(const Principal& actor, const api::AdminCreateUserRequest& request,
                                             const ClientContext& client) {
  NewAccount account;
  account.email = request.email;
  account.password = request.password;
  account.name = request.name;
  account.tenant_id = request.tenant_id.value_or(actor.tenant_id);
  if (account.tenant_id != actor.tenant_id && !is_global(actor)) return kGlobalOnly;
  if (request.roles) account.roles = *request.roles;
  if (has_role(account.roles, kGlobalAdminRole) && !is_global(actor)) return kGlobalOnly;
  account.password_must_change = true;  // the admin knows it; only the user may keep one
  account.event = "admin.user_created";
  account.actor_id = actor.user_id.value;
  return accounts_.create_account(account, client);
}

Outcome<api::User> AdminService::update_user(const Principal& actor, const UserId& id,
                                             const api::AdminUpdateUserRequest& request, const ClientContext& client) {
  auto user = visible_user(actor, id);
  if (!user.ok()) return user.error();
  UserChanges changes;
  nlohmann::json changed = nlohmann::json::object();
  if (request.name) {
    changes.name = request.name->value_or("");
    changed["name"] = *changes.name;
  }
  if (request.roles) {
    std::vector<std::string> roles = *request.roles;
    if (!has_role(roles, kUserRole)) roles.push_back(kUserRole);  // every user has `user`
    // Only a global admin gives or takes the global role.
    if (has_role(roles, kGlobalAdminRole) != has_role(user->roles, kGlobalAdminRole) && !is_global(actor)) {
      return kGlobalOnly;
    }
    changed["roles"] = roles;
    changes.roles = std::move(roles);
  }
  if (request.disabled) {
    changes.disabled = request.disabled;
    changed["disabled"] = *request.disabled;
  }
  if (request.email_verified) {
    changes.email_verified = request.email_verified;
    changed["email_verified"] = *request.email_verified;
  }
  const std::int64_t now = clock_.now_unix_seconds();
  auto updated = store_.update_user(id, changes, now, "disabled");
  if (!updated.ok()) return to_failure(updated.error());
  if (!updated->has_value()) return kNoSuchUser;
  audit_.record("admin.user_updated", now, id.value, client, {{"changes", changed}}, actor.user_id.value);
  return to_api_user(**updated);
}

Outcome<int> AdminService::revoke_sessions(const Principal& actor, const UserId& id, const ClientContext& client) {
  auto user = visible_user(actor, id);
  if (!user.ok()) return user.error();
  const std::int64_t now = clock_.now_unix_seconds();
  auto revoked = store_.revoke_user_sessions(id, std::nullopt, now, "admin");
  if (!revoked.ok()) return to_failure(revoked.error());
  audit_.record("admin.sessions_revoked", now, id.value, client, {{"sessions_revoked", *revoked}}, actor.user_id.value);
  return *revoked;
}

Outcome<void> AdminService::clear_lockout(const Principal& actor, const UserId& id, const ClientContext& client) {
  auto user = visible_user(actor, id);
  if (!user.ok()) return user.error();
  if (auto cleared = lockout_.clear(user->email_key); !cleared.ok()) return cleared;
  audit_.record("admin.lockout_cleared", clock_.now_unix_seconds(), id.value, client, nlohmann::json::object(),
                actor.user_id.value);
  return {};
}

Outcome<api::AuditEventList> AdminService::list_audit(const Principal& actor, const AdminAuditFilter& filter) {
  if (filter.limit < 1 || filter.limit > kMaxPage) {
    return invalid_query_parameter("limit", "must be 1 to " + std::to_string(kMaxPage));
  }
  AuditQuery query;
  query.user_id = filter.user_id;
  query.type = filter.type;
  if (!is_global(actor)) query.tenant_id = actor.tenant_id;
  query.limit = filter.limit + 1;
  if (!filter.cursor.empty()) {
    auto before = decode_cursor(filter.cursor);
    if (!before || before->empty()) return invalid_query_parameter("cursor", "not a cursor this server gave out");
    query.before_id = std::move(*before);
  }
  auto events = store_.list_audit_events(query);
  if (!events.ok()) return to_failure(events.error());
  api::AuditEventList page;
  const bool more = static_cast<int>(events->size()) > filter.limit;
  if (more) events->resize(static_cast<std::size_t>(filter.limit));
  for (const auto& event : *events) page.events.push_back(to_api_event(event));
  if (more) page.next_cursor = encode_cursor(events->back().id);
  return page;
}

Outcome<api::TenantList> AdminService::list_tenants(const Principal& actor) {
  if (!is_global(actor)) return kGlobalOnly;
  auto tenants = store_.list_tenants();
  if (!tenants.ok()) return to_failure(tenants.error());
  api::TenantList out;
  for (const auto& tenant : *tenants) out.tenants.push_back(to_api_tenant(tenant));
  return out;
}

Outcome<api::Tenant> AdminService::create_tenant(const Principal& actor, const api::AdminCreateTenantRequest& request,
                                                 const ClientContext& client) {
  if (!is_global(actor)) return kGlobalOnly;
  const std::int64_t now = clock_.now_unix_seconds();
  TenantRecord tenant{request.id, request.name.value_or(request.id), false, now};
  if (auto created = store_.create_tenant(tenant); !created.ok()) {
    if (created.code() == ErrorCode::tenant_exists) {
      return Failure{ErrorCode::tenant_exists, "a tenant with this id exists", {}, std::nullopt};
    }
    return to_failure(created.error());
  }
  audit_.record("admin.tenant_created", now, "", client, {{"tenant_id", tenant.id}}, actor.user_id.value);
  return to_api_tenant(tenant);
}

Outcome<api::Tenant> AdminService::update_tenant(const Principal& actor, std::string_view id,
                                                 const api::AdminUpdateTenantRequest& request,
                                                 const ClientContext& client) {
  if (!is_global(actor)) return kGlobalOnly;
  const std::int64_t now = clock_.now_unix_seconds();
  std::optional<TenantRecord> tenant;
  if (request.disabled) {
    auto updated = store_.set_tenant_disabled(id, *request.disabled, now, "tenant_disabled");
    if (!updated.ok()) return to_failure(updated.error());
    tenant = std::move(*updated);
  } else {
    auto found = store_.find_tenant(id);
    if (!found.ok()) return to_failure(found.error());
    tenant = std::move(*found);
  }
  if (!tenant) return Failure{ErrorCode::not_found, "no such tenant", {}, std::nullopt};
  if (request.disabled) {
    audit_.record("admin.tenant_updated", now, "", client, {{"tenant_id", tenant->id}, {"disabled", *request.disabled}},
                  actor.user_id.value);
  }
  return to_api_tenant(*tenant);
}

}  // namespace sesame::server
