#pragma once
// outcome_of(result): "ok" or the error code's wire name, so a check against an
// expected error fails with a readable message (instead of reading the error of
// a successful Result).
#include <string>

#include "sesame/error.hpp"
#include "sesame/result.hpp"

namespace sesame::test {

template <class T>
std::string outcome_of(const Result<T>& result) {
  return result.ok() ? std::string("ok") : std::string(error_code_name(result.code()));
}

}  // namespace sesame::test
