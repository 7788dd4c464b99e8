#!/bin/sh
# Initialises the data folder on first start (superuser `postgres` with the given
# password, scram-sha-256 for every network client), then runs PostgreSQL as the
# postgres user. Starts as root only to fix the data folder's owner.
set -eu
if [ "${1:-}" != "postgres" ]; then
  exec "$@"
fi
if [ "$(id -u)" = "0" ]; then
  mkdir -p "$PGDATA"
  chown postgres:postgres "$PGDATA"
  chmod 0700 "$PGDATA"
  as_postgres="setpriv --reuid=postgres --regid=postgres --init-groups"
else
  as_postgres=""
fi
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  if [ -n "${POSTGRES_PASSWORD_FILE:-}" ]; then
    POSTGRES_PASSWORD=$(cat "$POSTGRES_PASSWORD_FILE")
  fi
  if [ -z "${POSTGRES_PASSWORD:-}" ]; then
    echo "postgres: set POSTGRES_PASSWORD or POSTGRES_PASSWORD_FILE" >&2
    exit 1
  fi
  pwfile=$(mktemp)
  printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
  chown postgres "$pwfile" 2>/dev/null || true
  $as_postgres initdb -D "$PGDATA" -U postgres --pwfile="$pwfile" \
    --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
  rm -f "$pwfile"
  echo "host all all all scram-sha-256" >> "$PGDATA/pg_hba.conf"
  echo "listen_addresses = '*'" >> "$PGDATA/postgresql.conf"
fi
exec $as_postgres "$@"
