import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { PostgresBackupJobs, PostgresBackupJobsArgs, POSTGRES_CLIENT_IMAGES, awsCliTakesChecksumAlgorithm, scratchGiBForDatabase } from "../components/postgres-backup-jobs";
import { KubernetesConfigBackup, KubernetesConfigBackupArgs } from "../components/k8s-config-backup";
import { loadStackFile } from "../preview/stack-files";
import { main } from "../stacks/program";
import { planOf, TestPlan } from "./support/plan";
import type { PlannedResource } from "../preview/engine";

const NS = "stock-analysis-system";
const CRONJOB = "kubernetes:batch/v1:CronJob";
const ROOT = path.join(__dirname, "..");

const jobArgs = (over: Partial<PostgresBackupJobsArgs> = {}): PostgresBackupJobsArgs => ({
  namespace: NS,
  bucketName: "runbook-infra-production-backups",
  bucketArn: "arn:aws:s3:::runbook-infra-production-backups",
  kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/backup",
  region: "us-east-1",
  oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
  oidcIssuer: "oidc.eks.us-east-1.amazonaws.com/id/ABC",
  daily: { schedule: "0 2 * * *" },
  hourly: { schedule: "0 9-17 * * 1-5" },
  postgresImage: POSTGRES_CLIENT_IMAGES["16"],
  ...over,
});

const cronJob = (p: TestPlan, kind: string): any => {
  const matches = p.ofType(CRONJOB).filter((r) => (r.inputs as any).metadata.labels["runbook.dev/backup"] === kind);
  if (matches.length !== 1) throw new Error(`expected one CronJob labelled ${kind}, found ${matches.length}`);
  return matches[0].inputs;
};
const podOf = (cron: any) => cron.spec.jobTemplate.spec.template.spec;
const containersOf = (cron: any): any[] => [...(podOf(cron).initContainers ?? []), ...podOf(cron).containers];
const policyOf = (p: TestPlan, name: string) => JSON.parse((p.one("aws:iam/rolePolicy:RolePolicy", name).inputs as any).policy);

/** Pod Security "restricted" plus the library's own rules, for every backup pod. */
function expectRestrictedPod(cron: any) {
  const pod = podOf(cron);
  expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
  expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
  expect(pod.securityContext.runAsGroup).toBeGreaterThan(0);
  expect(pod.securityContext.fsGroup).toBeGreaterThan(0);
  expect(pod.restartPolicy).toBe("Never");
  for (const c of containersOf(cron)) {
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] }, seccompProfile: { type: "RuntimeDefault" } });
    expect(c.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.resources.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
    expect(c.image).toMatch(/^[^\s]+(:[\w][\w.-]*|@sha256:[a-f0-9]{64})$/);
    expect(c.image).not.toMatch(/:latest$/);
  }
}

function expectCronJobBasics(cron: any, kind: string) {
  expect(cron.metadata.namespace).toBe(NS);
  expect(cron.metadata.labels).toMatchObject({ "runbook.dev/backup": kind, "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "runbook-infra" });
  expect(cron.spec).toMatchObject({ timeZone: "Etc/UTC", concurrencyPolicy: "Forbid", successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 5 });
  expect(cron.spec.startingDeadlineSeconds).toBeGreaterThan(0);
  expect(cron.spec.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(0);
  expect(cron.spec.jobTemplate.spec.backoffLimit).toBeGreaterThanOrEqual(0);
  expect(cron.spec.jobTemplate.spec.template.metadata.labels["runbook.dev/backup"]).toBe(kind);
}

describe("PostgresBackupJobs (runbook 001: daily dumps at 02:00 UTC, verified, compressed, uploaded)", () => {
  let plan: TestPlan;
  beforeAll(async () => {
    plan = await planOf(
      () => {
        const provider = new k8s.Provider("cluster", { kubeconfig: "offline" });
        new PostgresBackupJobs("postgres-backups", jobArgs(), { providers: [provider] });
      },
      { stack: "production" },
    );
  });

  it("runs the daily dump at 02:00 UTC, one at a time, with deadlines and history limits", () => {
    const daily = cronJob(plan, "postgres-daily");
    expect(daily.metadata.name).toBe("postgres-backup-daily");
    expect(daily.spec.schedule).toBe("0 2 * * *");
    expect(daily.spec.suspend).toBe(false);
    expectCronJobBasics(daily, "postgres-daily");
  });

  it("runs hourly dumps in business hours, each finished before the next hour", () => {
    const hourly = cronJob(plan, "postgres-hourly");
    expect(hourly.spec.schedule).toBe("0 9-17 * * 1-5");
    expectCronJobBasics(hourly, "postgres-hourly");
    expect(hourly.spec.jobTemplate.spec.activeDeadlineSeconds).toBeLessThan(3600);
    expect(containersOf(hourly).map((c) => c.command.join(" "))).toEqual([
      "bash /opt/runbook-backup/pg-backup.sh --phase dump --tier hourly",
      "bash /opt/runbook-backup/pg-backup.sh --phase upload --tier hourly",
    ]);
  });

  it("dumps and verifies in the postgres image before the aws-cli image uploads, sharing an emptyDir", () => {
    const pod = podOf(cronJob(plan, "postgres-daily"));
    const [dump] = pod.initContainers;
    const [upload] = pod.containers;
    expect(dump.image).toBe("postgres:16.10-trixie");
    expect(dump.command).toEqual(["bash", "/opt/runbook-backup/pg-backup.sh", "--phase", "dump", "--tier", "daily"]);
    expect(dump.envFrom).toEqual([{ secretRef: { name: "postgres-connection" } }]);
    expect(upload.image).toMatch(/^amazon\/aws-cli:2\.\d+\.\d+$/);
    expect(upload.command).toEqual(["bash", "/opt/runbook-backup/pg-backup.sh", "--phase", "upload", "--tier", "daily"]);
    // The uploader never sees the database password.
    expect(upload.envFrom).toBeUndefined();
    expect(upload.env).toEqual(
      expect.arrayContaining([
        { name: "BACKUP_BUCKET", value: "runbook-infra-production-backups" },
        { name: "BACKUP_KMS_KEY_ID", value: "arn:aws:kms:us-east-1:123456789012:key/backup" },
        { name: "AWS_REGION", value: "us-east-1" },
      ]),
    );
    const work = pod.volumes.find((v: any) => v.name === "work");
    expect(work.emptyDir.sizeLimit).toBe("20Gi");
    for (const c of [dump, upload]) expect(c.volumeMounts).toEqual(expect.arrayContaining([{ name: "work", mountPath: "/backup" }]));
  });

  it("stamps the dump with the Job's name (a retried pod writes the same set) and reports a failed step in the termination message", () => {
    const pod = podOf(cronJob(plan, "postgres-daily"));
    expect(pod.initContainers[0].env).toContainEqual({ name: "BACKUP_JOB_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } } });
    for (const kind of ["postgres-daily", "postgres-hourly", "postgres-restore"]) for (const c of containersOf(cronJob(plan, kind))) expect(c.terminationMessagePolicy).toBe("FallbackToLogsOnError");
  });

  it("names a checksum algorithm to CLIs that take one (Object Lock refuses writes without a checksum); older CLIs send Content-MD5", async () => {
    expect([awsCliTakesChecksumAlgorithm("amazon/aws-cli:2.17.50"), awsCliTakesChecksumAlgorithm("amazon/aws-cli:2.18.0"), awsCliTakesChecksumAlgorithm("amazon/aws-cli:2.34.24"), awsCliTakesChecksumAlgorithm("example/cli:3")]).toEqual([false, true, true, false]);
    const p = await planOf(() => void new PostgresBackupJobs("postgres-backups", jobArgs({ awsCliImage: "amazon/aws-cli:2.34.24" })), { stack: "production" });
    expect(podOf(cronJob(p, "postgres-daily")).containers[0].env).toContainEqual({ name: "BACKUP_CHECKSUM_ALGORITHM", value: "SHA256" });
    const old = await planOf(() => void new PostgresBackupJobs("postgres-backups", jobArgs({ awsCliImage: "amazon/aws-cli:2.17.50" })), { stack: "production" });
    expect(podOf(cronJob(old, "postgres-daily")).containers[0].env.map((e: any) => e.name)).not.toContain("BACKUP_CHECKSUM_ALGORITHM");
  });

  it("dumps large databases onto a per-run encrypted volume sized from the database storage, not onto the node's disk", async () => {
    expect([scratchGiBForDatabase(5), scratchGiBForDatabase(100), scratchGiBForDatabase(500)]).toEqual([20, 100, 500]);
    const p = await planOf(() => void new PostgresBackupJobs("postgres-backups", jobArgs({ scratchVolume: { sizeGiB: 500, storageClassName: "gp3-encrypted" } })), { stack: "production" });
    for (const kind of ["postgres-daily", "postgres-hourly", "postgres-restore"]) {
      const work = podOf(cronJob(p, kind)).volumes.find((v: any) => v.name === "work");
      expect(work.emptyDir).toBeUndefined();
      expect(work.ephemeral.volumeClaimTemplate.spec).toEqual({ accessModes: ["ReadWriteOnce"], storageClassName: "gp3-encrypted", resources: { requests: { storage: "500Gi" } } });
    }
    await planOf(() => {
      const make = (over: Partial<PostgresBackupJobsArgs>) => () => new PostgresBackupJobs("x", jobArgs(over));
      expect(make({ scratchVolume: { sizeGiB: 0, storageClassName: "gp3-encrypted" } })).toThrow(/PostgresBackupJobs\.scratchVolume\.sizeGiB: 0 — must be an integer from 1 to 65536/);
      expect(make({ scratchVolume: { sizeGiB: 100, storageClassName: "" } })).toThrow(/PostgresBackupJobs\.scratchVolume\.storageClassName: "" — must name the StorageClass/);
      expect(make({ scratchVolume: { sizeGiB: 100, storageClassName: "gp3-encrypted" } })).not.toThrow();
    }, { stack: "production" });
  });

  it("meets Pod Security restricted at pod and container level in every backup pod", () => {
    for (const kind of ["postgres-daily", "postgres-hourly", "postgres-restore"]) expectRestrictedPod(cronJob(plan, kind));
  });

  it("ships the exact scripts from scripts/backup in a ConfigMap mounted read-only", () => {
    const cm = plan.one("kubernetes:core/v1:ConfigMap").inputs as any;
    expect(cm.metadata).toMatchObject({ name: "postgres-backup-scripts", namespace: NS });
    expect(cm.data["pg-backup.sh"]).toBe(fs.readFileSync(path.join(ROOT, "scripts/backup/pg-backup.sh"), "utf8"));
    expect(cm.data["pg-restore.sh"]).toBe(fs.readFileSync(path.join(ROOT, "scripts/backup/pg-restore.sh"), "utf8"));
    const pod = podOf(cronJob(plan, "postgres-daily"));
    expect(pod.volumes.find((v: any) => v.name === "scripts").configMap.name).toBe("postgres-backup-scripts");
  });

  it("keeps the restore procedure as a suspended CronJob an operator triggers with kubectl create job --from", () => {
    const restore = cronJob(plan, "postgres-restore");
    expect(restore.metadata.name).toBe("postgres-restore");
    expect(restore.spec.suspend).toBe(true);
    expectCronJobBasics(restore, "postgres-restore");
    expect(restore.spec.jobTemplate.spec.backoffLimit).toBe(0);
    expect(restore.metadata.annotations["runbook.dev/usage"]).toContain(`kubectl -n ${NS} create job --from=cronjob/postgres-restore restore-$(date +%s)`);
    const pod = podOf(restore);
    expect(pod.initContainers[0].command).toEqual(["bash", "/opt/runbook-backup/pg-restore.sh", "--phase", "download"]);
    expect(pod.containers[0].command).toEqual(["bash", "/opt/runbook-backup/pg-restore.sh", "--phase", "restore"]);
    expect(pod.containers[0].envFrom).toEqual([{ secretRef: { name: "postgres-connection" } }]);
    expect(pod.serviceAccountName).toBe("postgres-restore");
  });

  it("binds each job to an IRSA role through an annotated ServiceAccount, with no access keys", () => {
    const accounts = plan.ofType("kubernetes:core/v1:ServiceAccount").map((r) => r.inputs as any);
    expect(accounts.map((a) => a.metadata.name).sort()).toEqual(["postgres-backup", "postgres-restore"]);
    for (const a of accounts) {
      expect(a.metadata.annotations["eks.amazonaws.com/role-arn"]).toMatch(/^arn:aws:iam::\d+:role\//);
      expect(a.automountServiceAccountToken).toBe(false);
    }
    const trust = JSON.parse((plan.one("aws:iam/role:Role", "postgres-backups-backup").inputs as any).assumeRolePolicy);
    expect(trust.Statement[0].Condition.StringEquals["oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"]).toBe(`system:serviceaccount:${NS}:postgres-backup`);
    expect(podOf(cronJob(plan, "postgres-daily")).serviceAccountName).toBe("postgres-backup");
    for (const c of containersOf(cronJob(plan, "postgres-daily"))) expect((c.env ?? []).map((e: any) => e.name)).not.toContain("AWS_SECRET_ACCESS_KEY");
  });

  it("lets the backup role only write the postgresql/ tiers and the restore role only read them", () => {
    const backup = policyOf(plan, "postgres-backups-backup");
    expect(backup.Statement.find((s: any) => s.Sid === "WriteBackups")).toEqual({
      Sid: "WriteBackups",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:AbortMultipartUpload"],
      Resource: ["daily", "hourly", "weekly", "monthly"].map((t) => `arn:aws:s3:::runbook-infra-production-backups/postgresql/${t}/*`),
    });
    // Reading back only what the weekly/monthly server-side copies are made from; no listing.
    expect(backup.Statement.filter((s: any) => s.Action.includes("s3:GetObject"))).toEqual([
      { Sid: "ReadCopySources", Effect: "Allow", Action: ["s3:GetObject"], Resource: ["daily", "hourly"].map((t) => `arn:aws:s3:::runbook-infra-production-backups/postgresql/${t}/*`) },
    ]);
    expect(backup.Statement.flatMap((s: any) => s.Action)).not.toContain("s3:ListBucket");
    expect(backup.Statement.find((s: any) => s.Sid === "UseBackupKey")).toMatchObject({ Action: ["kms:GenerateDataKey", "kms:Decrypt"], Resource: "arn:aws:kms:us-east-1:123456789012:key/backup" });
    const restore = policyOf(plan, "postgres-backups-restore");
    const restoreActions = restore.Statement.flatMap((s: any) => s.Action);
    expect(restoreActions).toEqual(["s3:GetObject", "s3:ListBucket", "kms:Decrypt"]);
  });

  it("creates every Kubernetes object through the cluster provider it was given", () => {
    for (const r of plan.resources.filter((r: PlannedResource) => r.type.startsWith("kubernetes:") && r.custom)) expect(r.provider).toMatch(/providers:kubernetes::cluster::/);
  });

  it("can be only the restore template (the DR namespace's use)", async () => {
    const p = await planOf(() => void new PostgresBackupJobs("dr-restore", jobArgs({ namespace: "stock-analysis-system-dr", daily: undefined, hourly: undefined, connectionSecretName: "postgres-restore-target" })), { stack: "production" });
    expect(p.ofType(CRONJOB).map((c) => (c.inputs as any).metadata.labels["runbook.dev/backup"])).toEqual(["postgres-restore"]);
    expect(p.ofType("runbook:iam:IrsaRole")).toHaveLength(1);
    expect(podOf(cronJob(p, "postgres-restore")).containers[0].envFrom).toEqual([{ secretRef: { name: "postgres-restore-target" } }]);
  });

  it("rejects bad schedules, unpinned images, resources without limits and an empty job set; accepts valid ones", async () => {
    await planOf(() => {
      const make = (over: Partial<PostgresBackupJobsArgs>) => () => new PostgresBackupJobs("x", jobArgs(over));
      expect(make({ daily: { schedule: "every day" } })).toThrow(/^production: PostgresBackupJobs\.daily\.schedule: "every day" — must be a five-field cron expression/);
      expect(make({ hourly: { schedule: "0 9-17 * *" } })).toThrow(/PostgresBackupJobs\.hourly\.schedule: "0 9-17 \* \*" — must be a five-field cron/);
      expect(make({ postgresImage: "postgres:latest" })).toThrow(/PostgresBackupJobs\.postgresImage: "postgres:latest" — must be pinned/);
      expect(make({ awsCliImage: "amazon/aws-cli" })).toThrow(/PostgresBackupJobs\.awsCliImage: "amazon\/aws-cli" — must be pinned/);
      expect(make({ databaseResources: { requests: { cpu: "2", memory: "1Gi" }, limits: { cpu: "1", memory: "2Gi" } } })).toThrow(/databaseResources\.requests\.cpu: "2" — must not exceed limits\.cpu \(1\)/);
      expect(make({ databaseResources: { requests: { cpu: "1", memory: "4Gi" }, limits: { cpu: "1", memory: "2Gi" } } })).toThrow(/databaseResources\.requests\.memory: "4Gi" — must not exceed limits\.memory \(2Gi\)/);
      expect(make({ databaseResources: { requests: { cpu: "1", memory: "1Gi" } } as any })).toThrow(/databaseResources: .* — must set requests and limits/);
      expect(make({ daily: undefined, hourly: undefined, restore: false })).toThrow(/PostgresBackupJobs\.restore: false — must be true when neither daily nor hourly is set/);
      expect(make({ namespace: "Stock_Analysis" })).toThrow(/PostgresBackupJobs\.namespace: "Stock_Analysis" — must be a Kubernetes namespace name/);
      expect(make({ scratchSizeLimit: "lots" })).toThrow(/scratchSizeLimit: "lots" — must be a quantity/);
      expect(
        make({
          daily: { schedule: "30 1 * * *" },
          hourly: undefined,
          postgresImage: "postgres@sha256:" + "a".repeat(64),
          awsCliImage: "amazon/aws-cli:2.17.50",
          databaseResources: { requests: { cpu: "1", memory: "2Gi" }, limits: { cpu: "1", memory: "2Gi" } },
          scratchSizeLimit: "50Gi",
        }),
      ).not.toThrow();
    }, { stack: "production" });
  });
});

describe("KubernetesConfigBackup (runbook 001: Kubernetes configurations and CRDs, runbook 002: secrets encrypted)", () => {
  const args = (over: Partial<KubernetesConfigBackupArgs> = {}): KubernetesConfigBackupArgs => ({
    namespace: NS,
    bucketName: "runbook-infra-production-backups",
    bucketArn: "arn:aws:s3:::runbook-infra-production-backups",
    kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/backup",
    region: "us-east-1",
    oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
    oidcIssuer: "oidc.eks.us-east-1.amazonaws.com/id/ABC",
    namespaces: [NS, "monitoring"],
    ...over,
  });
  let plan: TestPlan;
  beforeAll(async () => {
    plan = await planOf(() => void new KubernetesConfigBackup("k8s-config-backup", args()), { stack: "production" });
  });

  it("exports daily at 03:00 UTC with the shared CronJob rules and restricted pods", () => {
    const cron = cronJob(plan, "k8s-config");
    expect(cron.spec.schedule).toBe("0 3 * * *");
    expectCronJobBasics(cron, "k8s-config");
    expectRestrictedPod(cron);
    const pod = podOf(cron);
    expect(pod.initContainers[0].command).toEqual(["bash", "/opt/runbook-backup/k8s-config-backup.sh", "--phase", "export"]);
    expect(pod.containers[0].command).toEqual(["bash", "/opt/runbook-backup/k8s-config-backup.sh", "--phase", "upload"]);
    expect(pod.containers[0].env).toEqual(expect.arrayContaining([{ name: "BACKUP_NAMESPACES", value: `${NS} monitoring` }, { name: "BACKUP_KMS_KEY_ID", value: "arn:aws:kms:us-east-1:123456789012:key/backup" }]));
  });

  it("keeps exported Secrets in memory only", () => {
    const secrets = podOf(cronJob(plan, "k8s-config")).volumes.find((v: any) => v.name === "secrets");
    expect(secrets.emptyDir.medium).toBe("Memory");
  });

  it("names its checksum on upload (Object Lock) and reports a failed step, such as an unreadable API, in the termination message", () => {
    const cron = cronJob(plan, "k8s-config");
    expect(podOf(cron).containers[0].env).toContainEqual({ name: "BACKUP_CHECKSUM_ALGORITHM", value: "SHA256" });
    for (const c of containersOf(cron)) expect(c.terminationMessagePolicy).toBe("FallbackToLogsOnError");
  });

  it("reads with a read-only ClusterRole (CRDs, its namespaces) and a read-only Role in each namespace", () => {
    const cluster = plan.one("kubernetes:rbac.authorization.k8s.io/v1:ClusterRole").inputs as any;
    const roles = plan.ofType("kubernetes:rbac.authorization.k8s.io/v1:Role").map((r) => r.inputs as any);
    expect(roles.map((r) => r.metadata.namespace).sort()).toEqual(["monitoring", NS]);
    for (const rule of [...cluster.rules, ...roles.flatMap((r) => r.rules)]) for (const verb of rule.verbs) expect(["get", "list"]).toContain(verb);
    expect(cluster.rules).toEqual(expect.arrayContaining([{ apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["get", "list"] }]));
    const bindings = plan.ofType("kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").map((r) => r.inputs as any);
    expect(bindings).toHaveLength(2);
    for (const b of bindings) expect(b.subjects).toEqual([{ kind: "ServiceAccount", name: "k8s-config-backup", namespace: NS }]);
  });

  it("may write only under k8s-configs/ in the bucket", () => {
    const policy = policyOf(plan, "k8s-config-backup-irsa");
    expect(policy.Statement.find((s: any) => s.Sid === "WriteBackups").Resource).toEqual(["arn:aws:s3:::runbook-infra-production-backups/k8s-configs/*"]);
    expect(policy.Statement.flatMap((s: any) => s.Action)).not.toContain("s3:GetObject");
  });

  it("rejects a bad schedule, an unpinned kubectl image and repeated namespaces; accepts valid ones", async () => {
    await planOf(() => {
      const make = (over: Partial<KubernetesConfigBackupArgs>) => () => new KubernetesConfigBackup("x", args(over));
      expect(make({ schedule: "0 3 * * * *" })).toThrow(/^production: KubernetesConfigBackup\.schedule: "0 3 \* \* \* \*" — must be a five-field cron expression/);
      expect(make({ kubectlImage: "alpine/k8s:latest" })).toThrow(/KubernetesConfigBackup\.kubectlImage: "alpine\/k8s:latest" — must be pinned/);
      expect(make({ namespaces: [NS, NS] })).toThrow(/KubernetesConfigBackup\.namespaces: .* — must not repeat a namespace/);
      expect(make({ namespaces: [] })).toThrow(/KubernetesConfigBackup\.namespaces: \[\] — must list at least one namespace/);
      expect(make({ schedule: "15 4 * * 0", kubectlImage: "alpine/k8s:1.31.4", namespaces: [NS] })).not.toThrow();
    }, { stack: "production" });
  });
});

describe("deployBackups in the default stacks", () => {
  const runStack = async (stack: "production" | "staging", edit?: (config: Record<string, string>) => Record<string, string>) => {
    const file = loadStackFile("runbook-infra", path.join(ROOT, `Pulumi.${stack}.yaml`));
    const config = edit ? edit(file.config) : file.config;
    return planOf(() => main(), { stack, config, secretKeys: file.secretKeys });
  };
  const ruleFor = (p: TestPlan, prefix: string) => ((p.one("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "backups-lifecycle").inputs as any).rules as any[]).find((r) => r.filter?.prefix === prefix);

  it("production: runbook 001's retention, a DR-region replica, and daily, hourly, restore and config CronJobs in the application namespace", async () => {
    const p = await runStack("production");
    const bucket = p.ofType("aws:s3/bucket:Bucket").find((b) => b.name === "backups")!.inputs as any;
    expect(bucket.bucket).toBe("stock-analysis-production-backups-123456789012-us-east-1");
    expect(bucket.tags["runbook:purpose"]).toBe("backups");
    expect(ruleFor(p, "postgresql/daily/").expiration.days).toBe(30);
    expect(ruleFor(p, "postgresql/weekly/").expiration.days).toBe(84);
    expect(ruleFor(p, "postgresql/monthly/").expiration.days).toBe(365);
    expect(ruleFor(p, "postgresql/hourly/").expiration.days).toBe(2);
    expect(ruleFor(p, "k8s-configs/").expiration.days).toBe(30);
    expect((p.one("aws:s3/bucket:Bucket", "backups-replica").inputs as any).bucket).toBe("stock-analysis-production-backups-123456789012-us-west-2");
    expect(p.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig")).toHaveLength(1);
    const mine = p.ofType(CRONJOB).filter((c) => (c.inputs as any).metadata.namespace === NS);
    // The weekly maintenance job (stacks/observability.ts) shares the label so that the backup alerts watch it too.
    expect(mine.map((c) => (c.inputs as any).metadata.labels["runbook.dev/backup"]).filter((k) => k !== "db-maintenance").sort()).toEqual(["k8s-config", "postgres-daily", "postgres-hourly", "postgres-restore"]);
    // pg_dump's major matches database.engineVersion "16".
    const daily = mine.find((c) => (c.inputs as any).metadata.labels["runbook.dev/backup"] === "postgres-daily")!.inputs as any;
    expect(podOf(daily).initContainers[0].image).toBe("postgres:16.10-trixie");
    // Issue 14 item 8: the dump of a database that may grow to 500 GiB (database.maxAllocatedStorageGiB) goes onto a
    // per-run volume of the cluster's encrypted StorageClass, not the node's disk; the upload names its checksum.
    const storageClass = (p.one("kubernetes:storage.k8s.io/v1:StorageClass").inputs as any).metadata.name;
    for (const kind of ["postgres-daily", "postgres-hourly", "postgres-restore"]) {
      const cron = mine.find((c) => (c.inputs as any).metadata.labels["runbook.dev/backup"] === kind)!.inputs as any;
      const work = podOf(cron).volumes.find((v: any) => v.name === "work");
      expect(work.ephemeral.volumeClaimTemplate.spec).toEqual({ accessModes: ["ReadWriteOnce"], storageClassName: storageClass, resources: { requests: { storage: "500Gi" } } });
    }
    expect(podOf(daily).containers[0].env).toContainEqual({ name: "BACKUP_CHECKSUM_ALGORITHM", value: "SHA256" });
    expect(p.outputs.backupBucketName).toBe("stock-analysis-production-backups-123456789012-us-east-1");
    expect(p.outputs.backupRestoreCommand).toBe(`kubectl -n ${NS} create job --from=cronjob/postgres-restore restore-$(date +%s)`);
  });

  it("staging: 7 days, no replica, no hourly dumps", async () => {
    const p = await runStack("staging");
    expect(ruleFor(p, "postgresql/daily/").expiration.days).toBe(7);
    expect(ruleFor(p, "k8s-configs/").expiration.days).toBe(7);
    expect(ruleFor(p, "postgresql/hourly/")).toBeUndefined();
    expect(p.ofType("aws:s3/bucket:Bucket").map((b) => b.name)).toEqual(["backups"]);
    expect(p.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig")).toHaveLength(0);
    expect(p.ofType(CRONJOB).map((c) => (c.inputs as any).metadata.labels["runbook.dev/backup"]).filter((k) => k !== "db-maintenance").sort()).toEqual(["k8s-config", "postgres-daily", "postgres-restore"]);
  });

  it("creates no PostgreSQL backup jobs or rules when the stack has no database", async () => {
    const p = await runStack("staging", ({ ["runbook-infra:database"]: _db, ...rest }) => rest);
    expect(p.ofType(CRONJOB).map((c) => (c.inputs as any).metadata.labels["runbook.dev/backup"])).toEqual(["k8s-config"]);
    expect(ruleFor(p, "postgresql/daily/")).toBeUndefined();
    expect(p.ofType("runbook:backup:PostgresBackupJobs")).toHaveLength(0);
  });
});
