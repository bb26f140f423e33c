import * as path from "node:path";
import * as aws from "@pulumi/aws";
import { BackupBucket, BackupBucketArgs, BACKUP_PREFIXES, RetentionRule, lifecycleProblem, backupAccessPolicy } from "../components/backup-bucket";
import { parseStackConfig } from "../stacks/config/load";
import { loadStackFile, LoadedStack } from "../preview/stack-files";
import { planOf, TestPlan } from "./support/plan";
import { multipartBreakingConditions } from "../policies/rules/s3-writes";

/** Runbook 001's retention as the production stack derives it (12 months = 365 days). */
const RUNBOOK_RULES: RetentionRule[] = [
  { prefix: "postgresql/daily/", expireAfterDays: 30 },
  { prefix: "postgresql/weekly/", expireAfterDays: 84, transitions: [{ afterDays: 30, storageClass: "STANDARD_IA" }] },
  {
    prefix: "postgresql/monthly/",
    expireAfterDays: 365,
    transitions: [
      { afterDays: 30, storageClass: "GLACIER" },
      { afterDays: 120, storageClass: "DEEP_ARCHIVE" },
    ],
  },
  { prefix: "postgresql/hourly/", expireAfterDays: 2 },
  { prefix: "k8s-configs/", expireAfterDays: 30 },
];

const args = (over: Partial<BackupBucketArgs> = {}): BackupBucketArgs => ({
  bucketName: "runbook-infra-production-backups",
  retention: RUNBOOK_RULES,
  requireKmsKeyPrefixes: [BACKUP_PREFIXES.kubernetesSecrets],
  tags: { project: "runbook-infra" },
  ...over,
});

const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const rulesOf = (p: TestPlan, nameIncludes = "backups-lifecycle") => ((p.one(LIFECYCLE, nameIncludes).inputs as any).rules as any[]);
const ruleFor = (p: TestPlan, prefix: string, nameIncludes?: string) => rulesOf(p, nameIncludes).find((r) => r.filter?.prefix === prefix);

describe("BackupBucket (runbook 001: daily 30 days, weekly 12 weeks, monthly 12 months)", () => {
  let plan: TestPlan;
  beforeAll(async () => {
    plan = await planOf(() => void new BackupBucket("backups", args()), { stack: "production" });
  });

  it("tags the bucket runbook:purpose=backups, protects it and names it from the stack", () => {
    const bucket = plan.one("aws:s3/bucket:Bucket").inputs as any;
    expect(bucket.bucket).toBe("runbook-infra-production-backups");
    expect(bucket.tags).toMatchObject({ "runbook:purpose": "backups", project: "runbook-infra" });
    expect(bucket.forceDestroy).toBe(false);
    expect(plan.one("runbook:backup:BackupBucket")).toBeDefined();
  });

  it("versions the bucket and encrypts it with its own rotating KMS key", () => {
    expect((plan.one("aws:s3/bucketVersioning:BucketVersioning").inputs as any).versioningConfiguration).toEqual({ status: "Enabled" });
    const key = plan.one("aws:kms/key:Key");
    expect((key.inputs as any).enableKeyRotation).toBe(true);
    const sse = (plan.one("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration").inputs as any).rules[0];
    expect(sse.applyServerSideEncryptionByDefault.sseAlgorithm).toBe("aws:kms");
    expect(sse.applyServerSideEncryptionByDefault.kmsMasterKeyId).toMatch(/^arn:aws:kms:us-east-1:\d+:key\//);
    expect(sse.bucketKeyEnabled).toBe(true);
  });

  it("blocks all public access and enforces bucket-owner ownership", () => {
    expect(plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock").inputs).toMatchObject({
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    });
    expect((plan.one("aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs as any).rule.objectOwnership).toBe("BucketOwnerEnforced");
  });

  it("denies plain-HTTP access and secret uploads without the bucket key", () => {
    const policy = JSON.parse((plan.one("aws:s3/bucketPolicy:BucketPolicy").inputs as any).policy);
    const tls = policy.Statement.find((s: any) => s.Sid === "DenyInsecureTransport");
    expect(tls).toMatchObject({ Effect: "Deny", Principal: "*", Action: "s3:*", Condition: { Bool: { "aws:SecureTransport": "false" } } });
    expect(tls.Resource).toEqual(["arn:aws:s3:::runbook-infra-production-backups", "arn:aws:s3:::runbook-infra-production-backups/*"]);
    const secrets = policy.Statement.filter((s: any) => s.Action === "s3:PutObject");
    expect(secrets.map((s: any) => s.Sid)).toEqual(["DenyWritesWithOtherKey", "DenyWritesWithOtherEncryption", "DenyKmsWritesWithoutKey"]);
    for (const s of secrets) expect(s.Resource).toEqual(["arn:aws:s3:::runbook-infra-production-backups/k8s-configs/secrets/*"]);
    expect(secrets[0].Condition.StringNotEqualsIfExists["s3:x-amz-server-side-encryption-aws-kms-key-id"]).toMatch(/^arn:aws:kms:/);
  });

  it("refuses secret writes with another key or encryption, but not the multipart parts of a correct upload (issue 14 item 8)", () => {
    const policy = JSON.parse((plan.one("aws:s3/bucketPolicy:BucketPolicy").inputs as any).policy);
    const key = policy.Statement[1].Condition.StringNotEqualsIfExists["s3:x-amz-server-side-encryption-aws-kms-key-id"];
    // IAM's reading of the operators used here, for a missing key: negated/IfExists true, Null per its value, positive false.
    const holds = (op: string, k: string, want: string, ctx: Record<string, string>): boolean => {
      const v = ctx[k];
      if (op === "Null") return (v === undefined) === (want === "true");
      if (v === undefined) return op.endsWith("IfExists") || op.startsWith("StringNot");
      return op.startsWith("StringNot") ? v !== want : v === want;
    };
    const denied = (ctx: Record<string, string>) =>
      policy.Statement.some((s: any) => s.Effect === "Deny" && s.Action === "s3:PutObject" && Object.entries(s.Condition).every(([op, kv]) => Object.entries(kv as object).every(([k, want]) => holds(op, k, String(want), ctx))));
    const SSE = "s3:x-amz-server-side-encryption";
    const KEY = "s3:x-amz-server-side-encryption-aws-kms-key-id";
    expect(denied({ [SSE]: "aws:kms", [KEY]: key })).toBe(false); // PutObject / CreateMultipartUpload as the backup job sends it
    expect(denied({})).toBe(false); // UploadPart: no SSE header on parts (and a plain put gets the bucket default: this key)
    expect(denied({ [SSE]: "aws:kms", [KEY]: "arn:aws:kms:us-east-1:123456789012:key/other" })).toBe(true);
    expect(denied({ [SSE]: "AES256" })).toBe(true);
    expect(denied({ [SSE]: "aws:kms" })).toBe(true); // would use the AWS managed aws/s3 key
    // And the policy pack's guard agrees.
    expect(multipartBreakingConditions(policy.Statement[1])).toEqual([]);
    for (const s of policy.Statement) expect(multipartBreakingConditions(s)).toEqual([]);
  });

  it("keeps daily backups 30 days in production", () => {
    expect(ruleFor(plan, "postgresql/daily/")).toMatchObject({ status: "Enabled", expiration: { days: 30 }, noncurrentVersionExpiration: { noncurrentDays: 7 } });
    expect(ruleFor(plan, "postgresql/daily/").transitions ?? []).toEqual([]);
  });

  it("keeps weekly copies 12 weeks, in infrequent access after 30 days", () => {
    expect(ruleFor(plan, "postgresql/weekly/")).toMatchObject({ expiration: { days: 84 }, transitions: [{ days: 30, storageClass: "STANDARD_IA" }] });
  });

  it("keeps monthly copies 12 months and moves them to Glacier, then Deep Archive", () => {
    expect(ruleFor(plan, "postgresql/monthly/")).toMatchObject({
      expiration: { days: 365 },
      transitions: [
        { days: 30, storageClass: "GLACIER" },
        { days: 120, storageClass: "DEEP_ARCHIVE" },
      ],
    });
  });

  it("keeps hourly dumps 2 days and Kubernetes configurations 30 days", () => {
    expect(ruleFor(plan, "postgresql/hourly/").expiration).toEqual({ days: 2 });
    expect(ruleFor(plan, "k8s-configs/").expiration).toEqual({ days: 30 });
  });

  it("aborts incomplete multipart uploads and clears expired delete markers bucket-wide", () => {
    const hygiene = rulesOf(plan).find((r) => r.id === "bucket-hygiene");
    expect(hygiene).toMatchObject({ status: "Enabled", filter: {}, expiration: { expiredObjectDeleteMarker: true }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } });
    // One rule per prefix plus the hygiene rule, each with a distinct id.
    const ids = rulesOf(plan).map((r) => r.id);
    expect(ids).toHaveLength(RUNBOOK_RULES.length + 1);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("creates no replica, no Object Lock and no replication without being asked", () => {
    expect(plan.ofType("aws:s3/bucket:Bucket")).toHaveLength(1);
    expect(plan.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig")).toHaveLength(0);
    expect(plan.ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration")).toHaveLength(0);
  });
});

describe("BackupBucket: Object Lock and replication to the DR region", () => {
  let plan: TestPlan;
  beforeAll(async () => {
    plan = await planOf(
      () => {
        const dr = new aws.Provider("dr-region", { region: "us-west-2" });
        new BackupBucket("backups", args({ objectLock: { days: 7 }, replication: { provider: dr, bucketName: "runbook-infra-production-backups-us-west-2" } }));
      },
      { stack: "production" },
    );
  });

  it("locks every new version for 7 days in GOVERNANCE mode on both buckets", () => {
    for (const bucket of plan.ofType("aws:s3/bucket:Bucket")) expect((bucket.inputs as any).objectLockEnabled).toBe(true);
    const locks = plan.ofType("aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration");
    expect(locks).toHaveLength(2);
    for (const lock of locks) expect((lock.inputs as any).rule.defaultRetention).toEqual({ mode: "GOVERNANCE", days: 7 });
  });

  it("creates the replica bucket and its KMS key through the DR-region provider", () => {
    const replica = plan.one("aws:s3/bucket:Bucket", "replica");
    expect((replica.inputs as any).bucket).toBe("runbook-infra-production-backups-us-west-2");
    expect(replica.provider).toMatch(/dr-region/);
    expect(plan.one("aws:kms/key:Key", "replica").provider).toMatch(/dr-region/);
    expect(plan.ofType("aws:s3/bucket:Bucket").find((b) => b.name === "backups")!.provider ?? "").not.toMatch(/dr-region/);
    // The replica expires on the same schedule as the source (deletes are not replicated).
    expect(ruleFor(plan, "postgresql/daily/", "replica-lifecycle").expiration).toEqual({ days: 30 });
    expect((plan.one("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "replica").inputs as any).restrictPublicBuckets).toBe(true);
  });

  it("replicates every object, re-encrypted with the DR key, and never replicates deletes", () => {
    const replication = plan.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig").inputs as any;
    const rule = replication.rules[0];
    expect(rule).toMatchObject({ status: "Enabled", filter: {}, deleteMarkerReplication: { status: "Disabled" }, sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } } });
    expect(rule.destination.bucket).toBe("arn:aws:s3:::runbook-infra-production-backups-us-west-2");
    const replicaKey = plan.one("aws:kms/key:Key", "replica");
    expect(rule.destination.encryptionConfiguration.replicaKmsKeyId).toMatch(/^arn:aws:kms:us-west-2:\d+:key\//);
    expect(plan.one("aws:s3/bucketReplicationConfig:BucketReplicationConfig").dependencies).toEqual(expect.arrayContaining([replicaKey.urn]));
    expect(replication.role).toMatch(/^arn:aws:iam::/);
  });

  it("gives the replication role only the source reads, replica writes and the two keys", () => {
    const policy = JSON.parse((plan.one("aws:iam/rolePolicy:RolePolicy", "replication").inputs as any).policy);
    const actions = policy.Statement.flatMap((s: any) => s.Action);
    expect(actions).toEqual(expect.arrayContaining(["s3:ReplicateObject", "s3:GetObjectVersionForReplication", "kms:Decrypt", "kms:Encrypt"]));
    expect(actions).not.toContain("s3:*");
    expect(actions).not.toContain("s3:ReplicateDelete");
    const trust = JSON.parse((plan.one("aws:iam/role:Role", "replication").inputs as any).assumeRolePolicy);
    expect(trust.Statement[0].Principal).toEqual({ Service: "s3.amazonaws.com" });
  });
});

describe("BackupBucket: retention values are validated (S3 minimum storage durations, transition order)", () => {
  it("accepts the runbook's production rules", () => {
    for (const rule of RUNBOOK_RULES) expect(lifecycleProblem(rule)).toBeUndefined();
  });

  it("rejects moving 12-week weekly copies to Glacier: Glacier bills 90 days", async () => {
    const rule = { prefix: "postgresql/weekly/", expireAfterDays: 84, transitions: [{ afterDays: 1, storageClass: "GLACIER" as const }] };
    expect(lifecycleProblem(rule)?.allowed).toMatch(/GLACIER bills at least 90 days.*kept 91 days or more/);
    await planOf(() => {
      expect(() => new BackupBucket("b", args({ retention: [rule] }))).toThrow(/^production: BackupBucket\.retention\[0\]\.expireAfterDays: 84 — GLACIER bills at least 90 days/);
    }, { stack: "production" });
  });

  it("accepts Glacier for weekly copies kept 13 weeks (91 days)", () => {
    expect(lifecycleProblem({ expireAfterDays: 91, transitions: [{ afterDays: 1, storageClass: "GLACIER" }] })).toBeUndefined();
  });

  it("rejects infrequent access earlier than 30 days after upload, accepts it at 30", () => {
    expect(lifecycleProblem({ expireAfterDays: 84, transitions: [{ afterDays: 10, storageClass: "STANDARD_IA" }] })?.allowed).toMatch(/no earlier than 30 days/);
    expect(lifecycleProblem({ expireAfterDays: 84, transitions: [{ afterDays: 30, storageClass: "STANDARD_IA" }] })).toBeUndefined();
  });

  it("rejects a transition back to a warmer class and one inside the previous class's minimum", () => {
    expect(
      lifecycleProblem({ expireAfterDays: 400, transitions: [{ afterDays: 30, storageClass: "GLACIER" }, { afterDays: 200, storageClass: "STANDARD_IA" }] })?.allowed,
    ).toMatch(/colder class than GLACIER/);
    expect(
      lifecycleProblem({ expireAfterDays: 400, transitions: [{ afterDays: 30, storageClass: "GLACIER" }, { afterDays: 60, storageClass: "DEEP_ARCHIVE" }] })?.allowed,
    ).toMatch(/at least 90 days .* day 120 or later/);
  });

  it("rejects a transition at or after expiry", () => {
    expect(lifecycleProblem({ expireAfterDays: 30, transitions: [{ afterDays: 30, storageClass: "INTELLIGENT_TIERING" }] })?.allowed).toMatch(/before the backups expire at day 30/);
    expect(lifecycleProblem({ expireAfterDays: 31, transitions: [{ afterDays: 30, storageClass: "INTELLIGENT_TIERING" }] })).toBeUndefined();
  });

  it("rejects overlapping prefixes, zero-day retention, bad prefixes, names and lock periods", async () => {
    await planOf(() => {
      const make = (over: Partial<BackupBucketArgs>) => () => new BackupBucket("b", args(over));
      expect(make({ retention: [{ prefix: "postgresql/", expireAfterDays: 30 }, { prefix: "postgresql/daily/", expireAfterDays: 7 }] })).toThrow(
        /BackupBucket\.retention\[1\]\.prefix: "postgresql\/daily\/" — must not overlap retention\[0\]\.prefix "postgresql\/"/,
      );
      expect(make({ retention: [{ prefix: "postgresql/daily/", expireAfterDays: 0 }] })).toThrow(/BackupBucket\.retention\[0\]\.expireAfterDays: 0 — must be a positive integer/);
      expect(make({ retention: [{ prefix: "postgresql/daily/", expireAfterDays: 1.5 }] })).toThrow(/expireAfterDays: 1.5 — must be a positive integer/);
      expect(make({ retention: [{ prefix: "postgresql/daily", expireAfterDays: 7 }] })).toThrow(/retention\[0\]\.prefix: "postgresql\/daily" — must be a key prefix ending in "\/"/);
      expect(make({ retention: [] })).toThrow(/BackupBucket\.retention: \[\] — must list at least one prefix rule/);
      expect(make({ bucketName: "Backups_Bucket" })).toThrow(/BackupBucket\.bucketName: "Backups_Bucket" — must be an S3 bucket name/);
      expect(make({ objectLock: { days: 0 } })).toThrow(/BackupBucket\.objectLock\.days: 0 — must be an integer from 1 to 36500/);
      expect(make({ noncurrentVersionExpirationDays: 0 })).toThrow(/noncurrentVersionExpirationDays: 0 — must be a positive integer/);
      // and the accepting side of each
      expect(make({ retention: [{ prefix: "postgresql/daily/", expireAfterDays: 7 }, { prefix: "postgresql/weekly/", expireAfterDays: 28 }], objectLock: { days: 1 }, noncurrentVersionExpirationDays: 1 })).not.toThrow();
    }, { stack: "production" });
  });
});

describe("backupAccessPolicy: least privilege for the jobs", () => {
  it("lets a writer put objects under its prefixes only, with a data key, and a reader list/get its prefixes only", async () => {
    let writer = "";
    let reader = "";
    await planOf(() => {
      backupAccessPolicy("arn:aws:s3:::b", "arn:aws:kms:us-east-1:1:key/k", { put: ["postgresql/daily/"] }).apply((p) => (writer = p));
      backupAccessPolicy("arn:aws:s3:::b", "arn:aws:kms:us-east-1:1:key/k", { get: ["postgresql/daily/"] }).apply((p) => (reader = p));
    });
    const w = JSON.parse(writer).Statement;
    expect(w).toEqual([
      { Sid: "WriteBackups", Effect: "Allow", Action: ["s3:PutObject", "s3:AbortMultipartUpload"], Resource: ["arn:aws:s3:::b/postgresql/daily/*"] },
      { Sid: "UseBackupKey", Effect: "Allow", Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: "arn:aws:kms:us-east-1:1:key/k" },
    ]);
    const r = JSON.parse(reader).Statement;
    expect(r.flatMap((s: any) => s.Action)).toEqual(["s3:GetObject", "s3:ListBucket", "kms:Decrypt"]);
    expect(r.find((s: any) => s.Sid === "ListBackups").Condition).toEqual({ StringLike: { "s3:prefix": ["postgresql/daily/*"] } });
  });
});

describe("stack config: runbook-infra:backups", () => {
  const root = path.join(__dirname, "..");
  const production = () => loadStackFile("runbook-infra", path.join(root, "Pulumi.production.yaml"));
  const staging = () => loadStackFile("runbook-infra", path.join(root, "Pulumi.staging.yaml"));
  const parse = (stack: LoadedStack, raw = stack.config) => parseStackConfig(stack.stack, raw, new Set(stack.secretKeys));
  const withBackups = (stack: LoadedStack, edit: (b: any) => void) => {
    const value = JSON.parse(stack.config["runbook-infra:backups"]);
    edit(value);
    return { ...stack.config, "runbook-infra:backups": JSON.stringify(value) };
  };

  it("reads runbook 001's retention from the production stack", () => {
    const b = parse(production()).backups!;
    expect(b.postgres.daily).toMatchObject({ schedule: "0 2 * * *", retentionDays: 30 });
    expect(b.postgres.weekly.retentionWeeks).toBe(12);
    expect(b.postgres.monthly.retentionMonths).toBe(12);
    expect(b.postgres.hourly).toEqual({ schedule: "0 9-17 * * 1-5", retentionDays: 2 });
    expect(b.kubernetesConfig.retentionDays).toBe(30);
    expect(b.replicateToDrRegion).toBe(true);
  });

  it("keeps staging 7 days, without hourly dumps or Object Lock", () => {
    const b = parse(staging()).backups!;
    expect(b.postgres.daily.retentionDays).toBe(7);
    expect(b.postgres.hourly).toBeUndefined();
    expect(b.objectLock).toBeUndefined();
    expect(b.kubernetesConfig.retentionDays).toBe(7);
  });

  const cases: Array<[string, (b: any) => void, RegExp]> = [
    ["zero-day daily retention", (b) => (b.postgres.daily.retentionDays = 0), /^production: runbook-infra:backups\.postgres\.daily\.retentionDays: 0 — must be an integer from 1 to 3650$/],
    ["fractional weeks", (b) => (b.postgres.weekly.retentionWeeks = 1.5), /backups\.postgres\.weekly\.retentionWeeks: 1.5 — must be an integer/],
    ["a malformed cron", (b) => (b.postgres.daily.schedule = "0 25 * * *"), /backups\.postgres\.daily\.schedule: "0 25 \* \* \*" — must be a five-field cron expression/],
    ["a daily schedule that skips Sundays", (b) => (b.postgres.daily.schedule = "0 2 * * 1-5"), /backups\.postgres\.daily\.schedule: "0 2 \* \* 1-5" — must run every day: Sunday's dump is kept as the weekly copy/],
    ["weekly copies no longer than daily dumps", (b) => (b.postgres.weekly.retentionWeeks = 4), /backups\.postgres\.weekly\.retentionWeeks: 4 — must keep weekly copies longer than daily dumps \(30 days\)/],
    ["monthly copies no longer than weekly ones", (b) => (b.postgres.monthly.retentionMonths = 2), /backups\.postgres\.monthly\.retentionMonths: 2 — must keep monthly copies longer than weekly ones \(12 weeks = 84 days\)/],
    ["hourly dumps kept longer than daily ones", (b) => (b.postgres.hourly.retentionDays = 45), /backups\.postgres\.hourly\.retentionDays: 45 — must not exceed postgres\.daily\.retentionDays \(30\)/],
    ["weekly copies in Glacier for 12 weeks", (b) => (b.postgres.weekly.transitions = [{ afterDays: 1, storageClass: "GLACIER" }]), /backups\.postgres\.weekly\.retentionWeeks: 12 — GLACIER bills at least 90 days/],
    ["an unknown storage class", (b) => (b.postgres.monthly.transitions = [{ afterDays: 30, storageClass: "TAPE" }]), /backups\.postgres\.monthly\.transitions\[0\]\.storageClass: "TAPE" — must be one of STANDARD_IA/],
    ["Deep Archive too soon after Glacier", (b) => (b.postgres.monthly.transitions[1].afterDays = 60), /backups\.postgres\.monthly\.transitions\[1\]: .* — must come at least 90 days/],
    ["an Object Lock longer than daily retention", (b) => (b.objectLock.days = 60), /backups\.objectLock\.days: 60 — must not exceed postgres\.daily\.retentionDays \(30\)/],
    ["no DR copy in production", (b) => (b.replicateToDrRegion = false), /backups\.replicateToDrRegion: false — must be true in production with a drRegion/],
    ["an unpinned client image", (b) => (b.postgres.clientImage = "postgres:latest"), /backups\.postgres\.clientImage: "postgres:latest" — must be an image pinned/],
    ["a pg_dump older than the server", (b) => (b.postgres.clientImage = "postgres:15.10-bookworm"), /backups\.postgres\.clientImage: "postgres:15.10-bookworm" — must be PostgreSQL 16 or newer/],
    ["an unknown key", (b) => (b.postgres.daily.keepDays = 3), /backups\.postgres\.daily\.keepDays: 3 — unknown key/],
  ];
  it.each(cases)("rejects %s", (_name, edit, error) => {
    const stack = production();
    expect(() => parse(stack, withBackups(stack, edit))).toThrow(error);
  });

  it("accepts the same keys at valid values", () => {
    const stack = production();
    const raw = withBackups(stack, (b) => {
      b.postgres.weekly.retentionWeeks = 13;
      b.postgres.weekly.transitions = [{ afterDays: 1, storageClass: "GLACIER" }];
      b.postgres.daily.schedule = "30 1 * * *";
      b.postgres.hourly.retentionDays = 30;
      b.postgres.clientImage = "postgres:17.2-bookworm";
      b.objectLock.days = 30;
    });
    const b = parse(stack, raw).backups!;
    expect(b.postgres.weekly.transitions).toEqual([{ afterDays: 1, storageClass: "GLACIER" }]);
    expect(b.postgres.clientImage).toBe("postgres:17.2-bookworm");
  });

  it("requires backups in production when the stack has a database, not in staging", () => {
    const stack = production();
    const { ["runbook-infra:backups"]: _drop, ...raw } = stack.config;
    expect(() => parse(stack, raw)).toThrow(/^production: runbook-infra:backups: \(missing\) — production with a database must configure backups/);
    const st = staging();
    const { ["runbook-infra:backups"]: _dropStaging, ...rawStaging } = st.config;
    expect(parse(st, rawStaging).backups).toBeUndefined();
  });

  it("requires the application namespace when there is a database to back up", () => {
    const stack = staging();
    const { ["runbook-infra:application"]: _drop, ...raw } = stack.config;
    expect(() => parse(stack, raw)).toThrow(/^staging: runbook-infra:backups: "\(set\)" — the PostgreSQL backup jobs run in the application namespace/);
  });
});
