#pragma once
// The OpenAPI 3.1 document of the HTTP API (server/openapi/openapi.json),
// compiled in by cmake/EmbedOpenApi.cmake and served at /api/v1/openapi.json.
// tests/contract keeps it true to what the server answers.

#include <string_view>

namespace sesame::server {

// The document's JSON text, byte for byte as in the source tree.
[[nodiscard]] std::string_view openapi_document() noexcept;

}  // namespace sesame::server
