/**
 * AWS list prices the cost estimate (`model/cost.ts`) uses: on-demand, Linux, US East (N. Virginia),
 * USD, no free tier, no Savings Plans or reservations, no taxes.
 *
 * Recorded 2026-11-30 from AWS's public price pages (named per section below). The figures are AWS's
 * long-standing list prices for these SKUs; the ones cross-checked on 2026-11-30 against 2026 pricing
 * write-ups that quote the AWS pages are marked "checked"; the rest are as recorded from the AWS pages
 * and should be re-read there when this table is next dated. Update the whole table at once and change
 * `asOf`: a reviewer reads the date next to every estimate.
 */
import type { PriceTable } from "../cost";

export const AWS_US_EAST_1: PriceTable = {
  region: "us-east-1",
  currency: "USD",
  asOf: "2026-11-30",
  source: "AWS public on-demand price pages (aws.amazon.com/<service>/pricing) for US East (N. Virginia), Linux, on-demand",
  hoursPerMonth: 730,
  // aws.amazon.com/eks/pricing — $0.10 per cluster-hour in standard support, $0.60 in extended support (checked).
  eks: { clusterHour: 0.1, extendedSupportClusterHour: 0.6 },
  ec2: {
    // aws.amazon.com/ec2/pricing/on-demand — m5.xlarge $0.192, m7g.large $0.0816 (checked); others recorded.
    instanceHour: {
      "t3.medium": 0.0416,
      "t3.large": 0.0832,
      "t3.xlarge": 0.1664,
      "t3.2xlarge": 0.3328,
      "m5.large": 0.096,
      "m5.xlarge": 0.192,
      "m5.2xlarge": 0.384,
      "m5.4xlarge": 0.768,
      "m6i.large": 0.096,
      "m6i.xlarge": 0.192,
      "m6i.2xlarge": 0.384,
      "m6g.large": 0.077,
      "m6g.xlarge": 0.154,
      "m7g.large": 0.0816,
      "m7g.xlarge": 0.1632,
      "c5.large": 0.085,
      "c5.xlarge": 0.17,
      "c5.2xlarge": 0.34,
      "r5.large": 0.126,
      "r5.xlarge": 0.252,
      "r5.2xlarge": 0.504,
    },
    // aws.amazon.com/ebs/pricing — gp3 $0.08 per GB-month (3,000 IOPS / 125 MB/s included), gp2 $0.10.
    ebsGiBMonth: { gp3: 0.08, gp2: 0.1 },
    // aws.amazon.com/vpc/pricing — public IPv4 address $0.005 per hour (every Elastic IP, attached or not).
    publicIpv4Hour: 0.005,
  },
  // aws.amazon.com/vpc/pricing — NAT gateway $0.045 per hour and $0.045 per GB processed (checked).
  natGateway: { hour: 0.045, perGiBProcessed: 0.045 },
  rds: {
    // aws.amazon.com/rds/postgresql/pricing — Single-AZ instance-hours; Multi-AZ (one standby) bills twice (checked).
    postgresInstanceHour: {
      "db.t3.micro": 0.018,
      "db.t3.small": 0.036,
      "db.t3.medium": 0.072,
      "db.t3.large": 0.145,
      "db.t4g.micro": 0.016,
      "db.t4g.small": 0.032,
      "db.t4g.medium": 0.065,
      "db.t4g.large": 0.129,
      "db.m5.large": 0.178,
      "db.m5.xlarge": 0.356,
      "db.m5.2xlarge": 0.712,
      "db.m6g.large": 0.159,
      "db.m6g.xlarge": 0.318,
      "db.m6i.large": 0.178,
      "db.m6i.xlarge": 0.356,
      "db.r5.large": 0.25,
      "db.r5.xlarge": 0.5,
      "db.r5.2xlarge": 1.0,
      "db.r5.4xlarge": 2.0,
      "db.r6g.large": 0.225,
      "db.r6g.xlarge": 0.45,
      "db.r6g.2xlarge": 0.9,
      "db.r6i.large": 0.25,
      "db.r6i.xlarge": 0.5,
      "db.r6i.2xlarge": 1.0,
    },
    multiAzFactor: 2,
    // gp3/gp2 $0.115 per GB-month Single-AZ (checked), doubled for Multi-AZ; io1 $0.125.
    storageGiBMonth: { gp3: 0.115, gp2: 0.115, io1: 0.125 },
    // Backup storage beyond 100 % of the provisioned storage in the region: $0.095 per GB-month (checked).
    backupGiBMonth: 0.095,
  },
  elasticache: {
    // aws.amazon.com/elasticache/pricing — on-demand node-hours (Redis OSS / Valkey node-based pricing).
    nodeHour: {
      "cache.t3.micro": 0.017,
      "cache.t3.small": 0.034,
      "cache.t3.medium": 0.068,
      "cache.t4g.micro": 0.016,
      "cache.t4g.small": 0.032,
      "cache.t4g.medium": 0.065,
      "cache.m5.large": 0.156,
      "cache.m5.xlarge": 0.311,
      "cache.m6g.large": 0.149,
      "cache.m6g.xlarge": 0.297,
      "cache.r5.large": 0.216,
      "cache.r5.xlarge": 0.431,
      "cache.r5.2xlarge": 0.862,
      "cache.r6g.large": 0.206,
      "cache.r6g.xlarge": 0.411,
      "cache.r7g.large": 0.219,
    },
  },
  // aws.amazon.com/s3/pricing — first 50 TB tier; data transfer between regions $0.02 per GB.
  s3: {
    storageGiBMonth: { STANDARD: 0.023, INTELLIGENT_TIERING: 0.023, STANDARD_IA: 0.0125, ONEZONE_IA: 0.01, GLACIER_IR: 0.004, GLACIER: 0.0036, DEEP_ARCHIVE: 0.00099 },
    // Objects removed earlier are billed for these days anyway.
    minimumDays: { STANDARD: 0, INTELLIGENT_TIERING: 0, STANDARD_IA: 30, ONEZONE_IA: 30, GLACIER_IR: 90, GLACIER: 90, DEEP_ARCHIVE: 180 },
    interRegionTransferPerGiB: 0.02,
  },
  // aws.amazon.com/route53/pricing — hosted zone $0.50/month (first 25, checked); health check $0.50 (AWS
  // endpoint) or $0.75 (other), each optional feature (HTTPS, string matching, fast interval, latency) $1.00 / $2.00.
  route53: { hostedZoneMonth: 0.5, healthCheckMonth: { aws: 0.5, other: 0.75 }, healthCheckFeatureMonth: { aws: 1.0, other: 2.0 } },
  // aws.amazon.com/cloudwatch/pricing — logs ingestion $0.50/GB, archive $0.03/GB-month; standard alarm $0.10/month.
  cloudwatch: { logsIngestPerGiB: 0.5, logsStoragePerGiBMonth: 0.03, alarmMonth: 0.1, highResolutionAlarmMonth: 0.3 },
  // aws.amazon.com/kms/pricing — $1 per customer managed key per month (a replica key is a key).
  kms: { keyMonth: 1.0 },
  // aws.amazon.com/secrets-manager/pricing — $0.40 per secret per month.
  secretsManager: { secretMonth: 0.4 },
  // aws.amazon.com/elasticloadbalancing/pricing — ALB/NLB $0.0225 per hour; LCU $0.008, NLCU $0.006 per hour.
  elb: { applicationHour: 0.0225, networkHour: 0.0225, lcuHour: 0.008, nlcuHour: 0.006 },
  // aws.amazon.com/msk/pricing — provisioned broker-hours and $0.10 per GB-month of broker storage.
  msk: { brokerHour: { "kafka.t3.small": 0.0456, "kafka.m5.large": 0.21, "kafka.m5.xlarge": 0.42, "kafka.m7g.large": 0.204, "kafka.m7g.xlarge": 0.408 }, storageGiBMonth: 0.1 },
  // aws.amazon.com/waf/pricing — $5 per web ACL and $1 per rule per month, $0.60 per million requests.
  waf: { webAclMonth: 5.0, ruleMonth: 1.0, perMillionRequests: 0.6 },
};

/**
 * Usage the plan cannot know, with the figure assumed for it. Every estimate prints these; change them
 * here (one place) when measurements exist.
 */
export const DEFAULT_ASSUMPTIONS = {
  /** GB each NAT gateway processes per month (image pulls, external APIs, OS updates). */
  natGiBProcessedPerGatewayMonth: 100,
  /** GB ingested per month by a log group, by what it holds (first matching name pattern wins). */
  logIngestGiBMonth: [
    { pattern: "flow", gib: 20 },
    { pattern: "/aws/eks/", gib: 10 },
    { pattern: "", gib: 2 },
  ],
  /** Months of logs kept when a log group never expires them. */
  logNeverExpireMonths: 12,
  /** A compressed pg_dump as a share of the database's allocated storage. */
  dumpShareOfAllocatedStorage: 0.25,
  /** Size of one Kubernetes configuration archive, GB. */
  kubernetesArchiveGiB: 0.05,
  /** Share of the database's storage changed per day (sizes incremental automated backups). */
  databaseDailyChangeShare: 0.02,
  /** Average load-balancer capacity units in use. */
  loadBalancerCapacityUnits: 1,
  /** Average broker storage of an MSK cluster when the plan does not say, GB per broker. */
  mskStorageGiBPerBroker: 100,
  /** Backup objects written per day under a key prefix, when the stack's schedules do not say. */
  backupObjectsPerDay: [
    { pattern: "hourly", perDay: 24 },
    { pattern: "daily", perDay: 1 },
    { pattern: "weekly", perDay: 1 / 7 },
    { pattern: "monthly", perDay: 1 / 30.4 },
    { pattern: "k8s", perDay: 1 },
    { pattern: "", perDay: 1 },
  ],
};

export type CostAssumptions = typeof DEFAULT_ASSUMPTIONS;
