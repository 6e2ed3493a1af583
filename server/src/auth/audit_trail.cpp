#include "auth/audit_trail.hpp"

#include <cstdio>

#include "auth/identifiers.hpp"

namespace sesame::server {

void AuditTrail::record(std::string_view type, std::int64_t now, std::string_view user_id,
                        const ClientContext& client, const nlohmann::json& details, std::string_view actor_id) {
  AuditEventRecord event;
  event.id = new_uuid_v7(now * 1000, random_);
  event.type = type;
  event.created_at = now;
  event.user_id = user_id;
  event.actor_id = actor_id;
  event.ip = client.ip;
  event.user_agent = client.user_agent;
  event.request_id = client.request_id;
  event.details_json = details.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (auto stored = store_.append_audit_event(event); !stored.ok()) {
    std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"audit event not stored\",\"type\":\"%s\",\"code\":\"%s\"}\n",
                 event.type.c_str(), std::string(error_code_name(stored.code())).c_str());
  }
}

}  // namespace sesame::server
