/**
 * Stack keys of ElastiCache Redis (`runbook-infra:cache`). Defaults are the production-grade ones
 * (primary + a replica per AZ, automatic failover, 7 days of snapshots); a cheaper stack opts out in its
 * own file.
 */
import { z } from "zod";
import { bool, dailyOverlapsWeekly, dailyWindow, dailyWindowMinutes, int, oneOf, weeklyWindow, weeklyWindowMinutes } from "./fields";
import { logRetentionDays } from "./network";
import type { Refinement } from "./refinement";
import { weeklyWithin } from "../../core/windows";
import { ELASTICACHE_FAMILIES, isElastiCacheNodeType, CACHE_NODE_ALLOWED, REDIS_VERSIONS, MAXMEMORY_POLICIES } from "../../core/aws-catalogue";
export { ELASTICACHE_FAMILIES, isElastiCacheNodeType, CACHE_NODE_ALLOWED, REDIS_VERSIONS, MAXMEMORY_POLICIES, weeklyWithin };

export const cacheSchema = z
  .object({
    /** Redis OSS engine version. @default "7.1" */
    engineVersion: oneOf(REDIS_VERSIONS).default("7.1"),
    /** Node type (the runbooks scale cache.r5.large → cache.r5.xlarge). @default "cache.r5.large" */
    nodeType: z.string({ error: CACHE_NODE_ALLOWED }).refine(isElastiCacheNodeType, { error: CACHE_NODE_ALLOWED }).default("cache.r5.large"),
    /** Redis is a Celery broker (runbook 001's workers): Celery's Redis transport cannot use cluster mode (celery/celery#2852), so clusterMode is refused. @default false */
    celeryBroker: bool().default(false),
    /** Nodes of the single-shard group (cluster mode off): one primary plus replicas, one per AZ. Not with clusterMode. @default 3 (when clusterMode is not set) */
    numCacheClusters: int(1, 6).optional(),
    /** Cluster mode on (runbook 001 1.17: "a 6-node Redis cluster" = 3 shards × (1 primary + 1 replica)): keys are sharded, clients must speak the cluster protocol and use database 0 only (no SELECT), and they connect to the configuration endpoint. @default none (cluster mode off, one shard) */
    clusterMode: z
      .object({
        /** Shards (node groups); ElastiCache allows up to 500 per cluster. No default. */
        shards: int(1, 500),
        /** Replicas in each shard (0–5); at least 1 for Multi-AZ failover. @default 1 */
        replicasPerShard: int(0, 5).default(1),
      })
      .strict()
      .optional(),
    /** Multi-AZ with automatic failover to a replica in another AZ; needs numCacheClusters ≥ 2. @default true */
    multiAz: bool().default(true),
    /** Explicit opt-out that lets a production stack run Redis in one AZ. @default false */
    allowSingleAzInProduction: bool().default(false),
    /** What Redis evicts when full; volatile-lru evicts only keys with a TTL, so Celery queues are never evicted. @default "volatile-lru" */
    maxmemoryPolicy: oneOf(MAXMEMORY_POLICIES).default("volatile-lru"),
    /** Days automatic snapshots are kept (0–35; at least 1 in production). @default 7 */
    snapshotRetentionDays: int(0, 35).default(7),
    /** Daily UTC snapshot window, at least 60 minutes, never inside the maintenance window. @default "00:30-01:30" */
    snapshotWindow: dailyWindow().default("00:30-01:30"),
    /** Weekly UTC maintenance window, inside the database's when both exist. @default "sun:03:00-sun:06:00" (inside the runbooks' Sunday 02:00–06:00 slot, after the 02:00 dump) */
    maintenanceWindow: weeklyWindow().default("sun:03:00-sun:06:00"),
    /** Apply changes (e.g. the runbooks' cache.r5.xlarge resize, an AUTH token rotation) at once instead of in the maintenance window. @default false */
    applyImmediately: bool().default(false),
    /** Bump to rotate the AUTH token (ElastiCache's ROTATE strategy keeps the old one valid meanwhile). @default 1 */
    authTokenVersion: int(1, 1_000_000).default(1),
    /** Days the slow log stays in CloudWatch Logs. @default 30 */
    slowLogRetentionDays: logRetentionDays().default(30),
  })
  .strict();

export type CacheConfig = z.infer<typeof cacheSchema>;

/** Single-shard group size when numCacheClusters is not set. */
export const DEFAULT_CACHE_NODES = 3;

/** ElastiCache's ceiling on nodes in one cluster-mode group (the default quota is 90; AWS raises it to 500 on request). */
export const MAX_CLUSTER_NODES = 500;

/** Every node the cache runs: shards × (1 + replicas) in cluster mode, else the single shard's nodes. */
export function cacheNodeCount(cache: Pick<CacheConfig, "numCacheClusters" | "clusterMode">): number {
  return cache.clusterMode ? cache.clusterMode.shards * (1 + cache.clusterMode.replicasPerShard) : (cache.numCacheClusters ?? DEFAULT_CACHE_NODES);
}

export const refineCache: Refinement = (config, report) => {
  const cache = config.cache;
  if (!cache) return;
  const at = (key: keyof CacheConfig) => ["cache", key];

  if (cache.clusterMode) {
    const mode = cache.clusterMode;
    if (cache.celeryBroker)
      report(["cache", "clusterMode"], mode, "must not be set while celeryBroker is true: Celery's Redis transport does not speak Redis Cluster (keep one shard, scale with nodeType)");
    if (cache.numCacheClusters !== undefined)
      report(at("numCacheClusters"), cache.numCacheClusters, "must not be set with clusterMode (a cluster has shards × (1 + replicasPerShard) nodes); remove it");
    if (cache.multiAz && mode.replicasPerShard < 1)
      report(["cache", "clusterMode", "replicasPerShard"], mode.replicasPerShard, "must be at least 1 when multiAz is true (each shard needs a replica to fail over to)");
    if (cacheNodeCount(cache) > MAX_CLUSTER_NODES)
      report(["cache", "clusterMode", "shards"], mode.shards, `must keep shards × (1 + replicasPerShard) at most ${MAX_CLUSTER_NODES} nodes (ElastiCache's limit per cluster)`);
  } else {
    const nodes = cache.numCacheClusters ?? DEFAULT_CACHE_NODES;
    if (cache.multiAz && nodes < 2) report(at("numCacheClusters"), nodes, "must be at least 2 when multiAz is true (a replica to fail over to)");
    if (nodes > config.network.availabilityZones)
      report(at("numCacheClusters"), nodes, `must not exceed network.availabilityZones (${config.network.availabilityZones}): one node per AZ`);
  }
  if (dailyWindowMinutes(cache.snapshotWindow) < 60) report(at("snapshotWindow"), cache.snapshotWindow, "must be at least 60 minutes long");
  const maintenanceMinutes = weeklyWindowMinutes(cache.maintenanceWindow);
  if (maintenanceMinutes < 60 || maintenanceMinutes > 24 * 60) report(at("maintenanceWindow"), cache.maintenanceWindow, "must be from 60 minutes to 24 hours long");
  if (dailyOverlapsWeekly(cache.snapshotWindow, cache.maintenanceWindow))
    report(at("snapshotWindow"), cache.snapshotWindow, `must not overlap maintenanceWindow (${cache.maintenanceWindow})`);
  if (config.database && !weeklyWithin(cache.maintenanceWindow, config.database.maintenanceWindow))
    report(at("maintenanceWindow"), cache.maintenanceWindow, `must lie within database.maintenanceWindow (${config.database.maintenanceWindow}): one announced window for the data tier`);

  if (config.environment === "production") {
    if (!cache.multiAz && !cache.allowSingleAzInProduction)
      report(at("multiAz"), cache.multiAz, "must be true in production (or set allowSingleAzInProduction: true to accept an AZ outage taking Redis down)");
    if (cache.snapshotRetentionDays < 1) report(at("snapshotRetentionDays"), cache.snapshotRetentionDays, "must be at least 1 in production (snapshots give the faster recovery the runbooks rely on)");
  }
};
