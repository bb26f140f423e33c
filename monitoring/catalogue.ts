/**
 * Every alert the runbooks name (001 Stock Analysis, 002 Trading Aggregator, 003 Data Aggregator, 004
 * Suuupra), plus the alerts the other capabilities of this library need (backups, certificates, pod
 * health, autoscaling, volumes). A stack enables alert *families*; the catalogue stays complete so that
 * any example can switch a family on.
 *
 * Where a runbook's expression is weak, the standard one replaces it and the entry says why:
 * - HighErrorRate: a 5xx *ratio* per service, not an absolute 5xx rate (0.1 errors/s is an outage for a
 *   quiet service and noise for a busy one).
 * - HighMemoryUsage / HighCPUUsage: working set and usage against the container's *limit*, only for
 *   containers that have one (`> 0` filter); a container without a limit divides by zero otherwise.
 * - DatabaseDown / RedisDown: the exporters' `pg_up` / `redis_up` (can the exporter reach the server?),
 *   not `up{job=...}` (is the exporter alive?), which stays 1 while a managed RDS instance is down.
 *
 * What the managed data tier shows only to AWS (free storage, replica lag, CPU credits, evictions) comes
 * from CloudWatch through the CloudWatch exporter (components/cloudwatch-exporter.ts, metrics in
 * monitoring/cloudwatch.ts): series `aws_<service>_<metric>_<statistic>`, dimensions as snake_case labels.
 */
import type { Severity } from "./types";

export const ALERT_FAMILIES = [
  "availability",
  "database",
  "cache",
  "resources",
  "security",
  "trading",
  "pipelines",
  "messaging",
  "backups",
  "certificates",
  "kubernetes",
  "logging",
] as const;
export type AlertFamily = (typeof ALERT_FAMILIES)[number];

/** The Stock Analysis System (runbook 001) needs everything except 002's trading and 003's pipeline alerts. */
export const DEFAULT_FAMILIES: AlertFamily[] = ["availability", "database", "cache", "resources", "security", "backups", "certificates", "kubernetes"];
/** Families the stack switches on by itself when it deploys what they watch (logging: the log agent). */
export const CAPABILITY_FAMILIES: readonly AlertFamily[] = ["logging"];

export interface ThresholdSpec {
  default: number;
  min: number;
  max: number;
  /** What the number measures, for the config reference and error messages. */
  unit: string;
  /** Whole numbers only: the value lands where PromQL takes no fraction (a range selector's minutes). @default false */
  integer?: boolean;
}

export interface BuildContext {
  /** The alert's threshold (from config, else the catalogue default); NaN for alerts without one. */
  threshold: number;
  /** Matchers that limit application metrics to the watched namespaces (`namespace=~"a|b"`), or [] for all. */
  scope: string[];
}

export interface AlertDefinition {
  name: string;
  family: AlertFamily;
  severity: Severity;
  /** Default `for:` duration. */
  for: string;
  threshold?: ThresholdSpec;
  /**
   * Heading of the procedure in the runbook that names the alert, as a GitHub Markdown anchor (runbook 001's
   * headings where it has one, else 002's or 003's); a stack whose document differs overrides runbookUrl.
   */
  procedure: string;
  /** Where the alert comes from. */
  source: string;
  summary: string;
  /** Description template; `t` is the threshold as text in the alert's own unit. */
  description: (t: string) => string;
  expr: (ctx: BuildContext) => string;
}

/** `metric{a,b}` (or the bare name when there are no matchers). */
export function selector(metric: string, ...matchers: Array<string | string[]>): string {
  const all = matchers.flat().filter((m) => m !== "");
  return all.length ? `${metric}{${all.join(", ")}}` : metric;
}

const pct = (ratio: number) => `${+(ratio * 100).toFixed(4)}%`;

/**
 * CronJobs the backup capability labels `runbook.dev/backup`, except the suspended restore template; the
 * weekly database maintenance job carries the label too, so a failed run alerts like a failed backup.
 */
const BACKUP_KINDS = 'label_runbook_dev_backup=~"postgres-daily|postgres-hourly|k8s-config|db-maintenance"';
/**
 * The backups that run every day. The hourly dumps run in business hours on weekdays (runbook 002), so
 * "no success in 26 h" would fire every weekend for them; the daily dump carries the RPO guard.
 */
const DAILY_BACKUP_KINDS = 'label_runbook_dev_backup=~"postgres-daily|k8s-config"';

export const ALERT_CATALOGUE: readonly AlertDefinition[] = [
  // ---- availability ----------------------------------------------------------------------------------
  {
    name: "ServiceDown",
    family: "availability",
    severity: "critical",
    for: "1m",
    procedure: "api-server-not-responding",
    source: "runbook 002 (critical: any backend service down > 1 minute)",
    summary: "{{ $labels.job }} is down",
    description: () => "Prometheus cannot scrape {{ $labels.job }} at {{ $labels.instance }} in namespace {{ $labels.namespace }}.",
    expr: ({ scope }) => `${selector("up", scope)} == 0`,
  },
  {
    name: "HighErrorRate",
    family: "availability",
    severity: "critical",
    for: "2m",
    threshold: { default: 0.05, min: 0.0001, max: 1, unit: "ratio of 5xx responses to all responses (0.05 = 5 %)" },
    procedure: "high-error-rates",
    source: "runbooks 001, 002, 003 (002: error rate > 5 % for 2 minutes); ratio instead of 001's absolute rate",
    summary: "{{ $labels.service }} returns too many 5xx responses",
    description: (t) => `{{ $value | humanizePercentage }} of requests to {{ $labels.service }} in {{ $labels.namespace }} fail with 5xx (threshold ${t}).`,
    expr: ({ threshold, scope }) =>
      `sum by (namespace, service) (rate(${selector("http_requests_total", scope, 'status=~"5.."')}[5m]))\n` +
      `  / sum by (namespace, service) (rate(${selector("http_requests_total", scope)}[5m]))\n  > ${threshold}`,
  },
  {
    name: "HighResponseTime",
    family: "availability",
    severity: "warning",
    for: "5m",
    threshold: { default: 2, min: 0.001, max: 600, unit: "seconds at the 95th percentile" },
    procedure: "api-performance-tuning",
    source: "runbooks 002 (95th percentile > 2 s) and 003 (HighLatency)",
    summary: "{{ $labels.service }} is slow",
    description: (t) => `95th percentile latency of {{ $labels.service }} in {{ $labels.namespace }} is {{ $value | humanizeDuration }} (threshold ${t} s).`,
    expr: ({ threshold, scope }) =>
      `histogram_quantile(0.95, sum by (namespace, service, le) (rate(${selector("http_request_duration_seconds_bucket", scope)}[5m])))\n  > ${threshold}`,
  },

  // ---- database ---------------------------------------------------------------------------------------
  {
    name: "DatabaseDown",
    family: "database",
    severity: "critical",
    for: "1m",
    procedure: "database-connection-issues",
    source: "runbooks 001, 002, 003; pg_up from postgres_exporter instead of up{job=\"postgresql\"}",
    summary: "PostgreSQL is unreachable",
    description: () => "postgres_exporter {{ $labels.instance }} cannot connect to PostgreSQL.",
    expr: () => "pg_up == 0",
  },
  {
    name: "DatabaseConnectionsHigh",
    family: "database",
    severity: "warning",
    for: "5m",
    threshold: { default: 0.8, min: 0.1, max: 1, unit: "ratio of open connections to max_connections" },
    procedure: "database-connection-issues",
    source: "runbook 001 (database connections: target < 80 % of max connections)",
    summary: "PostgreSQL connections are close to max_connections",
    description: (t) => "{{ $value | humanizePercentage }} of max_connections are in use on {{ $labels.instance }} " + `(threshold ${t}).`,
    expr: ({ threshold }) =>
      "sum by (namespace, instance) (pg_stat_database_numbackends)\n" +
      "  / on (namespace, instance) max by (namespace, instance) (pg_settings_max_connections)\n" +
      `  > ${threshold}`,
  },

  {
    name: "DatabaseStorageLow",
    family: "database",
    severity: "warning",
    for: "15m",
    threshold: { default: 10, min: 1, max: 65536, unit: "GiB of free storage on the RDS instance" },
    procedure: "1-resource-monitoring",
    source: "runbooks 001/002 (disk < 85 %); RDS FreeStorageSpace from CloudWatch, which no in-cluster exporter sees",
    summary: "RDS instance {{ $labels.dbinstance_identifier }} is running out of storage",
    description: (t) => `{{ $labels.dbinstance_identifier }} has {{ $value | humanize1024 }}B of free storage (threshold ${t} GiB); storage autoscaling may be at its maximum.`,
    expr: ({ threshold }) => `min by (dbinstance_identifier) (aws_rds_free_storage_space_average) < ${threshold * 1024 ** 3}`,
  },
  {
    name: "DatabaseReplicaLagHigh",
    family: "database",
    severity: "warning",
    for: "5m",
    threshold: { default: 60, min: 1, max: 86400, unit: "seconds a read replica is behind its primary" },
    procedure: "database-connection-issues",
    source: "read replicas (runbook 001 database scaling); RDS ReplicaLag from CloudWatch",
    summary: "RDS replica {{ $labels.dbinstance_identifier }} lags behind",
    description: (t) => `{{ $labels.dbinstance_identifier }} is {{ $value | humanizeDuration }} behind its primary (threshold ${t} s); reads from it are stale.`,
    expr: ({ threshold }) => `max by (dbinstance_identifier) (aws_rds_replica_lag_average) > ${threshold}`,
  },
  {
    name: "DatabaseCPUHigh",
    family: "database",
    severity: "warning",
    for: "15m",
    threshold: { default: 80, min: 10, max: 100, unit: "percent CPU of the RDS instance" },
    procedure: "1-resource-monitoring",
    source: "runbooks 001/002 (CPU < 70–80 %); RDS CPUUtilization from CloudWatch",
    summary: "RDS instance {{ $labels.dbinstance_identifier }} is CPU-bound",
    description: (t) => `{{ $labels.dbinstance_identifier }} runs at {{ $value | humanize }} % CPU (threshold ${t} %); check pg_stat_statements for the expensive queries.`,
    expr: ({ threshold }) => `max by (dbinstance_identifier) (aws_rds_cpuutilization_average) > ${threshold}`,
  },
  {
    name: "DatabaseCPUCreditsLow",
    family: "database",
    severity: "warning",
    for: "15m",
    threshold: { default: 20, min: 0, max: 10000, unit: "CPU credits left on a burstable (db.t*) instance" },
    procedure: "1-resource-monitoring",
    source: "capability: a burstable RDS class throttles to its baseline when its CPU credits run out; RDS CPUCreditBalance from CloudWatch",
    summary: "RDS instance {{ $labels.dbinstance_identifier }} is running out of CPU credits",
    description: (t) => `{{ $labels.dbinstance_identifier }} has {{ $value | humanize }} CPU credits left (threshold ${t}); at 0 it is throttled to its baseline. Move to a non-burstable class.`,
    expr: ({ threshold }) => `min by (dbinstance_identifier) (aws_rds_cpucredit_balance_average) < ${threshold}`,
  },

  {
    name: "MetricsExporterDown",
    family: "database",
    severity: "warning",
    for: "5m",
    procedure: "database-connection-issues",
    source: "capability: DatabaseDown, RedisDown and the CloudWatch alerts read the exporters' series; with an exporter gone they are silent, so its absence alerts itself",
    summary: "Exporter {{ $labels.job }} is not scraped",
    description: () => "Prometheus cannot scrape {{ $labels.job }} at {{ $labels.instance }} in {{ $labels.namespace }}; the data-tier alerts that read it cannot fire until it is back.",
    expr: () => 'up{job=~".*(postgres|redis|cloudwatch)-exporter.*"} == 0',
  },

  // ---- cache -------------------------------------------------------------------------------------------
  {
    name: "RedisDown",
    family: "cache",
    severity: "critical",
    for: "1m",
    procedure: "cache-optimization",
    source: "runbook 002 (Redis cluster unreachable); redis_up from redis_exporter",
    summary: "Redis is unreachable",
    description: () => "redis_exporter {{ $labels.instance }} cannot connect to Redis.",
    expr: () => "redis_up == 0",
  },

  {
    name: "CacheEvictions",
    family: "cache",
    severity: "warning",
    for: "15m",
    threshold: { default: 100, min: 0, max: 1e9, unit: "keys evicted per minute on a cache node" },
    procedure: "cache-optimization",
    source: "runbook 001 (cache hit rate); ElastiCache Evictions from CloudWatch: the cache is too small for its working set",
    summary: "ElastiCache node {{ $labels.cache_cluster_id }} is evicting keys",
    description: (t) => `{{ $labels.cache_cluster_id }} evicts {{ $value | humanize }} keys per minute (threshold ${t}); the hit rate drops and the database takes the load.`,
    expr: ({ threshold }) => `max by (cache_cluster_id) (aws_elasticache_evictions_sum) > ${threshold}`,
  },
  {
    name: "CacheEngineCPUHigh",
    family: "cache",
    severity: "warning",
    for: "15m",
    threshold: { default: 90, min: 10, max: 100, unit: "percent CPU of the Redis engine thread" },
    procedure: "cache-optimization",
    source: "capability: Redis runs commands on one thread; ElastiCache EngineCPUUtilization from CloudWatch (AWS suggests alarming at 90 %)",
    summary: "ElastiCache node {{ $labels.cache_cluster_id }} is CPU-bound",
    description: (t) => `The Redis engine of {{ $labels.cache_cluster_id }} runs at {{ $value | humanize }} % CPU (threshold ${t} %); latency grows for every client.`,
    expr: ({ threshold }) => `max by (cache_cluster_id) (aws_elasticache_engine_cpuutilization_average) > ${threshold}`,
  },
  {
    name: "CacheReplicationLagHigh",
    family: "cache",
    severity: "warning",
    for: "5m",
    threshold: { default: 30, min: 1, max: 86400, unit: "seconds a replica node is behind its primary" },
    procedure: "cache-optimization",
    source: "capability: replicas serve reads and take over on failover; ElastiCache ReplicationLag from CloudWatch",
    summary: "ElastiCache replica {{ $labels.cache_cluster_id }} lags behind",
    description: (t) => `{{ $labels.cache_cluster_id }} is {{ $value | humanizeDuration }} behind its primary (threshold ${t} s); a failover now would lose those writes.`,
    expr: ({ threshold }) => `max by (cache_cluster_id) (aws_elasticache_replication_lag_average) > ${threshold}`,
  },

  // ---- resources ---------------------------------------------------------------------------------------
  {
    name: "HighCPUUsage",
    family: "resources",
    severity: "warning",
    for: "5m",
    threshold: { default: 0.8, min: 0.1, max: 10, unit: "ratio of CPU used to the container's CPU limit" },
    procedure: "1-resource-monitoring",
    source: "runbooks 002 (CPU > 80 % for 5 minutes) and 003 (HighCPU); against limits, only where a limit exists",
    summary: "{{ $labels.pod }}/{{ $labels.container }} is close to its CPU limit",
    description: (t) => `{{ $labels.container }} in {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its CPU limit (threshold ${t}).`,
    expr: ({ threshold, scope }) => {
      const c = [...scope, 'container!=""'];
      return (
        `sum by (namespace, pod, container) (rate(${selector("container_cpu_usage_seconds_total", c)}[5m]))\n` +
        `  / sum by (namespace, pod, container) ((${selector("container_spec_cpu_quota", c)} > 0) / ${selector("container_spec_cpu_period", c)})\n` +
        `  > ${threshold}`
      );
    },
  },
  {
    name: "HighMemoryUsage",
    family: "resources",
    severity: "warning",
    for: "5m",
    threshold: { default: 0.85, min: 0.1, max: 1, unit: "ratio of working-set memory to the container's memory limit" },
    procedure: "high-memory-usage",
    source: "runbooks 001 (> 90 %) and 002 (> 85 % for 5 minutes); working set against limits, only where a limit exists",
    summary: "{{ $labels.pod }}/{{ $labels.container }} is close to its memory limit",
    description: (t) =>
      `{{ $labels.container }} in {{ $labels.namespace }}/{{ $labels.pod }} uses {{ $value | humanizePercentage }} of its memory limit (threshold ${t}); it will be OOMKilled at 100 %.`,
    expr: ({ threshold, scope }) => {
      const c = [...scope, 'container!=""'];
      return (
        `sum by (namespace, pod, container) (${selector("container_memory_working_set_bytes", c)})\n` +
        `  / sum by (namespace, pod, container) (${selector("container_spec_memory_limit_bytes", c)} > 0)\n` +
        `  > ${threshold}`
      );
    },
  },
  {
    name: "DiskSpaceLow",
    family: "resources",
    severity: "warning",
    for: "5m",
    threshold: { default: 0.85, min: 0.1, max: 1, unit: "ratio of used to total bytes on a node filesystem" },
    procedure: "1-resource-monitoring",
    source: "runbooks 001 (disk < 85 % for data volumes) and 002 (disk usage > 85 %)",
    summary: "Filesystem {{ $labels.mountpoint }} on {{ $labels.instance }} is filling up",
    description: (t) => `{{ $labels.mountpoint }} on {{ $labels.instance }} is {{ $value | humanizePercentage }} full (threshold ${t}).`,
    expr: ({ threshold }) => {
      const fs = ['fstype!~"tmpfs|overlay|squashfs"'];
      return (
        `(1 - ${selector("node_filesystem_avail_bytes", fs)} / ${selector("node_filesystem_size_bytes", fs)})\n` +
        `  > ${threshold}\n  and ${selector("node_filesystem_readonly", fs)} == 0`
      );
    },
  },

  // ---- security ----------------------------------------------------------------------------------------
  {
    name: "HighFailedLogins",
    family: "security",
    severity: "warning",
    for: "2m",
    threshold: { default: 10, min: 0.01, max: 100000, unit: "failed logins per second" },
    procedure: "1-security-monitoring",
    source: "runbook 001 (rate(auth_failed_total[5m]) > 10 for 2m)",
    summary: "Many failed logins on {{ $labels.service }}",
    description: (t) => `{{ $labels.service }} in {{ $labels.namespace }} sees {{ $value | humanize }} failed logins per second (threshold ${t}/s): possible brute force.`,
    expr: ({ threshold, scope }) => `sum by (namespace, service) (rate(${selector("auth_failed_total", scope)}[5m])) > ${threshold}`,
  },
  {
    name: "SuspiciousAPIActivity",
    family: "security",
    severity: "warning",
    for: "5m",
    threshold: { default: 5, min: 0.01, max: 100000, unit: "403 responses per second" },
    procedure: "1-security-monitoring",
    source: "runbook 001 (rate(http_requests_total{status=\"403\"}[5m]) > 5 for 5m)",
    summary: "Many forbidden requests to {{ $labels.service }}",
    description: (t) => `{{ $labels.service }} in {{ $labels.namespace }} answers {{ $value | humanize }} requests per second with 403 (threshold ${t}/s).`,
    expr: ({ threshold, scope }) => `sum by (namespace, service) (rate(${selector("http_requests_total", scope, 'status="403"')}[5m])) > ${threshold}`,
  },

  // ---- trading (runbook 002) ---------------------------------------------------------------------------
  {
    name: "IntentProcessingStalled",
    family: "trading",
    severity: "critical",
    for: "1m",
    threshold: { default: 5, min: 1, max: 1440, unit: "minutes without a processed intent", integer: true },
    procedure: "alert-configuration",
    source: "runbook 002 (no intents processed for 5 minutes)",
    summary: "No intents processed in {{ $labels.namespace }}",
    description: (t) => `No intent has been processed in {{ $labels.namespace }} for ${t} minutes.`,
    expr: ({ threshold, scope }) => `sum by (namespace) (increase(${selector("intents_processed_total", scope)}[${threshold}m])) == 0`,
  },
  {
    name: "BlockchainConnectionLost",
    family: "trading",
    severity: "critical",
    for: "1m",
    procedure: "alert-configuration",
    source: "runbook 002 (RPC connection failed); the services export blockchain_rpc_up (1 connected, 0 not)",
    summary: "{{ $labels.service }} lost its blockchain RPC connection",
    description: () => "{{ $labels.service }} in {{ $labels.namespace }} cannot reach its blockchain RPC endpoint.",
    expr: ({ scope }) => `max by (namespace, service) (${selector("blockchain_rpc_up", scope)}) == 0`,
  },
  {
    name: "LowSolverParticipation",
    family: "trading",
    severity: "warning",
    for: "5m",
    threshold: { default: 3, min: 1, max: 1000, unit: "active solvers" },
    procedure: "alert-configuration",
    source: "runbook 002 (< 3 active solvers)",
    summary: "Few solvers are bidding",
    description: (t) => `Only {{ $value }} solvers are active in {{ $labels.namespace }} (minimum ${t}).`,
    expr: ({ threshold, scope }) => `max by (namespace) (${selector("active_solvers_count", scope)}) < ${threshold}`,
  },
  {
    name: "LowTradingVolume",
    family: "trading",
    severity: "info",
    for: "15m",
    threshold: { default: 1000, min: 0, max: 1e12, unit: "USD traded per hour" },
    procedure: "alert-configuration",
    source: "runbook 002 (volume < $1000/hour)",
    summary: "Trading volume is low",
    description: (t) => `{{ $value | humanize }} USD traded in {{ $labels.namespace }} during the last hour (expected at least ${t}).`,
    expr: ({ threshold, scope }) => `sum by (namespace) (increase(${selector("trading_volume_usd", scope)}[1h])) < ${threshold}`,
  },
  {
    name: "HighSlippageRate",
    family: "trading",
    severity: "info",
    for: "15m",
    threshold: { default: 50, min: 1, max: 10000, unit: "average slippage in basis points" },
    procedure: "alert-configuration",
    source: "runbook 002 (average slippage > 50 bps); from the settlement_slippage_bps histogram",
    summary: "Average slippage is high",
    description: (t) => `Average settlement slippage in {{ $labels.namespace }} is {{ $value | humanize }} bps (threshold ${t} bps).`,
    expr: ({ threshold, scope }) =>
      `sum by (namespace) (rate(${selector("settlement_slippage_bps_sum", scope)}[15m]))\n` +
      `  / sum by (namespace) (rate(${selector("settlement_slippage_bps_count", scope)}[15m]))\n  > ${threshold}`,
  },
  {
    name: "SolverPerformanceDegraded",
    family: "trading",
    severity: "info",
    for: "15m",
    threshold: { default: 0.95, min: 0, max: 1, unit: "ratio of settlements that succeed" },
    procedure: "alert-configuration",
    source: "runbook 002 (success rate < 95 %)",
    summary: "Settlement success rate is degraded",
    description: (t) => `Settlement success rate in {{ $labels.namespace }} is {{ $value | humanizePercentage }} (minimum ${t}).`,
    expr: ({ threshold, scope }) => `avg by (namespace) (${selector("settlement_success_rate", scope)}) < ${threshold}`,
  },

  // ---- pipelines (runbook 003) -------------------------------------------------------------------------
  {
    name: "PipelineFailureRateHigh",
    family: "pipelines",
    severity: "warning",
    for: "15m",
    threshold: { default: 0.01, min: 0.0001, max: 1, unit: "ratio of failed pipeline runs (SLO: success > 99 %)" },
    procedure: "high-p1",
    source: "runbook 003 (pipeline success rate > 99 %; P1 pipeline execution failures)",
    summary: "Pipeline runs are failing",
    description: (t) => `{{ $value | humanizePercentage }} of pipeline runs in {{ $labels.namespace }} failed in the last hour (threshold ${t}).`,
    expr: ({ threshold, scope }) =>
      `sum by (namespace) (rate(${selector("pipeline_runs_total", scope, 'status="failed"')}[1h]))\n` +
      `  / sum by (namespace) (rate(${selector("pipeline_runs_total", scope)}[1h]))\n  > ${threshold}`,
  },

  // ---- messaging (runbook 003's Kafka on MSK) ----------------------------------------------------------
  // MSK publishes consumer lag per consumer group and topic to CloudWatch only; the stack's
  // CloudWatchExporter brings it to Prometheus as aws_kafka_<metric>_<statistic> with snake_case labels.
  {
    name: "KafkaConsumerLagHigh",
    family: "messaging",
    severity: "warning",
    for: "15m",
    threshold: { default: 10000, min: 1, max: 1e12, unit: "records behind the newest offset (MSK MaxOffsetLag)" },
    procedure: "high-p1",
    source: "runbook 003 (Kafka messaging, pipeline processing); MSK consumer-lag metric MaxOffsetLag",
    summary: "Consumer group {{ $labels.consumer_group }} is falling behind on {{ $labels.topic }}",
    description: (t) => `Consumer group {{ $labels.consumer_group }} is {{ $value }} records behind on topic {{ $labels.topic }} of MSK cluster {{ $labels.cluster_name }} (threshold ${t}).`,
    expr: ({ threshold }) => `max by (cluster_name, consumer_group, topic) (aws_kafka_max_offset_lag_maximum) > ${threshold}`,
  },
  {
    name: "KafkaConsumerTimeLagHigh",
    family: "messaging",
    severity: "critical",
    for: "10m",
    threshold: { default: 900, min: 1, max: 604800, unit: "seconds the oldest unread record has waited (MSK EstimatedMaxTimeLag)" },
    procedure: "high-p1",
    source: "runbook 003 (P1: pipeline execution failures, data not fresh); MSK consumer-lag metric EstimatedMaxTimeLag",
    summary: "Consumer group {{ $labels.consumer_group }} is {{ $value | humanizeDuration }} behind on {{ $labels.topic }}",
    description: (t) => `The oldest record consumer group {{ $labels.consumer_group }} has not read on topic {{ $labels.topic }} of MSK cluster {{ $labels.cluster_name }} waited {{ $value | humanizeDuration }} (threshold ${t} s).`,
    expr: ({ threshold }) => `max by (cluster_name, consumer_group, topic) (aws_kafka_estimated_max_time_lag_maximum) > ${threshold}`,
  },

  // ---- backups (this library's backup CronJobs) --------------------------------------------------------
  {
    name: "BackupJobFailed",
    family: "backups",
    severity: "warning",
    for: "1m",
    procedure: "1-database-backup-procedures",
    source: "backup capability: a Job of a CronJob labelled runbook.dev/backup failed",
    summary: "Backup job {{ $labels.job_name }} failed",
    description: () => "Job {{ $labels.job_name }} of backup CronJob {{ $labels.owner_name }} in {{ $labels.namespace }} failed; the next run may not cover the gap.",
    expr: () =>
      "max by (namespace, job_name, owner_name) (\n" +
      "  (kube_job_status_failed > 0)\n" +
      '  * on (namespace, job_name) group_left (owner_name) kube_job_owner{owner_kind="CronJob"}\n' +
      `  * on (namespace, owner_name) group_left () label_replace(kube_cronjob_labels{${BACKUP_KINDS}}, "owner_name", "$1", "cronjob", "(.+)")\n)`,
  },
  {
    name: "BackupTooOld",
    family: "backups",
    severity: "critical",
    for: "10m",
    threshold: { default: 26, min: 1, max: 24 * 40, unit: "hours since the last successful run" },
    procedure: "1-database-backup-procedures",
    source: "backup capability: no successful daily backup in 26 h (daily schedule plus slack); RPO at risk",
    summary: "No successful backup from {{ $labels.cronjob }}",
    description: (t) => `Backup CronJob {{ $labels.cronjob }} in {{ $labels.namespace }} has not succeeded for {{ $value | humanizeDuration }} (limit ${t} h).`,
    expr: ({ threshold }) => {
      const limit = threshold * 3600;
      return (
        `(\n  time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time)\n` +
        `  or\n  (time() - max by (namespace, cronjob) (kube_cronjob_created)) unless on (namespace, cronjob) kube_cronjob_status_last_successful_time\n)\n` +
        `  * on (namespace, cronjob) group_left () max by (namespace, cronjob) (kube_cronjob_labels{${DAILY_BACKUP_KINDS}})\n` +
        `  > ${limit}`
      );
    },
  },

  {
    name: "DatabaseMaintenanceOverdue",
    family: "backups",
    severity: "warning",
    for: "1h",
    threshold: { default: 8, min: 1, max: 60, unit: "days since the weekly maintenance job last succeeded" },
    procedure: "database-maintenance",
    source: "runbook 002 (weekly ANALYZE/VACUUM, Sundays 03:00): the db-maintenance CronJob has not succeeded within a week and a day",
    summary: "Weekly database maintenance has not run in {{ $labels.namespace }}",
    description: (t) => `CronJob {{ $labels.cronjob }} in {{ $labels.namespace }} has not succeeded for {{ $value | humanizeDuration }} (limit ${t} days); statistics go stale and dead rows pile up.`,
    expr: ({ threshold }) =>
      `(\n  time() - max by (namespace, cronjob) (kube_cronjob_status_last_successful_time)\n` +
      `  or\n  (time() - max by (namespace, cronjob) (kube_cronjob_created)) unless on (namespace, cronjob) kube_cronjob_status_last_successful_time\n)\n` +
      `  * on (namespace, cronjob) group_left () max by (namespace, cronjob) (kube_cronjob_labels{label_runbook_dev_backup="db-maintenance"})\n` +
      `  > ${threshold * 86400}`,
  },

  // ---- certificates ------------------------------------------------------------------------------------
  {
    name: "CertificateExpiringSoon",
    family: "certificates",
    severity: "warning",
    for: "1h",
    threshold: { default: 14, min: 1, max: 90, unit: "days before expiry" },
    procedure: "certificate-management",
    source: "runbooks 001/002 (certificate renewals, daily expiry check); cert-manager renews 30 days ahead, so < 14 days means renewal is failing",
    summary: "Certificate {{ $labels.name }} expires soon",
    description: (t) => `Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }} (threshold ${t} days); check cert-manager.`,
    expr: ({ threshold }) => `certmanager_certificate_expiration_timestamp_seconds - time() < ${threshold * 86400}`,
  },

  // ---- kubernetes --------------------------------------------------------------------------------------
  {
    name: "PodCrashLooping",
    family: "kubernetes",
    severity: "warning",
    for: "15m",
    procedure: "high-memory-usage",
    source: "capability: pods restarting (OOMKilled pods in runbooks 001/002)",
    summary: "{{ $labels.namespace }}/{{ $labels.pod }} is crash-looping",
    description: () => "Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} is in CrashLoopBackOff.",
    expr: () => 'max_over_time(kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}[5m]) >= 1',
  },
  {
    name: "HpaMaxedOut",
    family: "kubernetes",
    severity: "warning",
    for: "15m",
    procedure: "horizontal-pod-autoscaling-hpa",
    source: "scaling capability: an HPA pinned at maxReplicas cannot absorb more load",
    summary: "HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} is at its maximum",
    description: () => "HPA {{ $labels.namespace }}/{{ $labels.horizontalpodautoscaler }} has run at maxReplicas ({{ $value }}) for a while; raise the maximum or the node capacity.",
    expr: () =>
      "kube_horizontalpodautoscaler_status_current_replicas\n" +
      "  == on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas\n" +
      "  and on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas\n" +
      "  != on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_min_replicas",
  },
  {
    name: "PersistentVolumeFillingUp",
    family: "kubernetes",
    severity: "warning",
    for: "5m",
    threshold: { default: 0.85, min: 0.1, max: 1, unit: "ratio of used to capacity bytes of a PVC" },
    procedure: "1-resource-monitoring",
    source: "capability: PVC almost full (runbook 001: < 85 % for data volumes)",
    summary: "PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is almost full",
    description: (t) => `PVC {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | humanizePercentage }} full (threshold ${t}).`,
    expr: ({ threshold }) => `kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > ${threshold}`,
  },

  // ---- logging (the log agent, components/log-shipping.ts) ----------------------------------------------
  {
    name: "LogShippingStalled",
    family: "logging",
    severity: "warning",
    for: "15m",
    procedure: "log-aggregation",
    source: "runbooks 001/002/003 (logs shipped centrally): a Fluent Bit pod reads container logs but delivers none to CloudWatch Logs, or gives up on records after retries",
    summary: "Fluent Bit {{ $labels.pod }} is not shipping logs",
    description: () =>
      "Fluent Bit {{ $labels.pod }} in {{ $labels.namespace }} has read container logs but delivered none to CloudWatch Logs, or dropped records after its retries, for 15 minutes; logs of that node are missing centrally.",
    expr: () =>
      "(\n  sum by (namespace, pod) (rate(fluentbit_input_records_total[15m])) > 0\n" +
      "  unless on (namespace, pod) sum by (namespace, pod) (rate(fluentbit_output_proc_records_total[15m])) > 0\n)\n" +
      "or\nsum by (namespace, pod) (rate(fluentbit_output_retries_failed_total[15m])) > 0",
  },
];

export const ALERT_NAMES = ALERT_CATALOGUE.map((a) => a.name);

export function alertDefinition(name: string): AlertDefinition | undefined {
  return ALERT_CATALOGUE.find((a) => a.name === name);
}

/** The threshold as a reader sees it in a description: ratios as percentages, others as numbers. */
export function thresholdText(def: AlertDefinition, value: number): string {
  return def.threshold?.unit.startsWith("ratio") ? pct(value) : String(value);
}
