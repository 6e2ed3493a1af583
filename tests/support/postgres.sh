#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests, in a temp dir, reachable only
# through a Unix socket in that dir, with trust authentication.
#
#   postgres.sh start   STATE   initdb + start a fresh cluster; write STATE
#   postgres.sh stop    STATE   stop it and remove every trace (idempotent)
#   postgres.sh halt    STATE   stop the server, keep its data (an outage)
#   postgres.sh resume  STATE   start it again after `halt`
#   postgres.sh restart STATE   pg_ctl restart
#
# STATE is a file of key=value lines: root, host, port, url (libpq URI of the
# `postgres` database as user `postgres`). initdb refuses to run as root, so as
# root every PostgreSQL program runs as the `postgres` user (Debian's
# postgresql package creates it). SESAME_PG_BINDIR overrides where initdb and
# pg_ctl are looked up (default: the newest /usr/lib/postgresql/*/bin).
set -euo pipefail

usage() { echo "usage: $0 start|stop|halt|resume|restart STATE_FILE" >&2; exit 2; }
[ $# -eq 2 ] || usage
command=$1
state=$2

find_bindir() {
  if [ -n "${SESAME_PG_BINDIR:-}" ]; then echo "$SESAME_PG_BINDIR"; return; fi
  local dir
  dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
  if [ -n "$dir" ] && [ -x "$dir/initdb" ]; then echo "$dir"; return; fi
  if command -v initdb >/dev/null; then dirname "$(command -v initdb)"; return; fi
  echo "postgres.sh: no PostgreSQL server binaries (install Debian's postgresql package)" >&2
  exit 1
}

# Runs a PostgreSQL program as the user that owns the cluster.
as_postgres() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

read_state() {
  [ -f "$state" ] || return 1
  root=$(sed -n 's/^root=//p' "$state")
  [ -n "$root" ] || return 1
}

pg_ctl_cmd() {
  # cd: pg_ctl as `postgres` may not be allowed into the caller's directory
  (cd "$root" && as_postgres "$(find_bindir)/pg_ctl" -D "$root/data" "$@")
}

# A port number no one listens on. With listen_addresses='' it only names the
# socket file (in our own dir) and seeds the shared-memory key, but a free one
# keeps the log honest.
free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return; fi
  done
  echo "postgres.sh: no free port found" >&2
  exit 1
}

start() {
  if read_state; then stop; fi
  local bindir port
  bindir=$(find_bindir)
  root=$(mktemp -d /tmp/sesame-pg.XXXXXX)
  chmod 0755 "$root"
  if [ "$(id -u)" -eq 0 ]; then chown postgres: "$root"; fi
  port=$(free_port)
  if ! (cd "$root" && as_postgres "$bindir/initdb" -D "$root/data" -U postgres -A trust -E UTF8 --locale=C \
          --no-sync >"$root/initdb.log" 2>&1); then
    cat "$root/initdb.log" >&2
    rm -rf "$root"
    exit 1
  fi
  # Tests need speed, not durability.
  as_postgres tee -a "$root/data/postgresql.conf" >/dev/null <<CONF
listen_addresses = ''
unix_socket_directories = '$root'
port = $port
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
CONF
  if ! pg_ctl_cmd -l "$root/postgres.log" -w -t 60 start >/dev/null; then
    cat "$root/postgres.log" >&2 || true
    rm -rf "$root"
    exit 1
  fi
  mkdir -p "$(dirname "$state")"
  cat >"$state.tmp" <<STATE
root=$root
host=$root
port=$port
url=postgresql://postgres@/postgres?host=$root&port=$port
STATE
  mv "$state.tmp" "$state"
  echo "postgres.sh: PostgreSQL on $root/.s.PGSQL.$port"
}

stop() {
  read_state || return 0
  if [ -d "$root/data" ]; then
    pg_ctl_cmd -m immediate -w stop >/dev/null 2>&1 || true
  fi
  rm -rf "$root"
  rm -f "$state"
}

case "$command" in
  start) start ;;
  stop) stop ;;
  halt) read_state || { echo "postgres.sh: no state in $state" >&2; exit 1; }; pg_ctl_cmd -m fast -w stop >/dev/null ;;
  resume) read_state || { echo "postgres.sh: no state in $state" >&2; exit 1; }
          pg_ctl_cmd -l "$root/postgres.log" -w -t 60 start >/dev/null ;;
  restart) read_state || { echo "postgres.sh: no state in $state" >&2; exit 1; }
           pg_ctl_cmd -l "$root/postgres.log" -m fast -w -t 60 restart >/dev/null ;;
  *) usage ;;
esac
