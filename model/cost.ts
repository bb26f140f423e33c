/**
 * Monthly cost estimate of a plan: what the stack's resources cost on AWS at on-demand list prices, per
 * resource, per component and for the stack, with 6- and 12-month projections from the capacity plan's
 * growth. Pure: a function of the planned resources (type + inputs), a dated price table
 * (`model/prices/`) and stated usage assumptions.
 *
 * Table-driven per resource TYPE (`COST_RULES`): a rule turns one resource's inputs into priced lines.
 * Types that AWS does not bill (`FREE_TYPES`: IAM, subnets, route tables, Kubernetes objects, which run
 * on the counted nodes, ...) cost nothing; any other type — including ones added later by other areas —
 * is listed under `notCounted`, never guessed and never an error.
 *
 * ## Formulas (H = hoursPerMonth = 730)
 *   EKS control plane        H × clusterHour
 *   node group               desiredSize × H × instanceHour + desiredSize × volumeGiB × ebsGiBMonth
 *                            (the same at maxSize is reported as `atMaxMonthlyUsd`)
 *   NAT gateway              H × hour + assumed GB × perGiBProcessed;  Elastic IP  H × publicIpv4Hour
 *   RDS instance             H × instanceHour × (Multi-AZ ? 2 : 1) + allocatedGiB × storageGiBMonth × (Multi-AZ ? 2 : 1)
 *                            + backup GiB beyond the free 100 % × backupGiBMonth, backup GiB = allocated × dailyChange × retentionDays
 *   ElastiCache group        nodes × H × nodeHour  (nodes = numCacheClusters, or shards × (1 + replicas))
 *   S3 under a lifecycle     Σ rules: objects/day × object GiB × days in each storage class (at least its minimum) × class price
 *   Route53                  zones × hostedZoneMonth; health check base + each optional feature
 *   CloudWatch logs          assumed GB/month × ingest + GB × months kept × storage
 *   KMS / Secrets Manager    per key / per secret per month
 */
import { CronExpressionParser } from "cron-parser";
import { supportStatus } from "../core/versions";
import { AWS_US_EAST_1, DEFAULT_ASSUMPTIONS, type CostAssumptions } from "./prices/aws-us-east-1";

export interface PriceTable {
  region: string;
  currency: "USD";
  /** Date the prices were recorded (YYYY-MM-DD). */
  asOf: string;
  source: string;
  hoursPerMonth: number;
  eks: { clusterHour: number; extendedSupportClusterHour: number };
  ec2: { instanceHour: Record<string, number>; ebsGiBMonth: Record<string, number>; publicIpv4Hour: number };
  natGateway: { hour: number; perGiBProcessed: number };
  rds: { postgresInstanceHour: Record<string, number>; multiAzFactor: number; storageGiBMonth: Record<string, number>; backupGiBMonth: number };
  elasticache: { nodeHour: Record<string, number> };
  s3: { storageGiBMonth: Record<string, number>; minimumDays: Record<string, number>; interRegionTransferPerGiB: number };
  route53: { hostedZoneMonth: number; healthCheckMonth: { aws: number; other: number }; healthCheckFeatureMonth: { aws: number; other: number } };
  cloudwatch: { logsIngestPerGiB: number; logsStoragePerGiBMonth: number; alarmMonth: number; highResolutionAlarmMonth: number };
  kms: { keyMonth: number };
  secretsManager: { secretMonth: number };
  elb: { applicationHour: number; networkHour: number; lcuHour: number; nlcuHour: number };
  msk: { brokerHour: Record<string, number>; storageGiBMonth: number };
  waf: { webAclMonth: number; ruleMonth: number; perMillionRequests: number };
}

/** What the estimate reads of a planned resource (the `--json` resource shape). */
export interface CostResource {
  urn: string;
  type: string;
  name: string;
  parent: string | null;
  custom: boolean;
  inputs: Record<string, unknown>;
  dependencies?: string[];
  provider?: string;
}

/** How a line grows: not at all, with the application's compute, with stored data, or with requests. */
export type GrowthDriver = "fixed" | "compute" | "storage" | "requests";

export interface CostLine {
  /** Top-level component the resource belongs to, e.g. "runbook:eks:EksCluster cluster". */
  component: string;
  urn: string;
  type: string;
  /** What is priced, e.g. "8 × m5.xlarge node-hours (desired size)". */
  item: string;
  quantity: number;
  unit: string;
  unitPriceUsd: number;
  monthlyUsd: number;
  /** The line at the resource's maximum size (node groups at maxSize), when it differs. */
  atMaxMonthlyUsd?: number;
  driver: GrowthDriver;
  /** The usage assumption behind the quantity, when it is not in the plan. */
  assumption?: string;
  /** Upper bound for `compute` growth (a node group cannot grow past maxSize). */
  maxQuantity?: number;
}

export interface GrowthFactors {
  months: number;
  compute: number;
  storage: number;
  requests: number;
}

export interface CostEstimate {
  currency: "USD";
  priceTable: { region: string; asOf: string; source: string };
  monthlyUsd: number;
  /** Every node group at maxSize instead of desiredSize. */
  atMaxMonthlyUsd: number;
  components: Array<{ component: string; monthlyUsd: number }>;
  lines: CostLine[];
  projections: Array<{ months: number; monthlyUsd: number; basis: string }>;
  /** Types in the plan that the estimate does not price, with why. */
  notCounted: Array<{ type: string; count: number; reason: string }>;
  assumptions: string[];
}

export interface CostOptions {
  prices?: PriceTable;
  assumptions?: CostAssumptions;
  /** Growth factors per projection horizon (from the capacity plan); none: no projection. */
  growth?: GrowthFactors[];
  /** Backup objects per day by key prefix; overrides what the plan's backup CronJobs say (their schedules) and the assumed figures. */
  backupObjectsPerDay?: Record<string, number>;
  /** EKS versions in extended support (priced at the extended rate). @default from the versions table (core/versions.ts) for today */
  eksExtendedSupportVersions?: string[];
}

/** Types AWS does not bill by themselves (or whose cost is counted elsewhere, e.g. pods on counted nodes). */
export const FREE_TYPES: readonly string[] = [
  "pulumi:pulumi:Stack",
  "aws:ec2/vpc:Vpc",
  "aws:ec2/subnet:Subnet",
  "aws:ec2/internetGateway:InternetGateway",
  "aws:ec2/routeTable:RouteTable",
  "aws:ec2/route:Route",
  "aws:ec2/routeTableAssociation:RouteTableAssociation",
  "aws:ec2/securityGroup:SecurityGroup",
  "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
  "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
  "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
  "aws:ec2/launchTemplate:LaunchTemplate",
  "aws:ec2/flowLog:FlowLog",
  "aws:eks/addon:Addon",
  "aws:eks/accessEntry:AccessEntry",
  "aws:eks/accessPolicyAssociation:AccessPolicyAssociation",
  "aws:eks/podIdentityAssociation:PodIdentityAssociation",
  "aws:iam/role:Role",
  "aws:iam/policy:Policy",
  "aws:iam/rolePolicy:RolePolicy",
  "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  "aws:kms/alias:Alias",
  "aws:rds/parameterGroup:ParameterGroup",
  "aws:rds/subnetGroup:SubnetGroup",
  "aws:elasticache/parameterGroup:ParameterGroup",
  "aws:elasticache/subnetGroup:SubnetGroup",
  "aws:s3/bucket:Bucket",
  "aws:s3/bucketPolicy:BucketPolicy",
  "aws:s3/bucketVersioning:BucketVersioning",
  "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration",
  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock",
  "aws:s3/bucketOwnershipControls:BucketOwnershipControls",
  "aws:s3/bucketObjectLockConfiguration:BucketObjectLockConfiguration",
  "aws:secretsmanager/secretVersion:SecretVersion",
  "aws:route53/record:Record",
  "aws:lb/listener:Listener",
  "aws:lb/targetGroup:TargetGroup",
  "aws:lb/listenerRule:ListenerRule",
  "aws:wafv2/webAclAssociation:WebAclAssociation",
  "aws:budgets/budget:Budget",
  // Billed through what they configure: WAF per web ACL and rule (its IP sets and logging config are free; the
  // logs are billed in their log group), MSK per broker and GB (configurations and topics are free),
  // Application Auto Scaling through the capacity it adds.
  "aws:wafv2/ipSet:IpSet",
  "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration",
  "aws:msk/configuration:Configuration",
  "aws:msk/topic:Topic",
  "aws:appautoscaling/policy:Policy",
  "aws:appautoscaling/target:Target",
  "random:index/randomPassword:RandomPassword",
  // Priced on another resource's lines: the DR backup copy with the database, replication with the lifecycle.
  "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication",
  "aws:s3/bucketReplicationConfig:BucketReplicationConfig",
  "random:index/randomId:RandomId",
];

/** Usage-priced types left out on purpose, with the reason printed under "not counted". */
const USAGE_ONLY: Record<string, string> = {
  "aws:sns/topic:Topic": "billed per publish and delivery (first million requests free); alert volume is negligible",
  "aws:sns/topicSubscription:TopicSubscription": "billed per delivery with the topic",
  "aws:ce/anomalyMonitor:AnomalyMonitor": "Cost Anomaly Detection is free",
  "aws:ce/anomalySubscription:AnomalySubscription": "Cost Anomaly Detection is free",
};

interface RuleContext {
  prices: PriceTable;
  assumptions: CostAssumptions;
  byUrn: Map<string, CostResource>;
  all: CostResource[];
  options: CostOptions;
  line: (resource: CostResource, fields: Omit<CostLine, "component" | "urn" | "type" | "monthlyUsd"> & { monthlyUsd?: number }) => void;
  skip: (resource: CostResource, reason: string) => void;
}

type CostRule = (resource: CostResource, ctx: RuleContext) => void;

const num = (value: unknown, fallback = 0): number => (typeof value === "number" && Number.isFinite(value) ? value : fallback);
const str = (value: unknown): string | undefined => (typeof value === "string" ? value : undefined);
const obj = (value: unknown): Record<string, unknown> => (value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {});
const list = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function firstMatch<T extends { pattern: string }>(table: readonly T[], text: string): T {
  return table.find((row) => text.includes(row.pattern)) ?? table[table.length - 1];
}

const runsCache = new Map<string, number | undefined>();

/** Runs per day of a cron schedule, averaged over two weeks (UTC); undefined when it does not parse. Memoised: cron-parser takes milliseconds per schedule. */
export function runsPerDay(schedule: string): number | undefined {
  if (!runsCache.has(schedule)) runsCache.set(schedule, countRunsPerDay(schedule));
  return runsCache.get(schedule);
}

function countRunsPerDay(schedule: string): number | undefined {
  try {
    const start = new Date("2026-11-30T00:00:00Z");
    const it = CronExpressionParser.parse(schedule, { currentDate: start, endDate: new Date(start.getTime() + 14 * 86_400_000), tz: "UTC" });
    let runs = 0;
    while (it.hasNext() && runs < 14 * 24 * 60) {
      it.next();
      runs++;
    }
    return runs / 14;
  } catch {
    return undefined;
  }
}

/**
 * Backup objects written per day, from the plan's backup CronJobs (label `runbook.dev/backup`, e.g.
 * postgres-daily, postgres-hourly, k8s-config; suspended jobs write nothing), keyed by the label's last
 * word ("daily", "hourly", "config") that the bucket's key prefixes also carry.
 */
function backupJobRuns(all: CostResource[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const job of all) {
    if (job.type !== "kubernetes:batch/v1:CronJob") continue;
    const label = str(obj(obj(job.inputs.metadata).labels)["runbook.dev/backup"]);
    const spec = obj(job.inputs.spec);
    const schedule = str(spec.schedule);
    if (!label || !schedule || spec.suspend === true) continue;
    const runs = runsPerDay(schedule);
    if (runs === undefined) continue;
    const word = label.split("-").pop()!;
    out.set(word, (out.get(word) ?? 0) + runs);
  }
  return out;
}

/** The database's allocated storage in the plan (sizes the dumps in the backup bucket). */
function databaseStorageGiB(all: CostResource[]): number | undefined {
  const db = all.find((r) => r.type === "aws:rds/instance:Instance" && !r.inputs.replicateSourceDb);
  return db ? num(db.inputs.allocatedStorage) : undefined;
}

/** Node volume size: the launch template's root volume, else the node group's diskSize, else EKS's 20 GiB. */
function nodeVolumeGiB(group: CostResource, ctx: RuleContext): number {
  for (const dep of group.dependencies ?? []) {
    const template = ctx.byUrn.get(dep);
    if (template?.type !== "aws:ec2/launchTemplate:LaunchTemplate") continue;
    for (const mapping of list(template.inputs.blockDeviceMappings)) {
      const size = num(obj(obj(mapping).ebs).volumeSize);
      if (size > 0) return size;
    }
  }
  return num(group.inputs.diskSize, 20);
}

export const COST_RULES: Record<string, CostRule> = {
  "aws:eks/cluster:Cluster": (r, ctx) => {
    const version = str(r.inputs.version) ?? "";
    // A cluster past standard support pays the extended-support rate (the versions table knows the dates).
    const extended = ctx.options.eksExtendedSupportVersions?.includes(version) ?? supportStatus("eks", version).status === "extended";
    const rate = extended ? ctx.prices.eks.extendedSupportClusterHour : ctx.prices.eks.clusterHour;
    ctx.line(r, { item: `EKS control plane${extended ? ` (Kubernetes ${version}: extended support)` : ""}`, quantity: ctx.prices.hoursPerMonth, unit: "cluster-hours", unitPriceUsd: rate, driver: "fixed" });
  },
  "aws:eks/nodeGroup:NodeGroup": (r, ctx) => {
    const scaling = obj(r.inputs.scalingConfig);
    const desired = num(scaling.desiredSize, num(scaling.minSize));
    const max = num(scaling.maxSize, desired);
    const type = str(list(r.inputs.instanceTypes)[0]) ?? "t3.medium";
    const hourly = ctx.prices.ec2.instanceHour[type];
    if (hourly === undefined) return ctx.skip(r, `on-demand price of ${type} is not in the price table`);
    const spot = r.inputs.capacityType === "SPOT";
    const H = ctx.prices.hoursPerMonth;
    ctx.line(r, {
      item: `${desired} × ${type} nodes (desired size; ${max} at max)${spot ? " — SPOT priced at on-demand (upper bound)" : ""}`,
      quantity: desired * H,
      unit: "instance-hours",
      unitPriceUsd: hourly,
      atMaxMonthlyUsd: max * H * hourly,
      driver: "compute",
      maxQuantity: max * H,
    });
    const volume = nodeVolumeGiB(r, ctx);
    const gp3 = ctx.prices.ec2.ebsGiBMonth.gp3;
    ctx.line(r, { item: `${desired} × ${volume} GiB gp3 node volumes`, quantity: desired * volume, unit: "GiB-months", unitPriceUsd: gp3, atMaxMonthlyUsd: max * volume * gp3, driver: "compute", maxQuantity: max * volume });
  },
  "aws:ec2/natGateway:NatGateway": (r, ctx) => {
    const H = ctx.prices.hoursPerMonth;
    ctx.line(r, { item: "NAT gateway hours", quantity: H, unit: "hours", unitPriceUsd: ctx.prices.natGateway.hour, driver: "fixed" });
    const gib = ctx.assumptions.natGiBProcessedPerGatewayMonth;
    ctx.line(r, { item: "NAT data processing", quantity: gib, unit: "GB", unitPriceUsd: ctx.prices.natGateway.perGiBProcessed, driver: "requests", assumption: `${gib} GB processed per gateway per month` });
  },
  "aws:ec2/eip:Eip": (r, ctx) => {
    ctx.line(r, { item: "public IPv4 address", quantity: ctx.prices.hoursPerMonth, unit: "hours", unitPriceUsd: ctx.prices.ec2.publicIpv4Hour, driver: "fixed" });
  },
  "aws:rds/instance:Instance": (r, ctx) => {
    const cls = str(r.inputs.instanceClass) ?? "";
    const hourly = ctx.prices.rds.postgresInstanceHour[cls];
    if (hourly === undefined) return ctx.skip(r, `on-demand price of ${cls || "(no class)"} is not in the price table`);
    const multiAz = r.inputs.multiAz === true;
    const factor = multiAz ? ctx.prices.rds.multiAzFactor : 1;
    const H = ctx.prices.hoursPerMonth;
    ctx.line(r, { item: `${cls} instance${multiAz ? " (Multi-AZ: primary + standby)" : ""}`, quantity: H * factor, unit: "instance-hours", unitPriceUsd: hourly, driver: "fixed" });
    const storageType = str(r.inputs.storageType) ?? "gp2";
    const allocated = num(r.inputs.allocatedStorage);
    const storagePrice = ctx.prices.rds.storageGiBMonth[storageType] ?? ctx.prices.rds.storageGiBMonth.gp3;
    const maxStorage = num(r.inputs.maxAllocatedStorage, allocated);
    ctx.line(r, { item: `${allocated} GiB ${storageType} storage${multiAz ? " × 2 (Multi-AZ)" : ""}`, quantity: allocated * factor, unit: "GiB-months", unitPriceUsd: storagePrice, driver: "storage", maxQuantity: Math.max(allocated, maxStorage) * factor });
    const retention = num(r.inputs.backupRetentionPeriod);
    const change = ctx.assumptions.databaseDailyChangeShare;
    const backup = allocated * change * retention;
    if (backup > 0) {
      ctx.line(r, {
        item: `automated backups beyond the free ${allocated} GiB (${retention} days)`,
        quantity: backup,
        unit: "GiB-months",
        unitPriceUsd: ctx.prices.rds.backupGiBMonth,
        driver: "storage",
        assumption: `${change * 100} % of the storage changes per day`,
      });
    }
    // Automated backups replicated to the DR region: a full copy plus the changes, none of it free there.
    const replication = ctx.all.find((x) => x.type === "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication" && x.parent === r.parent);
    if (replication) {
      const days = num(replication.inputs.retentionPeriod, 7);
      const copy = allocated * (1 + change * days);
      ctx.line(replication, { item: `DR copy of automated backups (${days} days)`, quantity: copy, unit: "GiB-months", unitPriceUsd: ctx.prices.rds.backupGiBMonth, driver: "storage", assumption: `${change * 100} % of the storage changes per day` });
      ctx.line(replication, { item: "DR backup transfer between regions", quantity: allocated * change * 30.4, unit: "GB", unitPriceUsd: ctx.prices.s3.interRegionTransferPerGiB, driver: "storage", assumption: `${change * 100} % of the storage changes per day` });
    }
  },
  "aws:elasticache/replicationGroup:ReplicationGroup": (r, ctx) => {
    const type = str(r.inputs.nodeType) ?? "";
    const hourly = ctx.prices.elasticache.nodeHour[type];
    if (hourly === undefined) return ctx.skip(r, `on-demand price of ${type || "(no node type)"} is not in the price table`);
    const shards = num(r.inputs.numNodeGroups);
    const nodes = shards > 0 ? shards * (1 + num(r.inputs.replicasPerNodeGroup)) : num(r.inputs.numCacheClusters, 1);
    ctx.line(r, { item: `${nodes} × ${type} nodes`, quantity: nodes * ctx.prices.hoursPerMonth, unit: "node-hours", unitPriceUsd: hourly, driver: "fixed" });
  },
  "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration": (r, ctx) => {
    const dbGiB = databaseStorageGiB(ctx.all);
    const share = ctx.assumptions.dumpShareOfAllocatedStorage;
    const replicated = ctx.all.some((x) => x.type === "aws:s3/bucketReplicationConfig:BucketReplicationConfig" && x.inputs.bucket === r.inputs.bucket);
    const jobRuns = backupJobRuns(ctx.all);
    let writtenGiBMonth = 0;
    for (const rawRule of list(r.inputs.rules)) {
      const rule = obj(rawRule);
      const prefix = str(obj(rule.filter).prefix);
      const expiration = num(obj(rule.expiration).days);
      if (rule.status === "Disabled" || !prefix || expiration <= 0) continue;
      const isDump = prefix.startsWith("postgres");
      const size = isDump ? (dbGiB ?? 0) * share : ctx.assumptions.kubernetesArchiveGiB;
      if (size <= 0) continue;
      const fromJobs = [...jobRuns].find(([word]) => prefix.includes(word))?.[1];
      const perDay = ctx.options.backupObjectsPerDay?.[prefix] ?? fromJobs ?? firstMatch(ctx.assumptions.backupObjectsPerDay, prefix).perDay;
      writtenGiBMonth += perDay * size * 30.4;
      // Days spent in each storage class: STANDARD until the first transition, then each class until the next.
      const transitions = list(rule.transitions).map(obj).map((t) => ({ days: num(t.days), cls: str(t.storageClass) ?? "STANDARD" })).sort((a, b) => a.days - b.days);
      const stages = [{ days: 0, cls: "STANDARD" }, ...transitions].filter((s) => s.days < expiration);
      stages.forEach((stage, i) => {
        const end = i + 1 < stages.length ? stages[i + 1].days : expiration;
        const billedDays = Math.max(end - stage.days, ctx.prices.s3.minimumDays[stage.cls] ?? 0);
        const price = ctx.prices.s3.storageGiBMonth[stage.cls];
        if (price === undefined) return;
        // Steady state: objects/day × days kept in the class objects are stored at any time.
        const gib = perDay * size * billedDays;
        const what = isDump ? `${share * 100} % of the ${dbGiB} GiB database` : `${size} GiB`;
        ctx.line(r, {
          item: `${prefix} in ${stage.cls} (days ${stage.days}–${end}${billedDays > end - stage.days ? `, billed ${billedDays}` : ""})`,
          quantity: gib,
          unit: "GiB-months",
          unitPriceUsd: price,
          driver: "storage",
          assumption: `${Number(perDay.toFixed(3))} object(s)/day of ${what}`,
        });
      });
    }
    if (replicated && writtenGiBMonth > 0) {
      ctx.line(r, { item: "replication to the DR region (transfer)", quantity: writtenGiBMonth, unit: "GB", unitPriceUsd: ctx.prices.s3.interRegionTransferPerGiB, driver: "storage", assumption: "every object written is replicated" });
    }
  },
  "aws:route53/zone:Zone": (r, ctx) => {
    ctx.line(r, { item: "hosted zone", quantity: 1, unit: "zones", unitPriceUsd: ctx.prices.route53.hostedZoneMonth, driver: "fixed" });
  },
  "aws:route53/healthCheck:HealthCheck": (r, ctx) => {
    const target = str(r.inputs.fqdn) ?? str(r.inputs.ipAddress) ?? "";
    const where = /\.amazonaws\.com$/.test(target) ? "aws" : "other";
    const type = str(r.inputs.type) ?? "HTTP";
    const features = [type.startsWith("HTTPS") && "HTTPS", type.endsWith("STR_MATCH") && "string matching", num(r.inputs.requestInterval, 30) === 10 && "fast interval", r.inputs.measureLatency === true && "latency"].filter(Boolean) as string[];
    const p = ctx.prices.route53;
    ctx.line(r, { item: `health check (${where === "aws" ? "AWS" : "non-AWS"} endpoint)`, quantity: 1, unit: "checks", unitPriceUsd: p.healthCheckMonth[where], driver: "fixed" });
    if (features.length > 0) ctx.line(r, { item: `health check options: ${features.join(", ")}`, quantity: features.length, unit: "options", unitPriceUsd: p.healthCheckFeatureMonth[where], driver: "fixed" });
  },
  "aws:cloudwatch/logGroup:LogGroup": (r, ctx) => {
    const name = `${str(r.inputs.name) ?? ""} ${r.name}`;
    const gib = firstMatch(ctx.assumptions.logIngestGiBMonth, name).gib;
    const retention = num(r.inputs.retentionInDays);
    const months = retention > 0 ? retention / 30.4 : ctx.assumptions.logNeverExpireMonths;
    const cw = ctx.prices.cloudwatch;
    ctx.line(r, { item: "log ingestion", quantity: gib, unit: "GB", unitPriceUsd: cw.logsIngestPerGiB, driver: "requests", assumption: `${gib} GB ingested per month` });
    ctx.line(r, { item: `log storage (${retention > 0 ? `${retention} days` : "never expires"})`, quantity: gib * months, unit: "GB-months", unitPriceUsd: cw.logsStoragePerGiBMonth, driver: "requests", assumption: `${gib} GB/month kept ${Number(months.toFixed(1))} months, uncompressed (upper bound)` });
  },
  "aws:cloudwatch/metricAlarm:MetricAlarm": (r, ctx) => {
    const high = num(r.inputs.period, 60) < 60;
    ctx.line(r, { item: high ? "high-resolution alarm" : "alarm", quantity: 1, unit: "alarms", unitPriceUsd: high ? ctx.prices.cloudwatch.highResolutionAlarmMonth : ctx.prices.cloudwatch.alarmMonth, driver: "fixed" });
  },
  "aws:kms/key:Key": (r, ctx) => {
    ctx.line(r, { item: "customer managed key", quantity: 1, unit: "keys", unitPriceUsd: ctx.prices.kms.keyMonth, driver: "fixed" });
  },
  "aws:kms/replicaKey:ReplicaKey": (r, ctx) => {
    ctx.line(r, { item: "replica key", quantity: 1, unit: "keys", unitPriceUsd: ctx.prices.kms.keyMonth, driver: "fixed" });
  },
  "aws:secretsmanager/secret:Secret": (r, ctx) => {
    ctx.line(r, { item: "secret", quantity: 1, unit: "secrets", unitPriceUsd: ctx.prices.secretsManager.secretMonth, driver: "fixed" });
  },
  "aws:lb/loadBalancer:LoadBalancer": (r, ctx) => {
    const network = r.inputs.loadBalancerType === "network";
    const H = ctx.prices.hoursPerMonth;
    const e = ctx.prices.elb;
    ctx.line(r, { item: `${network ? "network" : "application"} load balancer hours`, quantity: H, unit: "hours", unitPriceUsd: network ? e.networkHour : e.applicationHour, driver: "fixed" });
    const units = ctx.assumptions.loadBalancerCapacityUnits;
    ctx.line(r, { item: network ? "NLCU-hours" : "LCU-hours", quantity: units * H, unit: "capacity-unit-hours", unitPriceUsd: network ? e.nlcuHour : e.lcuHour, driver: "requests", assumption: `${units} capacity unit(s) on average` });
  },
  "aws:msk/cluster:Cluster": (r, ctx) => {
    const info = obj(r.inputs.brokerNodeGroupInfo);
    const type = str(info.instanceType) ?? "";
    const hourly = ctx.prices.msk.brokerHour[type];
    if (hourly === undefined) return ctx.skip(r, `broker price of ${type || "(no instance type)"} is not in the price table`);
    const brokers = num(r.inputs.numberOfBrokerNodes, 3);
    ctx.line(r, { item: `${brokers} × ${type} brokers`, quantity: brokers * ctx.prices.hoursPerMonth, unit: "broker-hours", unitPriceUsd: hourly, driver: "fixed" });
    const volume = num(obj(obj(info.storageInfo).ebsStorageInfo).volumeSize, ctx.assumptions.mskStorageGiBPerBroker);
    ctx.line(r, { item: `${brokers} × ${volume} GiB broker storage`, quantity: brokers * volume, unit: "GiB-months", unitPriceUsd: ctx.prices.msk.storageGiBMonth, driver: "storage" });
  },
  "aws:wafv2/webAcl:WebAcl": (r, ctx) => {
    ctx.line(r, { item: "web ACL", quantity: 1, unit: "web ACLs", unitPriceUsd: ctx.prices.waf.webAclMonth, driver: "fixed" });
    const rules = list(r.inputs.rules).length;
    if (rules > 0) ctx.line(r, { item: `${rules} rule(s)`, quantity: rules, unit: "rules", unitPriceUsd: ctx.prices.waf.ruleMonth, driver: "fixed" });
  },
};

const round2 = (value: number) => Math.round(value * 100) / 100;

/** The top-level component (child of the stack) a resource belongs to, as "type name"; "(stack)" for resources directly under the stack. */
function topComponent(resource: CostResource, byUrn: Map<string, CostResource>): string {
  let node = resource;
  for (;;) {
    const parent = node.parent ? byUrn.get(node.parent) : undefined;
    if (!parent || parent.type === "pulumi:pulumi:Stack") return node.custom ? "(stack)" : `${node.type} ${node.name}`;
    node = parent;
  }
}

/** Estimates the monthly cost of `resources`. */
export function estimateCost(resources: CostResource[], options: CostOptions = {}): CostEstimate {
  const prices = options.prices ?? AWS_US_EAST_1;
  const assumptions = options.assumptions ?? DEFAULT_ASSUMPTIONS;
  const byUrn = new Map(resources.map((r) => [r.urn, r]));
  const lines: CostLine[] = [];
  const notCounted = new Map<string, { count: number; reason: string }>();
  const usedAssumptions = new Set<string>();
  const free = new Set(FREE_TYPES);
  const componentOf = new Map<string, string>();
  const component = (r: CostResource) => {
    let c = componentOf.get(r.urn);
    if (c === undefined) componentOf.set(r.urn, (c = topComponent(r, byUrn)));
    return c;
  };
  const skip = (r: CostResource, reason: string) => {
    const key = `${r.type}\u0000${reason}`;
    const entry = notCounted.get(key) ?? { count: 0, reason };
    entry.count++;
    notCounted.set(key, entry);
  };
  const ctx: RuleContext = {
    prices,
    assumptions,
    byUrn,
    all: resources,
    options,
    skip,
    line: (r, fields) => {
      const monthlyUsd = fields.monthlyUsd ?? fields.quantity * fields.unitPriceUsd;
      if (fields.assumption) usedAssumptions.add(fields.assumption);
      lines.push({ component: component(r), urn: r.urn, type: r.type, ...fields, monthlyUsd: round2(monthlyUsd), ...(fields.atMaxMonthlyUsd !== undefined ? { atMaxMonthlyUsd: round2(fields.atMaxMonthlyUsd) } : {}) });
    },
  };
  for (const resource of resources) {
    if (!resource.custom || resource.type.startsWith("pulumi:providers:")) continue;
    const rule = COST_RULES[resource.type];
    if (rule) rule(resource, ctx);
    else if (free.has(resource.type) || resource.type.startsWith("kubernetes:")) continue;
    else skip(resource, USAGE_ONLY[resource.type] ?? "no price rule for this type (model/cost.ts COST_RULES)");
  }

  const total = round2(lines.reduce((sum, l) => sum + l.monthlyUsd, 0));
  const atMax = round2(lines.reduce((sum, l) => sum + (l.atMaxMonthlyUsd ?? l.monthlyUsd), 0));
  const perComponent = new Map<string, number>();
  for (const l of lines) perComponent.set(l.component, (perComponent.get(l.component) ?? 0) + l.monthlyUsd);
  const components = [...perComponent].map(([c, usd]) => ({ component: c, monthlyUsd: round2(usd) })).sort((a, b) => b.monthlyUsd - a.monthlyUsd || a.component.localeCompare(b.component));

  const projections = (options.growth ?? []).map((g) => {
    let usd = 0;
    for (const l of lines) {
      const factor = l.driver === "fixed" ? 1 : g[l.driver];
      if (l.driver === "compute" && l.maxQuantity !== undefined) {
        // Whole nodes, never more than the group's maximum.
        const nodes = Math.min(Math.ceil((l.quantity * factor) / prices.hoursPerMonth - 1e-9) * prices.hoursPerMonth, l.maxQuantity);
        usd += (l.unit === "instance-hours" ? nodes : Math.min(l.quantity * factor, l.maxQuantity)) * l.unitPriceUsd;
      } else if (l.maxQuantity !== undefined) {
        usd += Math.min(l.quantity * factor, l.maxQuantity) * l.unitPriceUsd;
      } else usd += l.quantity * factor * l.unitPriceUsd;
    }
    const basis = `compute ×${g.compute.toFixed(2)} (capped at node group maxima), storage ×${g.storage.toFixed(2)} (capped at database.maxAllocatedStorageGiB), requests ×${g.requests.toFixed(2)}; instance classes unchanged`;
    return { months: g.months, monthlyUsd: round2(usd), basis };
  });

  return {
    currency: "USD",
    priceTable: { region: prices.region, asOf: prices.asOf, source: prices.source },
    monthlyUsd: total,
    atMaxMonthlyUsd: atMax,
    components,
    lines,
    projections,
    notCounted: [...notCounted].map(([key, v]) => ({ type: key.split("\u0000")[0], count: v.count, reason: v.reason })).sort((a, b) => a.type.localeCompare(b.type)),
    assumptions: [...usedAssumptions].sort(),
  };
}

/** Things no estimate here counts, printed with every estimate. */
export const ALWAYS_NOT_COUNTED = [
  "data transfer out to the internet and between AZs",
  "Route53 queries, S3 requests, KMS API requests, CloudWatch metrics and Container Insights",
  "EBS volumes that Helm charts claim (Prometheus/Grafana storage), ECR, load balancers the controllers create outside this plan",
  "taxes, support plans, Savings Plans and reservations (list on-demand prices only)",
  "resources in other regions are priced at this table's region",
];

const usd = (value: number) => `$${value.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
export { usd as formatUsd };

/** The estimate as text: per component, the stack total, projections and what is not counted. */
export function renderCost(estimate: CostEstimate): string {
  const width = Math.max(10, ...estimate.components.map((c) => c.component.length));
  const out = [`Cost estimate (monthly, ${estimate.currency}, on-demand list prices of ${estimate.priceTable.region} as of ${estimate.priceTable.asOf})`];
  for (const c of estimate.components) out.push(`  ${c.component.padEnd(width)}  ${usd(c.monthlyUsd).padStart(12)}`);
  out.push(`  ${"total".padEnd(width)}  ${usd(estimate.monthlyUsd).padStart(12)}   (node groups at max size: ${usd(estimate.atMaxMonthlyUsd)})`);
  for (const p of estimate.projections) out.push(`  in ${p.months} months: ${usd(p.monthlyUsd)} — ${p.basis}`);
  if (estimate.notCounted.length > 0) out.push(`  not counted: ${estimate.notCounted.map((n) => `${n.count}× ${n.type} (${n.reason})`).join("; ")}`);
  out.push(`  never counted: ${ALWAYS_NOT_COUNTED.join("; ")}`);
  if (estimate.assumptions.length > 0) out.push(`  assumed: ${estimate.assumptions.join("; ")}`);
  out.push(`  prices: ${estimate.priceTable.source}`);
  return out.join("\n");
}
