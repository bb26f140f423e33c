/**
 * Composes what lets the alerts fire and the logs be read (issue 17): postgres_exporter with its
 * read-only monitoring role, redis_exporter, a CloudWatch exporter for the AWS-side signals (the data
 * tier's own release of components/cloudwatch-exporter.ts; the CloudWatch metrics go through the same
 * PrometheusRules and Alertmanager routes as every other alert, instead of CloudWatch alarms with a
 * second notification path), Fluent Bit
 * shipping container logs to CloudWatch Logs, and the weekly database maintenance CronJob. Runs after
 * the data, backups and monitoring steps, whose results it reads from the context.
 */
import * as pulumi from "@pulumi/pulumi";
import type { StackContext } from "./context";
import type { DataOutputs } from "./data";
import type { ApplicationOutputs } from "./application";
import type { MonitoringContext } from "./monitoring";
import type { BackupsOutputs } from "./backups";
import { POSTGRES_CONNECTION_SECRET } from "./data";
import { PostgresExporter } from "../components/postgres-exporter";
import { RedisExporter } from "../components/redis-exporter";
import { CloudWatchExporter } from "../components/cloudwatch-exporter";
import { DATA_TIER_CLOUDWATCH_METRICS } from "../monitoring/cloudwatch";
import { LogShipping } from "../components/log-shipping";
import { DatabaseMaintenance } from "../components/database-maintenance";
import { POSTGRES_CLIENT_IMAGES } from "../components/postgres-backup-jobs";
import { windowStartSchedule } from "./config/observability";
import type { ExtraWorkload } from "../model/network-flows";

/** Declares pods this step adds, so the security step's NetworkPolicies let them reach exactly what they need. */
function declareFlows(ctx: StackContext, workloads: ExtraWorkload[]): void {
  ctx.networkWorkloads = [...((ctx.networkWorkloads as ExtraWorkload[] | undefined) ?? []), ...workloads];
}

/** ElastiCache names the member clusters of a replication group `<id>-001`… (cluster mode: `<id>-0001-001`…). */
export function cacheMemberIds(replicationGroupId: string, cache: { numCacheClusters?: number; clusterMode?: { shards: number; replicasPerShard: number } }): string[] {
  const pad = (n: number, width: number) => String(n).padStart(width, "0");
  if (cache.clusterMode) {
    const { shards, replicasPerShard } = cache.clusterMode;
    return Array.from({ length: shards }, (_, s) => Array.from({ length: 1 + replicasPerShard }, (_, n) => `${replicationGroupId}-${pad(s + 1, 4)}-${pad(n + 1, 3)}`)).flat();
  }
  return Array.from({ length: cache.numCacheClusters ?? 3 }, (_, n) => `${replicationGroupId}-${pad(n + 1, 3)}`);
}

/** The newest pinned PostgreSQL client image: psql ≥ 15 for the bootstrap SQL, and newer clients talk to older servers. */
function newestClientImage(): string {
  const majors = Object.keys(POSTGRES_CLIENT_IMAGES).sort((a, b) => Number(a) - Number(b));
  return POSTGRES_CLIENT_IMAGES[majors[majors.length - 1]];
}

export function deployObservability(ctx: StackContext): Record<string, unknown> {
  const { config, cluster, prefix, tags } = ctx;
  const o = config.observability;
  if (!o) return {};
  const data = (ctx.data ?? {}) as DataOutputs;
  const application = ctx.application as ApplicationOutputs | undefined;
  const monitoring = ctx.monitoring as MonitoringContext | undefined;
  const backups = ctx.backups as BackupsOutputs | undefined;
  const appNamespace = application?.namespaceName;
  // Everything here runs pods (exporters, log shippers, Helm releases): the provider that waits for nodes and coredns.
  const provider = cluster.workloadProvider;
  const outputs: Record<string, unknown> = {};

  // Exporters need the Prometheus Operator's CRDs (ServiceMonitor): register them after the monitoring stack.
  if (monitoring && o.exporters.enabled) {
    const after: pulumi.ComponentResourceOptions = { provider, dependsOn: monitoring.stackComponent ? [monitoring.stackComponent] : [] };
    const monitorLabels = config.monitoring?.ruleLabels ?? {};
    if (data.database && appNamespace && data.postgresConnection) {
      const exporter = new PostgresExporter(
        "postgres-exporter",
        {
          namespace: monitoring.namespace,
          bootstrapNamespace: appNamespace,
          masterConnectionSecretName: POSTGRES_CONNECTION_SECRET,
          host: data.database.endpoint,
          port: data.database.port,
          databaseName: data.database.databaseName,
          monitoringUser: o.exporters.monitoringUser,
          passwordVersion: o.exporters.passwordVersion,
          clientImage: newestClientImage(),
          monitorLabels,
        },
        // The bootstrap Job reads the master connection Secret, so it waits for it.
        { provider, dependsOn: [...(monitoring.stackComponent ? [monitoring.stackComponent] : []), data.postgresConnection] },
      );
      outputs.databaseMonitoringUser = exporter.monitoringUser;
      declareFlows(ctx, [
        // The bootstrap Job runs in the application namespace (default-deny there): it only talks to the database.
        { namespace: appNamespace, name: "postgres-monitoring-role", selector: { "app.kubernetes.io/name": "postgres-monitoring-role" }, reaches: ["database"] },
        { namespace: monitoring.namespace, name: "postgres-exporter", selector: { "app.kubernetes.io/name": "postgres-exporter" }, metricsPort: 9187, reaches: ["database"] },
      ]);
    }
    if (data.cache) {
      new RedisExporter(
        "redis-exporter",
        { namespace: monitoring.namespace, host: data.cache.primaryEndpoint, port: data.cache.port, authToken: data.cache.authToken, tls: true, clusterMode: data.cache.clusterModeEnabled, monitorLabels },
        after,
      );
      declareFlows(ctx, [{ namespace: monitoring.namespace, name: "redis-exporter", selector: { "app.kubernetes.io/name": "redis-exporter" }, metricsPort: 9121, reaches: ["cache"] }]);
    }
    if (o.exporters.cloudwatch && (data.database || data.cache)) {
      const dbIds = data.database ? [data.database.instanceIdentifier, ...(data.readReplicas ?? []).map((r) => r.instanceIdentifier)] : [];
      const cacheIds = data.cache && config.cache ? cacheMemberIds(`${prefix}-redis`, config.cache) : [];
      const metrics = DATA_TIER_CLOUDWATCH_METRICS.filter((m) => (m.awsNamespace === "AWS/RDS" ? dbIds.length : cacheIds.length) > 0).map((m) => ({
        ...m,
        dimensions: [...m.dimensions],
        statistics: [...m.statistics],
        // Only this stack's instances and nodes: the account may hold others.
        dimensionSelect: (m.awsNamespace === "AWS/RDS" ? { DBInstanceIdentifier: dbIds } : { CacheClusterId: cacheIds }) as Record<string, pulumi.Input<string>[]>,
      }));
      new CloudWatchExporter(
        "data-tier-cloudwatch",
        {
          namespace: monitoring.namespace,
          namespaceName: monitoring.namespace,
          region: config.region,
          oidcProviderArn: cluster.oidcProviderArn,
          oidcIssuer: cluster.oidcIssuer,
          metrics,
          // Its own release: the messaging step may run another exporter (MSK lag) in the same namespace.
          releaseName: "data-tier-cloudwatch-exporter",
          tags,
        },
        after,
      );
    }
  }

  if (o.logShipping.enabled) {
    const namespaces = o.logShipping.namespaces.length ? o.logShipping.namespaces : [...new Set([appNamespace, monitoring?.namespace].filter((n): n is string => !!n))];
    if (namespaces.length) {
      const logs = new LogShipping(
        "log-shipping",
        {
          clusterName: prefix,
          namespaces,
          retentionDays: o.logShipping.retentionDays ?? config.cluster.logRetentionDays,
          region: config.region,
          oidcProviderArn: cluster.oidcProviderArn,
          oidcIssuer: cluster.oidcIssuer,
          monitorLabels: config.monitoring?.ruleLabels ?? {},
          tags,
        },
        { providers: [provider], ...(monitoring?.stackComponent ? { dependsOn: [monitoring.stackComponent] } : {}) },
      );
      outputs.containerLogGroups = logs.logGroupNames;
    }
  }

  if (o.databaseMaintenance.enabled && data.database && config.database && appNamespace && data.postgresConnection) {
    const job = new DatabaseMaintenance(
      "database-maintenance",
      { namespace: appNamespace, connectionSecretName: POSTGRES_CONNECTION_SECRET, schedule: o.databaseMaintenance.schedule ?? windowStartSchedule(config.database.maintenanceWindow), image: backups?.postgresClientImage ?? newestClientImage() },
      { provider, dependsOn: [data.postgresConnection] },
    );
    outputs.databaseMaintenanceCronJob = job.cronJobName;
    declareFlows(ctx, [{ namespace: appNamespace, name: "database-maintenance", selector: { "runbook.dev/backup": "db-maintenance" }, reaches: ["database"] }]);
  }
  return outputs;
}

/** Whether this stack ships logs, so the monitoring step turns the logging alerts on with it. */
export function shipsLogs(config: StackContext["config"]): boolean {
  return !!config.observability?.logShipping.enabled;
}
