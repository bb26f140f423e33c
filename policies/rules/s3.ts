/**
 * S3 rules. With @pulumi/aws 7 a bucket's protections are separate resources (public access block,
 * encryption, versioning, policy, lifecycle), so "this bucket is protected" is a stack rule that
 * pairs each bucket with the resources whose `bucket` input points at it.
 */
import type { PolicyResource } from "@pulumi/policy";
import { asArray, get, ofType, policyDocument, references, resourceRule, stackRule, statements } from "./common";

export const BUCKET = "aws:s3/bucket:Bucket";
const BUCKET_V2 = "aws:s3/bucketV2:BucketV2";
export const PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
export const BUCKET_SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const BUCKET_SSE_V2 = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2";
export const BUCKET_VERSIONING = "aws:s3/bucketVersioning:BucketVersioning";
const BUCKET_VERSIONING_V2 = "aws:s3/bucketVersioningV2:BucketVersioningV2";
export const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
export const BUCKET_LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const BUCKET_LIFECYCLE_V2 = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2";
const BUCKET_ACL = "aws:s3/bucketAcl:BucketAcl";
const BUCKET_ACL_V2 = "aws:s3/bucketAclV2:BucketAclV2";
export const BUCKET_OWNERSHIP = "aws:s3/bucketOwnershipControls:BucketOwnershipControls";

const PUBLIC_ACLS = ["public-read", "public-read-write", "authenticated-read"];
const PAB_FLAGS = ["blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"];

export function buckets(resources: PolicyResource[]): PolicyResource[] {
  return ofType(resources, BUCKET, BUCKET_V2);
}

/** The resources of `types` that configure `bucket` (by dependency or by its `bucket` input). */
export function attachedTo(resources: PolicyResource[], bucket: PolicyResource, ...types: string[]): PolicyResource[] {
  return ofType(resources, ...types).filter((r) => references(r, bucket, "bucket", ["bucket", "id"]));
}

/** The bucket the runbook's backups land in: tag `runbook:purpose = backups`. */
export function isBackupBucket(bucket: PolicyResource): boolean {
  return get(bucket.props, "tags", "runbook:purpose") === "backups";
}

function bucketLabel(bucket: PolicyResource): string {
  return `bucket ${get(bucket.props, "bucket") ?? bucket.name}`;
}

function isPublicPrincipal(principal: unknown): boolean {
  if (principal === "*") return true;
  const aws = get(principal, "AWS");
  return asArray(aws).includes("*");
}

/** A bucket-policy statement that denies every request not made over TLS. */
function deniesInsecureTransport(policy: unknown): boolean {
  return statements(policyDocument(policy)).some((s) => {
    if (s.Effect !== "Deny" || !asArray(s.Action).some((a) => a === "s3:*" || a === "*")) return false;
    const bool = get(s.Condition, "Bool", "aws:SecureTransport");
    const numeric = get(s.Condition, "NumericLessThan", "s3:TlsVersion");
    return String(bool) === "false" || numeric !== undefined;
  });
}

export const s3Policies = [
  resourceRule({
    name: "s3-public-access-block-all",
    description: "An S3 public access block turns on all four settings (AWS FSBP S3.8, CIS AWS 2.1.4, CKV_AWS_53/54/55/56).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Set blockPublicAcls, blockPublicPolicy, ignorePublicAcls and restrictPublicBuckets to true.",
    types: [PUBLIC_ACCESS_BLOCK],
    check: (props) => {
      const off = PAB_FLAGS.filter((flag) => props[flag] !== true);
      return off.length ? `${off.join(", ")} ${off.length === 1 ? "is" : "are"} not true` : undefined;
    },
  }),
  stackRule({
    name: "s3-bucket-public-access-blocked",
    description: "Every S3 bucket has its own public access block (AWS FSBP S3.8, CKV2_AWS_6).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Add an aws.s3.BucketPublicAccessBlock for the bucket with all four settings true.",
    check: (resources) =>
      buckets(resources)
        .filter((b) => attachedTo(resources, b, PUBLIC_ACCESS_BLOCK).length === 0)
        .map((b) => ({ urn: b.urn, message: `${bucketLabel(b)} has no BucketPublicAccessBlock` })),
  }),
  resourceRule({
    name: "s3-no-public-acl",
    description: "No S3 bucket or bucket ACL grants public or any-AWS-user access (AWS FSBP S3.2/S3.3, CKV_AWS_20).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Use acl private (or no ACL with BucketOwnerEnforced ownership) and grant access through IAM.",
    types: [BUCKET, BUCKET_V2, BUCKET_ACL, BUCKET_ACL_V2],
    check: (props) => {
      const acl = props.acl;
      if (typeof acl === "string" && PUBLIC_ACLS.includes(acl)) return `canned ACL ${acl} makes the bucket public`;
      const grants = asArray(get(props, "accessControlPolicy", "grants"));
      const publicGrant = grants.find((g) => /AllUsers|AuthenticatedUsers/.test(String(get(g, "grantee", "uri") ?? "")));
      return publicGrant ? `ACL grants ${get(publicGrant, "permission")} to ${get(publicGrant, "grantee", "uri")}` : undefined;
    },
  }),
  resourceRule({
    name: "s3-bucket-policy-not-public",
    description: "An S3 bucket policy never allows a wildcard principal without a condition (AWS FSBP S3.2/S3.3, CKV_AWS_70).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Name the principals (account, role or service) allowed to read the bucket, or add a restricting Condition.",
    types: [BUCKET_POLICY],
    check: (props) => {
      const doc = policyDocument(props.policy);
      if (!doc) return "policy is not a JSON policy document";
      return statements(doc)
        .filter((s) => s.Effect === "Allow" && isPublicPrincipal(s.Principal) && !s.Condition)
        .map((s) => `statement ${s.Sid ?? "(no Sid)"} allows ${JSON.stringify(s.Action)} to everyone`);
    },
  }),
  stackRule({
    name: "s3-bucket-encrypted",
    description: "Every S3 bucket has a default server-side encryption configuration (AWS FSBP S3.4, CKV_AWS_19).",
    grade: "mandatory",
    remediation: "Add an aws.s3.BucketServerSideEncryptionConfiguration for the bucket (aws:kms with the data key).",
    check: (resources) =>
      buckets(resources)
        .filter((b) => {
          const configs = attachedTo(resources, b, BUCKET_SSE, BUCKET_SSE_V2);
          return !configs.some((c) => asArray(c.props.rules).some((r) => get(r, "applyServerSideEncryptionByDefault", "sseAlgorithm")));
        })
        .map((b) => ({ urn: b.urn, message: `${bucketLabel(b)} has no default encryption` })),
  }),
  resourceRule({
    name: "s3-encryption-uses-kms",
    description: "S3 default encryption uses a KMS key (aws:kms or aws:kms:dsse) so access to the data is also governed by the key policy (CKV_AWS_145).",
    grade: "advisory",
    remediation: "Set applyServerSideEncryptionByDefault.sseAlgorithm to aws:kms with kmsMasterKeyId, and bucketKeyEnabled.",
    types: [BUCKET_SSE, BUCKET_SSE_V2],
    check: (props) => {
      const algorithms = asArray(props.rules).map((r) => get(r, "applyServerSideEncryptionByDefault", "sseAlgorithm"));
      return algorithms.some((a) => typeof a === "string" && a.startsWith("aws:kms")) ? undefined : `default encryption is ${algorithms.join(", ") || "unset"}, not aws:kms`;
    },
  }),
  stackRule({
    name: "s3-bucket-versioning",
    description: "Every S3 bucket keeps object versions, so an overwrite or delete can be undone (AWS FSBP S3.14, CKV_AWS_21).",
    grade: "graded",
    remediation: "Add an aws.s3.BucketVersioning with versioningConfiguration.status Enabled.",
    check: (resources) =>
      buckets(resources)
        .filter((b) => {
          const inline = get(b.props, "versioning", "enabled") === true;
          const separate = attachedTo(resources, b, BUCKET_VERSIONING, BUCKET_VERSIONING_V2).some((v) => get(v.props, "versioningConfiguration", "status") === "Enabled");
          return !inline && !separate;
        })
        .map((b) => ({ urn: b.urn, message: `${bucketLabel(b)} does not have versioning Enabled` })),
  }),
  stackRule({
    name: "s3-tls-only",
    description: "Every S3 bucket policy denies requests that do not use TLS (AWS FSBP S3.5).",
    grade: "mandatory",
    remediation: "Add a bucket policy statement: Deny s3:* on the bucket and its objects when aws:SecureTransport is false.",
    check: (resources) =>
      buckets(resources)
        .filter((b) => !attachedTo(resources, b, BUCKET_POLICY).some((p) => deniesInsecureTransport(p.props.policy)) && !deniesInsecureTransport(b.props.policy))
        .map((b) => ({ urn: b.urn, message: `${bucketLabel(b)} has no policy denying aws:SecureTransport=false` })),
  }),
  stackRule({
    name: "s3-backup-bucket-retention",
    description: "The backup bucket (tag runbook:purpose=backups) has an enabled lifecycle rule that expires backups, so retention is enforced by S3 and not by a script (CKV2_AWS_61, runbook retention 30 days daily).",
    grade: "mandatory",
    remediation: "Add an aws.s3.BucketLifecycleConfiguration with an Enabled rule per backup prefix, with expiration.days (and noncurrentVersionExpiration).",
    check: (resources) =>
      buckets(resources)
        .filter(isBackupBucket)
        .filter((b) => {
          const rules = attachedTo(resources, b, BUCKET_LIFECYCLE, BUCKET_LIFECYCLE_V2).flatMap((l) => asArray(l.props.rules));
          return !rules.some((r) => get(r, "status") === "Enabled" && (get(r, "expiration", "days") > 0 || get(r, "noncurrentVersionExpiration", "noncurrentDays") > 0 || asArray(get(r, "expiration")).some((e) => get(e, "days") > 0)));
        })
        .map((b) => ({ urn: b.urn, message: `backup ${bucketLabel(b)} has no enabled lifecycle rule with an expiration` })),
  }),
  resourceRule({
    name: "s3-lifecycle-aborts-incomplete-uploads",
    description: "S3 lifecycle configurations abort incomplete multipart uploads, which otherwise are stored and billed forever (AWS FSBP S3.13 lifecycle, CKV_AWS_300).",
    grade: "advisory",
    remediation: "Add abortIncompleteMultipartUpload.daysAfterInitiation to an enabled lifecycle rule.",
    types: [BUCKET_LIFECYCLE, BUCKET_LIFECYCLE_V2],
    check: (props) => (asArray(props.rules).some((r) => get(r, "status") === "Enabled" && get(r, "abortIncompleteMultipartUpload", "daysAfterInitiation") > 0) ? undefined : "no enabled rule aborts incomplete multipart uploads"),
  }),
  resourceRule({
    name: "s3-acls-disabled",
    description: "S3 object ownership is BucketOwnerEnforced, which disables ACLs (AWS FSBP S3.12, CKV2_AWS_65).",
    grade: "advisory",
    remediation: "Set rule.objectOwnership to BucketOwnerEnforced.",
    types: [BUCKET_OWNERSHIP],
    check: (props) => {
      const ownership = get(props, "rule", "objectOwnership");
      return ownership === "BucketOwnerEnforced" ? undefined : `objectOwnership is ${ownership ?? "unset"}`;
    },
  }),
];

