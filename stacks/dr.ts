import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DrNamespace, DrRestoreArgs, DrServiceArgs } from "../components/dr-namespace";
import { FailoverDns, FailoverTarget } from "../components/failover-dns";
import { RecoveryObjectives } from "../components/recovery-objectives";
import { recoveryReport, RecoveryReport } from "../model/recovery-report";
import type { FailoverTargetConfig } from "./config/dr";
import type { StackContext } from "./context";
import type { BackupsOutputs } from "./backups";
import { edgeSiteName, EdgeOutputs } from "./edge";
import { ConfigError } from "./config/errors";

/** What the DR step leaves on `ctx.dr`. */
export interface DrOutputs {
  /** The RTO/RPO figures computed from the config, compared with `dr` targets. */
  report: RecoveryReport;
  objectives?: RecoveryObjectives;
  failover?: FailoverDns;
  namespace?: DrNamespace;
  /** The DR stack, when the SECONDARY record aliases its load balancer. */
  drStack?: pulumi.StackReference;
}

/** The DR region is in use exactly when it is set and DR is enabled (the report uses the same rule). */
function drActive(ctx: StackContext): ctx is StackContext & { drProvider: aws.Provider } {
  return Boolean(ctx.drProvider && ctx.config.dr?.enabled);
}

/** The outputs of the DR stack the primary reads (written by `stacks/edge.ts` in the DR stack). */
export const DR_STACK_OUTPUTS = { dnsName: "edgeLoadBalancerDnsName", zoneId: "edgeLoadBalancerZoneId", region: "edgeRegion", siteName: "edgeSiteName" } as const;

function target(config: FailoverTargetConfig): FailoverTarget {
  if (config.alias) return { alias: { dnsName: config.alias.dnsName, zoneId: config.alias.zoneId } };
  return config.cname !== undefined ? { cname: config.cname } : { ip: config.ip };
}

/**
 * The restore template for the DR namespace: the backups step's restore job, pointed at the bucket's
 * replica in the DR region (and the replica's KMS key). Undefined when the bucket is not replicated.
 */
function drRestoreArgs(ctx: StackContext, drNamespace: string): DrRestoreArgs | undefined {
  const backups = ctx.backups as BackupsOutputs | undefined;
  const bucket = backups?.bucket;
  if (!backups || !bucket?.replicaBucketName || !bucket.replicaBucketArn || !bucket.replicaKmsKeyArn || !ctx.config.drRegion) return undefined;
  const { namespace: _namespace, daily: _daily, hourly: _hourly, restore: _restore, ...args } = backups.restoreJobArgs(drNamespace, {
    bucketName: bucket.replicaBucketName,
    bucketArn: bucket.replicaBucketArn,
    kmsKeyArn: bucket.replicaKmsKeyArn,
    region: ctx.config.drRegion,
  });
  return args;
}

/**
 * Composes disaster recovery: the RTO/RPO figures (always, when targets are declared), and when DR is
 * enabled Route53 failover for the API name and the DR namespace with its restore job. The copies in
 * the DR region (RDS automated-backup replication, the backup bucket's replica, each with its own
 * DR-region KMS key) come from the data and backups steps, which get `ctx.drProvider`.
 */
export function deployDr(ctx: StackContext): Record<string, unknown> {
  const { config } = ctx;
  const dr = config.dr;
  const report = recoveryReport(config);
  const result: DrOutputs = { report };
  const outputs: Record<string, unknown> = {};
  ctx.dr = result;
  if (!dr) return outputs;

  result.objectives = new RecoveryObjectives("recovery-objectives", {
    targets: { rtoMinutes: dr.rtoMinutes, rpoMinutes: dr.rpoMinutes },
    scenarios: report.rows.map((row) => ({
      scenario: row.scenario,
      rpoMinutes: row.rpo.minutes,
      rtoMinutes: row.rto.minutes,
      compared: row.compared,
      basis: `RPO: ${row.rpo.basis}; RTO: ${row.rto.basis}`,
    })),
    replicationToDr: report.replicationToDr,
    drRegion: config.drRegion,
  });
  outputs.recoveryObjectivesMet = report.meetsTargets;
  if (!drActive(ctx)) return outputs;

  const records = dr.records;
  const zone = records?.zone ?? config.domain;
  if (records && zone) {
    // Route53 health-check metrics exist only in us-east-1: the alarm and its topic live there.
    const metricsProvider = config.region === "us-east-1" ? undefined : new aws.Provider("route53-metrics", { region: "us-east-1", defaultTags: { tags: ctx.tags } });
    const inUsEast1 = metricsProvider ? { provider: metricsProvider } : {};
    // Alertmanager cannot see CloudWatch alarms; the failover notice goes out through SNS to the ops mailbox.
    const topic = new aws.sns.Topic("dr-failover", { name: `${ctx.prefix}-dr-failover`, tags: ctx.tags }, inUsEast1);
    const email = config.monitoring?.email?.to;
    if (email) new aws.sns.TopicSubscription("dr-failover-email", { topic: topic.arn, protocol: "email", endpoint: email }, inUsEast1);
    const zoneId = aws.route53.getZoneOutput({ name: zone, privateZone: false }).zoneId;
    // No typed targets: PRIMARY aliases this stack's load balancer, SECONDARY the DR stack's, read through a stack reference.
    const edge = ctx.edge as EdgeOutputs | undefined;
    if (!records.primary && !edge) throw new ConfigError(`${ctx.stack}: runbook-infra:dr.records.primary: (missing) — needs runbook-infra:edge (this stack's load balancer) or a typed target`);
    const primary: FailoverTarget = records.primary ? target(records.primary) : { alias: { dnsName: edge!.loadBalancer.loadBalancerDnsName, zoneId: edge!.loadBalancer.loadBalancerZoneId } };
    let secondary: FailoverTarget;
    if (records.secondary) secondary = target(records.secondary);
    else {
      result.drStack = new pulumi.StackReference("dr-stack", { name: dr.stack! });
      secondary = { alias: { dnsName: result.drStack.requireOutput(DR_STACK_OUTPUTS.dnsName) as pulumi.Output<string>, zoneId: result.drStack.requireOutput(DR_STACK_OUTPUTS.zoneId) as pulumi.Output<string> } };
      outputs.drStackRegion = result.drStack.requireOutput(DR_STACK_OUTPUTS.region);
    }
    result.failover = new FailoverDns("failover", {
      zoneId,
      recordName: records.name,
      drRecordName: records.drName,
      primary,
      secondary,
      allowLiteralTargets: records.allowLiteralTargets,
      ttlSeconds: records.ttlSeconds,
      healthCheck: {
        // The host the primary serves: its site name, which its listener forwards and its certificate covers.
        fqdn: dr.healthCheck.fqdn ?? (records.primary ? undefined : edgeSiteName(ctx)),
        path: dr.healthCheck.path,
        port: dr.healthCheck.port,
        intervalSeconds: dr.healthCheck.intervalSeconds,
        failureThreshold: dr.healthCheck.failureThreshold,
        regions: [...dr.healthCheck.regions],
      },
      alarmActions: [topic.arn],
      metricsProvider,
      tags: ctx.tags,
    });
    outputs.failoverRecordName = records.name;
    outputs.failoverHealthCheckId = result.failover.healthCheckId;
  }

  const app = config.application;
  const drServices = Object.entries(dr.drReplicas);
  if (app && drServices.length > 0) {
    const services: DrServiceArgs[] = drServices.map(([name, replicas]) => {
      const service = app.services.find((s) => s.name === name);
      return {
        name,
        replicas,
        maxReplicas: Math.max(replicas + 1, Math.ceil(replicas * dr.drMaxReplicasFactor)),
        targetCpuUtilization: service?.targetCpuUtilization,
        targetMemoryUtilization: service?.targetMemoryUtilization,
        selector: service?.selector,
        // Without declared pod requests, size the quota by the LimitRange default a container gets.
        podRequests: service?.podRequests ?? { cpu: app.limitRange.defaultRequestCpu, memory: app.limitRange.defaultRequestMemory },
      };
    });
    const drNamespaceName = `${app.namespace}-dr`;
    result.namespace = new DrNamespace(
      "dr-namespace",
      {
        primaryNamespace: app.namespace,
        provider: ctx.cluster.provider,
        services,
        operatorGroup: dr.operatorGroup,
        limitRange: app.limitRange,
        restore: drRestoreArgs(ctx, drNamespaceName),
      },
    );
    outputs.drNamespace = result.namespace.namespaceName;
  }
  return outputs;
}
