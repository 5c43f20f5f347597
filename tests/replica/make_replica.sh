#!/usr/bin/env bash
# A streaming read replica of a local PostgreSQL server, for the replica tests
# (tests/replica/) and for a developer trying DATELINE_DATABASE_REPLICA_URLS.
#
#   tests/replica/make_replica.sh [start]   make it (or reuse the running one)
#   tests/replica/make_replica.sh stop      stop it (its directory is kept)
#   tests/replica/make_replica.sh remove    stop it and delete its directory
#
# `start` prints the replica's URL on its last line (without a database: the
# tests use the test database's name on it), for DATELINE_TEST_REPLICA_URL.
#
# It copies the primary with `pg_basebackup -R` into a directory of its own
# (never the primary's), writes its own postgresql.conf and pg_hba.conf there
# (loopback only), and starts it on another port with the server's pg_ctl, as
# the postgres user when run as root (PostgreSQL refuses root). Idempotent: a
# replica already streaming on the port is reused (its replay resumed if a
# test left it paused); one that stopped, or lost the WAL it needs, is made
# afresh. It changes nothing of the primary: where the primary's pg_hba.conf
# allows no replication connection from 127.0.0.1 it says which line is
# missing and exits with status 3.
#
# Environment (defaults in brackets):
#   DATELINE_REPLICA_PRIMARY_HOST [127.0.0.1]  DATELINE_REPLICA_PRIMARY_PORT [5432]
#   DATELINE_REPLICA_USER [postgres]           DATELINE_REPLICA_PORT [5433]
#   DATELINE_REPLICA_DIR [/tmp/dateline-replica-<port>]
#   DATELINE_PG_BIN [/usr/lib/postgresql/<the primary's major version>/bin]
set -euo pipefail

ACTION="${1:-start}"
PRIMARY_HOST="${DATELINE_REPLICA_PRIMARY_HOST:-127.0.0.1}"
PRIMARY_PORT="${DATELINE_REPLICA_PRIMARY_PORT:-5432}"
PGUSER_NAME="${DATELINE_REPLICA_USER:-postgres}"
PORT="${DATELINE_REPLICA_PORT:-5433}"
DIR="${DATELINE_REPLICA_DIR:-/tmp/dateline-replica-$PORT}"
MARKER="dateline-test-replica"  # a file in DIR: only such a directory is ever deleted
URL="postgres://$PGUSER_NAME@127.0.0.1:$PORT"

say() { echo "make_replica: $*" >&2; }

primary_sql() {
  psql -X -At -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PGUSER_NAME" -d postgres -c "$1"
}
replica_sql() {
  psql -X -At -h 127.0.0.1 -p "$PORT" -U "$PGUSER_NAME" -d postgres -c "$1" 2>/dev/null
}

# PostgreSQL refuses to run as root: the directory and the server belong to
# the postgres user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_bin() {
  if [ -n "${DATELINE_PG_BIN:-}" ]; then echo "$DATELINE_PG_BIN"; return; fi
  local major
  major="$(primary_sql 'SHOW server_version_num' | cut -c1-2)"
  echo "/usr/lib/postgresql/$major/bin"
}

is_streaming() {
  # In recovery, with its WAL receiver streaming from the primary.
  [ "$(replica_sql "SELECT pg_is_in_recovery() AND EXISTS (SELECT 1 FROM pg_stat_wal_receiver WHERE status = 'streaming')")" = t ]
}

caught_up() {
  # Streaming, and replayed all the primary had written when asked: a
  # replica that lost the WAL it needs streams for a moment, then fails.
  local target
  target="$(primary_sql 'SELECT pg_current_wal_lsn()')"
  is_streaming && [ "$(replica_sql "SELECT pg_last_wal_replay_lsn() >= '$target'::pg_lsn")" = t ]
}

wait_caught_up() {
  # $1 tries, half a second apart; $2 (optional) the size of the server's log
  # before it started: the primary having removed the WAL it needs ends the
  # wait at once.
  for _ in $(seq 1 "$1"); do
    if caught_up; then return 0; fi
    if [ -n "${2:-}" ] && tail -c "+$(($2 + 1))" "$DIR/server.log" 2>/dev/null |
        grep -q "has already been removed"; then
      return 1
    fi
    sleep 0.5
  done
  return 1
}

stop_replica() {
  if [ -f "$DIR/$MARKER" ] && [ -f "$DIR/postmaster.pid" ]; then
    as_owner "$(pg_bin)/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null || true
  fi
}

remove_replica() {
  stop_replica
  if [ -e "$DIR" ]; then
    if [ ! -f "$DIR/$MARKER" ]; then
      say "$DIR exists and was not made by this script; not touching it."
      exit 1
    fi
    rm -rf "$DIR"
  fi
}

case "$ACTION" in
  stop) stop_replica; exit 0 ;;
  remove) remove_replica; exit 0 ;;
  start) ;;
  *) say "unknown action $ACTION (start, stop or remove)"; exit 64 ;;
esac

if ! pg_isready -q -h "$PRIMARY_HOST" -p "$PRIMARY_PORT"; then
  say "the primary at $PRIMARY_HOST:$PRIMARY_PORT does not answer."
  exit 1
fi

# Reuse: already streaming here. A test that paused replay and died before
# resuming it must not leave the next run a replica that never catches up.
if is_streaming; then
  replica_sql "SELECT pg_wal_replay_resume() WHERE pg_is_wal_replay_paused()" >/dev/null || true
  wait_caught_up 120 || say "the replica on port $PORT is slow to catch up."
  say "reusing the replica streaming on port $PORT ($DIR)."
  echo "$URL"
  exit 0
fi
if pg_isready -q -h 127.0.0.1 -p "$PORT" && [ ! -f "$DIR/postmaster.pid" ]; then
  say "port $PORT is taken by a server that is not this script's streaming replica."
  exit 1
fi

# The primary must let this user open a replication connection from here.
if ! psql -X -At "host=$PRIMARY_HOST port=$PRIMARY_PORT user=$PGUSER_NAME dbname=postgres replication=true" \
    -c "IDENTIFY_SYSTEM" >/dev/null 2>&1; then
  say "the primary refuses a replication connection from $PRIMARY_HOST as $PGUSER_NAME."
  say "Its pg_hba.conf ($(primary_sql 'SHOW hba_file' 2>/dev/null || echo 'pg_hba.conf')) needs a line such as"
  say "    host  replication  $PGUSER_NAME  127.0.0.1/32  trust"
  say "then SELECT pg_reload_conf(); this script changes nothing of the primary."
  exit 3
fi

BIN="$(pg_bin)"

# Stopped, or lost the WAL it needs: start it and give it a moment; else afresh.
if [ -f "$DIR/$MARKER" ]; then
  log_size="$(stat -c %s "$DIR/server.log" 2>/dev/null || echo 0)"
  as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 60 start >/dev/null 2>&1 || true
  if wait_caught_up 60 "$log_size"; then
    say "restarted the replica on port $PORT ($DIR)."
    echo "$URL"
    exit 0
  fi
  say "the replica in $DIR does not stream; making it afresh."
fi
remove_replica

parent="$(dirname "$DIR")"
mkdir -p "$parent"
say "copying $PRIMARY_HOST:$PRIMARY_PORT into $DIR (pg_basebackup -R)…"
if [ "$(id -u)" = 0 ]; then
  install -d -o postgres -g postgres -m 700 "$DIR"
else
  install -d -m 700 "$DIR"
fi
as_owner "$BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U "$PGUSER_NAME" \
  -D "$DIR" -R --wal-method=stream --checkpoint=fast --no-sync
as_owner touch "$DIR/$MARKER"

# A hot standby needs these at least as high as on its primary.
settings=""
for name in max_connections max_worker_processes max_wal_senders \
    max_prepared_transactions max_locks_per_transaction; do
  settings="$settings$name = $(primary_sql "SHOW $name")"$'\n'
done
# Debian keeps postgresql.conf and pg_hba.conf outside the data directory, so
# the copy has none (or the primary's, elsewhere): write this replica's own.
as_owner tee "$DIR/postgresql.conf" >/dev/null <<EOF
# Written by tests/replica/make_replica.sh: a read replica for tests.
port = $PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$DIR'
hot_standby = on
shared_buffers = 32MB
fsync = off
wal_retrieve_retry_interval = 200ms
$settings
EOF
as_owner tee "$DIR/pg_hba.conf" >/dev/null <<EOF
local all all trust
host all all 127.0.0.1/32 trust
EOF
as_owner tee "$DIR/pg_ident.conf" >/dev/null </dev/null

as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -t 120 start >/dev/null
if ! wait_caught_up 120; then
  say "the replica started but does not stream; see $DIR/server.log."
  exit 1
fi
say "replica streaming on port $PORT ($DIR)."
echo "$URL"
