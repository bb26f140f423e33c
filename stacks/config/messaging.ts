/**
 * Stack keys of Kafka on Amazon MSK (`runbook-infra:messaging`, runbook 003 3.3). Provisioned by default:
 * it is the mode with the stack's own key, broker logs, storage autoscaling and declared topics.
 */
import { z } from "zod";
import { bool, int, oneOf } from "./fields";
import { logRetentionDays } from "./network";
import type { Refinement } from "./refinement";
import { DEFAULT_KAFKA_VERSION, MSK_BROKER_ALLOWED, MSK_MAX_VOLUME_GIB, MSK_VERSION_NAMES, isKafkaTopicName, isMskBrokerType } from "../../core/kafka";

const topicSchema = z
  .object({
    /** Topic name: letters, digits, '.', '_', '-' (at most 249). No default. */
    name: z.string({ error: "must be a Kafka topic name" }).refine(isKafkaTopicName, { error: "must be 1–249 letters, digits, '.', '_' or '-'" }),
    /** Partitions: the most consumers of one group that can read in parallel. No default. */
    partitions: int(1, 1000),
    /** Copies of each partition (at most the broker count). @default 3 */
    replicationFactor: int(1, 30).default(3),
    /** Hours records are kept (`retention.ms`); -1 keeps them forever. No default. */
    retentionHours: z.number({ error: "must be -1 (forever) or an integer from 1 to 87600" }).int({ error: "must be -1 (forever) or an integer from 1 to 87600" }).refine((h) => h === -1 || (h >= 1 && h <= 87_600), { error: "must be -1 (forever) or an integer from 1 to 87600" }),
  })
  .strict();

export const kafkaSchema = z
  .object({
    /** provisioned (brokers, the stack's KMS key, broker logs, storage autoscaling, declared topics) or serverless (IAM only, AWS-owned key, no topic API). @default "provisioned" */
    mode: oneOf(["provisioned", "serverless"]).default("provisioned"),
    /** Kafka version MSK supports; 3.6.0 or later (the topic API needs it). @default "3.8.x" (AWS's recommended version) */
    kafkaVersion: oneOf(MSK_VERSION_NAMES).default(DEFAULT_KAFKA_VERSION),
    /** Broker instance type (provisioned). @default "kafka.m7g.large" */
    brokerInstanceType: z.string({ error: MSK_BROKER_ALLOWED }).refine(isMskBrokerType, { error: MSK_BROKER_ALLOWED }).default("kafka.m7g.large"),
    /** Brokers in each AZ (provisioned); brokers = brokersPerAz × min(network.availabilityZones, 3). @default 1 */
    brokersPerAz: int(1, 10).default(1),
    /** EBS volume per broker at creation, GiB (provisioned). @default 100 */
    volumeSizeGiB: int(1, MSK_MAX_VOLUME_GIB).default(100),
    /** Storage autoscaling ceiling per broker, GiB (provisioned). @default 1000 */
    maxVolumeSizeGiB: int(2, MSK_MAX_VOLUME_GIB).default(1000),
    /** Disk utilisation (%) storage autoscaling keeps brokers under. @default 60 */
    storageTargetUtilizationPercent: int(10, 80).default(60),
    /** Days broker logs stay in CloudWatch Logs (provisioned). @default 90 */
    logRetentionDays: logRetentionDays().default(90),
    /** Topics and their retention (provisioned only). @default [] */
    topics: z.array(topicSchema).default([]),
    /** Export MSK's consumer lag to Prometheus (CloudWatchExporter) for the messaging alerts. @default true */
    consumerLagAlerts: bool().default(true),
  })
  .strict();

export const messagingSchema = z
  .object({
    /** Amazon MSK. @default none (no Kafka) */
    kafka: kafkaSchema.optional(),
  })
  .strict();

export type MessagingConfig = z.infer<typeof messagingSchema>;
export type KafkaConfig = z.infer<typeof kafkaSchema>;

/** AZs the brokers spread over: MSK takes two or three client subnets. */
export function kafkaAzCount(networkAzs: number): number {
  return Math.min(3, networkAzs);
}

export const refineMessaging: Refinement = (config, report) => {
  const kafka = config.messaging?.kafka;
  if (!kafka) return;
  const at = (...path: Array<string | number>) => ["messaging", "kafka", ...path];
  if (config.network.availabilityZones < 2) report(["network", "availabilityZones"], config.network.availabilityZones, "must be at least 2 with messaging.kafka (MSK spreads brokers over two or three AZs)");
  if (kafka.mode === "serverless") {
    if (kafka.topics.length) report(at("topics"), kafka.topics.map((t) => t.name), "must be empty in serverless mode (MSK Serverless has no topic API; set mode: provisioned to declare topics)");
  } else {
    if (kafka.maxVolumeSizeGiB <= kafka.volumeSizeGiB) report(at("maxVolumeSizeGiB"), kafka.maxVolumeSizeGiB, `must be above volumeSizeGiB (${kafka.volumeSizeGiB}): storage autoscaling needs room to grow`);
    const brokers = kafka.brokersPerAz * kafkaAzCount(config.network.availabilityZones);
    const seen = new Set<string>();
    kafka.topics.forEach((topic, i) => {
      if (seen.has(topic.name)) report(at("topics", i, "name"), topic.name, "must be unique");
      seen.add(topic.name);
      if (topic.replicationFactor > brokers) report(at("topics", i, "replicationFactor"), topic.replicationFactor, `must not exceed the broker count (${brokers} = brokersPerAz × AZs)`);
      if (config.environment === "production" && topic.replicationFactor < 3 && brokers >= 3)
        report(at("topics", i, "replicationFactor"), topic.replicationFactor, "must be at least 3 in production (a broker loss must not stop acks=all producers)");
    });
  }
  const families = config.monitoring?.families as readonly string[] | undefined;
  if (kafka.consumerLagAlerts && config.monitoring && !families?.includes("messaging"))
    report(["monitoring", "families"], families ?? [], "must include messaging while messaging.kafka.consumerLagAlerts is true (the consumer-lag alerts live in that family)");
};
