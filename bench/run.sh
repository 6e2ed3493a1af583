#!/usr/bin/env bash
# Load and micro benchmarks of sesame-server; see bench/README.md.
#
#   bench/run.sh      Release build, micro benchmarks, every phase on SQLite,
#                     then on a throwaway PostgreSQL, then two instances behind
#                     nginx; writes bench/RESULTS.md and bench/results.png.
#
# Environment: BENCH_SECONDS (12, each peak), BENCH_SUSTAIN_SECONDS (60, each run
# at 80 % of a peak), BENCH_CONNECTIONS (32), BENCH_THREADS (2), BENCH_USERS (500,
# the sign-in users), BENCH_MFA_USERS (500, enrolled users = size of one set of
# MFA pairs), BENCH_STORES ("sqlite postgres"), BENCH_NGINX (1), BENCH_TMPDIR (/tmp:
# where the SQLite file and the other scratch files go; its disk decides the fsync cost).
set -euo pipefail

# shellcheck source=../scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib.sh"
BENCH="$SESAME_ROOT/bench"
TOOLS="$BENCH/tools"

PEAK_SECONDS=${BENCH_SECONDS:-12}
SUSTAIN_SECONDS=${BENCH_SUSTAIN_SECONDS:-60}
SUSTAIN_SHARE=0.8
CONNECTIONS=${BENCH_CONNECTIONS:-32}
THREADS=${BENCH_THREADS:-2}
SIGNIN_USERS=${BENCH_USERS:-500}
MFA_USERS=${BENCH_MFA_USERS:-500}
STORES=${BENCH_STORES:-sqlite postgres}
WITH_NGINX=${BENCH_NGINX:-1}
TOKEN_USERS=64  # sessions behind the access tokens of `me` and the refresh chains

SERVER_BIN="$SESAME_ROOT/build/release/server/sesame-server"
MICRO_BIN="$SESAME_ROOT/build/release/bench/sesame-micro-bench"
WORK=$(mktemp -d "${BENCH_TMPDIR:-/tmp}/sesame-bench.XXXXXX")
RESULTS="$WORK/phases.jsonl"
PG_STATE="$WORK/postgres.state"
SERVER_PIDS=()
NGINX_PID=""
PG_PID=""

cleanup() {
  local pid
  for pid in "${SERVER_PIDS[@]}" $NGINX_PID; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${SERVER_PIDS[@]}" $NGINX_PID; do
    wait "$pid" 2>/dev/null || true
  done
  "$SESAME_ROOT/tests/support/postgres.sh" stop "$PG_STATE" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_server LOG VAR=VALUE... : a server with the defaults plus the given settings; waits for /readyz.
start_server() {
  local log=$1 listen
  shift
  env SESAME_RATE_LIMIT_PER_IP=0 "$@" "$SERVER_BIN" serve >"$log" 2>&1 &
  SERVER_PIDS+=("$!")
  listen=$(printf '%s\n' "$@" | sed -n 's/^SESAME_LISTEN=//p')
  for _ in $(seq 1 100); do
    if curl -fsS -o /dev/null "http://$listen/readyz" 2>/dev/null; then return 0; fi
    kill -0 "${SERVER_PIDS[-1]}" 2>/dev/null || { tail -20 "$log" >&2; die "sesame-server did not start"; }
    sleep 0.1
  done
  die "sesame-server on $listen was not ready after 10 s"
}

stop_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${SERVER_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  SERVER_PIDS=()
}

# measure STORE PHASE KIND SECONDS LOAD... (loads as measure.py takes them)
measure() {
  local store=$1 phase=$2 kind=$3 seconds=$4
  shift 4
  local args=(--out "$RESULTS" --store "$store" --phase "$phase" --kind "$kind" --seconds "$seconds")
  local pid load
  for pid in "${SERVER_PIDS[@]}"; do args+=(--server-pid "$pid"); done
  [ -z "$PG_PID" ] || args+=(--postgres-pid "$PG_PID")
  [ -z "$NGINX_PID" ] || args+=(--proxy-pid "$NGINX_PID")
  [ "$kind" = peak ] || args+=(--rate-share "$SUSTAIN_SHARE")
  for load in "$@"; do args+=(--load "$load"); done
  python3 "$TOOLS/measure.py" "${args[@]}"
}

# phase STORE PHASE PREPARE LOAD... : the peak, then the sustained run at 80 % of
# it. PREPARE (a function, or "true") makes fresh data before each run.
phase() {
  local store=$1 name=$2 prepare=$3
  shift 3
  note "$store / $name: peak for ${PEAK_SECONDS} s"
  "$prepare"
  measure "$store" "$name" peak "$PEAK_SECONDS" "$@"
  note "$store / $name: ${SUSTAIN_SECONDS} s at $SUSTAIN_SHARE of the peak"
  "$prepare"
  measure "$store" "$name" sustain "$SUSTAIN_SECONDS" "$@"
}

# The data the prepare functions fill, per store; BASE is the URL clients use.
BASE="" DATA=""
prepare_me() { python3 "$TOOLS/seed.py" tokens "$BASE" "$DATA/token-users" "$TOKEN_USERS" access_token "$DATA/access"; }
prepare_refresh() {
  python3 "$TOOLS/seed.py" tokens "$BASE" "$DATA/token-users" $((CONNECTIONS * 2)) refresh_token "$DATA/refresh"
}
prepare_mfa() { python3 "$TOOLS/seed.py" mfa-pairs "$BASE" "$DATA/mfa-users" "$DATA/mfa-pairs"; }

load() {  # load NAME SCRIPT DATA [THREADS CONNECTIONS [PATH]]: one --load of measure.py
  echo "name=$1,script=$2,data=$3,threads=${4:-$THREADS},connections=${5:-$CONNECTIONS},url=$BASE/${6:-}"
}

# bench_store STORE : seeds through $BASE, then every phase against the running server.
bench_store() {
  local store=$1
  DATA="$WORK/$store"
  mkdir -p "$DATA"
  step "$store: seeding over HTTP ($SIGNIN_USERS sign-in users, $TOKEN_USERS token users, $MFA_USERS with TOTP)"
  python3 "$TOOLS/seed.py" users "$BASE" "signin-$store" "$SIGNIN_USERS" "$DATA/signin-users"
  python3 "$TOOLS/seed.py" users "$BASE" "token-$store" "$TOKEN_USERS" "$DATA/token-users"
  note "enrolling TOTP (ten Argon2id backup-code hashes per user; about a minute for 500 users)"
  python3 "$TOOLS/seed.py" mfa-enrol "$BASE" "mfa-$store" "$MFA_USERS" "$DATA/mfa-users"

  step "$store: phases (wrk -t$THREADS -c$CONNECTIONS, ${PEAK_SECONDS} s peaks, ${SUSTAIN_SECONDS} s at 80 %)"
  phase "$store" jwks true "$(load jwks get.lua "" "" "" .well-known/jwks.json)"
  phase "$store" me prepare_me "$(load me me.lua "$DATA/access")"
  phase "$store" refresh prepare_refresh "$(load refresh refresh.lua "$DATA/refresh")"
  phase "$store" signin true "$(load signin signin.lua "$DATA/signin-users")"
  phase "$store" mfa prepare_mfa "$(load mfa mfa.lua "$DATA/mfa-pairs"),bounded=1"
  phase "$store" register true "$(load register register.lua "")"
  # Two wrk at once, one thread each: me while sign-ins keep the hashing pool full.
  phase "$store" me_under_signin prepare_me \
    "$(load me me.lua "$DATA/access" 1 "$CONNECTIONS")" \
    "$(load signin signin.lua "$DATA/signin-users" 1 "$CONNECTIONS")"
}

run_sqlite() {
  local port
  port=$(free_port)
  BASE="http://127.0.0.1:$port"
  step "SQLite: sesame-server on $BASE (fresh data dir)"
  start_server "$WORK/sqlite-server.log" SESAME_LISTEN="127.0.0.1:$port" SESAME_DATA_DIR="$WORK/sqlite-data"
  bench_store sqlite
  stop_servers
}

run_postgres() {
  local port pg_url
  step "PostgreSQL: a throwaway cluster (tests/support/postgres.sh)"
  "$SESAME_ROOT/tests/support/postgres.sh" start "$PG_STATE"
  pg_url=$(sed -n 's/^url=//p' "$PG_STATE")
  PG_PID=$(head -1 "$(sed -n 's/^root=//p' "$PG_STATE")/data/postmaster.pid")
  port=$(free_port)
  BASE="http://127.0.0.1:$port"
  step "PostgreSQL: sesame-server on $BASE"
  start_server "$WORK/postgres-server.log" SESAME_LISTEN="127.0.0.1:$port" SESAME_DATA_DIR="$WORK/postgres-data" \
    DATABASE_URL="$pg_url"
  bench_store postgres
  stop_servers
  if [ "$WITH_NGINX" = 1 ]; then run_nginx "$pg_url"; fi
}

# Two instances on the one PostgreSQL, sharing the first instance's data dir
# (its secrets), behind nginx with deploy/nginx/sesame.conf as it is.
run_nginx() {
  local pg_url=$1 front a b dir="$WORK/nginx"
  front=$(free_port) a=$(free_port) b=$(free_port)
  step "nginx: two instances on 127.0.0.1:$a and :$b behind 127.0.0.1:$front"
  mkdir -p "$dir"
  chmod 0755 "$WORK" "$dir"  # nginx workers may run as nobody
  sed -e "s/127\.0\.0\.1:8080/127.0.0.1:$front/; s/127\.0\.0\.1:8081/127.0.0.1:$a/; s/127\.0\.0\.1:8082/127.0.0.1:$b/" \
    "$SESAME_ROOT/deploy/nginx/sesame.conf" >"$dir/sesame.conf"
  cat >"$dir/nginx.conf" <<CONF
# bench/run.sh's own top level; the server block is deploy/nginx/sesame.conf.
daemon off;
worker_processes auto;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path $dir/client_body;
    proxy_temp_path $dir/proxy;
    fastcgi_temp_path $dir/fastcgi;
    uwsgi_temp_path $dir/uwsgi;
    scgi_temp_path $dir/scgi;
    include $dir/sesame.conf;
}
CONF
  local shared=(DATABASE_URL="$pg_url" SESAME_DATA_DIR="$WORK/postgres-data" SESAME_TRUST_PROXY=1
                SESAME_PUBLIC_URL="http://127.0.0.1:$front")
  start_server "$WORK/nginx-a.log" SESAME_LISTEN="127.0.0.1:$a" "${shared[@]}"
  start_server "$WORK/nginx-b.log" SESAME_LISTEN="127.0.0.1:$b" "${shared[@]}"
  /usr/sbin/nginx -p "$dir" -c "$dir/nginx.conf" &
  NGINX_PID=$!
  BASE="http://127.0.0.1:$front"
  for _ in $(seq 1 50); do curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && break; sleep 0.1; done
  curl -fsS -o /dev/null "$BASE/readyz" || die "nginx did not come up (see $dir/error.log)"
  DATA="$WORK/postgres"
  phase nginx me prepare_me "$(load me me.lua "$DATA/access")"
  phase nginx refresh prepare_refresh "$(load refresh refresh.lua "$DATA/refresh")"
  kill -TERM "$NGINX_PID"
  wait "$NGINX_PID" 2>/dev/null || true
  NGINX_PID=""
  stop_servers
}

step "Release build (sesame-server, sesame-micro-bench)"
cmake --preset release >"$WORK/configure.log" || { cat "$WORK/configure.log"; die "cmake configure failed"; }
cmake --build --preset release -j2

step "Micro benchmarks (Argon2id at the configured parameters, access token sign/verify, TOTP verify)"
"$MICRO_BIN" --benchmark_out="$WORK/micro.json" --benchmark_out_format=json

: >"$RESULTS"
for store in $STORES; do
  case "$store" in
    sqlite) run_sqlite ;;
    postgres) run_postgres ;;
    *) die "unknown store '$store' in BENCH_STORES" ;;
  esac
done

step "Report: bench/RESULTS.md and bench/results.png"
cp "$RESULTS" "$BENCH/results.jsonl"
cp "$WORK/micro.json" "$BENCH/micro.json"
python3 "$TOOLS/report.py" --results "$BENCH/results.jsonl" --micro "$BENCH/micro.json" --bench-dir "$BENCH" \
  --setting "BENCH_SECONDS=$PEAK_SECONDS" --setting "BENCH_SUSTAIN_SECONDS=$SUSTAIN_SECONDS" \
  --setting "BENCH_CONNECTIONS=$CONNECTIONS" --setting "BENCH_THREADS=$THREADS" \
  --setting "BENCH_USERS=$SIGNIN_USERS" --setting "BENCH_MFA_USERS=$MFA_USERS" --setting "BENCH_STORES=$STORES" \
  --setting "BENCH_NGINX=$WITH_NGINX" \
  --setting "SQLite data dir filesystem=$(df --output=fstype "$WORK" | tail -1) ($(df --output=source "$WORK" | tail -1))"
