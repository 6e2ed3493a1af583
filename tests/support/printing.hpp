#pragma once
// Lets Boost.Test print core types in failure messages.
#include <ostream>

#include "sesame/error.hpp"

namespace sesame {
inline std::ostream& operator<<(std::ostream& out, ErrorCode code) { return out << error_code_name(code); }
}  // namespace sesame
