#pragma once
// Audit events for every security-relevant change. Writing one never fails the
// request that caused it (the change already happened); a failure is logged.

#include <nlohmann/json.hpp>

#include <string>
#include <string_view>

#include "auth/service.hpp"
#include "sesame/random.hpp"
#include "store/store.hpp"

namespace sesame::server {

class AuditTrail {
 public:
  AuditTrail(AuditStore& store, RandomSource& random) : store_(store), random_(random) {}

  void record(std::string_view type, std::int64_t now, std::string_view user_id, const ClientContext& client,
              const nlohmann::json& details = nlohmann::json::object(), std::string_view actor_id = {});

 private:
  AuditStore& store_;
  RandomSource& random_;
};

}  // namespace sesame::server
