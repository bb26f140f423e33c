#!/usr/bin/env bash
# PostgreSQL backup to S3 (runbook 001 "Daily Automated Backups", fixed).
#
# Takes a custom-format pg_dump, proves it can be read back in full BEFORE compressing or renaming it
# (the runbook ran `pg_restore --list` on the .gz it had already uploaded, which cannot work:
# pg_restore does not read gzip), compresses it, and uploads it under postgresql/<tier>/ with its
# SHA-256 as object metadata (x-amz-meta-sha256), which the restore verifies. A daily dump taken on a Sunday is also the
# weekly copy, one taken on the 1st the monthly copy: those copies are made SERVER-SIDE from the
# uploaded object (one upload, then CopyObject), each step retried. The set is one unit: rerunning the
# upload with the same work dir skips what is already written and completes a set that failed
# half-way, and a Job retry on a new pod dumps again under the SAME name (see BACKUP_JOB_NAME), so no
# second set under a new name appears.
# An empty database (fresh install) gives an empty but valid archive, which is a valid backup.
#
# Every upload carries a checksum header (Content-MD5, or --checksum-algorithm with
# BACKUP_CHECKSUM_ALGORITHM): a bucket with Object Lock default retention refuses writes without one.
#
# Phases, so that the CronJob can dump in a postgres image and upload in an aws-cli image that share
# a scratch volume: `dump` (pg_dump + verify + gzip + checksum), `upload` (checksum + S3), `all`.
#
# Connection: the libpq variables PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE (the
# `postgres-connection` Secret). Destination: BACKUP_BUCKET. Any failure prints one line
# `ERROR: <step>: <what>` and exits non-zero; the failed Job is what the BackupJobFailed and
# BackupTooOld alerts read. Nothing is uploaded unless the dump verified.
set -Eeuo pipefail

usage() {
  cat <<'EOF'
Usage: pg-backup.sh [--tier daily|hourly] [--phase all|dump|upload] [--work-dir DIR]
                    [--bucket NAME] [--endpoint-url URL]
Environment: BACKUP_BUCKET, BACKUP_TIER, BACKUP_WORK_DIR, BACKUP_PREFIX (default postgresql),
  BACKUP_KMS_KEY_ID (optional: request SSE-KMS with this key), BACKUP_NOW (optional: the time to
  stamp, for tests), BACKUP_JOB_NAME (the Job's name; a CronJob's <name>-<minutes> fixes the stamp),
  BACKUP_RETRIES (default 4 attempts per S3 step), BACKUP_RETRY_DELAY_SECONDS (default 10, doubling),
  BACKUP_CHECKSUM_ALGORITHM (optional: e.g. SHA256, passed as `s3 cp --checksum-algorithm`, CLI >= 2.18),
  AWS_ENDPOINT_URL (optional: S3-compatible endpoint), AWS_CLI (default aws),
  PG_DUMP / PG_RESTORE (default pg_dump / pg_restore), PG* libpq connection variables.
EOF
}

STEP="arguments"
log() { printf '%s pg-backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
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

TIER="${BACKUP_TIER:-daily}"
PHASE="all"
WORK_DIR="${BACKUP_WORK_DIR:-}"
BUCKET="${BACKUP_BUCKET:-}"
ENDPOINT_URL="${AWS_ENDPOINT_URL:-}"
PREFIX="${BACKUP_PREFIX:-postgresql}"
AWS_CLI="${AWS_CLI:-aws}"
PG_DUMP="${PG_DUMP:-pg_dump}"
PG_RESTORE="${PG_RESTORE:-pg_restore}"
RETRIES="${BACKUP_RETRIES:-4}"
RETRY_DELAY="${BACKUP_RETRY_DELAY_SECONDS:-10}"

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
[[ "$RETRIES" =~ ^[1-9][0-9]?$ ]] || die "BACKUP_RETRIES must be an integer from 1 to 99, got '$RETRIES'"
[[ "$RETRY_DELAY" =~ ^[0-9]{1,4}$ ]] || die "BACKUP_RETRY_DELAY_SECONDS must be an integer number of seconds, got '$RETRY_DELAY'"

CLEAN_WORK_DIR=false
if [ -z "$WORK_DIR" ]; then
  WORK_DIR="$(mktemp -d)"
  CLEAN_WORK_DIR=true
fi
mkdir -p "$WORK_DIR"
cleanup() {
  local rc=$?
  report_unreported "$rc"
  # Partial files never survive a failed run: the upload phase must not find a half-written dump.
  rm -f "$WORK_DIR"/*.partial
  if [ "$CLEAN_WORK_DIR" = true ]; then rm -rf "$WORK_DIR"; fi
}
trap cleanup EXIT

MANIFEST="$WORK_DIR/backup.manifest"

# The time the dump is named after. A CronJob names its Jobs <cronjob>-<scheduled time in minutes since
# the epoch> (8 digits until 2160): every pod of one Job, retries included, then stamps the same name,
# so a retry completes the set of the attempt that failed instead of starting another one. Jobs created
# by hand (`kubectl create job backup-$(date +%s)`: 10 digits, seconds) use the current time.
stamp_source() {
  if [ -n "${BACKUP_NOW:-}" ]; then printf '%s' "$BACKUP_NOW"; return; fi
  if [[ "${BACKUP_JOB_NAME:-}" =~ -([0-9]{8})$ ]]; then printf '@%s' "$((10#${BASH_REMATCH[1]} * 60))"; return; fi
  printf 'now'
}

dump() {
  STEP="dump"
  [ -n "${PGDATABASE:-}" ] || die "PGDATABASE must be set (postgres-connection Secret)"
  rm -f "$MANIFEST"
  local stamp_at stamp day_of_week day_of_month
  stamp_at="$(stamp_source)"
  stamp="$(date -u -d "$stamp_at" +%Y%m%dT%H%M%SZ)" || die "cannot read the stamp time '$stamp_at'"
  day_of_week="$(date -u -d "$stamp_at" +%u)"   # 7 = Sunday
  day_of_month="$(date -u -d "$stamp_at" +%d)"
  local base="${PGDATABASE}_${stamp}"
  local raw="$WORK_DIR/$base.dump.partial"
  local name="$base.dump.gz"

  log "dumping database '$PGDATABASE' from ${PGHOST:-local socket}:${PGPORT:-5432} ($TIER)"
  "$PG_DUMP" --format=custom --no-owner --no-privileges --file="$raw" || die "pg_dump of '$PGDATABASE' failed (its message is above): not uploading"

  # Verify the custom-format archive itself, before it is compressed or renamed. --list only reads the
  # table of contents, which survives a cut-off data section, so also read every entry back in full.
  STEP="verify"
  [ -s "$raw" ] || die "pg_dump produced an empty file: not uploading"
  "$PG_RESTORE" --list "$raw" >"$WORK_DIR/$base.toc.partial" || die "pg_restore --list cannot read the dump: not uploading"
  "$PG_RESTORE" --file=/dev/null "$raw" || die "pg_restore cannot read the dump back in full (truncated or corrupt): not uploading"
  local entries
  entries="$(grep -c '^[0-9]' "$WORK_DIR/$base.toc.partial" || true)"
  if [ "$entries" = 0 ]; then
    # A fresh install has no tables yet: the archive is complete and restores to an empty database.
    log "verified an empty archive: database '$PGDATABASE' has no objects yet (an empty but valid backup)"
  else
    log "verified $entries archive entries"
  fi

  STEP="compress"
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

# Runs "$@" up to RETRIES times, doubling the pause between attempts; returns the last exit code.
retry() {
  local attempt=1 delay="$RETRY_DELAY" rc=0
  while :; do
    if "$@"; then return 0; else rc=$?; fi
    if [ "$attempt" -ge "$RETRIES" ]; then return "$rc"; fi
    log "$STEP: attempt $attempt of $RETRIES failed (exit $rc); retrying in ${delay}s"
    sleep "$delay"
    attempt=$((attempt + 1))
    delay=$((delay * 2))
  done
}

upload() {
  STEP="upload"
  [ -n "$BUCKET" ] || die "BACKUP_BUCKET (or --bucket) must be set"
  [ -f "$MANIFEST" ] || die "no verified dump in $WORK_DIR (the dump phase did not finish): not uploading"
  local name copies
  name="$(sed -n 's/^name=//p' "$MANIFEST")"
  copies="$(sed -n 's/^copies=//p' "$MANIFEST")"
  [ -n "$name" ] && [ -f "$WORK_DIR/$name" ] || die "manifest names a missing file '$name'"
  (cd "$WORK_DIR" && sha256sum --check --quiet "$name.sha256") || die "checksum mismatch for $name: not uploading"
  local sha
  sha="$(cut -d ' ' -f 1 "$WORK_DIR/$name.sha256")"

  local endpoint_args=() write_args=(--only-show-errors)
  if [ -n "$ENDPOINT_URL" ]; then endpoint_args=(--endpoint-url "$ENDPOINT_URL"); write_args+=("${endpoint_args[@]}"); fi
  if [ -n "${BACKUP_KMS_KEY_ID:-}" ]; then write_args+=(--sse aws:kms --sse-kms-key-id "$BACKUP_KMS_KEY_ID"); fi
  # The dump's SHA-256 travels WITH the object (x-amz-meta-sha256), so a dump is never visible without
  # the checksum the restore verifies, and every copy carries it.
  write_args+=(--metadata "sha256=$sha")
  # A bucket with Object Lock default retention refuses writes without Content-MD5 or an x-amz-checksum-*
  # header. AWS CLI before 2.23 sends Content-MD5 on every PutObject/UploadPart, later ones a CRC; the
  # job names its algorithm explicitly (BACKUP_CHECKSUM_ALGORITHM, `s3 cp --checksum-algorithm`, CLI ≥ 2.18).
  local upload_args=()
  if [ -n "${BACKUP_CHECKSUM_ALGORITHM:-}" ]; then upload_args=(--checksum-algorithm "$BACKUP_CHECKSUM_ALGORITHM"); fi

  # Keys this work dir already wrote: rerunning the upload phase (same work dir) completes a set that
  # failed half-way without writing any object twice. A Job retry on a new pod dumps again under the
  # same name (see stamp_source) and writes the whole set again, as new versions of the same keys.
  local progress="$WORK_DIR/$name.uploaded"
  touch "$progress"

  local first="" copy key
  for copy in $copies; do
    key="$PREFIX/$copy/$name"
    if [ -z "$first" ]; then
      STEP="upload-$copy"
      if grep -qxF "$key" "$progress"; then
        log "s3://$BUCKET/$key was written by an earlier attempt: kept"
      else
        retry "$AWS_CLI" s3 cp "${write_args[@]}" ${upload_args[@]+"${upload_args[@]}"} "$WORK_DIR/$name" "s3://$BUCKET/$key" ||
          die "s3://$BUCKET/$key could not be uploaded after $RETRIES attempt(s); rerun the upload"
        printf '%s\n' "$key" >>"$progress"
        log "uploaded s3://$BUCKET/$key"
      fi
      first="$key"
    else
      # Server-side copy of the uploaded object: the bytes are not sent again. `s3 cp` switches to a
      # multipart copy above 5 GB, where a single CopyObject would be refused.
      STEP="copy-$copy"
      if grep -qxF "$key" "$progress"; then
        log "s3://$BUCKET/$key was written by an earlier attempt: kept"
      else
        retry "$AWS_CLI" s3 cp "${write_args[@]}" --metadata-directive REPLACE "s3://$BUCKET/$first" "s3://$BUCKET/$key" ||
          die "s3://$BUCKET/$key could not be copied from s3://$BUCKET/$first after $RETRIES attempt(s); the copies written so far are kept: rerun the upload (same work dir or Job) to complete the set"
        printf '%s\n' "$key" >>"$progress"
        log "copied s3://$BUCKET/$first to s3://$BUCKET/$key (server-side)"
      fi
    fi
  done
  STEP="upload"
  log "backup set complete: $name (sha256 $sha) under: $copies"
}

case "$PHASE" in
  dump) dump ;;
  upload) upload ;;
  all) dump; upload ;;
esac
log "done ($PHASE)"
