import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";

import { lifecycleProblem } from "../core/s3-lifecycle";
import type { RetentionRule } from "../core/s3-lifecycle";
export { BACKUP_PREFIXES, COLD_STORAGE_CLASSES, S3_MINIMUM_STORAGE_DAYS, lifecycleProblem } from "../core/s3-lifecycle";
export type { ColdStorageClass, LifecycleTransition, RetentionRule } from "../core/s3-lifecycle";

export interface BackupBucketReplicationArgs {
  /** AWS provider of the DR region; the replica bucket and its KMS key are created through it. No default. */
  provider: aws.Provider;
  /** Physical name of the replica bucket (checked here when it is a plain string). @default `<bucketName>-replica`, or an auto-generated name when bucketName is not a plain string */
  bucketName?: pulumi.Input<string>;
}

export interface BackupBucketObjectLockArgs {
  /** GOVERNANCE lets holders of s3:BypassGovernanceRetention delete early; COMPLIANCE lets nobody. @default "GOVERNANCE" */
  mode?: "GOVERNANCE" | "COMPLIANCE";
  /** Days every new object version is immutable. No default. */
  days: number;
}

export interface BackupBucketArgs {
  /** Physical bucket name (globally unique, e.g. core/names.ts globalBucketName; checked here when it is a plain string). @default auto-generated from the resource name */
  bucketName?: pulumi.Input<string>;
  /** One lifecycle rule per backup prefix; prefixes must not overlap. No default. */
  retention: RetentionRule[];
  /** Days a replaced or expired object version survives before it is deleted for good. @default 7 */
  noncurrentVersionExpirationDays?: number;
  /** Days after which unfinished multipart uploads (a backup job killed mid-upload) are aborted. @default 1 */
  abortIncompleteMultipartUploadDays?: number;
  /** Prefixes where writes must request SSE-KMS with this bucket's key (secrets). @default [] */
  requireKmsKeyPrefixes?: string[];
  /** Object Lock default retention, for immutable backups; can only be chosen when the bucket is created. @default none */
  objectLock?: BackupBucketObjectLockArgs;
  /** Replicate every object to a bucket in the DR region. @default none */
  replication?: BackupBucketReplicationArgs;
  /** Protect the bucket(s) from `pulumi destroy` (backups must outlive the stack by mistake). @default true */
  protect?: boolean;
  /** Tags for every AWS resource; `runbook:purpose = backups` is added to the buckets. @default {} */
  tags?: Record<string, string>;
}

const PREFIX = /^[A-Za-z0-9!_.*'()-]+(\/[A-Za-z0-9!_.*'()-]+)*\/$/;
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

/** The entries of `outputs` whose value is defined. */
export function definedOnly(outputs: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(outputs).filter(([, value]) => value !== undefined));
}

/** What a job may do in the bucket: `put` and `get` list key prefixes. */
export interface BucketAccess {
  /** Prefixes the principal may write (s3:PutObject, multipart). @default [] */
  put?: string[];
  /** Prefixes the principal may list and read (s3:ListBucket on the prefix, s3:GetObject). @default [] */
  get?: string[];
  /**
   * Prefixes the principal may read objects from without listing (s3:GetObject only): the sources of
   * its server-side copies (CopyObject needs s3:GetObject on the source). @default []
   */
  copyFrom?: string[];
}

/**
 * The least-privilege IAM policy for a job that writes and/or reads some prefixes of a backup bucket
 * encrypted with `kmsKeyArn`. Exported for callers that hold only ARNs (the DR step on the replica).
 */
export function backupAccessPolicy(bucketArn: pulumi.Input<string>, kmsKeyArn: pulumi.Input<string>, access: BucketAccess): pulumi.Output<string> {
  const put = access.put ?? [];
  const get = access.get ?? [];
  const copyFrom = (access.copyFrom ?? []).filter((p) => !get.includes(p));
  return pulumi.all([bucketArn, kmsKeyArn]).apply(([bucket, key]) => {
    const statements: Record<string, unknown>[] = [];
    if (put.length)
      statements.push({ Sid: "WriteBackups", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: put.map((p) => `${bucket}/${p}*`) });
    if (copyFrom.length)
      statements.push({ Sid: "ReadCopySources", Effect: "Allow", Action: ["s3:GetObject"], Resource: copyFrom.map((p) => `${bucket}/${p}*`) });
    if (get.length) {
      statements.push({ Sid: "ReadBackups", Effect: "Allow", Action: ["s3:GetObject"], Resource: get.map((p) => `${bucket}/${p}*`) });
      statements.push({ Sid: "ListBackups", Effect: "Allow", Action: ["s3:ListBucket"], Resource: bucket, Condition: { StringLike: { "s3:prefix": get.map((p) => `${p}*`) } } });
    }
    // SSE-KMS: uploads need a data key, multipart completion and downloads need Decrypt.
    const kmsActions = [...(put.length ? ["kms:GenerateDataKey"] : []), "kms:Decrypt"];
    statements.push({ Sid: "UseBackupKey", Effect: "Allow", Action: kmsActions, Resource: key });
    return JSON.stringify({ Version: "2012-10-17", Statement: statements });
  });
}

/**
 * The S3 bucket backups land in (runbook 001 "Backup and Disaster Recovery"): versioned, encrypted
 * with its own KMS key, closed to the public and to plain HTTP, with one lifecycle rule per backup
 * prefix so that daily, weekly, monthly, hourly and Kubernetes backups each keep their own retention
 * and move to cold storage on their own schedule. Optionally immutable (Object Lock) and replicated
 * to a bucket in the DR region, encrypted there with a key of that region.
 */
export class BackupBucket extends pulumi.ComponentResource {
  public readonly bucketName: pulumi.Output<string>;
  public readonly bucketArn: pulumi.Output<string>;
  public readonly kmsKeyArn: pulumi.Output<string>;
  /** The lifecycle rules as validated, for reports and tests. */
  public readonly retention: RetentionRule[];
  public readonly replicaBucketName?: pulumi.Output<string>;
  public readonly replicaBucketArn?: pulumi.Output<string>;
  public readonly replicaKmsKeyArn?: pulumi.Output<string>;
  public readonly replicationRoleArn?: pulumi.Output<string>;

  constructor(name: string, args: BackupBucketArgs, opts?: pulumi.ComponentResourceOptions) {
    const C = "BackupBucket";
    if (typeof args.bucketName === "string" && (!BUCKET_NAME.test(args.bucketName) || args.bucketName.includes("..")))
      rejectArg(C, "bucketName", args.bucketName, "must be an S3 bucket name: 3–63 lowercase letters, digits, '.' or '-'");
    if (!Array.isArray(args.retention) || args.retention.length === 0) rejectArg(C, "retention", args.retention, "must list at least one prefix rule");
    for (const [i, rule] of args.retention.entries()) {
      if (typeof rule.prefix !== "string" || !PREFIX.test(rule.prefix)) rejectArg(C, `retention[${i}].prefix`, rule.prefix, 'must be a key prefix ending in "/" such as "postgresql/daily/"');
      if (!Number.isInteger(rule.expireAfterDays) || rule.expireAfterDays < 1) rejectArg(C, `retention[${i}].expireAfterDays`, rule.expireAfterDays, "must be a positive integer (days)");
      for (const [j, other] of args.retention.entries())
        if (j !== i && other.prefix.startsWith(rule.prefix))
          rejectArg(C, `retention[${j}].prefix`, other.prefix, `must not overlap retention[${i}].prefix "${rule.prefix}": S3 would apply both rules`);
      const problem = lifecycleProblem(rule);
      if (problem) rejectArg(C, problem.index < 0 ? `retention[${i}].expireAfterDays` : `retention[${i}].transitions[${problem.index}]`, problem.index < 0 ? rule.expireAfterDays : rule.transitions![problem.index], problem.allowed);
    }
    const noncurrentDays = args.noncurrentVersionExpirationDays ?? 7;
    if (!Number.isInteger(noncurrentDays) || noncurrentDays < 1) rejectArg(C, "noncurrentVersionExpirationDays", noncurrentDays, "must be a positive integer (days)");
    const abortDays = args.abortIncompleteMultipartUploadDays ?? 1;
    if (!Number.isInteger(abortDays) || abortDays < 1) rejectArg(C, "abortIncompleteMultipartUploadDays", abortDays, "must be a positive integer (days)");
    for (const prefix of args.requireKmsKeyPrefixes ?? []) if (!PREFIX.test(prefix)) rejectArg(C, "requireKmsKeyPrefixes", prefix, 'must be key prefixes ending in "/"');
    const lock = args.objectLock;
    if (lock) {
      if (!Number.isInteger(lock.days) || lock.days < 1 || lock.days > 36500) rejectArg(C, "objectLock.days", lock.days, "must be an integer from 1 to 36500");
      if (lock.mode !== undefined && lock.mode !== "GOVERNANCE" && lock.mode !== "COMPLIANCE") rejectArg(C, "objectLock.mode", lock.mode, "must be GOVERNANCE or COMPLIANCE");
    }
    if (args.replication && !args.replication.provider) rejectArg(C, "replication.provider", undefined, "must be the AWS provider of the DR region");
    if (typeof args.replication?.bucketName === "string" && !BUCKET_NAME.test(args.replication.bucketName))
      rejectArg(C, "replication.bucketName", args.replication.bucketName, "must be an S3 bucket name: 3–63 lowercase letters, digits, '.' or '-'");
    super("runbook:backup:BackupBucket", name, {}, opts);

    const tags = { ...(args.tags ?? {}), "runbook:purpose": "backups" };
    this.retention = args.retention.map((rule) => ({ ...rule, transitions: [...(rule.transitions ?? [])] }));

    const primary = this.encryptedBucket(name, {
      bucketName: args.bucketName,
      tags,
      protect: args.protect ?? true,
      lock,
      noncurrentDays,
      abortDays,
      requireKmsKeyPrefixes: args.requireKmsKeyPrefixes ?? [],
      description: `Backups in ${name} (${typeof args.bucketName === "string" ? args.bucketName : "bucket named at deploy time"})`,
    });
    this.bucketName = primary.bucket.bucket;
    this.bucketArn = primary.bucket.arn;
    this.kmsKeyArn = primary.key.arn;

    if (args.replication) {
      const drProvider = args.replication.provider;
      const replicaName = args.replication.bucketName ?? (typeof args.bucketName === "string" ? `${args.bucketName}-replica`.slice(0, 63) : undefined);
      const replica = this.encryptedBucket(
        `${name}-replica`,
        { bucketName: replicaName, tags, protect: args.protect ?? true, lock, noncurrentDays, abortDays, requireKmsKeyPrefixes: [], description: `Replica of the backups in ${name}` },
        drProvider,
      );

      const role = new aws.iam.Role(
        `${name}-replication`,
        {
          assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "s3.amazonaws.com" }, Action: "sts:AssumeRole" }],
          }),
          tags: args.tags,
        },
        { parent: this },
      );
      new aws.iam.RolePolicy(
        `${name}-replication`,
        {
          role: role.name,
          policy: pulumi.jsonStringify({
            Version: "2012-10-17",
            Statement: [
              { Sid: "ReadSourceConfig", Effect: "Allow", Action: ["s3:GetReplicationConfiguration", "s3:ListBucket"], Resource: primary.bucket.arn },
              {
                Sid: "ReadSourceVersions",
                Effect: "Allow",
                Action: ["s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging", "s3:GetObjectRetention", "s3:GetObjectLegalHold"],
                Resource: pulumi.interpolate`${primary.bucket.arn}/*`,
              },
              { Sid: "WriteReplica", Effect: "Allow", Action: ["s3:ReplicateObject", "s3:ReplicateTags"], Resource: pulumi.interpolate`${replica.bucket.arn}/*` },
              { Sid: "DecryptSource", Effect: "Allow", Action: ["kms:Decrypt"], Resource: primary.key.arn },
              { Sid: "EncryptReplica", Effect: "Allow", Action: ["kms:Encrypt", "kms:GenerateDataKey"], Resource: replica.key.arn },
            ],
          }),
        },
        { parent: this },
      );

      new aws.s3.BucketReplicationConfig(
        `${name}-replication`,
        {
          bucket: primary.bucket.id,
          role: role.arn,
          rules: [
            {
              id: "backups-to-dr-region",
              status: "Enabled",
              filter: {},
              // Deletions are not replicated: a mistaken or malicious delete in the primary leaves the DR copy, which expires by its own lifecycle.
              deleteMarkerReplication: { status: "Disabled" },
              sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
              destination: { bucket: replica.bucket.arn, storageClass: "STANDARD", encryptionConfiguration: { replicaKmsKeyId: replica.key.arn } },
            },
          ],
        },
        { parent: this, dependsOn: [primary.versioning, replica.versioning] },
      );

      this.replicaBucketName = replica.bucket.bucket;
      this.replicaBucketArn = replica.bucket.arn;
      this.replicaKmsKeyArn = replica.key.arn;
      this.replicationRoleArn = role.arn;
    }

    // Optional parts left out are omitted rather than registered as undefined (which the engine warns about).
    this.registerOutputs(definedOnly({
      bucketName: this.bucketName,
      bucketArn: this.bucketArn,
      kmsKeyArn: this.kmsKeyArn,
      replicaBucketName: this.replicaBucketName,
      replicaBucketArn: this.replicaBucketArn,
      replicaKmsKeyArn: this.replicaKmsKeyArn,
      replicationRoleArn: this.replicationRoleArn,
    }));
  }

  /** Least-privilege policy for a job using some prefixes of this bucket (see `backupAccessPolicy`). */
  public accessPolicy(access: BucketAccess): pulumi.Output<string> {
    return backupAccessPolicy(this.bucketArn, this.kmsKeyArn, access);
  }

  /** Least-privilege read policy on the DR replica (for a restore job in the DR region). */
  public replicaReadPolicy(prefixes: string[]): pulumi.Output<string> | undefined {
    if (!this.replicaBucketArn || !this.replicaKmsKeyArn) return undefined;
    return backupAccessPolicy(this.replicaBucketArn, this.replicaKmsKeyArn, { get: prefixes });
  }

  private encryptedBucket(
    name: string,
    o: {
      bucketName?: pulumi.Input<string>;
      tags: Record<string, string>;
      protect: boolean;
      lock?: BackupBucketObjectLockArgs;
      noncurrentDays: number;
      abortDays: number;
      requireKmsKeyPrefixes: string[];
      description: string;
    },
    provider?: aws.Provider,
  ) {
    const opts: pulumi.CustomResourceOptions = provider ? { parent: this, provider } : { parent: this };
    const key = new aws.kms.Key(`${name}-key`, { description: o.description, enableKeyRotation: true, deletionWindowInDays: 30, tags: o.tags }, opts);
    const bucket = new aws.s3.Bucket(
      name,
      { bucket: o.bucketName, objectLockEnabled: o.lock ? true : undefined, forceDestroy: false, tags: o.tags },
      { ...opts, protect: o.protect },
    );
    const versioning = new aws.s3.BucketVersioning(`${name}-versioning`, { bucket: bucket.id, versioningConfiguration: { status: "Enabled" } }, opts);
    new aws.s3.BucketServerSideEncryptionConfiguration(
      `${name}-encryption`,
      { bucket: bucket.id, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: key.arn }, bucketKeyEnabled: true }] },
      opts,
    );
    const publicAccess = new aws.s3.BucketPublicAccessBlock(
      `${name}-public-access`,
      { bucket: bucket.id, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true },
      opts,
    );
    new aws.s3.BucketOwnershipControls(`${name}-ownership`, { bucket: bucket.id, rule: { objectOwnership: "BucketOwnerEnforced" } }, opts);
    new aws.s3.BucketPolicy(
      `${name}-policy`,
      {
        bucket: bucket.id,
        policy: pulumi.all([bucket.arn, key.arn]).apply(([arn, keyArn]) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Sid: "DenyInsecureTransport",
                Effect: "Deny",
                Principal: "*",
                Action: "s3:*",
                Resource: [arn, `${arn}/*`],
                Condition: { Bool: { "aws:SecureTransport": "false" } },
              },
              ...(o.requireKmsKeyPrefixes.length
                ? [
                    // Writes here may only ask for SSE-KMS with this bucket's key. Each Deny judges only a
                    // request that SENDS the header (Null false): multipart UploadPart requests carry no
                    // SSE header but are authorised as s3:PutObject, so a plain StringNotEquals (true for a
                    // missing key) would refuse every part of every upload above 8 MB. A request without
                    // the header gets the bucket default: SSE-KMS with this same key.
                    {
                      Sid: "DenyWritesWithOtherKey",
                      Effect: "Deny",
                      Principal: "*",
                      Action: "s3:PutObject",
                      Resource: o.requireKmsKeyPrefixes.map((p) => `${arn}/${p}*`),
                      Condition: {
                        StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": keyArn },
                        Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" },
                      },
                    },
                    {
                      Sid: "DenyWritesWithOtherEncryption",
                      Effect: "Deny",
                      Principal: "*",
                      Action: "s3:PutObject",
                      Resource: o.requireKmsKeyPrefixes.map((p) => `${arn}/${p}*`),
                      Condition: {
                        StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption": "aws:kms" },
                        Null: { "s3:x-amz-server-side-encryption": "false" },
                      },
                    },
                    {
                      // SSE-KMS asked for without naming a key would get the AWS managed key aws/s3.
                      Sid: "DenyKmsWritesWithoutKey",
                      Effect: "Deny",
                      Principal: "*",
                      Action: "s3:PutObject",
                      Resource: o.requireKmsKeyPrefixes.map((p) => `${arn}/${p}*`),
                      Condition: {
                        StringEquals: { "s3:x-amz-server-side-encryption": "aws:kms" },
                        Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "true" },
                      },
                    },
                  ]
                : []),
            ],
          }),
        ),
      },
      // S3 refuses a policy while the public access block is being applied.
      { ...opts, dependsOn: [publicAccess] },
    );
    new aws.s3.BucketLifecycleConfiguration(
      `${name}-lifecycle`,
      {
        bucket: bucket.id,
        rules: [
          ...this.retention.map((rule) => ({
            id: `expire-${rule.prefix.replace(/\/$/, "").replace(/[^A-Za-z0-9-]+/g, "-")}`,
            status: "Enabled",
            filter: { prefix: rule.prefix },
            expiration: { days: rule.expireAfterDays },
            transitions: rule.transitions?.map((t) => ({ days: t.afterDays, storageClass: t.storageClass })),
            noncurrentVersionExpiration: { noncurrentDays: o.noncurrentDays },
          })),
          {
            id: "bucket-hygiene",
            status: "Enabled",
            filter: {},
            // Expired backups leave delete markers over nothing once their noncurrent versions are gone.
            expiration: { expiredObjectDeleteMarker: true },
            abortIncompleteMultipartUpload: { daysAfterInitiation: o.abortDays },
          },
        ],
      },
      { ...opts, dependsOn: [versioning] },
    );
    if (o.lock) {
      new aws.s3.BucketObjectLockConfiguration(
        `${name}-object-lock`,
        { bucket: bucket.id, rule: { defaultRetention: { mode: o.lock.mode ?? "GOVERNANCE", days: o.lock.days } } },
        { ...opts, dependsOn: [versioning] },
      );
    }
    return { key, bucket, versioning };
  }
}
