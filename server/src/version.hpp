#pragma once
#include <string_view>

namespace sesame::server {
[[nodiscard]] std::string_view version() noexcept;
}
