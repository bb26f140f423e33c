/**
 * S3 rules about what a bucket policy does to writes that real clients make (issue 14 item 8).
 *
 * A multipart upload sends its headers (SSE, ACL, storage class, Object Lock, tags) once, on
 * CreateMultipartUpload; the UploadPart requests that follow carry none of them, yet S3 authorises
 * each part as `s3:PutObject`. A Deny on `s3:PutObject` whose condition holds when such a header is
 * ABSENT therefore refuses every part: the AWS CLI switches to multipart above 8 MB, so every real
 * backup fails while small test uploads pass. (IAM: a negated operator such as `StringNotEquals`, any
 * `...IfExists` operator and `Null: true` are true for a missing key; a plain positive operator and
 * `Null: false` are false.)
 */
import { asArray, policyDocument, resourceRule, statements } from "./common";
import { BUCKET, BUCKET_POLICY } from "./s3";

/** Condition keys of request headers that CreateMultipartUpload carries and UploadPart does not. */
const UPLOAD_HEADER_KEY =
  /^s3:(x-amz-server-side-encryption|x-amz-server-side-encryption-aws-kms-key-id|x-amz-server-side-encryption-context|x-amz-acl|x-amz-storage-class|x-amz-grant-[a-z-]+|x-amz-website-redirect-location|object-lock-[a-z-]+|RequestObjectTag\/.+|RequestObjectTagKeys)$/i;

/** True when an IAM action pattern (with * and ? wildcards) matches `action`. */
function actionMatches(pattern: unknown, action: string): boolean {
  if (typeof pattern !== "string") return false;
  const regex = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return regex.test(action);
}

/** True when the statement applies to s3:PutObject (through Action, or through a NotAction that leaves it in). */
function coversPutObject(statement: Record<string, unknown>): boolean {
  if (statement.Action !== undefined) return asArray(statement.Action).some((a) => actionMatches(a, "s3:PutObject"));
  if (statement.NotAction !== undefined) return !asArray(statement.NotAction).some((a) => actionMatches(a, "s3:PutObject"));
  return false;
}

/** How one condition operator evaluates for a key that is missing from the request. */
function trueWhenAbsent(operator: string, value: unknown): boolean {
  if (operator === "Null") return asArray(value).some((v) => String(v) === "true");
  if (/IfExists$/.test(operator)) return true;
  if (/^ForAllValues:/.test(operator)) return true;
  if (/^ForAnyValue:/.test(operator)) return false;
  return /Not(Equals|Like|EqualsIgnoreCase)$/.test(operator);
}

/**
 * The upload-header conditions of a Deny statement on s3:PutObject that all hold when the headers are
 * absent, i.e. the statement also denies UploadPart; [] when it does not.
 */
export function multipartBreakingConditions(statement: Record<string, unknown>): string[] {
  if (statement.Effect !== "Deny" || !coversPutObject(statement)) return [];
  const condition = statement.Condition;
  if (!condition || typeof condition !== "object") return [];
  const headerConditions: Array<{ operator: string; key: string; holds: boolean }> = [];
  for (const [operator, entries] of Object.entries(condition as Record<string, unknown>)) {
    if (!entries || typeof entries !== "object") continue;
    for (const [key, value] of Object.entries(entries as Record<string, unknown>)) {
      if (UPLOAD_HEADER_KEY.test(key)) headerConditions.push({ operator, key, holds: trueWhenAbsent(operator, value) });
    }
  }
  // Condition blocks are ANDed: one header condition that is false when the header is missing spares the parts.
  if (!headerConditions.length || headerConditions.some((c) => !c.holds)) return [];
  return headerConditions.map((c) => `${c.operator} ${c.key}`);
}

export const s3WritePolicies = [
  resourceRule({
    name: "s3-deny-keeps-multipart",
    description:
      "A bucket policy Deny on s3:PutObject conditioned on an upload header (SSE, ACL, storage class, Object Lock, tags) must not hold when the header is absent, or it refuses every multipart UploadPart (runbook 001 backups; issue 14).",
    grade: "graded",
    severity: "high",
    remediation:
      'Add "Null": {"<header key>": "false"} to the statement (with "StringNotEqualsIfExists" for the value), so it judges only requests that send the header, and let the bucket default encryption cover the rest.',
    types: [BUCKET_POLICY, BUCKET],
    check: (props) => {
      if (props.policy === undefined) return undefined;
      const doc = policyDocument(props.policy);
      if (!doc) return undefined;
      return statements(doc).flatMap((s) => {
        const conditions = multipartBreakingConditions(s as Record<string, unknown>);
        return conditions.length
          ? [`statement ${(s as { Sid?: string }).Sid ?? "(no Sid)"} denies s3:PutObject when ${conditions.join(" and ")} holds for a missing header, so it also denies every multipart UploadPart (parts carry no such header)`]
          : [];
      });
    },
  }),
];
