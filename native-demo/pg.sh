#!/usr/bin/env bash
# pg.sh - a throw-away PostgreSQL for the libpq demo and its test (self-contained: installs what is
# missing with apt, runs the server as the `postgres` user, since postgres refuses to run as root).
#
#   pg.sh start DIR   initdb in DIR/data (trust auth, loopback only, max_connections 1200), start on a
#                     free port; prints "port=<N>" and writes it to DIR/port
#   pg.sh stop DIR    stop the server started in DIR and delete DIR
set -euo pipefail

PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
die() { echo "pg.sh: $*" >&2; exit 1; }

ensure_installed() {
  if [ -x "$PG_BIN/postgres" ] && [ -e /usr/lib/x86_64-linux-gnu/libpq.so.5 ]; then return; fi
  [ "$(id -u)" = 0 ] || die "PostgreSQL 15 and libpq5 are missing; install them: apt-get install postgresql-15 libpq5"
  echo "pg.sh: installing postgresql-15 and libpq5 with apt" >&2
  (apt-get install -y -q postgresql-15 libpq5 libpq-dev >/dev/null 2>&1 ||
     { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q postgresql-15 libpq5 libpq-dev >/dev/null; }) ||
    die "apt-get install postgresql-15 libpq5 failed"
  [ -x "$PG_BIN/postgres" ] || die "no $PG_BIN/postgres after installing; set PG_BIN"
}

# as_pg CMD...: run as the postgres user when we are root (postgres refuses root), else as ourselves
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
}

start() {
  local dir=$1
  ensure_installed
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres: "$dir"
  as_pg "$PG_BIN/initdb" -D "$dir/data" -A trust -U postgres --no-sync >"$dir/initdb.log" 2>&1 ||
    { cat "$dir/initdb.log" >&2; die "initdb failed"; }
  local port
  port=$(free_port)
  cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$dir'
max_connections = 1200
shared_buffers = 32MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
CONF
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 120 start >/dev/null ||
    { tail -20 "$dir/server.log" >&2; die "pg_ctl start failed"; }
  echo "$port" >"$dir/port"
  echo "port=$port"
}

stop() {
  local dir=$1
  if [ -f "$dir/data/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
}

case "${1:-}" in
  start) start "${2:?DIR}" ;;
  stop) stop "${2:?DIR}" ;;
  *) sed -n '2,8p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
