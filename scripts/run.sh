#!/usr/bin/env bash
# Installs what is needed, builds the server and runs it.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SESAME_ROOT"
"$SESAME_ROOT/scripts/bootstrap.sh"
"$SESAME_ROOT/scripts/build.sh" native
step "sesame-server"
exec "$SESAME_ROOT/build/native/server/sesame-server" "$@"
