/**
 * The data tier's AWS-side signals that no in-cluster exporter sees (issue 17): RDS storage, replica lag,
 * CPU and CPU credits; ElastiCache evictions, engine CPU and replication lag. The stack reads them with
 * components/cloudwatch-exporter.ts (prometheus/cloudwatch_exporter), which names each series
 * `aws_<service>_<metric in snake_case>_<statistic>` and turns each dimension into a snake_case label
 * (DBInstanceIdentifier → dbinstance_identifier, CacheClusterId → cache_cluster_id); the catalogue's
 * alerts read those names.
 */
export interface DataTierMetric {
  awsNamespace: "AWS/RDS" | "AWS/ElastiCache";
  metricName: string;
  dimensions: string[];
  statistics: string[];
}

const rds = (metricName: string): DataTierMetric => ({ awsNamespace: "AWS/RDS", metricName, dimensions: ["DBInstanceIdentifier"], statistics: ["Average"] });
// ElastiCache publishes Redis node metrics per cache cluster and node (a Redis cache cluster has one node, 0001).
const cache = (metricName: string, statistic: string): DataTierMetric => ({ awsNamespace: "AWS/ElastiCache", metricName, dimensions: ["CacheClusterId", "CacheNodeId"], statistics: [statistic] });

export const DATA_TIER_CLOUDWATCH_METRICS: readonly DataTierMetric[] = [
  rds("FreeStorageSpace"),
  rds("CPUUtilization"),
  rds("CPUCreditBalance"),
  rds("ReplicaLag"),
  cache("Evictions", "Sum"),
  cache("EngineCPUUtilization", "Average"),
  cache("ReplicationLag", "Average"),
];

/** cloudwatch_exporter's snake_case: a lower/digit-to-upper boundary becomes "_" ("CPUCreditBalance" → "cpucredit_balance"). */
export function snakeCase(text: string): string {
  return text.replace(/ /g, "_").replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase();
}

/** The Prometheus series cloudwatch_exporter produces for a namespace, metric and statistic (the namespace is only lower-cased: "AWS/ElastiCache" → "aws_elasticache"). */
export function cloudwatchSeriesName(awsNamespace: string, metricName: string, statistic: string): string {
  return `${awsNamespace.toLowerCase().replace("/", "_")}_${snakeCase(metricName)}_${snakeCase(statistic)}`;
}
