import { ConnectionSecret } from "../components/connection-secret";
import { PostgresDatabase } from "../components/postgres-database";
import { PostgresReadReplica } from "../components/postgres-read-replica";
import { replicaIdentifier } from "../core/postgres-parameters";
import * as pulumi from "@pulumi/pulumi";
import { RedisCache } from "../components/redis-cache";
import type { ApplicationOutputs } from "./application";
import type { StackContext } from "./context";

/** What the data step leaves on `ctx.data` for the later steps (backups, monitoring, DR). */
export interface DataOutputs {
  database?: PostgresDatabase;
  /** In-region read replicas (`database.readReplicas`), in order. */
  readReplicas?: PostgresReadReplica[];
  cache?: RedisCache;
  /** The `postgres-connection` Secret, when the stack has an application namespace (depend on it before reading it). */
  postgresConnection?: ConnectionSecret;
  /** The `redis-connection` Secret, likewise. */
  redisConnection?: ConnectionSecret;
}

/**
 * Name of the Secret in the application namespace with PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD, PGSSLMODE
 * and PGHOST_READER (the read replicas' hosts, comma-separated as libpq's multi-host syntax takes them; the
 * primary's host when there are no replicas, so read-only code paths can always use it).
 */
export const POSTGRES_CONNECTION_SECRET = "postgres-connection";
/** Name of the Secret in the application namespace with REDIS_HOST, REDIS_PORT, REDIS_AUTH_TOKEN, REDIS_TLS, REDIS_CLUSTER_MODE. */
export const REDIS_CONNECTION_SECRET = "redis-connection";

/** The application step's results; undefined when the stack has no application (then no Secrets are published). */
function applicationOf(ctx: StackContext): Pick<ApplicationOutputs, "namespaceName" | "namespace"> | undefined {
  const application = ctx.application as ApplicationOutputs | undefined;
  return application?.namespaceName ? application : undefined;
}

/**
 * Composes RDS PostgreSQL and ElastiCache Redis from `database` and `cache` config, admits the cluster's
 * nodes to both, and publishes their connection details as Secrets in the application namespace.
 * Returns stack outputs: endpoints, ports, ids and ARNs, never a credential.
 */
export function deployData(ctx: StackContext): Record<string, unknown> {
  const { config, network, cluster, prefix, tags } = ctx;
  const data: DataOutputs = {};
  const outputs: Record<string, unknown> = {};

  // A DR stack's database is the standby replica of the primary's (stacks/standby.ts), not a new primary.
  if (config.database && config.role !== "dr") {
    const db = config.database;
    const replicate = !!ctx.drProvider && db.replicateBackupsToDr;
    data.database = new PostgresDatabase("database", {
      identifier: `${prefix}-postgres`,
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
      allowedSecurityGroupIds: [cluster.clusterSecurityGroupId],
      engineVersion: db.engineVersion,
      instanceClass: db.instanceClass,
      allocatedStorageGiB: db.allocatedStorageGiB,
      maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
      multiAz: db.multiAz,
      backupRetentionDays: db.backupRetentionDays,
      backupWindow: db.backupWindow,
      maintenanceWindow: db.maintenanceWindow,
      deletionProtection: db.deletionProtection,
      databaseName: db.name,
      username: db.username,
      passwordVersion: db.passwordVersion,
      applyImmediately: db.applyImmediately,
      performanceInsights: db.performanceInsights,
      performanceInsightsRetentionDays: db.performanceInsightsRetentionDays,
      monitoringIntervalSeconds: db.monitoringIntervalSeconds,
      slowQueryLogMs: db.slowQueryLogMs,
      logRetentionDays: db.logRetentionDays,
      drProvider: replicate ? ctx.drProvider : undefined,
      drBackupRetentionDays: db.drBackupRetentionDays,
      tags,
    });
    const primary = data.database;
    data.readReplicas = Array.from({ length: db.readReplicas?.count ?? 0 }, (_, i) => {
      return new PostgresReadReplica(`database-replica-${i + 1}`, {
        identifier: replicaIdentifier(`${prefix}-postgres`, i),
        sourceDbInstanceArn: primary.instanceArn,
        instanceClass: db.readReplicas?.instanceClass ?? db.instanceClass,
        // Same key, parameter group, subnets and security group as the primary: same encryption, TLS rule and clients.
        kmsKeyArn: primary.kmsKeyArn,
        parameterGroupName: primary.parameterGroupName,
        subnetGroupName: primary.subnetGroupName,
        securityGroupIds: [primary.securityGroupId],
        maintenanceWindow: db.maintenanceWindow,
        maxAllocatedStorageGiB: db.maxAllocatedStorageGiB,
        deletionProtection: db.deletionProtection,
        performanceInsights: db.performanceInsights,
        monitoringIntervalSeconds: primary.monitoringRoleArn ? db.monitoringIntervalSeconds : 0,
        monitoringRoleArn: primary.monitoringRoleArn,
        applyImmediately: db.applyImmediately,
        logRetentionDays: db.logRetentionDays,
        tags,
      });
    });
    Object.assign(outputs, {
      databaseReaderEndpoints: data.readReplicas.map((r) => r.endpoint),
      databaseEndpoint: data.database.endpoint,
      databasePort: data.database.port,
      databaseName: data.database.databaseName,
      databaseSecretArn: data.database.secretArn,
      databaseSecurityGroupId: data.database.securityGroupId,
    });
  }

  if (config.cache) {
    const cache = config.cache;
    data.cache = new RedisCache("cache", {
      replicationGroupId: `${prefix}-redis`,
      vpcId: network.vpcId,
      subnetIds: network.privateSubnetIds,
      allowedSecurityGroupIds: [cluster.clusterSecurityGroupId],
      availabilityZones: network.availabilityZones,
      engineVersion: cache.engineVersion,
      nodeType: cache.nodeType,
      numCacheClusters: cache.numCacheClusters,
      clusterMode: cache.clusterMode,
      multiAz: cache.multiAz,
      maxmemoryPolicy: cache.maxmemoryPolicy,
      snapshotRetentionDays: cache.snapshotRetentionDays,
      snapshotWindow: cache.snapshotWindow,
      maintenanceWindow: cache.maintenanceWindow,
      slowLogRetentionDays: cache.slowLogRetentionDays,
      authTokenVersion: cache.authTokenVersion,
      applyImmediately: cache.applyImmediately,
      tags,
    });
    Object.assign(outputs, {
      cacheEndpoint: data.cache.primaryEndpoint,
      cacheReaderEndpoint: data.cache.readerEndpoint,
      cachePort: data.cache.port,
      cacheSecurityGroupId: data.cache.securityGroupId,
    });
  }

  const application = applicationOf(ctx);
  if (application) {
    // Taking the name from the Namespace object (not the plain string) makes each Secret wait for it.
    const namespace = application.namespace ? application.namespace.metadata.name : application.namespaceName;
    const k8sOpts = { providers: [cluster.provider] };
    if (data.database) {
      const db = data.database;
      data.postgresConnection = new ConnectionSecret(
        "postgres-connection",
        {
          namespace,
          secretName: POSTGRES_CONNECTION_SECRET,
          data: {
            PGHOST: db.endpoint,
            PGHOST_READER: data.readReplicas?.length ? pulumi.all(data.readReplicas.map((r) => r.endpoint)).apply((hosts) => hosts.join(",")) : db.endpoint,
            PGPORT: db.port.apply(String),
            PGDATABASE: db.databaseName,
            PGUSER: db.username,
            PGPASSWORD: db.password,
            // The parameter group forces TLS; "require" encrypts without needing the RDS CA bundle in every image.
            PGSSLMODE: "require",
          },
        },
        k8sOpts,
      );
    }
    if (data.cache) {
      const cache = data.cache;
      data.redisConnection = new ConnectionSecret(
        "redis-connection",
        {
          namespace,
          secretName: REDIS_CONNECTION_SECRET,
          data: { REDIS_HOST: cache.primaryEndpoint, REDIS_PORT: cache.port.apply(String), REDIS_AUTH_TOKEN: cache.authToken, REDIS_TLS: "true", REDIS_CLUSTER_MODE: String(cache.clusterModeEnabled) },
        },
        k8sOpts,
      );
    }
  }

  ctx.data = data;
  return outputs;
}
