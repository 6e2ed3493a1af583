#pragma once
// application/x-www-form-urlencoded bodies (RFC 7662 introspection requests
// come as forms): decoded into a JSON object of strings, so that the route
// validates them with the same contract type as a JSON body.
#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

namespace sesame::server::http {

// "application/x-www-form-urlencoded", any case, parameters allowed.
[[nodiscard]] bool is_form_media_type(std::string_view content_type) noexcept;

// {"name": "value", ...}; a repeated name keeps its first value. Empty when a
// percent escape is broken or a value is not UTF-8.
[[nodiscard]] std::optional<nlohmann::json> decode_form(std::string_view body);

}  // namespace sesame::server::http
