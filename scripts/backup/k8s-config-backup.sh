#!/usr/bin/env bash
# Kubernetes configuration backup to S3 (runbook 001 "Configuration Backup", runbook 002 "Application
# State Backup").
#
# Exports every listable namespaced resource of the given namespaces (except Events) and all CRDs as
# YAML, archives them and uploads the archive under k8s-configs/. Secrets are exported separately,
# into a memory-backed directory, and uploaded under k8s-configs/secrets/ only with SSE-KMS under the
# backup key (the bucket policy refuses anything else there): they never land unencrypted.
#
# One unavailable API (e.g. the aggregated metrics.k8s.io while metrics-server is down) does not cost the
# backup: everything readable is archived and uploaded, what could not be read is listed in the archive
# (UNREADABLE.txt) and in the object's metadata, and the run then fails with one `ERROR: export: ...`
# line, so the Job's failure raises BackupJobFailed. Every failure names its step that way.
#
# Phases, so that the CronJob can export in a kubectl image and upload in an aws-cli image that share
# emptyDirs: `export`, `upload`, `all`.
set -Eeuo pipefail
umask 077  # the exported Secrets are readable by this user only

usage() {
  cat <<'EOF'
Usage: k8s-config-backup.sh [--phase all|export|upload] [--namespaces "ns1 ns2"] [--work-dir DIR]
                            [--secrets-dir DIR] [--bucket NAME] [--endpoint-url URL]
Environment: BACKUP_BUCKET, BACKUP_NAMESPACES, BACKUP_WORK_DIR, BACKUP_SECRETS_DIR (memory-backed),
  BACKUP_KMS_KEY_ID (required to upload secrets), BACKUP_PREFIX (default k8s-configs),
  BACKUP_INCLUDE_SECRETS (default true), BACKUP_NOW, AWS_ENDPOINT_URL, AWS_CLI, KUBECTL.
EOF
}

STEP="arguments"
log() { printf '%s k8s-config-backup: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >&2; }
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
NAMESPACES="${BACKUP_NAMESPACES:-}"
WORK_DIR="${BACKUP_WORK_DIR:-}"
SECRETS_DIR="${BACKUP_SECRETS_DIR:-}"
BUCKET="${BACKUP_BUCKET:-}"
ENDPOINT_URL="${AWS_ENDPOINT_URL:-}"
PREFIX="${BACKUP_PREFIX:-k8s-configs}"
INCLUDE_SECRETS="${BACKUP_INCLUDE_SECRETS:-true}"
AWS_CLI="${AWS_CLI:-aws}"
KUBECTL="${KUBECTL:-kubectl}"

while [ $# -gt 0 ]; do
  case "$1" in
    --phase) PHASE="${2:?--phase needs a value}"; shift 2 ;;
    --namespaces) NAMESPACES="${2:?--namespaces needs a value}"; shift 2 ;;
    --work-dir) WORK_DIR="${2:?--work-dir needs a value}"; shift 2 ;;
    --secrets-dir) SECRETS_DIR="${2:?--secrets-dir needs a value}"; shift 2 ;;
    --bucket) BUCKET="${2:?--bucket needs a value}"; shift 2 ;;
    --endpoint-url) ENDPOINT_URL="${2:?--endpoint-url needs a value}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown argument: $1" ;;
  esac
done
case "$PHASE" in all|export|upload) ;; *) die "--phase must be all, export or upload, got '$PHASE'" ;; esac
case "$INCLUDE_SECRETS" in true|false) ;; *) die "BACKUP_INCLUDE_SECRETS must be true or false" ;; esac
NAMESPACES="${NAMESPACES//,/ }"

CLEAN_WORK_DIR=""
CLEAN_SECRETS_DIR=""
if [ -z "$WORK_DIR" ]; then WORK_DIR="$(mktemp -d)"; CLEAN_WORK_DIR="$WORK_DIR"; fi
if [ -z "$SECRETS_DIR" ]; then SECRETS_DIR="$(mktemp -d)"; CLEAN_SECRETS_DIR="$SECRETS_DIR"; fi
mkdir -p "$WORK_DIR" "$SECRETS_DIR"
cleanup() {
  local rc=$?
  report_unreported "$rc"
  rm -rf "$WORK_DIR/export" "$SECRETS_DIR/export" "$WORK_DIR"/*.partial "$SECRETS_DIR"/*.partial
  if [ -n "$CLEAN_WORK_DIR" ]; then rm -rf "$CLEAN_WORK_DIR"; fi
  if [ -n "$CLEAN_SECRETS_DIR" ]; then rm -rf "$CLEAN_SECRETS_DIR"; fi
}
trap cleanup EXIT

MANIFEST="$WORK_DIR/k8s-config.manifest"
# What the export could not read (one line each); the upload reports it and fails the Job after uploading.
UNREADABLE="$WORK_DIR/k8s-config.unreadable"

# Runs `kubectl ARGS... >FILE`; on failure records "WHAT: <kubectl's message>" in UNREADABLE and removes FILE.
read_into() {
  local file="$1" what="$2" errors
  shift 2
  errors="$WORK_DIR/kubectl-errors.partial"
  if "$KUBECTL" "$@" >"$file" 2>"$errors"; then return 0; fi
  printf '%s: %s\n' "$what" "$(tr '\n' ' ' <"$errors" | cut -c 1-300)" >>"$UNREADABLE"
  cat "$errors" >&2
  rm -f "$file"
  return 1
}

export_configs() {
  STEP="export"
  [ -n "$NAMESPACES" ] || die "BACKUP_NAMESPACES (or --namespaces) must name at least one namespace"
  rm -f "$MANIFEST" "$UNREADABLE"
  : >"$UNREADABLE"
  local stamp
  # busybox date (alpine-based kubectl image) has no `-d now`: only parse BACKUP_NOW when tests set it.
  if [ -n "${BACKUP_NOW:-}" ]; then stamp="$(date -u -d "$BACKUP_NOW" +%Y%m%dT%H%M%SZ)"; else stamp="$(date -u +%Y%m%dT%H%M%SZ)"; fi
  local out="$WORK_DIR/export" secrets_out="$SECRETS_DIR/export"
  rm -rf "$out" "$secrets_out"
  mkdir -p "$out" "$secrets_out"

  # One unavailable API (an aggregated API such as metrics.k8s.io whose backing service is down) must not
  # cost the whole night's backup: everything readable is archived, what is not is listed and reported.
  STEP="discovery"
  local resources discovery_errors="$WORK_DIR/discovery-errors.partial"
  # Every kind the API lists in a namespace, found at run time so new CRDs are included without a change
  # here. With a group unavailable, kubectl still prints the others and exits 1.
  resources="$("$KUBECTL" api-resources --namespaced=true --verbs=list -o name 2>"$discovery_errors")" || {
    cat "$discovery_errors" >&2
    printf 'discovery: %s\n' "$(tr '\n' ' ' <"$discovery_errors" | cut -c 1-300)" >>"$UNREADABLE"
  }
  resources="$(printf '%s\n' "$resources" | grep -v -E '^(events|events\.events\.k8s\.io|secrets)?$' | sort -u || true)"
  [ -n "$resources" ] || die "kubectl api-resources listed no namespaced resources: nothing to back up"

  STEP="export"
  local ns resource count=0
  if read_into "$out/customresourcedefinitions.yaml" "customresourcedefinitions" get customresourcedefinitions -o yaml; then count=$((count + 1)); fi
  for ns in $NAMESPACES; do
    mkdir -p "$out/$ns"
    if read_into "$out/$ns/namespace.yaml" "namespace/$ns" get namespace "$ns" -o yaml; then count=$((count + 1)); fi
    for resource in $resources; do
      if read_into "$out/$ns/$resource.yaml" "$ns/$resource" get "$resource" -n "$ns" -o yaml; then count=$((count + 1)); fi
    done
    if [ "$INCLUDE_SECRETS" = true ]; then
      read_into "$secrets_out/$ns-secrets.yaml" "$ns/secrets" get secrets -n "$ns" -o yaml || true
    fi
  done
  [ "$count" -gt 0 ] || die "no resource list could be read: $(head -n 3 "$UNREADABLE" | tr '\n' ' ' | cut -c 1-400)"
  # The archive says itself what it lacks.
  if [ -s "$UNREADABLE" ]; then cp "$UNREADABLE" "$out/UNREADABLE.txt"; fi

  STEP="archive"
  local name="k8s-config_${stamp}.tar.gz" secrets_name="k8s-secrets_${stamp}.tar.gz"
  tar -czf "$WORK_DIR/$name.partial" -C "$out" .
  mv "$WORK_DIR/$name.partial" "$WORK_DIR/$name"
  (cd "$WORK_DIR" && sha256sum "$name" >"$name.sha256")
  local secrets_line=""
  if [ "$INCLUDE_SECRETS" = true ]; then
    tar -czf "$SECRETS_DIR/$secrets_name.partial" -C "$secrets_out" .
    mv "$SECRETS_DIR/$secrets_name.partial" "$SECRETS_DIR/$secrets_name"
    (cd "$SECRETS_DIR" && sha256sum "$secrets_name" >"$secrets_name.sha256")
    secrets_line="$secrets_name"
  fi
  rm -rf "$out" "$secrets_out"
  printf 'name=%s\nsecrets=%s\n' "$name" "$secrets_line" >"$MANIFEST.partial"
  mv "$MANIFEST.partial" "$MANIFEST"
  if [ -s "$UNREADABLE" ]; then
    # Not an error yet: the upload container must still run. It fails the Job after uploading.
    log "WARNING: exported $count resource lists from namespaces: $NAMESPACES; $(wc -l <"$UNREADABLE") could not be read (listed in UNREADABLE.txt)"
  else
    log "exported $count resource lists from namespaces: $NAMESPACES"
  fi
}

upload() {
  STEP="upload"
  [ -n "$BUCKET" ] || die "BACKUP_BUCKET (or --bucket) must be set"
  [ -f "$MANIFEST" ] || die "no finished export in $WORK_DIR: not uploading"
  local name secrets_name
  name="$(sed -n 's/^name=//p' "$MANIFEST")"
  secrets_name="$(sed -n 's/^secrets=//p' "$MANIFEST")"
  (cd "$WORK_DIR" && sha256sum --check --quiet "$name.sha256") || die "checksum mismatch for $name: not uploading"
  if [ -n "$secrets_name" ]; then
    [ -n "${BACKUP_KMS_KEY_ID:-}" ] || die "BACKUP_KMS_KEY_ID is not set: secrets are only uploaded encrypted with the backup KMS key"
    (cd "$SECRETS_DIR" && sha256sum --check --quiet "$secrets_name.sha256") || die "checksum mismatch for $secrets_name: not uploading"
  fi
  local unreadable=0
  if [ -s "$UNREADABLE" ]; then unreadable="$(wc -l <"$UNREADABLE")"; fi

  local aws_args=(--only-show-errors)
  if [ -n "$ENDPOINT_URL" ]; then aws_args+=(--endpoint-url "$ENDPOINT_URL"); fi
  # Object Lock default retention refuses writes without a checksum: Content-MD5 (CLI < 2.23) or the
  # algorithm the job names (`--checksum-algorithm`, CLI >= 2.18).
  if [ -n "${BACKUP_CHECKSUM_ALGORITHM:-}" ]; then aws_args+=(--checksum-algorithm "$BACKUP_CHECKSUM_ALGORITHM"); fi
  local kms_args=()
  if [ -n "${BACKUP_KMS_KEY_ID:-}" ]; then kms_args=(--sse aws:kms --sse-kms-key-id "$BACKUP_KMS_KEY_ID"); fi

  STEP="upload-config"
  "$AWS_CLI" s3 cp "${aws_args[@]}" ${kms_args[@]+"${kms_args[@]}"} --metadata "sha256=$(cut -d ' ' -f 1 "$WORK_DIR/$name.sha256"),unreadable=$unreadable" \
    "$WORK_DIR/$name" "s3://$BUCKET/$PREFIX/$name" || die "upload of s3://$BUCKET/$PREFIX/$name failed"
  log "uploaded s3://$BUCKET/$PREFIX/$name"
  if [ -n "$secrets_name" ]; then
    STEP="upload-secrets"
    "$AWS_CLI" s3 cp "${aws_args[@]}" "${kms_args[@]}" --metadata "sha256=$(cut -d ' ' -f 1 "$SECRETS_DIR/$secrets_name.sha256")" \
      "$SECRETS_DIR/$secrets_name" "s3://$BUCKET/$PREFIX/secrets/$secrets_name" || die "upload of s3://$BUCKET/$PREFIX/secrets/$secrets_name failed"
    rm -f "$SECRETS_DIR/$secrets_name"
    log "uploaded s3://$BUCKET/$PREFIX/secrets/$secrets_name (SSE-KMS)"
  fi
  if [ "$unreadable" -gt 0 ]; then
    # What could be read is in S3; the Job still fails so that the backup alerts (BackupJobFailed) fire.
    STEP="export"
    die "incomplete backup uploaded: $unreadable resource list(s) could not be read: $(cut -d ':' -f 1 "$UNREADABLE" | head -n 10 | tr '\n' ' ')(details in UNREADABLE.txt inside s3://$BUCKET/$PREFIX/$name)"
  fi
}

case "$PHASE" in
  export) export_configs ;;
  upload) upload ;;
  all) export_configs; upload ;;
esac
log "done ($PHASE)"
