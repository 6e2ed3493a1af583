#pragma once
// Who a valid bearer token speaks for.

#include <string>
#include <vector>

#include "auth/roles.hpp"
#include "store/records.hpp"

namespace sesame::server {

struct Principal {
  UserId user_id;
  SessionId session_id;
  std::vector<std::string> roles;
  std::vector<std::string> amr;
  std::string scope;  // empty: full access; kEnrolmentScope / kPasswordChangeScope: restricted
  std::string tenant_id;
};

[[nodiscard]] inline bool is_admin(const Principal& who) {
  return has_role(who.roles, kAdminRole) || has_role(who.roles, kGlobalAdminRole);
}

}  // namespace sesame::server
