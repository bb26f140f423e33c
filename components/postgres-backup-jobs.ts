import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { LIBRARY_LABELS as BACKUP_LIBRARY_LABELS } from "../core/labels";
import { IrsaRole } from "./irsa-role";
import { readProjectFile } from "../core/project-file";
import { BACKUP_PREFIXES, BucketAccess, backupAccessPolicy, definedOnly } from "./backup-bucket";
import { CPU_QUANTITY as CPU, K8S_NAME, MEMORY_QUANTITY as MEMORY, isCronSchedule } from "../core/patterns";
import { awsCliTakesChecksumAlgorithm, scratchGiBForDatabase } from "../core/backup-jobs";

export { awsCliTakesChecksumAlgorithm, scratchGiBForDatabase };

/** Labels every Kubernetes object of the library carries (the policy pack relies on them). */
/** Label that names what a backup CronJob does; alerts and policies select on it. */
export const BACKUP_KIND_LABEL = "runbook.dev/backup";
export type BackupKind = "postgres-daily" | "postgres-hourly" | "postgres-restore" | "k8s-config";

/**
 * PostgreSQL client images pinned per server major (pg_dump must be at least the server's major; the
 * Debian-based tags carry bash and GNU date, which the scripts use) and the AWS CLI image of the
 * upload/download containers. They live in the versions table (core/versions.ts) with their bases'
 * support dates: Debian 13 trixie and Amazon Linux 2023.
 */
export { AWS_CLI_IMAGE, POSTGRES_CLIENT_IMAGES } from "../core/versions";
import { AWS_CLI_IMAGE, POSTGRES_CLIENT_IMAGES } from "../core/versions";

/** Where the ConfigMap with the scripts is mounted in every backup container. */
export const SCRIPTS_MOUNT = "/opt/runbook-backup";
/** Non-root identity of every backup pod (no image relies on a named user: HOME points at an emptyDir). */
export const BACKUP_UID = 65532;

export interface ContainerResources {
  /** What the scheduler reserves. No default. */
  requests: { cpu: string; memory: string };
  /** Hard ceiling. No default. */
  limits: { cpu: string; memory: string };
}

/** True for an image pinned by digest, or by a tag other than `latest`. */
export function isPinnedImage(image: string): boolean {
  if (typeof image !== "string" || /\s/.test(image) || image === "") return false;
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  const tag = /:([\w][\w.-]{0,127})$/.exec(image.split("/").pop() ?? "");
  return tag !== null && tag[1] !== "latest";
}

export { isCronSchedule };

const toCores = (cpu: string) => (cpu.endsWith("m") ? Number(cpu.slice(0, -1)) / 1000 : Number(cpu));
const toMiB = (memory: string) => Number(memory.replace(/\D+$/, "")) * { Ki: 1 / 1024, Mi: 1, Gi: 1024, Ti: 1024 * 1024 }[memory.replace(/^\d+/, "") as "Ki"];

/** Rejects resources without both requests and limits, or with a request above its limit. */
export function checkResources(component: string, arg: string, r: ContainerResources | undefined): void {
  if (!r?.requests || !r?.limits) rejectArg(component, arg, r, "must set requests and limits for cpu and memory");
  for (const side of ["requests", "limits"] as const) {
    if (!CPU.test(r[side].cpu ?? "")) rejectArg(component, `${arg}.${side}.cpu`, r[side].cpu, 'must be a CPU quantity such as "250m" or "1"');
    if (!MEMORY.test(r[side].memory ?? "")) rejectArg(component, `${arg}.${side}.memory`, r[side].memory, 'must be a memory quantity such as "512Mi"');
  }
  if (toCores(r.requests.cpu) > toCores(r.limits.cpu)) rejectArg(component, `${arg}.requests.cpu`, r.requests.cpu, `must not exceed limits.cpu (${r.limits.cpu})`);
  if (toMiB(r.requests.memory) > toMiB(r.limits.memory)) rejectArg(component, `${arg}.requests.memory`, r.requests.memory, `must not exceed limits.memory (${r.limits.memory})`);
}

/** Pod-level part of Pod Security "restricted". */
export function restrictedPodSecurityContext(): k8s.types.input.core.v1.PodSecurityContext {
  return { runAsNonRoot: true, runAsUser: BACKUP_UID, runAsGroup: BACKUP_UID, fsGroup: BACKUP_UID, seccompProfile: { type: "RuntimeDefault" } };
}

/** Container-level part of Pod Security "restricted"; scratch space comes from emptyDirs. */
export function restrictedContainerSecurityContext(): k8s.types.input.core.v1.SecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: BACKUP_UID,
    runAsGroup: BACKUP_UID,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Job-level limits of one backup CronJob. */
export interface BackupJobTiming {
  /** Skip a run the controller could not start within this many seconds. No default. */
  startingDeadlineSeconds: number;
  /** Kill a run that takes longer (seconds). No default. */
  activeDeadlineSeconds: number;
  /** Pod retries before the Job counts as failed. No default. */
  backoffLimit: number;
}

/** The CronJob shape every backup job shares: Forbid, UTC, deadlines, history limits, labels. */
export function backupCronJobSpec(o: {
  kind: BackupKind;
  schedule: string;
  suspend?: boolean;
  timing: BackupJobTiming;
  podSpec: k8s.types.input.core.v1.PodSpec;
  labels: Record<string, string>;
}): k8s.types.input.batch.v1.CronJobSpec {
  return {
    schedule: o.schedule,
    timeZone: "Etc/UTC",
    suspend: o.suspend ?? false,
    concurrencyPolicy: "Forbid",
    startingDeadlineSeconds: o.timing.startingDeadlineSeconds,
    successfulJobsHistoryLimit: 3,
    failedJobsHistoryLimit: 5,
    jobTemplate: {
      metadata: { labels: o.labels },
      spec: {
        backoffLimit: o.timing.backoffLimit,
        activeDeadlineSeconds: o.timing.activeDeadlineSeconds,
        template: { metadata: { labels: o.labels }, spec: { restartPolicy: "Never", ...o.podSpec } },
      },
    },
  };
}

export interface PostgresBackupSchedule {
  /** Five-field cron expression, evaluated in UTC. No default. */
  schedule: string;
}

/** Where backup jobs write and how their pods reach it (IRSA); shared by every backup job component. */
export interface BackupDestinationArgs {
  /** Backup bucket name. No default. */
  bucketName: pulumi.Input<string>;
  /** Backup bucket ARN (for the IAM policies). No default. */
  bucketArn: pulumi.Input<string>;
  /** ARN of the bucket's KMS key; uploads are encrypted with it. No default. */
  kmsKeyArn: pulumi.Input<string>;
  /** Region of the bucket (AWS_REGION of the pods). No default. */
  region: pulumi.Input<string>;
  /** Cluster's IAM OIDC provider ARN, for IRSA. No default. */
  oidcProviderArn: pulumi.Input<string>;
  /** Cluster's OIDC issuer without https://, for IRSA. No default. */
  oidcIssuer: pulumi.Input<string>;
}

export interface PostgresBackupJobsArgs extends BackupDestinationArgs {
  /** Namespace the jobs run in; the connection Secret must be there. No default. */
  namespace: string;
  /** Secret with PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE. @default "postgres-connection" */
  connectionSecretName?: string;
  /** Daily dump (weekly/monthly copies on Sundays and 1sts). @default none (no daily CronJob) */
  daily?: PostgresBackupSchedule;
  /** Hourly dump, e.g. business hours. @default none (no hourly CronJob) */
  hourly?: PostgresBackupSchedule;
  /** Create the suspended restore CronJob. @default true */
  restore?: boolean;
  /** Prefix tier the restore job takes the newest dump from. @default "daily" */
  restoreTier?: "daily" | "hourly" | "weekly" | "monthly";
  /** PostgreSQL client image, pinned, major ≥ the server's. @default "postgres:16.6-bookworm" */
  postgresImage?: string;
  /** AWS CLI image, pinned. @default "amazon/aws-cli:2.17.50" */
  awsCliImage?: string;
  /** Resources of the pg_dump / pg_restore container. @default requests 250m/512Mi, limits 1/2Gi */
  databaseResources?: ContainerResources;
  /** Resources of the aws-cli container. @default requests 100m/256Mi, limits 500m/512Mi */
  awsCliResources?: ContainerResources;
  /** Size limit of the emptyDir the dump is written to (must hold one compressed and one raw dump). Ignored with `scratchVolume`. @default "20Gi" */
  scratchSizeLimit?: string;
  /**
   * A per-run EBS volume (generic ephemeral volume, deleted with the pod) instead of the node-disk
   * emptyDir, for databases whose dump does not fit on a node: size it from the database's storage.
   * @default none (emptyDir of `scratchSizeLimit`)
   */
  scratchVolume?: ScratchVolumeArgs;
  /** Extra labels for every object. @default {} */
  labels?: Record<string, string>;
  /** Tags for the IAM roles. @default {} */
  tags?: Record<string, string>;
}

export interface ScratchVolumeArgs {
  /** Capacity in GiB; must hold the raw and the compressed dump at once. No default. */
  sizeGiB: number;
  /** StorageClass of the claim (named explicitly, never left to a cluster default). No default. */
  storageClassName: pulumi.Input<string>;
}

const DEFAULT_DB_RESOURCES: ContainerResources = { requests: { cpu: "250m", memory: "512Mi" }, limits: { cpu: "1", memory: "2Gi" } };
const DEFAULT_CLI_RESOURCES: ContainerResources = { requests: { cpu: "100m", memory: "256Mi" }, limits: { cpu: "500m", memory: "512Mi" } };

const POSTGRES_TIERS = [BACKUP_PREFIXES.postgresDaily, BACKUP_PREFIXES.postgresHourly, BACKUP_PREFIXES.postgresWeekly, BACKUP_PREFIXES.postgresMonthly];

/** Fixed object names, so that operators can type them: `kubectl create job --from=cronjob/postgres-restore`. */
export const POSTGRES_BACKUP_NAMES = {
  scripts: "postgres-backup-scripts",
  backupServiceAccount: "postgres-backup",
  restoreServiceAccount: "postgres-restore",
  daily: "postgres-backup-daily",
  hourly: "postgres-backup-hourly",
  restore: "postgres-restore",
} as const;

/** The command an operator runs to restore (runbook 001 "Database Restore Procedure"). */
export function restoreCommand(namespace: string): string {
  return `kubectl -n ${namespace} create job --from=cronjob/${POSTGRES_BACKUP_NAMES.restore} restore-$(date +%s)`;
}

/**
 * PostgreSQL backups as Kubernetes CronJobs (runbook 001 "Daily Automated Backups", runbook 002
 * "Automated Backups"): a daily dump and an optional hourly one, each dumped and verified by
 * `pg-backup.sh` in a postgres image and uploaded by the same script in an aws-cli image, plus the
 * restore procedure as a suspended CronJob that an operator triggers with `kubectl create job --from`.
 * AWS access goes through IRSA: the backup role may only write the postgresql/ tiers, the restore
 * role only read them; neither has access keys.
 *
 * Used with only `restore` (no daily/hourly) it is the restore template of another namespace (DR).
 */
export class PostgresBackupJobs extends pulumi.ComponentResource {
  public readonly backupServiceAccountName?: pulumi.Output<string>;
  public readonly backupRoleArn?: pulumi.Output<string>;
  public readonly restoreServiceAccountName?: pulumi.Output<string>;
  public readonly restoreRoleArn?: pulumi.Output<string>;
  public readonly dailyCronJobName?: pulumi.Output<string>;
  public readonly hourlyCronJobName?: pulumi.Output<string>;
  public readonly restoreCronJobName?: pulumi.Output<string>;
  public readonly scriptsConfigMapName: pulumi.Output<string>;
  /** `kubectl create job --from=cronjob/postgres-restore restore-$(date +%s)` for this namespace. */
  public readonly restoreCommand?: string;

  constructor(name: string, args: PostgresBackupJobsArgs, opts?: pulumi.ComponentResourceOptions) {
    const C = "PostgresBackupJobs";
    if (!K8S_NAME.test(args.namespace ?? "")) rejectArg(C, "namespace", args.namespace, "must be a Kubernetes namespace name");
    const secretName = args.connectionSecretName ?? "postgres-connection";
    if (!K8S_NAME.test(secretName)) rejectArg(C, "connectionSecretName", secretName, "must be a Kubernetes Secret name");
    for (const tier of ["daily", "hourly"] as const) {
      const schedule = args[tier]?.schedule;
      if (args[tier] && !isCronSchedule(schedule!)) rejectArg(C, `${tier}.schedule`, schedule, 'must be a five-field cron expression such as "0 2 * * *"');
    }
    const restore = args.restore ?? true;
    if (!args.daily && !args.hourly && !restore) rejectArg(C, "restore", restore, "must be true when neither daily nor hourly is set (the component would create nothing)");
    const restoreTier = args.restoreTier ?? "daily";
    if (!["daily", "hourly", "weekly", "monthly"].includes(restoreTier)) rejectArg(C, "restoreTier", restoreTier, "must be daily, hourly, weekly or monthly");
    const postgresImage = args.postgresImage ?? POSTGRES_CLIENT_IMAGES["16"];
    if (!isPinnedImage(postgresImage)) rejectArg(C, "postgresImage", postgresImage, "must be pinned by a tag other than latest or by digest");
    const awsCliImage = args.awsCliImage ?? AWS_CLI_IMAGE;
    if (!isPinnedImage(awsCliImage)) rejectArg(C, "awsCliImage", awsCliImage, "must be pinned by a tag other than latest or by digest");
    const dbResources = args.databaseResources ?? DEFAULT_DB_RESOURCES;
    checkResources(C, "databaseResources", dbResources);
    const cliResources = args.awsCliResources ?? DEFAULT_CLI_RESOURCES;
    checkResources(C, "awsCliResources", cliResources);
    const scratch = args.scratchSizeLimit ?? "20Gi";
    if (!MEMORY.test(scratch)) rejectArg(C, "scratchSizeLimit", scratch, 'must be a quantity such as "20Gi"');
    if (args.scratchVolume) {
      const size = args.scratchVolume.sizeGiB;
      if (!Number.isInteger(size) || size < 1 || size > 65536) rejectArg(C, "scratchVolume.sizeGiB", size, "must be an integer from 1 to 65536 (GiB)");
      if (!args.scratchVolume.storageClassName) rejectArg(C, "scratchVolume.storageClassName", args.scratchVolume.storageClassName, "must name the StorageClass of the scratch claim");
    }
    super("runbook:backup:PostgresBackupJobs", name, {}, opts);

    const ns = args.namespace;
    const baseLabels = { ...BACKUP_LIBRARY_LABELS, "app.kubernetes.io/name": "postgres-backup", ...(args.labels ?? {}) };
    const meta = (objectName: string, extra: Record<string, string> = {}) => ({ name: objectName, namespace: ns, labels: { ...baseLabels, ...extra } });

    const scripts = new k8s.core.v1.ConfigMap(
      `${name}-scripts`,
      {
        metadata: meta(POSTGRES_BACKUP_NAMES.scripts),
        data: {
          "pg-backup.sh": readProjectFile("scripts/backup/pg-backup.sh"),
          "pg-restore.sh": readProjectFile("scripts/backup/pg-restore.sh"),
        },
      },
      { parent: this },
    );
    this.scriptsConfigMapName = scripts.metadata.name;

    const volumes = [
      { name: "scripts", configMap: { name: scripts.metadata.name, defaultMode: 0o555 } },
      args.scratchVolume
        ? {
            name: "work",
            // One encrypted EBS volume per run, created with the pod and deleted with it: the dump of a
            // 100–500 GiB database does not fit on a node's disk (an emptyDir).
            ephemeral: {
              volumeClaimTemplate: {
                metadata: { labels: baseLabels },
                spec: { accessModes: ["ReadWriteOnce"], storageClassName: args.scratchVolume.storageClassName, resources: { requests: { storage: `${args.scratchVolume.sizeGiB}Gi` } } },
              },
            },
          }
        : { name: "work", emptyDir: { sizeLimit: scratch } },
      { name: "tmp", emptyDir: { sizeLimit: "1Gi" } },
    ];
    const mounts = [
      { name: "scripts", mountPath: SCRIPTS_MOUNT, readOnly: true },
      { name: "work", mountPath: "/backup" },
      { name: "tmp", mountPath: "/tmp" },
    ];
    const baseEnv = [
      { name: "HOME", value: "/tmp" },
      { name: "TMPDIR", value: "/tmp" },
      { name: "BACKUP_WORK_DIR", value: "/backup" },
    ];
    const awsEnv: k8s.types.input.core.v1.EnvVar[] = [
      ...baseEnv,
      { name: "BACKUP_BUCKET", value: args.bucketName },
      // Uploads name the backup key explicitly, so they stay under it even if the bucket default changes.
      { name: "BACKUP_KMS_KEY_ID", value: args.kmsKeyArn },
      { name: "AWS_REGION", value: args.region },
      { name: "AWS_DEFAULT_REGION", value: args.region },
      // Object Lock default retention refuses writes without a checksum: CLIs from 2.18 are told which
      // one; older ones send Content-MD5 on every PutObject/UploadPart by themselves.
      ...(awsCliTakesChecksumAlgorithm(awsCliImage) ? [{ name: "BACKUP_CHECKSUM_ALGORITHM", value: "SHA256" }] : []),
    ];
    // The CronJob names its Jobs <cronjob>-<scheduled minute>: the dump is stamped with it, so a retried
    // pod writes the same backup set rather than a second one under a new name.
    const jobNameEnv: k8s.types.input.core.v1.EnvVar = { name: "BACKUP_JOB_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-name']" } } };
    const dbEnvFrom = [{ secretRef: { name: secretName } }];
    const container = (c: { name: string; image: string; script: string; args: string[]; env: k8s.types.input.core.v1.EnvVar[]; resources: ContainerResources; envFrom?: k8s.types.input.core.v1.EnvFromSource[] }): k8s.types.input.core.v1.Container => ({
      name: c.name,
      image: c.image,
      imagePullPolicy: "IfNotPresent",
      command: ["bash", `${SCRIPTS_MOUNT}/${c.script}`, ...c.args],
      env: c.env,
      ...(c.envFrom ? { envFrom: c.envFrom } : {}),
      resources: c.resources,
      securityContext: restrictedContainerSecurityContext(),
      volumeMounts: mounts,
      // A failed run's last log lines (its `ERROR: <step>: ...` line) become the pod's termination message.
      terminationMessagePolicy: "FallbackToLogsOnError",
    });

    // Each job's ServiceAccount with its own IRSA role: backup may only write, restore may only read.
    const podIdentity = (suffix: string, saName: string, access: BucketAccess) => {
      const role = new IrsaRole(
        `${name}-${suffix}`,
        { oidcProviderArn: args.oidcProviderArn, oidcIssuer: args.oidcIssuer, namespace: ns, serviceAccount: saName, policy: backupAccessPolicy(args.bucketArn, args.kmsKeyArn, access), tags: args.tags },
        { parent: this },
      );
      // Named after this component: two instances (the backups and the DR restore template) both hold a
      // "postgres-restore" account, and a URN is only parent type + name, so a bare saName would collide.
      const sa = new k8s.core.v1.ServiceAccount(
        `${name}-${suffix}`,
        {
          metadata: { ...meta(saName), annotations: { "eks.amazonaws.com/role-arn": role.roleArn } },
          // These pods never call the Kubernetes API; the IRSA webhook mounts its own token.
          automountServiceAccountToken: false,
        },
        { parent: this },
      );
      return { role, sa };
    };

    const backupTiers = (["daily", "hourly"] as const).filter((tier) => args[tier]);
    if (backupTiers.length) {
      // Write the tiers; read (no list) the tiers a dump is first uploaded to, the sources of the weekly/monthly server-side copies.
      const { role, sa } = podIdentity("backup", POSTGRES_BACKUP_NAMES.backupServiceAccount, { put: POSTGRES_TIERS, copyFrom: [BACKUP_PREFIXES.postgresDaily, BACKUP_PREFIXES.postgresHourly] });
      this.backupServiceAccountName = sa.metadata.name;
      this.backupRoleArn = role.roleArn;

      for (const tier of backupTiers) {
        const kind: BackupKind = tier === "daily" ? "postgres-daily" : "postgres-hourly";
        const labels = { ...baseLabels, "app.kubernetes.io/component": `backup-${tier}`, [BACKUP_KIND_LABEL]: kind };
        // A daily dump may take hours on a large database; an hourly one must finish before the next hour.
        const timing: BackupJobTiming =
          tier === "daily" ? { startingDeadlineSeconds: 900, activeDeadlineSeconds: 4 * 3600, backoffLimit: 2 } : { startingDeadlineSeconds: 300, activeDeadlineSeconds: 50 * 60, backoffLimit: 1 };
        const podSpec: k8s.types.input.core.v1.PodSpec = {
          serviceAccountName: sa.metadata.name,
          automountServiceAccountToken: false,
          securityContext: restrictedPodSecurityContext(),
          // Dump and verify first; the upload container only starts if that exited 0.
          initContainers: [
            container({ name: "dump", image: postgresImage, script: "pg-backup.sh", args: ["--phase", "dump", "--tier", tier], env: [...baseEnv, jobNameEnv], envFrom: dbEnvFrom, resources: dbResources }),
          ],
          containers: [container({ name: "upload", image: awsCliImage, script: "pg-backup.sh", args: ["--phase", "upload", "--tier", tier], env: awsEnv, resources: cliResources })],
          volumes,
        };
        const cron = new k8s.batch.v1.CronJob(
          `${name}-${tier}`,
          { metadata: meta(POSTGRES_BACKUP_NAMES[tier], labels), spec: backupCronJobSpec({ kind, schedule: args[tier]!.schedule, timing, podSpec, labels }) },
          { parent: this },
        );
        if (tier === "daily") this.dailyCronJobName = cron.metadata.name;
        else this.hourlyCronJobName = cron.metadata.name;
      }
    }

    if (restore) {
      const { role, sa } = podIdentity("restore", POSTGRES_BACKUP_NAMES.restoreServiceAccount, { get: POSTGRES_TIERS });
      this.restoreServiceAccountName = sa.metadata.name;
      this.restoreRoleArn = role.roleArn;
      this.restoreCommand = restoreCommand(ns);

      const labels = { ...baseLabels, "app.kubernetes.io/component": "restore", [BACKUP_KIND_LABEL]: "postgres-restore" };
      const restoreEnv = [
        { name: "RESTORE_TIER", value: restoreTier },
        // Operators pick a specific dump or target with `kubectl set env cronjob/postgres-restore RESTORE_KEY=...` before creating the job.
        { name: "RESTORE_KEY", value: "" },
        { name: "RESTORE_TARGET_DATABASE", value: "" },
      ];
      const podSpec: k8s.types.input.core.v1.PodSpec = {
        serviceAccountName: sa.metadata.name,
        automountServiceAccountToken: false,
        securityContext: restrictedPodSecurityContext(),
        initContainers: [container({ name: "download", image: awsCliImage, script: "pg-restore.sh", args: ["--phase", "download"], env: [...awsEnv, ...restoreEnv], resources: cliResources })],
        containers: [container({ name: "restore", image: postgresImage, script: "pg-restore.sh", args: ["--phase", "restore"], env: [...baseEnv, ...restoreEnv], envFrom: dbEnvFrom, resources: dbResources })],
        volumes,
      };
      const cron = new k8s.batch.v1.CronJob(
        `${name}-restore`,
        {
          metadata: {
            ...meta(POSTGRES_BACKUP_NAMES.restore, labels),
            annotations: {
              "runbook.dev/usage": `Never runs on its schedule (suspended). Restore the newest ${restoreTier} dump into a NEW database: ${restoreCommand(ns)}`,
            },
          },
          spec: backupCronJobSpec({
            kind: "postgres-restore",
            // Any valid schedule: `suspend: true` is what keeps it from running; jobs come from `kubectl create job --from`.
            schedule: "0 0 1 1 *",
            suspend: true,
            // A retry would restore into yet another new database; the operator reruns it on purpose instead. 4 h = runbook 001 RTO.
            timing: { startingDeadlineSeconds: 300, activeDeadlineSeconds: 4 * 3600, backoffLimit: 0 },
            podSpec,
            labels,
          }),
        },
        { parent: this },
      );
      this.restoreCronJobName = cron.metadata.name;
    }

    // Optional parts left out are omitted rather than registered as undefined (which the engine warns about).
    this.registerOutputs(definedOnly({
      backupServiceAccountName: this.backupServiceAccountName,
      backupRoleArn: this.backupRoleArn,
      restoreServiceAccountName: this.restoreServiceAccountName,
      restoreRoleArn: this.restoreRoleArn,
      dailyCronJobName: this.dailyCronJobName,
      hourlyCronJobName: this.hourlyCronJobName,
      restoreCronJobName: this.restoreCronJobName,
      scriptsConfigMapName: this.scriptsConfigMapName,
    }));
  }
}
