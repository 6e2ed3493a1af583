#pragma once
// Lists of strings (roles, amr) are stored as JSON arrays in both dialects.

#include <string>
#include <string_view>
#include <vector>

#include "sesame/result.hpp"

namespace sesame::server {

[[nodiscard]] std::string encode_string_list(const std::vector<std::string>& items);
// internal_error when the column does not hold an array of strings.
[[nodiscard]] Result<std::vector<std::string>> decode_string_list(std::string_view json_text);

}  // namespace sesame::server
