#!/usr/bin/env bash
# Builds the libFuzzer targets (preset `fuzz`: clang, ASan + UBSan) and runs
# each one for SECONDS (default 30), two at a time, from its committed seed
# corpus (fuzz/corpus/<target>/). New interesting inputs go to
# build/fuzz/corpus/<target>/ (not committed); a crashing input is saved as
# build/fuzz/crashes/<target>/crash-<sha1> and the script exits non-zero.
#   scripts/fuzz.sh            # ~30 s per target (the test command's step)
#   scripts/fuzz.sh 600        # the long run
#   scripts/fuzz.sh 60 fuzz_http_request   # some targets only
set -uo pipefail
source "$(dirname "$0")/lib.sh"
cd "$SESAME_ROOT"

seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(fuzz_jws fuzz_encoding fuzz_otpauth fuzz_contract fuzz_http_headers fuzz_http_request)
parallel=${SESAME_FUZZ_PARALLEL:-2}

step "Build the fuzz targets (preset fuzz)"
cmake --preset fuzz >/dev/null || die "cmake --preset fuzz failed (is clang-14 installed? scripts/bootstrap.sh)"
cmake --build --preset fuzz -j "$(jobs_count)" || die "fuzz build failed"

out="$SESAME_ROOT/build/fuzz"
run_target() {
  local target=$1
  mkdir -p "$out/corpus/$target" "$out/crashes/$target" "$out/logs"
  # -max_total_time bounds the run; -rss_limit_mb keeps two targets within CI memory.
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
    "$out/fuzz/$target" -max_total_time="$seconds" -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
      -artifact_prefix="$out/crashes/$target/" "$out/corpus/$target" "fuzz/corpus/$target" \
      >"$out/logs/$target.log" 2>&1
}

step "Fuzz ${#targets[@]} targets for ${seconds} s each, ${parallel} at a time"
declare -A status
pending=("${targets[@]}")
running=()
declare -A pid_of
while [ ${#pending[@]} -gt 0 ] || [ ${#running[@]} -gt 0 ]; do
  while [ ${#pending[@]} -gt 0 ] && [ ${#running[@]} -lt "$parallel" ]; do
    target=${pending[0]}
    pending=("${pending[@]:1}")
    note "start  $target"
    run_target "$target" &
    pid_of[$target]=$!
    running+=("$target")
  done
  wait -n 2>/dev/null || true
  still=()
  for target in "${running[@]}"; do
    if kill -0 "${pid_of[$target]}" 2>/dev/null; then
      still+=("$target")
    else
      wait "${pid_of[$target]}"
      status[$target]=$?
      runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$out/logs/$target.log" | grep -o '[0-9]*$')
      note "done   $target (exit ${status[$target]}, ${runs:-?} runs)"
    fi
  done
  running=("${still[@]}")
done

step "Summary"
crashed=()
for target in "${targets[@]}"; do
  if [ "${status[$target]}" -eq 0 ]; then
    note "ok       $target"
  else
    crashed+=("$target")
    note "FAILED   $target: log $out/logs/$target.log"
    for input in "$out/crashes/$target"/*; do [ -e "$input" ] && note "         input $input"; done
  fi
done
if [ ${#crashed[@]} -gt 0 ]; then
  printf '\n\033[31mFuzzing found crashes in:\033[0m %s\n' "${crashed[*]}"
  note "reproduce: build/fuzz/fuzz/<target> <input>"
  exit 1
fi
printf '\n\033[32mNo crashes in %s targets.\033[0m\n' "${#targets[@]}"
