# Shared by the scripts in this folder: progress output and the cache location.
# shellcheck shell=bash

SESAME_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# Built dependencies live outside the work tree so a fresh clone reuses them.
SESAME_CACHE_DIR="${SESAME_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/sesame}"
# Debian's emscripten needs Debian's node modules (acorn) when node comes from elsewhere.
export NODE_PATH="${NODE_PATH:+$NODE_PATH:}/usr/share/nodejs"

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }
note() { printf '    %s\n' "$*"; }
die() { printf '\033[31merror:\033[0m %s\n' "$*" >&2; exit 1; }

# Runs a command as root (directly when we are root, else through sudo).
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

jobs_count() { nproc 2>/dev/null || echo 2; }
