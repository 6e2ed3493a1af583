#!/usr/bin/env bash
# Installs what is needed, builds everything and runs every test suite:
#   Boost.Test through ctest (native, then again under ASan + UBSan),
#   the fault tests (label `fault`: kill -9, a PostgreSQL outage, a full disk) on their own,
#   node --test for the browser SDK (its package, the wasm core, a real server),
#   node --test contract tests of server/openapi/openapi.json against the real server,
#   Playwright journeys through the demo page in Debian's Chromium,
#   node --test of the Next.js example (examples/nextjs): both bundlers, Playwright in Chromium,
#   libFuzzer targets (fuzz/, clang with ASan + UBSan) for 30 s each.
# Every suite runs even if an earlier one fails; the exit code is non-zero if any failed.
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SESAME_ROOT"

"$SESAME_ROOT/scripts/bootstrap.sh" || die "bootstrap failed"
"$SESAME_ROOT/scripts/build.sh" native || die "native build failed"
"$SESAME_ROOT/scripts/build.sh" wasm || die "wasm build failed"
"$SESAME_ROOT/scripts/build.sh" sanitizers || die "sanitizer build failed"

failed=()

step "Native tests (ctest)"
ctest --preset native -j "$(jobs_count)" -LE fault || failed+=("ctest")

step "Fault tests (ctest -L fault: the real server under kill -9, a PostgreSQL outage, a full disk)"
# Alone, so that their timing bounds (recovery within 5 s) do not share the 2 cores.
ctest --preset native -L fault --output-on-failure || failed+=("fault tests")

step "Native tests under AddressSanitizer + UBSan (ctest)"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
  ctest --preset sanitizers -j "$(jobs_count)" -LE fault || failed+=("ctest (sanitizers)")

step "Browser SDK and WebAssembly tests (node --test)"
# The SDK's tests import the package as the wasm build staged it, talk to a real
# sesame-server, and type-check and bundle it with the devDependencies.
if npm ci --no-audit --no-fund --loglevel=error --prefix wasm >/dev/null; then
  SESAME_SDK_DIR="$SESAME_ROOT/build/wasm/package" \
  SESAME_SERVER_BIN="$SESAME_ROOT/build/native/server/sesame-server" \
  SESAME_NATIVE_BUILD="$SESAME_ROOT/build/native" \
    node --test wasm/test/*.test.mjs || failed+=("node --test (SDK)")
else
  failed+=("SDK tests (npm ci)")
fi

step "Contract tests (node --test)"
if npm ci --no-audit --no-fund --loglevel=error --prefix tests/contract >/dev/null; then
  SESAME_SERVER_BIN="$SESAME_ROOT/build/native/server/sesame-server" \
    node --test tests/contract/*.test.mjs || failed+=("contract tests")
else
  failed+=("contract tests (npm ci)")
fi

step "End-to-end journeys of the demo page (Playwright, Debian's Chromium)"
# The suite starts its own sesame-server (fresh data dir, dev mode, 30 s access
# tokens); Playwright never downloads a browser here.
if PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error --prefix e2e >/dev/null; then
  (cd e2e && SESAME_SERVER_BIN="$SESAME_ROOT/build/native/server/sesame-server" \
    SESAME_SDK_DIR="$SESAME_ROOT/build/wasm/package" npx playwright test) || failed+=("e2e (Playwright)")
else
  failed+=("e2e (npm ci)")
fi

step "Next.js example: Turbopack and webpack builds, journeys in Chromium (node --test)"
# The example installs its lockfile's packages, the SDK among them as a link to
# build/wasm/package (staged above); the test builds the app with each bundler,
# starts each build and drives it in Debian's Chromium against a real server.
# No browser download, no telemetry: nothing but loopback and the npm registry.
if PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefer-offline --no-audit --no-fund --loglevel=error --prefix examples/nextjs >/dev/null; then
  NEXT_TELEMETRY_DISABLED=1 SESAME_SERVER_BIN="$SESAME_ROOT/build/native/server/sesame-server" \
    node --test examples/nextjs/test/*.test.mjs || failed+=("Next.js example")
else
  failed+=("Next.js example (npm ci)")
fi

step "Fuzzing: every libFuzzer target for 30 s, two at a time (scripts/fuzz.sh)"
# About 90 s on 2 cores after the fuzz build; scripts/fuzz.sh 600 is the long run.
"$SESAME_ROOT/scripts/fuzz.sh" 30 || failed+=("fuzzing")

if [ ${#failed[@]} -gt 0 ]; then
  printf '\n\033[31mFAILED:\033[0m %s\n' "${failed[*]}"
  exit 1
fi
printf '\n\033[32mAll test suites passed.\033[0m\n'
