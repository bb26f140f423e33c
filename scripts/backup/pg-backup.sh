#!/usr/bin/env bash
# PostgreSQL backup to S3 (runbook 001 "Daily Automated Backups", fixed).
#
# Takes a custom-format pg_dump, proves it can be read back in full BEFORE compressing or renaming it
# (the runbook ran `pg_restore --list` on the .gz it had already uploaded, which cannot work:
# pg_restore does not read gzip), compresses it, and uploads it under postgresql/<tier>/. A daily dump
# taken on a Sunday is also stored under postgresql/weekly/, one taken on the 1st under
# postgresql/monthly/; the bucket's lifecycle rules give each prefix its own retention.
#
# Phases, so that the CronJob can dump in a postgres image and upload in an aws-cli image that share
# an emptyDir: `dump` (pg_dump + verify + gzip + checksum), `upload` (checksum + aws s3 cp), `all`.
#
# Connection: the libpq variables PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE (the
# `postgres-connection` Secret). Destination: BACKUP_BUCKET. Any failure exits non-zero, and nothing is
# uploaded unless the dump verified.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: pg-backup.sh [--tier daily|hourly] [--phase all|dump|upload] [--work-dir DIR]
                    [--bucket NAME] [--endpoint-url URL]
Environment: BACKUP_BUCKET, BACKUP_TIER, BACKUP_WORK_DIR, BACKUP_PREFIX (default postgresql),
  BACKUP_KMS_KEY_ID (optional: request SSE-KMS with this key), BACKUP_NOW (optional: the time to
  stamp, for tests), AWS_ENDPOINT_URL (optional: S3-compatible endpoint), AWS_CLI (default aws),
  PG_DUMP / PG_RESTORE (default pg_dump / pg_restore), PG* libpq connection variables.
EOF
}

log() { printf '%s pg-backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

TIER="${BACKUP_TIER:-daily}"
PHASE="all"
WORK_DIR="${BACKUP_WORK_DIR:-}"
BUCKET="${BACKUP_BUCKET:-}"
ENDPOINT_URL="${AWS_ENDPOINT_URL:-}"
PREFIX="${BACKUP_PREFIX:-postgresql}"
AWS_CLI="${AWS_CLI:-aws}"
PG_DUMP="${PG_DUMP:-pg_dump}"
PG_RESTORE="${PG_RESTORE:-pg_restore}"

while [ $# -gt 0 ]; do
  case "$1" in
    --tier) TIER="${2:?--tier needs a value}"; shift 2 ;;
    --phase) PHASE="${2:?--phase needs a value}"; shift 2 ;;
    --work-dir) WORK_DIR="${2:?--work-dir needs a value}"; shift 2 ;;
    --bucket) BUCKET="${2:?--bucket needs a value}"; shift 2 ;;
    --endpoint-url) ENDPOINT_URL="${2:?--endpoint-url needs a value}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done

case "$TIER" in daily|hourly) ;; *) die "--tier must be daily or hourly, got '$TIER'" ;; esac
case "$PHASE" in all|dump|upload) ;; *) die "--phase must be all, dump or upload, got '$PHASE'" ;; esac

CLEAN_WORK_DIR=false
if [ -z "$WORK_DIR" ]; then
  WORK_DIR="$(mktemp -d)"
  CLEAN_WORK_DIR=true
fi
mkdir -p "$WORK_DIR"
cleanup() {
  # Partial files never survive a failed run: the upload phase must not find a half-written dump.
  rm -f "$WORK_DIR"/*.partial
  if [ "$CLEAN_WORK_DIR" = true ]; then rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT

MANIFEST="$WORK_DIR/backup.manifest"

dump() {
  : "${PGDATABASE:?PGDATABASE must be set (postgres-connection Secret)}"
  rm -f "$MANIFEST"
  local stamp_source="${BACKUP_NOW:-now}"
  local stamp day_of_week day_of_month
  stamp="$(date -u -d "$stamp_source" +%Y%m%dT%H%M%SZ)"
  day_of_week="$(date -u -d "$stamp_source" +%u)"   # 7 = Sunday
  day_of_month="$(date -u -d "$stamp_source" +%d)"
  local base="${PGDATABASE}_${stamp}"
  local raw="$WORK_DIR/$base.dump.partial"
  local name="$base.dump.gz"

  log "dumping database '$PGDATABASE' from ${PGHOST:-local socket}:${PGPORT:-5432} ($TIER)"
  "$PG_DUMP" --format=custom --no-owner --no-privileges --file="$raw"

  # Verify the custom-format archive itself, before it is compressed or renamed. --list only reads the
  # table of contents, which survives a cut-off data section, so also read every entry back in full.
  [ -s "$raw" ] || die "pg_dump produced an empty file"
  "$PG_RESTORE" --list "$raw" >"$WORK_DIR/$base.toc.partial" || die "pg_restore --list cannot read the dump: not uploading"
  grep -q '^[0-9]' "$WORK_DIR/$base.toc.partial" || die "the dump's table of contents is empty: not uploading"
  "$PG_RESTORE" --file=/dev/null "$raw" || die "pg_restore cannot read the dump back in full (truncated or corrupt): not uploading"
  log "verified $(grep -c '^[0-9]' "$WORK_DIR/$base.toc.partial") archive entries"

  gzip -c "$raw" >"$WORK_DIR/$name.partial"
  gzip -t "$WORK_DIR/$name.partial"
  mv "$WORK_DIR/$name.partial" "$WORK_DIR/$name"
  rm -f "$raw" "$WORK_DIR/$base.toc.partial"
  (cd "$WORK_DIR" && sha256sum "$name" >"$name.sha256")

  local copies="$TIER"
  if [ "$TIER" = daily ]; then
    if [ "$day_of_week" = 7 ]; then copies="$copies weekly"; fi
    if [ "$day_of_month" = 01 ]; then copies="$copies monthly"; fi
  fi
  # Written last: its presence is what tells the upload phase the dump is complete and verified.
  printf 'name=%s\ncopies=%s\n' "$name" "$copies" >"$MANIFEST.partial"
  mv "$MANIFEST.partial" "$MANIFEST"
  log "dump ready: $name ($(wc -c <"$WORK_DIR/$name") bytes), destined for: $copies"
}

upload() {
  [ -n "$BUCKET" ] || die "BACKUP_BUCKET (or --bucket) must be set"
  [ -f "$MANIFEST" ] || die "no verified dump in $WORK_DIR (the dump phase did not finish): not uploading"
  local name copies
  name="$(sed -n 's/^name=//p' "$MANIFEST")"
  copies="$(sed -n 's/^copies=//p' "$MANIFEST")"
  [ -n "$name" ] && [ -f "$WORK_DIR/$name" ] || die "manifest names a missing file '$name'"
  (cd "$WORK_DIR" && sha256sum --check --quiet "$name.sha256") || die "checksum mismatch for $name: not uploading"

  local aws_args=(--only-show-errors)
  if [ -n "$ENDPOINT_URL" ]; then aws_args+=(--endpoint-url "$ENDPOINT_URL"); fi
  if [ -n "${BACKUP_KMS_KEY_ID:-}" ]; then aws_args+=(--sse aws:kms --sse-kms-key-id "$BACKUP_KMS_KEY_ID"); fi

  local copy
  for copy in $copies; do
    # Uploaded again rather than copied server-side, so the job needs s3:PutObject only.
    "$AWS_CLI" s3 cp "${aws_args[@]}" "$WORK_DIR/$name" "s3://$BUCKET/$PREFIX/$copy/$name"
    log "uploaded s3://$BUCKET/$PREFIX/$copy/$name"
  done
}

case "$PHASE" in
  dump) dump ;;
  upload) upload ;;
  all) dump; upload ;;
esac
log "done ($PHASE)"
