#!/usr/bin/env bash
# PostgreSQL restore from S3 (runbook 001 "Database Restore Procedure", made safe to run by a job).
#
# Downloads the newest dump under postgresql/<tier>/ (or the object RESTORE_KEY names), checks it,
# restores it into a NEW database (never over the live one: switching the application over stays an
# operator decision, as in runbook 002 "Switch to restored database"), and prints the row count of
# every table so the operator can compare them with the source.
#
# Phases, so that the Job can download in an aws-cli image and restore in a postgres image sharing an
# emptyDir: `download`, `restore`, `all`.
#
# Connection: PGHOST, PGPORT, PGDATABASE (used as the maintenance database to CREATE DATABASE from),
# PGUSER (needs CREATEDB), PGPASSWORD, PGSSLMODE.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: pg-restore.sh [--phase all|download|restore] [--key S3_KEY] [--tier daily|hourly|weekly|monthly]
                     [--target-database NAME] [--work-dir DIR] [--bucket NAME] [--endpoint-url URL]
Environment: BACKUP_BUCKET, RESTORE_KEY (default: newest dump of the tier), RESTORE_TIER (default daily),
  RESTORE_TARGET_DATABASE (default <PGDATABASE>_restore_<UTC timestamp>), BACKUP_WORK_DIR,
  BACKUP_PREFIX (default postgresql), AWS_ENDPOINT_URL, AWS_CLI (default aws), PG* variables.
EOF
}

log() { printf '%s pg-restore: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

PHASE="all"
KEY="${RESTORE_KEY:-}"
TIER="${RESTORE_TIER:-daily}"
TARGET="${RESTORE_TARGET_DATABASE:-}"
WORK_DIR="${BACKUP_WORK_DIR:-}"
BUCKET="${BACKUP_BUCKET:-}"
ENDPOINT_URL="${AWS_ENDPOINT_URL:-}"
PREFIX="${BACKUP_PREFIX:-postgresql}"
AWS_CLI="${AWS_CLI:-aws}"

while [ $# -gt 0 ]; do
  case "$1" in
    --phase) PHASE="${2:?--phase needs a value}"; shift 2 ;;
    --key) KEY="${2:?--key needs a value}"; shift 2 ;;
    --tier) TIER="${2:?--tier needs a value}"; shift 2 ;;
    --target-database) TARGET="${2:?--target-database needs a value}"; shift 2 ;;
    --work-dir) WORK_DIR="${2:?--work-dir needs a value}"; shift 2 ;;
    --bucket) BUCKET="${2:?--bucket needs a value}"; shift 2 ;;
    --endpoint-url) ENDPOINT_URL="${2:?--endpoint-url needs a value}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

case "$PHASE" in all|download|restore) ;; *) die "--phase must be all, download or restore, got '$PHASE'" ;; esac
case "$TIER" in daily|hourly|weekly|monthly) ;; *) die "--tier must be daily, hourly, weekly or monthly, got '$TIER'" ;; esac

CLEAN_WORK_DIR=false
if [ -z "$WORK_DIR" ]; then
  WORK_DIR="$(mktemp -d)"
  CLEAN_WORK_DIR=true
fi
mkdir -p "$WORK_DIR"
cleanup() {
  rm -f "$WORK_DIR"/*.partial "$WORK_DIR/restore.dump"
  if [ "$CLEAN_WORK_DIR" = true ]; then rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT

MANIFEST="$WORK_DIR/restore.manifest"
ARCHIVE="$WORK_DIR/restore.dump.gz"

download() {
  [ -n "$BUCKET" ] || die "BACKUP_BUCKET (or --bucket) must be set"
  rm -f "$MANIFEST"
  local endpoint_args=()
  if [ -n "$ENDPOINT_URL" ]; then endpoint_args=(--endpoint-url "$ENDPOINT_URL"); fi

  if [ -z "$KEY" ]; then
    local listing
    # Bash 4.2 (amazonlinux 2, the aws-cli image) treats an empty array as unset under `set -u`,
    # hence the ${a[@]+...} expansions. `aws s3 ls` lines are "date time size name"; dump names
    # carry a UTC timestamp, so date, time and then name order them oldest to newest even when two
    # uploads share a second. An empty prefix makes `s3 ls` exit 1, hence `|| true`.
    listing="$("$AWS_CLI" s3 ls ${endpoint_args[@]+"${endpoint_args[@]}"} "s3://$BUCKET/$PREFIX/$TIER/" || true)"
    KEY="$(printf '%s\n' "$listing" | awk 'NF >= 4 && $4 ~ /\.dump\.gz$/ { print $1 " " $2 " " $4 }' | sort | tail -n 1 | awk '{ print $3 }')"
    [ -n "$KEY" ] || die "no dump found under s3://$BUCKET/$PREFIX/$TIER/"
    KEY="$PREFIX/$TIER/$KEY"
  fi
  case "$KEY" in *.dump.gz) ;; *) die "RESTORE_KEY must name a .dump.gz object, got '$KEY'" ;; esac

  log "downloading s3://$BUCKET/$KEY"
  "$AWS_CLI" s3 cp --only-show-errors ${endpoint_args[@]+"${endpoint_args[@]}"} "s3://$BUCKET/$KEY" "$ARCHIVE.partial"
  mv "$ARCHIVE.partial" "$ARCHIVE"
  printf 'key=%s\n' "$KEY" >"$MANIFEST"
}

# The target must be a new database; checked before any download so a wrong target fails in seconds.
check_target() {
  : "${PGDATABASE:?PGDATABASE must be set (postgres-connection Secret)}"
  if [ -z "$TARGET" ]; then TARGET="${PGDATABASE}_restore_$(date -u +%Y%m%d%H%M%S)"; fi
  [[ "$TARGET" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "target database '$TARGET' must be a lowercase identifier of at most 63 characters"
  [ "$TARGET" != "$PGDATABASE" ] || die "refusing to restore over the live database '$PGDATABASE'; choose another target"
  local exists
  exists="$(psql -X -At -v ON_ERROR_STOP=1 -d "$PGDATABASE" -c "SELECT 1 FROM pg_database WHERE datname = '$TARGET'")"
  [ -z "$exists" ] || die "database '$TARGET' already exists; a restore only goes into a fresh database"
}

restore() {
  check_target
  [ -f "$MANIFEST" ] && [ -f "$ARCHIVE" ] || die "no downloaded dump in $WORK_DIR (the download phase did not finish)"
  local key
  key="$(sed -n 's/^key=//p' "$MANIFEST")"

  # Checked here rather than after the download: the aws-cli image is not promised to ship gzip.
  gzip -t "$ARCHIVE" || die "$key is not a readable gzip file"
  gunzip -c "$ARCHIVE" >"$WORK_DIR/restore.dump"
  pg_restore --list "$WORK_DIR/restore.dump" >/dev/null || die "$key is not a readable pg_dump archive"

  psql -X -q -v ON_ERROR_STOP=1 -d "$PGDATABASE" -c "CREATE DATABASE \"$TARGET\""
  log "restoring $key into new database '$TARGET'"
  # One transaction: a restore that fails half-way leaves an empty database, never one that looks complete.
  pg_restore --dbname="$TARGET" --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction "$WORK_DIR/restore.dump"

  log "row counts in '$TARGET':"
  # One count(*) per user table, generated by the catalog and run by \gexec.
  psql -X -At -F "$(printf '\t')" -v ON_ERROR_STOP=1 -d "$TARGET" <<'SQL'
SELECT format('SELECT %L AS "table", count(*) AS "rows" FROM %I.%I', n.nspname || '.' || c.relname, n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
ORDER BY n.nspname, c.relname
\gexec
SQL
  log "restore of $key into '$TARGET' completed; point the application at it only after checking the counts"
}

case "$PHASE" in
  download) download ;;
  restore) restore ;;
  all) check_target; download; restore ;;
esac
