#include "version.hpp"

namespace sesame::server {
std::string_view version() noexcept { return SESAME_VERSION; }
}  // namespace sesame::server
