/**
 * What AWS accepts, as data: instance classes and node types, engine version shapes, enumerated API values.
 * The config schema and the components check against the same lists. Versions with support end dates live
 * in versions.ts beside this file.
 */

// --- RDS for PostgreSQL ---------------------------------------------------------------------------

/** Instance families RDS offers for PostgreSQL (graviton and intel/amd, burstable, general purpose, memory optimised). */
export const RDS_POSTGRES_FAMILIES = [
  "t3", "t4g",
  "m5", "m5d", "m6g", "m6gd", "m6i", "m6id", "m6idn", "m6in", "m7g", "m7i", "m8g",
  "r5", "r5b", "r5d", "r6g", "r6gd", "r6i", "r6id", "r6idn", "r6in", "r7g", "r7i", "r8g",
  "x2g", "x2idn", "x2iedn",
] as const;

const INSTANCE_CLASS = /^db\.([a-z0-9]+)\.(micro|small|medium|large|xlarge|\d{1,2}xlarge|metal)$/;

/** True for `db.<known family>.<size>`, e.g. db.r5.large. */
export function isRdsPostgresClass(value: string): boolean {
  const match = INSTANCE_CLASS.exec(value);
  return !!match && (RDS_POSTGRES_FAMILIES as readonly string[]).includes(match[1]);
}

export const RDS_CLASS_ALLOWED = `must be an RDS PostgreSQL instance class "db.<family>.<size>" of a known family (${RDS_POSTGRES_FAMILIES.join(", ")}), e.g. "db.r5.large"`;

/** Performance Insights is not offered on these (RDS user guide, "Amazon RDS DB engine, Region, and instance class support"). */
export function supportsPerformanceInsights(instanceClass: string): boolean {
  return !/^db\.(t2|t3|t4g)\.(micro|small)$/.test(instanceClass);
}

/** Enhanced monitoring granularities RDS accepts; 0 turns it off. */
export const MONITORING_INTERVALS = [0, 1, 5, 10, 15, 30, 60] as const;

/** Performance Insights keeps 7 days free, or whole months (31-day units) up to 2 years. */
export function isPerformanceInsightsRetention(days: number): boolean {
  return days === 7 || days === 731 || (Number.isInteger(days) && days % 31 === 0 && days >= 31 && days <= 713);
}

/** Major PostgreSQL versions RDS supports, with or without a minor ("16" or "16.4"). */
export const POSTGRES_VERSION = /^(1[3-7])(\.\d{1,2})?$/;

/** Postgres identifiers RDS accepts for the database and master user names. */
export const PG_IDENTIFIER = /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/;

/** Names RDS or PostgreSQL reserve: RDS's own roles and the `pg_` role prefix. */
export function isReservedPgName(value: string): boolean {
  return /^(rds|pg_)/i.test(value) || ["postgres", "template0", "template1", "public"].includes(value.toLowerCase());
}

/** Smallest storage-autoscaling ceiling AWS accepts: 110 % of the allocated storage (integer maths, no float drift). */
export function minMaxAllocatedStorage(allocatedGiB: number): number {
  return Math.ceil((allocatedGiB * 11) / 10);
}

// --- ElastiCache -------------------------------------------------------------------------------------

/** Node families ElastiCache offers for Redis OSS that support encryption at rest and in transit. */
export const ELASTICACHE_FAMILIES = ["t3", "t4g", "m5", "m6g", "m7g", "r5", "r6g", "r7g"] as const;

const NODE_TYPE = /^cache\.([a-z0-9]+)\.(micro|small|medium|large|xlarge|\d{1,2}xlarge)$/;

export function isElastiCacheNodeType(value: string): boolean {
  const match = NODE_TYPE.exec(value);
  return !!match && (ELASTICACHE_FAMILIES as readonly string[]).includes(match[1]);
}

export const CACHE_NODE_ALLOWED = `must be an ElastiCache node type "cache.<family>.<size>" of a known family (${ELASTICACHE_FAMILIES.join(", ")}), e.g. "cache.r5.large"`;

/** Redis OSS versions with a parameter group family we map to (redis6.x, redis7). */
export const REDIS_VERSIONS = ["6.2", "7.0", "7.1"] as const;

export const MAXMEMORY_POLICIES = ["volatile-lru", "allkeys-lru", "volatile-lfu", "allkeys-lfu", "volatile-random", "allkeys-random", "volatile-ttl", "noeviction"] as const;

// --- Route53 -----------------------------------------------------------------------------------------

/** The regions Route53 can run health checkers from (the API rejects any other). */
export const ROUTE53_CHECKER_REGIONS = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"] as const;

/** Route53 health checks poll every 10 or 30 seconds, nothing else. */
export const HEALTH_CHECK_INTERVALS = [10, 30] as const;

