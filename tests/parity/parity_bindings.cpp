// The test-only wasm module: exposes the shared parity evaluator to node.
#include <emscripten/bind.h>
#include <sodium.h>

#include "parity_ops.hpp"

namespace {
[[maybe_unused]] const int sodium_ready = sodium_init();
std::string evaluate(const std::string& case_json) { return sesame::parity::evaluate_case(case_json); }
}  // namespace

EMSCRIPTEN_BINDINGS(sesame_parity) { emscripten::function("evaluateCase", &evaluate); }
