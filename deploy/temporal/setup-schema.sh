#!/bin/sh
# One-shot job (temporalio/admin-tools): creates Temporal's two PostgreSQL databases and brings their
# schemas up to the version this admin-tools release ships. Every step is idempotent, so it runs on
# every `docker compose up` and is also how a Temporal upgrade migrates the schema (bump the server
# and admin-tools tags together).
# Env: POSTGRES_SEEDS, POSTGRES_USER, SQL_PASSWORD (read by temporal-sql-tool itself, so the password
# never appears in a process list); DB_PORT (5432) and SCHEMA_ROOT (where admin-tools keeps the schema)
# only where they differ, as in `npm run test:production`.
set -eu

: "${POSTGRES_SEEDS:?}" "${POSTGRES_USER:?}" "${SQL_PASSWORD:?}"
SCHEMA_ROOT=${SCHEMA_ROOT:-/etc/temporal/schema/postgresql/v12}
DB_PORT=${DB_PORT:-5432}

setup() {
  db=$1
  schema=$2
  echo "schema: database $db ($schema)"
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --db "$db" create
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --db "$db" setup-schema -v 0.0
  temporal-sql-tool --plugin postgres12 --ep "$POSTGRES_SEEDS" -p "$DB_PORT" -u "$POSTGRES_USER" --db "$db" \
    update-schema -d "$SCHEMA_ROOT/$schema/versioned"
}

setup temporal temporal
setup temporal_visibility visibility
echo 'schema: up to date'
