#!/usr/bin/env bash
# Installs what is needed, builds the server and the browser SDK the demo page
# imports, and runs sesame-server with the demo page at / (dev mode: the dev
# mailbox shows the mail, and the refresh cookie works on plain http).
#   scripts/run.sh                  # http://127.0.0.1:8080/
#   scripts/run.sh serve --help     # any sesame-server arguments
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SESAME_ROOT"
"$SESAME_ROOT/scripts/bootstrap.sh"
"$SESAME_ROOT/scripts/build.sh" native
"$SESAME_ROOT/scripts/build.sh" wasm
export SESAME_DEV="${SESAME_DEV:-1}"
export SESAME_LISTEN="${SESAME_LISTEN:-127.0.0.1:8080}"
export SESAME_WEB_DIR="${SESAME_WEB_DIR:-$SESAME_ROOT/web-demo}"
export SESAME_SDK_DIR="${SESAME_SDK_DIR:-$SESAME_ROOT/build/wasm/package}"
step "sesame-server"
note "open http://${SESAME_LISTEN}/ for the demo page (Ctrl-C stops the server)"
exec "$SESAME_ROOT/build/native/server/sesame-server" "$@"
