#!/usr/bin/env bash
# A throwaway PostgreSQL + PostGIS server on 127.0.0.1 for the store tests and benchmarks.
#
#   scripts/pg_test_server.sh start [DIR]   install Debian's packages if needed (as root), initdb DIR, start the
#                                           server, create database frontlines_test with PostGIS; the last line
#                                           printed on stdout is its URL (for FRONTLINES_TEST_PG / FRONTLINES_DB)
#   scripts/pg_test_server.sh stop [DIR]    stop it and remove DIR
#
# DIR defaults to $FRONTLINES_PG_DIR or /tmp/frontlines-pg; the port to $FRONTLINES_PG_PORT or 54329 (the next
# free one is taken if that is busy). The server trusts local connections and runs with fsync off: test data only.
set -euo pipefail
cmd="${1:-start}"
DIR="${2:-${FRONTLINES_PG_DIR:-/tmp/frontlines-pg}}"
PORT="${FRONTLINES_PG_PORT:-54329}"
DB=frontlines_test

say() { echo "pg_test_server: $*" >&2; }

pg_bindir() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  return 1
}

has_postgis() {
  local v
  v="$(basename "$(dirname "$1")")"
  [ -f "/usr/share/postgresql/$v/extension/postgis.control" ]
}

install_packages() {
  local bin v
  if bin="$(pg_bindir)" && has_postgis "$bin"; then return 0; fi
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    say "PostgreSQL/PostGIS not installed and cannot install them (needs root and apt-get)"
    return 1
  fi
  say "installing PostgreSQL and PostGIS from Debian's packages"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
  bin="$(pg_bindir)" || { say "postgresql installed no server binaries"; return 1; }
  v="$(basename "$(dirname "$bin")")"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-$v-postgis-3" >&2
  has_postgis "$bin" || { say "postgresql-$v-postgis-3 did not install the postgis extension"; return 1; }
}

as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

stop() {
  local bin
  bin="$(pg_bindir)" || return 0
  if [ -f "$DIR/data/postmaster.pid" ]; then
    as_owner "$bin/pg_ctl" -D "$DIR/data" -m fast -w stop >&2 || true
  fi
  rm -rf "$DIR"
}

start() {
  install_packages
  local bin port
  bin="$(pg_bindir)"
  stop
  mkdir -p "$DIR"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    chown postgres "$DIR"
  fi
  as_owner "$bin/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  for port in $(seq "$PORT" $((PORT + 20))); do
    if as_owner "$bin/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >&2; then
      break
    fi
    say "port $port busy or server failed (see $DIR/server.log); trying the next"
    port=""
  done
  [ -n "$port" ] || { say "could not start the server"; return 1; }
  "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d postgres -c "CREATE DATABASE $DB" >&2
  "$bin/psql" -q -h 127.0.0.1 -p "$port" -U postgres -d "$DB" -c "CREATE EXTENSION IF NOT EXISTS postgis" >&2
  echo "postgresql://postgres@127.0.0.1:$port/$DB"
}

case "$cmd" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop [DIR]" >&2; exit 2 ;;
esac
