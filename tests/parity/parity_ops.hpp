#pragma once
// Native/wasm parity: one evaluator of the core, compiled by g++ + libstdc++
// into parity_dump and by Emscripten (clang + libc++, 32-bit size_t) into a
// test-only wasm module. The wasm suite requires both to answer every case in
// cases.json with the same bytes.

#include <string>
#include <string_view>

namespace sesame::parity {

// Evaluates one case, a JSON object {"op": "...", ...arguments}, and returns
// its result as compact JSON text: {"ok":true,"value":...} or
// {"ok":false,"code":"...","detail":"..."}. Never throws.
[[nodiscard]] std::string evaluate_case(std::string_view case_json);

}  // namespace sesame::parity
