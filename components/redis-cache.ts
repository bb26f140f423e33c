import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { logsEncryptingKeyPolicy } from "./kms-key-policy";
import * as random from "@pulumi/random";
import { rejectArg } from "../core/errors";
import { dailyOverlapsWeekly, dailyWindowMinutes, isDailyWindow, isWeeklyWindow, weeklyWindowMinutes } from "../core/windows";
import { LOG_RETENTION_DAYS } from "../core/retention";
import { CACHE_NODE_ALLOWED, MAXMEMORY_POLICIES, REDIS_VERSIONS, isElastiCacheNodeType } from "../core/aws-catalogue";

export interface RedisCacheArgs {
  /** VPC the cache lives in. No default. */
  vpcId: pulumi.Input<string>;
  /** Private subnets for the cache subnet group. No default. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups admitted on 6379 (the EKS nodes' group); nothing else is, and never a CIDR. No default. */
  allowedSecurityGroupIds: pulumi.Input<string>[];
  /** AZs to place the nodes in, one node per AZ in order (primary first). @default none (ElastiCache chooses) */
  availabilityZones?: pulumi.Input<string[]>;
  /** Replication group id (at most 40 characters; names the log group and final snapshot). @default the component name */
  replicationGroupId?: string;
  /** Redis OSS version: "6.2", "7.0" or "7.1". @default "7.1" */
  engineVersion?: string;
  /** Node type. @default "cache.r5.large" */
  nodeType?: string;
  /** Nodes of the single shard: one primary plus replicas (1–6). Not with clusterMode. @default 3 (cluster mode off) */
  numCacheClusters?: number;
  /** Cluster mode on: `shards` node groups (1–500) of a primary and `replicasPerShard` replicas (0–5) each; clients use the configuration endpoint and database 0 only. @default none (cluster mode off) */
  clusterMode?: { shards: number; replicasPerShard: number };
  /** Multi-AZ with automatic failover; needs numCacheClusters ≥ 2. @default true */
  multiAz?: boolean;
  /** `maxmemory-policy`; volatile-lru evicts only keys with a TTL, so queues survive memory pressure. @default "volatile-lru" */
  maxmemoryPolicy?: string;
  /** Days automatic snapshots are kept (0–35; 0 turns snapshots off). @default 7 */
  snapshotRetentionDays?: number;
  /** Daily UTC snapshot window "hh:mm-hh:mm", ≥ 60 minutes, outside the maintenance window. @default "00:30-01:30" */
  snapshotWindow?: string;
  /** Weekly UTC maintenance window "ddd:hh:mm-ddd:hh:mm", 60 minutes to 24 hours. @default "sun:03:00-sun:06:00" (inside the runbooks' Sunday 02:00–06:00 slot, after the 02:00 dump) */
  maintenanceWindow?: string;
  /** Days the slow log is kept in CloudWatch Logs. @default 30 */
  slowLogRetentionDays?: number;
  /** Apply modifications (resize, AUTH token rotation) at once instead of in the next maintenance window. @default false */
  applyImmediately?: boolean;
  /** Bump to generate a new AUTH token (rotated with ElastiCache's ROTATE strategy, old token valid until the next change). @default 1 */
  authTokenVersion?: number;
  /** Tags on every AWS resource. @default {} */
  tags?: Record<string, string>;
}

const GROUP_ID = /^[a-z](?!.*--)[a-z0-9-]{0,38}[a-z0-9]$/;
const PORT = 6379;

function validate(name: string, args: RedisCacheArgs) {
  const reject = (arg: string, value: unknown, allowed: string) => rejectArg("RedisCache", arg, value, allowed);
  const isInt = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  const groupId = args.replicationGroupId ?? name;
  if (!GROUP_ID.test(groupId)) reject("replicationGroupId", groupId, "must be 1–40 lowercase letters, digits or single hyphens, starting with a letter and not ending with a hyphen");
  const version = args.engineVersion ?? "7.1";
  if (!(REDIS_VERSIONS as readonly string[]).includes(version)) reject("engineVersion", version, `must be one of ${REDIS_VERSIONS.join(", ")}`);
  const nodeType = args.nodeType ?? "cache.r5.large";
  if (!isElastiCacheNodeType(nodeType)) reject("nodeType", nodeType, CACHE_NODE_ALLOWED);
  if (args.clusterMode) {
    const { shards, replicasPerShard } = args.clusterMode;
    if (args.numCacheClusters !== undefined) reject("numCacheClusters", args.numCacheClusters, "must not be set with clusterMode (a cluster has shards × (1 + replicasPerShard) nodes)");
    if (!isInt(shards, 1, 500)) reject("clusterMode.shards", shards, "must be an integer from 1 to 500");
    if (!isInt(replicasPerShard, 0, 5)) reject("clusterMode.replicasPerShard", replicasPerShard, "must be an integer from 0 to 5");
    if ((args.multiAz ?? true) && replicasPerShard < 1) reject("clusterMode.replicasPerShard", replicasPerShard, "must be at least 1 when multiAz is true (each shard needs a replica to fail over to)");
    if (shards * (1 + replicasPerShard) > 500) reject("clusterMode.shards", shards, "must keep shards × (1 + replicasPerShard) at most 500 nodes (ElastiCache's limit per cluster)");
  } else {
    const nodes = args.numCacheClusters ?? 3;
    if (!isInt(nodes, 1, 6)) reject("numCacheClusters", nodes, "must be an integer from 1 to 6 (a primary and up to 5 replicas)");
    if ((args.multiAz ?? true) && nodes < 2) reject("numCacheClusters", nodes, "must be at least 2 when multiAz is true (a replica to fail over to)");
  }
  const policy = args.maxmemoryPolicy ?? "volatile-lru";
  if (!(MAXMEMORY_POLICIES as readonly string[]).includes(policy)) reject("maxmemoryPolicy", policy, `must be one of ${MAXMEMORY_POLICIES.join(", ")}`);
  const retention = args.snapshotRetentionDays ?? 7;
  if (!isInt(retention, 0, 35)) reject("snapshotRetentionDays", retention, "must be an integer from 0 to 35");
  const snapshotWindow = args.snapshotWindow ?? "00:30-01:30";
  const maintenanceWindow = args.maintenanceWindow ?? "sun:03:00-sun:06:00";
  if (!isDailyWindow(snapshotWindow) || dailyWindowMinutes(snapshotWindow) < 60)
    reject("snapshotWindow", snapshotWindow, 'must be a daily UTC window "hh:mm-hh:mm" of at least 60 minutes');
  if (!isWeeklyWindow(maintenanceWindow) || weeklyWindowMinutes(maintenanceWindow) < 60 || weeklyWindowMinutes(maintenanceWindow) > 1440)
    reject("maintenanceWindow", maintenanceWindow, 'must be a weekly UTC window "ddd:hh:mm-ddd:hh:mm" from 60 minutes to 24 hours');
  if (dailyOverlapsWeekly(snapshotWindow, maintenanceWindow)) reject("snapshotWindow", snapshotWindow, `must not overlap maintenanceWindow (${maintenanceWindow})`);
  const logRetention = args.slowLogRetentionDays ?? 30;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetention)) reject("slowLogRetentionDays", logRetention, `must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
  if (args.authTokenVersion !== undefined && !isInt(args.authTokenVersion, 1, Number.MAX_SAFE_INTEGER)) reject("authTokenVersion", args.authTokenVersion, "must be a positive integer");
  if (args.allowedSecurityGroupIds.length === 0) reject("allowedSecurityGroupIds", [], "must list at least one security group (the cache is never opened to CIDRs)");
}

/**
 * ElastiCache Redis as the runbooks' cache and Celery broker. Cluster mode off (the default): one shard,
 * a primary and a replica per AZ with automatic failover. Cluster mode on (`clusterMode`, runbook 001's
 * "6-node Redis cluster"): keys sharded over node groups, each a primary with its replicas spread over
 * the AZs by ElastiCache; there is no primary or reader endpoint then, only the configuration endpoint,
 * and no `SELECT` (database 0 only), so `primaryEndpoint` holds the configuration endpoint and the
 * connection Secret says `REDIS_CLUSTER_MODE=true`. Both modes are encrypted at rest with its own rotating KMS key and in
 * transit (TLS required), AUTH token from `random` kept secret, daily snapshots for the faster recovery
 * the runbooks rely on, and the slow log delivered to CloudWatch Logs.
 */
export class RedisCache extends pulumi.ComponentResource {
  /** Where clients connect: the primary endpoint (follows failover), or in cluster mode the configuration endpoint. */
  public readonly primaryEndpoint: pulumi.Output<string>;
  /** Reader endpoint host (spreads reads over the replicas); in cluster mode the configuration endpoint (clients read replicas with READONLY). */
  public readonly readerEndpoint: pulumi.Output<string>;
  /** True when cluster mode is on (clients must use a cluster-aware driver). */
  public readonly clusterModeEnabled: boolean;
  public readonly port: pulumi.Output<number>;
  /** The AUTH token, as a Pulumi secret. */
  public readonly authToken: pulumi.Output<string>;
  /** The cache's security group (admits 6379 from `allowedSecurityGroupIds` only). */
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly replicationGroupId: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;
  public readonly kmsKeyArn: pulumi.Output<string>;
  public readonly slowLogGroupName: pulumi.Output<string>;

  constructor(name: string, args: RedisCacheArgs, opts?: pulumi.ComponentResourceOptions) {
    validate(name, args);
    super("runbook:data:RedisCache", name, {}, opts);

    const groupId = args.replicationGroupId ?? name;
    const engineVersion = args.engineVersion ?? "7.1";
    const clusterMode = args.clusterMode;
    const nodes = clusterMode ? clusterMode.shards * (1 + clusterMode.replicasPerShard) : (args.numCacheClusters ?? 3);
    const multiAz = args.multiAz ?? true;
    const retention = args.snapshotRetentionDays ?? 7;
    const tags = args.tags ?? {};
    const slowLogName = `/aws/elasticache/${groupId}/slow-log`;

    const key = new aws.kms.Key(
      `${name}-key`,
      { description: `ElastiCache ${groupId}: data at rest, snapshots, slow log`, enableKeyRotation: true, deletionWindowInDays: 30, policy: logsEncryptingKeyPolicy(slowLogName, this), tags },
      { parent: this },
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/elasticache/${groupId}`, targetKeyId: key.keyId }, { parent: this });

    const subnetGroup = new aws.elasticache.SubnetGroup(`${name}-subnets`, { name: groupId, description: `Private subnets of ${groupId}`, subnetIds: args.subnetIds, tags }, { parent: this });

    // No egress rules: Redis only answers connections. `egress: []` keeps it so (a hand-added rule is drift).
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: `Redis ${groupId}: 6379 from the cluster only`, egress: [], tags: { ...tags, Name: `${groupId}-redis` } },
      { parent: this },
    );
    args.allowedSecurityGroupIds.forEach((source, i) => {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-ingress-${i}`,
        { securityGroupId: securityGroup.id, referencedSecurityGroupId: source, ipProtocol: "tcp", fromPort: PORT, toPort: PORT, description: "Redis from the cluster", tags },
        { parent: this },
      );
    });

    const parameterGroup = new aws.elasticache.ParameterGroup(
      `${name}-params`,
      {
        // The family in the name: an engine upgrade across families makes a new group, no name clash.
        name: `${groupId}-${engineVersion.startsWith("6.") ? "redis6" : "redis7"}${clusterMode ? "-cluster" : ""}`,
        family: engineVersion.startsWith("6.") ? "redis6.x" : "redis7",
        description: `${groupId}: maxmemory-policy ${args.maxmemoryPolicy ?? "volatile-lru"}${clusterMode ? ", cluster mode" : ""}`,
        parameters: [
          { name: "maxmemory-policy", value: args.maxmemoryPolicy ?? "volatile-lru" },
          // A cluster-mode group needs a parameter group with cluster-enabled=yes (the default.*.cluster.on groups' setting).
          ...(clusterMode ? [{ name: "cluster-enabled", value: "yes" }] : []),
        ],
        tags,
      },
      { parent: this },
    );

    const slowLog = new aws.cloudwatch.LogGroup(
      `${name}-slow-log`,
      { name: slowLogName, retentionInDays: args.slowLogRetentionDays ?? 30, kmsKeyId: key.arn, tags },
      { parent: this },
    );

    // Letters and digits only: ElastiCache refuses some punctuation, and clients need no escaping; 64 of them.
    const authToken = new random.RandomPassword(`${name}-auth-token`, { length: 64, special: false, keepers: { version: String(args.authTokenVersion ?? 1) } }, { parent: this });

    // Cluster mode places each shard's nodes over the subnet group's AZs itself.
    const preferredCacheClusterAzs = args.availabilityZones && !clusterMode
      ? pulumi.output(args.availabilityZones).apply((azs) => Array.from({ length: nodes }, (_, i) => azs[i % azs.length]))
      : undefined;

    const group = new aws.elasticache.ReplicationGroup(
      `${name}-group`,
      {
        replicationGroupId: groupId,
        description: `Redis ${groupId}`,
        engine: "redis",
        engineVersion,
        nodeType: args.nodeType ?? "cache.r5.large",
        numCacheClusters: clusterMode ? undefined : nodes,
        numNodeGroups: clusterMode?.shards,
        replicasPerNodeGroup: clusterMode?.replicasPerShard,
        preferredCacheClusterAzs,
        port: PORT,
        parameterGroupName: parameterGroup.name,
        subnetGroupName: subnetGroup.name,
        securityGroupIds: [securityGroup.id],
        // Cluster mode requires automatic failover; a single shard can only fail over with a replica.
        automaticFailoverEnabled: clusterMode ? true : nodes > 1,
        multiAzEnabled: multiAz,
        atRestEncryptionEnabled: true,
        kmsKeyId: key.arn,
        transitEncryptionEnabled: true,
        // The mode setting exists from Redis 7 on; on 6.2 transit encryption is always required once enabled.
        transitEncryptionMode: engineVersion.startsWith("7.") ? "required" : undefined,
        authToken: authToken.result,
        // Both tokens are accepted during a rotation, so clients pick up the new Secret without an outage.
        authTokenUpdateStrategy: "ROTATE",
        snapshotRetentionLimit: retention,
        snapshotWindow: args.snapshotWindow ?? "00:30-01:30",
        maintenanceWindow: args.maintenanceWindow ?? "sun:03:00-sun:06:00",
        finalSnapshotIdentifier: `${groupId}-final`,
        autoMinorVersionUpgrade: true,
        applyImmediately: args.applyImmediately ?? false,
        logDeliveryConfigurations: [{ destination: slowLog.name, destinationType: "cloudwatch-logs", logFormat: "json", logType: "slow-log" }],
        tags,
      },
      { parent: this },
    );

    this.clusterModeEnabled = !!clusterMode;
    this.primaryEndpoint = clusterMode ? group.configurationEndpointAddress : group.primaryEndpointAddress;
    this.readerEndpoint = clusterMode ? group.configurationEndpointAddress : group.readerEndpointAddress;
    this.port = group.port.apply((port) => port ?? PORT);
    this.authToken = pulumi.secret(authToken.result);
    this.securityGroupId = securityGroup.id;
    this.replicationGroupId = group.replicationGroupId;
    this.arn = group.arn;
    this.kmsKeyArn = key.arn;
    this.slowLogGroupName = slowLog.name;
    this.registerOutputs({
      primaryEndpoint: this.primaryEndpoint,
      readerEndpoint: this.readerEndpoint,
      port: this.port,
      securityGroupId: this.securityGroupId,
      replicationGroupId: this.replicationGroupId,
      arn: this.arn,
      kmsKeyArn: this.kmsKeyArn,
      slowLogGroupName: this.slowLogGroupName,
    });
  }
}
