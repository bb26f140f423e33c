import * as aws from "@pulumi/aws";
import { globalBucketName } from "../core/names";
import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./context";
import { retentionDays } from "./config/backups";
import { BACKUP_PREFIXES, BackupBucket, RetentionRule, backupAccessPolicy } from "../components/backup-bucket";
import { POSTGRES_CLIENT_IMAGES, PostgresBackupJobs, PostgresBackupJobsArgs, ScratchVolumeArgs, restoreCommand, scratchGiBForDatabase } from "../components/postgres-backup-jobs";
import { KubernetesConfigBackup } from "../components/k8s-config-backup";

/** What this step leaves on `ctx.backups` for the monitoring and DR steps. */
export interface BackupsOutputs {
  bucket: BackupBucket;
  /** Daily/hourly dump CronJobs and the suspended restore CronJob; absent without a database or application namespace. */
  postgres?: PostgresBackupJobs;
  kubernetesConfig?: KubernetesConfigBackup;
  /** Namespace the backup CronJobs run in. */
  namespace?: string;
  /** The pinned pg_dump/pg_restore image the jobs use (matches the database major). */
  postgresClientImage: string;
  /** Tier and prefix the restore job restores from, e.g. "postgresql/daily/". */
  restorePrefix: string;
  /**
   * Arguments for a `PostgresBackupJobs` that holds only the restore CronJob, for another namespace
   * (the DR step: `new PostgresBackupJobs("dr-restore", ctx.backups.restoreJobArgs(drNs, { bucketName: bucket.replicaBucketName, ... }), { providers })`).
   * The IRSA role it creates may only read the postgresql/ prefixes of the bucket it is given.
   */
  restoreJobArgs(namespace: string, overrides?: Partial<PostgresBackupJobsArgs>): PostgresBackupJobsArgs;
  /** Read-only policy on the postgresql/ prefixes of the DR replica (undefined without replication). */
  replicaRestorePolicy?: pulumi.Output<string>;
}

/** The pinned client image for a database engine version ("16" or "16.4"); the newest known major otherwise. */
function clientImageFor(engineVersion: string | undefined): string {
  const major = engineVersion?.split(".")[0];
  if (major && POSTGRES_CLIENT_IMAGES[major]) return POSTGRES_CLIENT_IMAGES[major];
  const majors = Object.keys(POSTGRES_CLIENT_IMAGES).sort((a, b) => Number(a) - Number(b));
  return POSTGRES_CLIENT_IMAGES[majors[majors.length - 1]];
}

/**
 * Composes the backups capability: the S3 bucket with one lifecycle rule per backup tier (replicated to
 * the DR region when a DR provider exists), the PostgreSQL dump/restore CronJobs when the stack has a
 * database, and the Kubernetes configuration backup of the application namespace.
 */
export function deployBackups(ctx: StackContext): Record<string, unknown> {
  const { config, cluster, prefix, tags } = ctx;
  const backups = config.backups;
  if (!backups) return {};

  const days = retentionDays(backups);
  const pg = backups.postgres;
  const retention: RetentionRule[] = [];
  if (config.database) {
    retention.push(
      { prefix: BACKUP_PREFIXES.postgresDaily, expireAfterDays: days.daily, transitions: pg.daily.transitions },
      { prefix: BACKUP_PREFIXES.postgresWeekly, expireAfterDays: days.weekly, transitions: pg.weekly.transitions },
      { prefix: BACKUP_PREFIXES.postgresMonthly, expireAfterDays: days.monthly, transitions: pg.monthly.transitions },
    );
    if (days.hourly !== undefined) retention.push({ prefix: BACKUP_PREFIXES.postgresHourly, expireAfterDays: days.hourly });
  }
  retention.push({ prefix: BACKUP_PREFIXES.kubernetesConfig, expireAfterDays: days.kubernetesConfig });

  const replicate = !!ctx.drProvider && backups.replicateToDrRegion;
  const accountId = ctx.accountId ?? aws.getCallerIdentityOutput({}).accountId;
  const bucket = new BackupBucket("backups", {
    // Globally unique by construction: the account id and region are nobody else's.
    bucketName: accountId.apply((account) => globalBucketName(prefix, "backups", account, config.region)),
    retention,
    noncurrentVersionExpirationDays: backups.noncurrentVersionDays,
    requireKmsKeyPrefixes: [BACKUP_PREFIXES.kubernetesSecrets],
    objectLock: backups.objectLock,
    replication: replicate ? { provider: ctx.drProvider!, bucketName: accountId.apply((account) => globalBucketName(prefix, "backups", account, config.drRegion!)) } : undefined,
    protect: backups.protectBucket,
    tags,
  });

  const application = ctx.application as { namespaceName?: string; namespace?: pulumi.Resource } | undefined;
  const namespace = application?.namespaceName;
  const k8sOpts: pulumi.ComponentResourceOptions = { providers: [cluster.provider], dependsOn: application?.namespace ? [application.namespace] : [] };
  const database = config.database as { engineVersion?: string; maxAllocatedStorageGiB?: number } | undefined;
  // The dump of a 100–500 GiB database does not fit on a node's disk: dump and restore onto a per-run
  // volume of the cluster's encrypted StorageClass, sized from the storage the database may grow to.
  const storageClassName = cluster.storageClassName;
  const scratchVolume: ScratchVolumeArgs | undefined =
    storageClassName && database?.maxAllocatedStorageGiB ? { sizeGiB: scratchGiBForDatabase(database.maxAllocatedStorageGiB), storageClassName } : undefined;
  const postgresClientImage = pg.clientImage ?? clientImageFor(database?.engineVersion);
  const common = {
    bucketName: bucket.bucketName,
    bucketArn: bucket.bucketArn,
    kmsKeyArn: bucket.kmsKeyArn,
    region: config.region,
    oidcProviderArn: cluster.oidcProviderArn,
    oidcIssuer: cluster.oidcIssuer,
    tags,
  };
  const restorePrefix = `postgresql/${pg.restoreTier}/`;

  const outputs: Record<string, unknown> = {
    backupBucketName: bucket.bucketName,
    backupBucketArn: bucket.bucketArn,
    backupKmsKeyArn: bucket.kmsKeyArn,
  };
  if (bucket.replicaBucketName) outputs.backupReplicaBucketName = bucket.replicaBucketName;

  const result: BackupsOutputs = {
    bucket,
    namespace,
    postgresClientImage,
    restorePrefix,
    restoreJobArgs: (ns, overrides = {}) => ({ ...common, namespace: ns, restore: true, restoreTier: pg.restoreTier, postgresImage: postgresClientImage, scratchVolume, ...overrides }),
    replicaRestorePolicy: bucket.replicaBucketArn && bucket.replicaKmsKeyArn ? backupAccessPolicy(bucket.replicaBucketArn, bucket.replicaKmsKeyArn, { get: [restorePrefix] }) : undefined,
  };

  if (namespace !== undefined) {
    // Backup jobs exist only where there is a database to dump.
    if (config.database) {
      result.postgres = new PostgresBackupJobs(
        "postgres-backups",
        {
          ...common,
          namespace,
          daily: { schedule: pg.daily.schedule },
          hourly: pg.hourly ? { schedule: pg.hourly.schedule } : undefined,
          restore: true,
          restoreTier: pg.restoreTier,
          postgresImage: postgresClientImage,
          scratchVolume,
        },
        k8sOpts,
      );
      outputs.backupRestoreCommand = restoreCommand(namespace);
    }
    result.kubernetesConfig = new KubernetesConfigBackup(
      "k8s-config-backup",
      {
        ...common,
        namespace,
        namespaces: [namespace, ...backups.kubernetesConfig.extraNamespaces.filter((ns) => ns !== namespace)],
        schedule: backups.kubernetesConfig.schedule,
        includeSecrets: backups.kubernetesConfig.includeSecrets,
      },
      k8sOpts,
    );
  }

  ctx.backups = result;
  return outputs;
}
