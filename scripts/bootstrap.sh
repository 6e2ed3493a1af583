#!/usr/bin/env bash
# Installs every Debian package Sesame needs. Idempotent and quick when
# everything is already there (no apt-get update unless something is missing).
#   scripts/bootstrap.sh          # build, run and test dependencies
set -euo pipefail
source "$(dirname "$0")/lib.sh"

PACKAGES=(
  # toolchains
  build-essential cmake ninja-build pkg-config git ca-certificates
  emscripten nodejs npm
  # the fuzz preset: clang with libFuzzer and the sanitizer runtimes
  clang-14 libclang-rt-14-dev
  # core libraries
  libsodium-dev nlohmann-json3-dev libqrcodegen-dev john-data python3-zxcvbn
  # server
  libpistache-dev libpqxx-dev libsqlite3-dev libcli11-dev libcurl4-openssl-dev
  # tests and benchmarks
  libboost-test-dev postgresql chromium wrk libbenchmark-dev
  zbar-tools librsvg2-bin  # the QR test renders the SVG and scans it back
  jq oathtool  # the README's curl examples: reading answers, and an authenticator on the command line
  # the proxy of the scale-out test and bench (Debian starts its own nginx on port 80 when
  # it can; both run theirs with their own config, prefix and ports, and leave that one alone)
  nginx-light
  gnuplot-nox  # bench's chart
  # building the wasm dependencies from Debian source packages
  dpkg-dev autoconf automake libtool
)

step "System packages"
missing=()
for pkg in "${PACKAGES[@]}"; do
  # node may come from another source (e.g. NodeSource's nodejs 20): keep it
  if [ "$pkg" = nodejs ] && command -v node >/dev/null; then continue; fi
  if [ "$pkg" = npm ] && command -v npm >/dev/null; then continue; fi
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then
  note "all ${#PACKAGES[@]} packages present"
else
  note "installing: ${missing[*]}"
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
fi

node_major=$(node -p 'process.versions.node.split(".")[0]')
note "node $(node --version), npm $(npm --version), cmake $(cmake --version | head -1 | cut -d' ' -f3)"
[ "$node_major" -ge 18 ] || die "node >= 18 is required (found $(node --version))"
