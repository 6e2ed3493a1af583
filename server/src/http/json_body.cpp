#include "http/json_body.hpp"

namespace sesame::server::http {

bool is_json_media_type(std::string_view content_type) noexcept {
  const std::size_t end = content_type.find(';');
  std::string_view type = content_type.substr(0, end);
  while (!type.empty() && (type.back() == ' ' || type.back() == '\t')) type.remove_suffix(1);
  while (!type.empty() && (type.front() == ' ' || type.front() == '\t')) type.remove_prefix(1);
  return equals_ignoring_case(type, "application/json");
}

}  // namespace sesame::server::http
