#!/usr/bin/env bash
# Weekly database maintenance (runbook 002 "Database Maintenance", Sundays 03:00 UTC): refresh the
# planner statistics and reclaim dead rows in every table of the database.
#
#   VACUUM (ANALYZE)  — runbook steps 1 and 2 in one pass; plain VACUUM takes no exclusive lock, so the
#                       application keeps running (VACUUM FULL would lock each table and is not done here).
#   MAINTENANCE_SQL   — optional extra statements (the runbook's REINDEX of a hot table, deleting old rows
#                       of an application log table); they belong to the application, so they are opt-in.
#
# The runbook's step 5 (UPDATE pg_stat_user_tables ...) is left out: statistics views cannot be updated;
# pg_stat_reset() would wipe the counters autovacuum and the dashboards rely on.
#
# Environment: libpq variables (PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE — the
# `postgres-connection` Secret), MAINTENANCE_SQL (optional), PSQL / VACUUMDB (default psql / vacuumdb).
# Exits non-zero on any failure, so the Job fails and BackupJobFailed pages like a failed backup.
set -euo pipefail
log() { printf '%s pg-maintenance: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

: "${PGDATABASE:?PGDATABASE is not set}"
started=$(date +%s)
log "VACUUM (ANALYZE) of database ${PGDATABASE} on ${PGHOST:-local}"
# vacuumdb runs VACUUM (ANALYZE) table by table; --skip-locked passes over a table a migration holds.
"${VACUUMDB:-vacuumdb}" --analyze --skip-locked --dbname="$PGDATABASE" --quiet || die "vacuumdb failed"
if [[ -n "${MAINTENANCE_SQL:-}" ]]; then
  log "running MAINTENANCE_SQL"
  "${PSQL:-psql}" -X -q -v ON_ERROR_STOP=1 -c "$MAINTENANCE_SQL" || die "MAINTENANCE_SQL failed"
fi
dead=$("${PSQL:-psql}" -X -At -v ON_ERROR_STOP=1 -c "SELECT coalesce(sum(n_dead_tup), 0) FROM pg_stat_user_tables") || die "cannot read pg_stat_user_tables"
log "done in $(( $(date +%s) - started ))s; dead rows left: ${dead}"
