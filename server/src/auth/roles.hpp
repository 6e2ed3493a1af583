#pragma once
// The roles the server itself gives meaning to. Every user has `user`; `admin`
// opens the admin routes for the admin's own tenant; `global_admin` opens them
// for every tenant and manages tenants. Other roles are the application's.
#include <algorithm>
#include <string_view>
#include <vector>
#include <string>

namespace sesame::server {

inline constexpr char kUserRole[] = "user";
inline constexpr char kAdminRole[] = "admin";
inline constexpr char kGlobalAdminRole[] = "global_admin";

[[nodiscard]] inline bool has_role(const std::vector<std::string>& roles, std::string_view role) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

}  // namespace sesame::server
