#!/usr/bin/env bash
# PostgreSQL restore from S3 (runbook 001 "Database Restore Procedure", made safe to run by a job).
#
# Downloads the newest dump under postgresql/<tier>/ (or the object RESTORE_KEY names) and proves it
# BEFORE creating anything: the SHA-256 the backup stored with the object matches, it decompresses, and
# pg_restore reads every entry to the end. Only then does it create a NEW database (never the live one:
# switching the application over stays an operator decision, as in runbook 002 "Switch to restored
# database"), restores into it, dropping it again if the restore fails, and prints the row count of
# every table so the operator can compare them with the source. Any failure prints one line
# `ERROR: <step>: <what>` and exits non-zero.
#
# Phases, so that the Job can download in an aws-cli image and restore in a postgres image sharing an
# emptyDir: `download`, `restore`, `all`.
#
# Connection: PGHOST, PGPORT, PGDATABASE (used as the maintenance database to CREATE DATABASE from),
# PGUSER (needs CREATEDB), PGPASSWORD, PGSSLMODE.
set -Eeuo pipefail

usage() {
  cat <<'EOF'
Usage: pg-restore.sh [--phase all|download|restore] [--key S3_KEY] [--tier daily|hourly|weekly|monthly]
                     [--target-database NAME] [--work-dir DIR] [--bucket NAME] [--endpoint-url URL]
Environment: BACKUP_BUCKET, RESTORE_KEY (default: newest dump of the tier), RESTORE_TIER (default daily),
  RESTORE_TARGET_DATABASE (default <PGDATABASE>_restore_<UTC timestamp>), BACKUP_WORK_DIR,
  BACKUP_PREFIX (default postgresql), RESTORE_ALLOW_MISSING_CHECKSUM (default false: a dump without
  its sha256 metadata is refused), AWS_ENDPOINT_URL, AWS_CLI (default aws),
  PG_RESTORE / PSQL (default pg_restore / psql), PG* variables.
EOF
}

STEP="arguments"
log() { printf '%s pg-restore: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
# The one line a failed run ends with: the step and what failed (the tools' own messages come before it).
REPORTED=""
die() { REPORTED=1; log "ERROR: $STEP: $*"; exit 1; }
on_error() {
  local rc=$? command="${BASH_COMMAND:0:200}"
  # Subshells inherit the trap (-E); only the main shell reports, once.
  if [ "$BASHPID" = "$$" ]; then REPORTED=1; log "ERROR: $STEP: '$command' exited with $rc"; fi
  exit "$rc"
}
trap on_error ERR
# Failures bash reports itself (an unset variable, a missing argument) still end with one ERROR line.
report_unreported() {
  if [ "$1" != 0 ] && [ -z "$REPORTED" ]; then log "ERROR: $STEP: exited with $1 (see the message above)"; fi
}
trap 'report_unreported $?' EXIT

PHASE="all"
KEY="${RESTORE_KEY:-}"
TIER="${RESTORE_TIER:-daily}"
TARGET="${RESTORE_TARGET_DATABASE:-}"
WORK_DIR="${BACKUP_WORK_DIR:-}"
BUCKET="${BACKUP_BUCKET:-}"
ENDPOINT_URL="${AWS_ENDPOINT_URL:-}"
PREFIX="${BACKUP_PREFIX:-postgresql}"
AWS_CLI="${AWS_CLI:-aws}"
PG_RESTORE="${PG_RESTORE:-pg_restore}"
PSQL="${PSQL:-psql}"
ALLOW_MISSING_CHECKSUM="${RESTORE_ALLOW_MISSING_CHECKSUM:-false}"

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
case "$ALLOW_MISSING_CHECKSUM" in true|false) ;; *) die "RESTORE_ALLOW_MISSING_CHECKSUM must be true or false, got '$ALLOW_MISSING_CHECKSUM'" ;; esac

CLEAN_WORK_DIR=false
if [ -z "$WORK_DIR" ]; then
  WORK_DIR="$(mktemp -d)"
  CLEAN_WORK_DIR=true
fi
mkdir -p "$WORK_DIR"

# Set once this run has created the target database; a run that fails after that drops it again, so a
# failed restore never leaves a database behind that someone could mistake for a restored one.
CREATED_TARGET=""
cleanup() {
  local rc=$?
  report_unreported "$rc"
  if [ -n "$CREATED_TARGET" ] && [ "$rc" != 0 ]; then
    if "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$PGDATABASE" -c "DROP DATABASE IF EXISTS \"$CREATED_TARGET\" WITH (FORCE)" >/dev/null; then
      log "dropped the half-restored database '$CREATED_TARGET'"
    else
      log "could not drop the half-restored database '$CREATED_TARGET': drop it by hand before pointing anything at it"
    fi
  fi
  rm -f "$WORK_DIR"/*.partial "$WORK_DIR/restore.dump"
  if [ "$CLEAN_WORK_DIR" = true ]; then rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT

MANIFEST="$WORK_DIR/restore.manifest"
ARCHIVE="$WORK_DIR/restore.dump.gz"

download() {
  STEP="download"
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

  # The checksum the backup stored with the object (x-amz-meta-sha256); verified before anything is created.
  local sha
  sha="$("$AWS_CLI" s3api head-object ${endpoint_args[@]+"${endpoint_args[@]}"} --bucket "$BUCKET" --key "$KEY" --query 'Metadata.sha256' --output text)" ||
    die "cannot read s3://$BUCKET/$KEY (its message is above)"
  if ! [[ "$sha" =~ ^[0-9a-f]{64}$ ]]; then
    [ "$ALLOW_MISSING_CHECKSUM" = true ] || die "s3://$BUCKET/$KEY carries no sha256 checksum (metadata x-amz-meta-sha256); set RESTORE_ALLOW_MISSING_CHECKSUM=true to restore it unverified"
    log "s3://$BUCKET/$KEY carries no checksum; restoring it unverified (RESTORE_ALLOW_MISSING_CHECKSUM=true)"
    sha=""
  fi

  log "downloading s3://$BUCKET/$KEY"
  "$AWS_CLI" s3 cp --only-show-errors ${endpoint_args[@]+"${endpoint_args[@]}"} "s3://$BUCKET/$KEY" "$ARCHIVE.partial" || die "download of s3://$BUCKET/$KEY failed"
  mv "$ARCHIVE.partial" "$ARCHIVE"
  printf 'key=%s\nsha256=%s\n' "$KEY" "$sha" >"$MANIFEST"
}

# The target must be a new database; checked before any download so a wrong target fails in seconds.
check_target() {
  STEP="target"
  [ -n "${PGDATABASE:-}" ] || die "PGDATABASE must be set (postgres-connection Secret)"
  if [ -z "$TARGET" ]; then TARGET="${PGDATABASE}_restore_$(date -u +%Y%m%d%H%M%S)"; fi
  [[ "$TARGET" =~ ^[a-z_][a-z0-9_]{0,62}$ ]] || die "target database '$TARGET' must be a lowercase identifier of at most 63 characters"
  [ "$TARGET" != "$PGDATABASE" ] || die "refusing to restore over the live database '$PGDATABASE'; choose another target"
  local exists
  exists="$("$PSQL" -X -At -v ON_ERROR_STOP=1 -d "$PGDATABASE" -c "SELECT 1 FROM pg_database WHERE datname = '$TARGET'")" || die "cannot query the server for database '$TARGET'"
  [ -z "$exists" ] || die "database '$TARGET' already exists; a restore only goes into a fresh database"
}

restore() {
  check_target
  [ -f "$MANIFEST" ] && [ -f "$ARCHIVE" ] || die "no downloaded dump in $WORK_DIR (the download phase did not finish)"
  local key sha
  key="$(sed -n 's/^key=//p' "$MANIFEST")"
  sha="$(sed -n 's/^sha256=//p' "$MANIFEST")"

  # Everything about the dump is proven BEFORE the target database exists: the bytes are the ones the
  # backup uploaded, they decompress, and pg_restore reads every entry to the end (a cut-off archive
  # keeps its table of contents, so --list alone would pass it).
  STEP="verify"
  if [ -n "$sha" ]; then
    local actual
    actual="$(sha256sum "$ARCHIVE" | cut -d ' ' -f 1)"
    [ "$actual" = "$sha" ] || die "checksum mismatch for $key: the object has sha256 $actual, the backup recorded $sha; not restoring"
    log "checksum of $key matches the one the backup recorded"
  fi
  # Checked here rather than after the download: the aws-cli image is not promised to ship gzip.
  gzip -t "$ARCHIVE" || die "$key is not a readable gzip file; not restoring"
  gunzip -c "$ARCHIVE" >"$WORK_DIR/restore.dump"
  "$PG_RESTORE" --list "$WORK_DIR/restore.dump" >/dev/null || die "$key is not a readable pg_dump archive; not restoring"
  "$PG_RESTORE" --file=/dev/null "$WORK_DIR/restore.dump" || die "$key cannot be read to the end (truncated or corrupt); not restoring"

  STEP="create"
  "$PSQL" -X -q -v ON_ERROR_STOP=1 -d "$PGDATABASE" -c "CREATE DATABASE \"$TARGET\"" || die "CREATE DATABASE \"$TARGET\" failed"
  CREATED_TARGET="$TARGET"
  STEP="restore"
  log "restoring $key into new database '$TARGET'"
  # One transaction; if it fails anyway, the cleanup drops the new database.
  "$PG_RESTORE" --dbname="$TARGET" --clean --if-exists --no-owner --no-privileges --exit-on-error --single-transaction "$WORK_DIR/restore.dump" ||
    die "pg_restore into '$TARGET' failed (its message is above); the new database is dropped"

  STEP="report"
  log "row counts in '$TARGET':"
  # One count(*) per user table, generated by the catalog and run by \gexec.
  "$PSQL" -X -At -F "$(printf '\t')" -v ON_ERROR_STOP=1 -d "$TARGET" <<'SQL'
SELECT format('SELECT %L AS "table", count(*) AS "rows" FROM %I.%I', n.nspname || '.' || c.relname, n.nspname, c.relname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind = 'r' AND n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%'
ORDER BY n.nspname, c.relname
\gexec
SQL
  CREATED_TARGET=""
  log "restore of $key into '$TARGET' completed; point the application at it only after checking the counts"
}

case "$PHASE" in
  download) download ;;
  restore) restore ;;
  all) check_target; download; restore ;;
esac
