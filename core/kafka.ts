import { VERSIONS, supportStatus } from "./versions";

/**
 * Amazon MSK facts the Kafka config and the KafkaCluster component both check. Pure: no Pulumi resources.
 * The versions and their support dates live in the one versions table (core/versions.ts).
 * Versions: the MSK developer guide's "Supported Apache Kafka versions" (checked 2026-11-30): 3.6.0 and later
 * have no published end of support; 3.5.1 ended 2025-10-23, 3.4.0 on 2025-08-04. 3.8.x is AWS's recommended
 * version. The topic API (what `aws.msk.Topic` calls) needs 3.6.0 or later on a provisioned cluster.
 */

/** MSK Kafka versions new clusters may use: the versions table's MSK entries in support today. */
export const MSK_VERSION_NAMES = VERSIONS.filter((e) => e.kind === "msk" && supportStatus("msk", e.version).status !== "ended").map((e) => e.version) as unknown as readonly [string, ...string[]];

/** AWS's recommended version on 2026-11-30. */
export const DEFAULT_KAFKA_VERSION = "3.8.x";

/** Broker families MSK offers on standard brokers (m5, m7g; t3.small only for tests). */
const BROKER_TYPE = /^kafka\.(t3\.small|m5\.(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge|24xlarge)|m7g\.(large|xlarge|2xlarge|4xlarge|8xlarge|12xlarge|16xlarge))$/;

export function isMskBrokerType(value: string): boolean {
  return BROKER_TYPE.test(value);
}

export const MSK_BROKER_ALLOWED = 'must be an MSK broker type such as "kafka.m7g.large" (kafka.t3.small, kafka.m5.<size>, kafka.m7g.<size>)';

/** Kafka topic names: letters, digits, '.', '_' and '-', at most 249 characters; "." and ".." are not names. */
export function isKafkaTopicName(value: string): boolean {
  return /^[a-zA-Z0-9._-]{1,249}$/.test(value) && value !== "." && value !== "..";
}

/** EBS volume per broker: MSK allows 1–16384 GiB. */
export const MSK_MAX_VOLUME_GIB = 16384;

/** `retention.ms` for a retention in hours; -1 (keep forever) stays -1. */
export function retentionMs(hours: number): string {
  return hours < 0 ? "-1" : String(hours * 3_600_000);
}

/** `min.insync.replicas` that still lets producers with acks=all write while one replica is down. */
export function minInsyncReplicas(replicationFactor: number): number {
  return Math.max(1, Math.min(2, replicationFactor - 1));
}
