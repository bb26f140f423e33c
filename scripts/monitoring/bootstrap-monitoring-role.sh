#!/usr/bin/env bash
# Creates or updates the read-only monitoring role (monitoring-role.sql) as the master user.
#
# Environment: the libpq variables of the master connection (PGHOST, PGPORT, PGDATABASE, PGUSER,
# PGPASSWORD, PGSSLMODE: the `postgres-connection` Secret), MONITORING_USER, MONITORING_PASSWORD,
# MONITORING_CONNECTION_LIMIT (default 5), PSQL (default psql). Exits non-zero on any failure.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
: "${MONITORING_USER:?MONITORING_USER is not set}"
: "${MONITORING_PASSWORD:?MONITORING_PASSWORD is not set}"
export MONITORING_CONNECTION_LIMIT="${MONITORING_CONNECTION_LIMIT:-5}"
[[ "$MONITORING_USER" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || { echo "bootstrap-monitoring-role: ERROR: MONITORING_USER must be a lowercase PostgreSQL identifier" >&2; exit 1; }
[[ "$MONITORING_USER" != "${PGUSER:-}" ]] || { echo "bootstrap-monitoring-role: ERROR: MONITORING_USER must not be the master user" >&2; exit 1; }
# A fresh RDS instance may still be applying its parameter group: retry the connection for a while.
for attempt in 1 2 3 4 5 6; do
  if "${PSQL:-psql}" -X -q -c 'SELECT 1' >/dev/null 2>&1; then break; fi
  [[ $attempt == 6 ]] && { echo "bootstrap-monitoring-role: ERROR: cannot connect to ${PGHOST:-?}:${PGPORT:-5432}" >&2; exit 1; }
  sleep "${BOOTSTRAP_RETRY_SECONDS:-10}"
done
exec "${PSQL:-psql}" -X -q -v ON_ERROR_STOP=1 -f "$here/monitoring-role.sql"
