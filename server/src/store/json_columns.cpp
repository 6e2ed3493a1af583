#include "store/json_columns.hpp"

#include <nlohmann/json.hpp>

namespace sesame::server {

std::string encode_string_list(const std::vector<std::string>& items) {
  // replace: invalid UTF-8 must not throw from a store call
  return nlohmann::json(items).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::vector<std::string>> decode_string_list(std::string_view json_text) {
  const auto parsed = nlohmann::json::parse(json_text, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_array()) return Error{ErrorCode::internal_error, "stored list is not a JSON array"};
  std::vector<std::string> items;
  items.reserve(parsed.size());
  for (const auto& item : parsed) {
    if (!item.is_string()) return Error{ErrorCode::internal_error, "stored list holds a non-string"};
    items.push_back(item.get<std::string>());
  }
  return items;
}

}  // namespace sesame::server
