#!/usr/bin/env bash
# Configures and builds a preset: scripts/build.sh native|sanitizers|wasm
set -euo pipefail
source "$(dirname "$0")/lib.sh"
preset=${1:-native}
cd "$SESAME_ROOT"
if [ "$preset" = wasm ]; then
  SESAME_WASM_DEPS_DIR=$("$SESAME_ROOT/scripts/build-wasm-deps.sh" | tail -1)
  export SESAME_WASM_DEPS_DIR
fi
step "Configure ($preset)"
cmake --preset "$preset" >/dev/null
step "Build ($preset)"
# ninja prints [done/total] progress on its own
cmake --build --preset "$preset" -j "$(jobs_count)"
