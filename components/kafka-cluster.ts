import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { logsEncryptingKeyPolicy } from "./kms-key-policy";
import { rejectArg } from "../core/errors";
import { LOG_RETENTION_DAYS } from "../core/retention";
import { DEFAULT_KAFKA_VERSION, MSK_BROKER_ALLOWED, MSK_MAX_VOLUME_GIB, MSK_VERSION_NAMES, isKafkaTopicName, isMskBrokerType, minInsyncReplicas, retentionMs } from "../core/kafka";

/** One topic, declared through MSK's topic API (no Kafka admin client, no network path to the brokers needed). */
export interface KafkaTopicArgs {
  /** Topic name (letters, digits, '.', '_', '-'). No default. */
  name: string;
  /** Partitions (1–1000 here; more partitions means more parallel consumers). No default. */
  partitions: number;
  /** Copies of each partition; at most the broker count. @default 3 */
  replicationFactor?: number;
  /** Hours records are kept (`retention.ms`); -1 keeps them forever. No default. */
  retentionHours: number;
}

export interface KafkaClusterArgs {
  /** "provisioned" (brokers, CMK encryption, broker logs, storage autoscaling, topics) or "serverless" (IAM only, AWS-owned key, no topic API). @default "provisioned" */
  mode?: "provisioned" | "serverless";
  /** MSK cluster name (1–64 letters, digits, '-'). @default the component name */
  clusterName?: string;
  /** VPC of the cluster. No default. */
  vpcId: pulumi.Input<string>;
  /** Private subnets, one per AZ the brokers run in (2 or 3 for provisioned). No default. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Number of AZs (= subnets) the brokers spread over: 2 or 3. No default. */
  availabilityZoneCount: number;
  /** Security groups admitted on the IAM/TLS port 9098 (the EKS nodes' group); never a CIDR. No default. */
  allowedSecurityGroupIds: pulumi.Input<string>[];
  /** Kafka version (3.6.0 or later: the topic API needs it). @default "3.8.x" */
  kafkaVersion?: string;
  /** Broker instance type (provisioned). @default "kafka.m7g.large" */
  brokerInstanceType?: string;
  /** Brokers in each AZ (provisioned); MSK needs a multiple of the AZ count. @default 1 */
  brokersPerAz?: number;
  /** EBS volume per broker at creation, GiB (provisioned). @default 100 */
  volumeSizeGiB?: number;
  /** Storage autoscaling ceiling per broker, GiB; MSK only grows volumes. @default 1000 */
  maxVolumeSizeGiB?: number;
  /** Disk utilisation (%) storage autoscaling keeps brokers under. @default 60 */
  storageTargetUtilizationPercent?: number;
  /** Days broker logs stay in CloudWatch Logs (provisioned). @default 90 */
  logRetentionDays?: number;
  /** Topics with their retention (provisioned only: MSK Serverless has no topic API). @default [] */
  topics?: KafkaTopicArgs[];
  /** Tags on every AWS resource. @default {} */
  tags?: Record<string, string>;
}

const CLUSTER_NAME = /^[a-zA-Z][a-zA-Z0-9-]{0,63}$/;
/** MSK's port for SASL/IAM over TLS from inside the VPC. */
const IAM_PORT = 9098;

function validate(name: string, args: KafkaClusterArgs) {
  const reject = (arg: string, value: unknown, allowed: string) => rejectArg("KafkaCluster", arg, value, allowed);
  const isInt = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  const mode = args.mode ?? "provisioned";
  if (mode !== "provisioned" && mode !== "serverless") reject("mode", mode, "must be provisioned or serverless");
  const clusterName = args.clusterName ?? name;
  if (!CLUSTER_NAME.test(clusterName)) reject("clusterName", clusterName, "must be 1–64 letters, digits or '-', starting with a letter");
  if (!isInt(args.availabilityZoneCount, 2, 3)) reject("availabilityZoneCount", args.availabilityZoneCount, "must be 2 or 3 (MSK spreads brokers over two or three AZs)");
  if (args.allowedSecurityGroupIds.length === 0) reject("allowedSecurityGroupIds", [], "must list at least one security group (the cluster is never opened to CIDRs)");
  const version = args.kafkaVersion ?? DEFAULT_KAFKA_VERSION;
  if (!MSK_VERSION_NAMES.includes(version)) reject("kafkaVersion", version, `must be one of ${MSK_VERSION_NAMES.join(", ")} (supported by MSK, topic API available)`);
  const topics = args.topics ?? [];
  if (mode === "serverless") {
    if (topics.length) reject("topics", topics.map((t) => t.name), "must be empty in serverless mode (MSK Serverless has no topic API; the producers create topics)");
    return;
  }
  const type = args.brokerInstanceType ?? "kafka.m7g.large";
  if (!isMskBrokerType(type)) reject("brokerInstanceType", type, MSK_BROKER_ALLOWED);
  const perAz = args.brokersPerAz ?? 1;
  if (!isInt(perAz, 1, 10)) reject("brokersPerAz", perAz, "must be an integer from 1 to 10");
  const volume = args.volumeSizeGiB ?? 100;
  if (!isInt(volume, 1, MSK_MAX_VOLUME_GIB)) reject("volumeSizeGiB", volume, `must be an integer from 1 to ${MSK_MAX_VOLUME_GIB}`);
  const max = args.maxVolumeSizeGiB ?? 1000;
  if (!isInt(max, volume + 1, MSK_MAX_VOLUME_GIB)) reject("maxVolumeSizeGiB", max, `must be an integer above volumeSizeGiB (${volume}) and at most ${MSK_MAX_VOLUME_GIB}`);
  const target = args.storageTargetUtilizationPercent ?? 60;
  if (!isInt(target, 10, 80)) reject("storageTargetUtilizationPercent", target, "must be an integer from 10 to 80 (MSK's storage scaling target range)");
  const retention = args.logRetentionDays ?? 90;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) reject("logRetentionDays", retention, `must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
  const brokers = perAz * args.availabilityZoneCount;
  const seen = new Set<string>();
  for (const topic of topics) {
    if (!isKafkaTopicName(topic.name)) reject("topics[].name", topic.name, "must be 1–249 letters, digits, '.', '_' or '-'");
    if (seen.has(topic.name)) reject("topics[].name", topic.name, "must be unique");
    seen.add(topic.name);
    if (!isInt(topic.partitions, 1, 1000)) reject(`topics[${topic.name}].partitions`, topic.partitions, "must be an integer from 1 to 1000");
    const rf = topic.replicationFactor ?? 3;
    if (!isInt(rf, 1, brokers)) reject(`topics[${topic.name}].replicationFactor`, rf, `must be an integer from 1 to the broker count (${brokers})`);
    if (!(topic.retentionHours === -1 || isInt(topic.retentionHours, 1, 87_600))) reject(`topics[${topic.name}].retentionHours`, topic.retentionHours, "must be -1 (forever) or an integer from 1 to 87600 (10 years)");
  }
}

/**
 * Amazon MSK for runbook 003's Kafka messaging. Clients authenticate with IAM (SASL/IAM over TLS on
 * port 9098): no passwords to rotate, pods get access through their IRSA role. Unauthenticated and
 * plaintext access are never configured, and brokers get no public address.
 *
 * Provisioned mode: brokers spread over the AZs, storage and broker logs encrypted with the cluster's own
 * rotating KMS key, broker logs in CloudWatch Logs, EBS storage autoscaling (MSK volumes only grow, so
 * scale-in is off), a server configuration that refuses auto-created topics and unclean leader
 * elections, and topics declared through MSK's topic API (`aws.msk.Topic`, Kafka ≥ 3.6.0) with their
 * retention — no Kafka admin client, and no network path from the deploy runner to the brokers.
 * Serverless mode: MSK Serverless (IAM only, storage encrypted with an AWS-owned key, no topic API, no
 * broker logs); choose it for spiky, small workloads and say so in the stack file.
 */
export class KafkaCluster extends pulumi.ComponentResource {
  /** Comma-separated bootstrap brokers for SASL/IAM over TLS. */
  public readonly bootstrapBrokers: pulumi.Output<string>;
  public readonly arn: pulumi.Output<string>;
  public readonly clusterName: pulumi.Output<string>;
  /** The cluster's security group (admits 9098 from `allowedSecurityGroupIds` only). */
  public readonly securityGroupId: pulumi.Output<string>;
  /** Key encrypting the brokers' storage and logs (provisioned); undefined for serverless (AWS-owned key). */
  public readonly kmsKeyArn?: pulumi.Output<string>;
  /** Names of the declared topics. */
  public readonly topicNames: string[];

  constructor(name: string, args: KafkaClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    validate(name, args);
    super("runbook:messaging:KafkaCluster", name, {}, opts);

    const mode = args.mode ?? "provisioned";
    const clusterName = args.clusterName ?? name;
    const kafkaVersion = args.kafkaVersion ?? DEFAULT_KAFKA_VERSION;
    const tags = args.tags ?? {};

    // No egress rules: brokers only answer clients; replication between brokers is MSK's own network.
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: `MSK ${clusterName}: ${IAM_PORT} (SASL/IAM over TLS) from the cluster only`, tags: { ...tags, Name: `${clusterName}-msk` } },
      { parent: this },
    );
    args.allowedSecurityGroupIds.forEach((source, i) => {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-ingress-${i}`,
        { securityGroupId: securityGroup.id, referencedSecurityGroupId: source, ipProtocol: "tcp", fromPort: IAM_PORT, toPort: IAM_PORT, description: "Kafka (IAM over TLS) from the cluster", tags },
        { parent: this },
      );
    });

    if (mode === "serverless") {
      const cluster = new aws.msk.ServerlessCluster(
        `${name}-cluster`,
        {
          clusterName,
          vpcConfigs: [{ subnetIds: args.subnetIds, securityGroupIds: [securityGroup.id] }],
          clientAuthentication: { sasl: { iam: { enabled: true } } },
          tags,
        },
        { parent: this },
      );
      this.bootstrapBrokers = cluster.bootstrapBrokersSaslIam;
      this.arn = cluster.arn;
      this.clusterName = cluster.clusterName;
      this.topicNames = [];
    } else {
      const logGroupName = `/aws/msk/${clusterName}/broker`;
      const key = new aws.kms.Key(
        `${name}-key`,
        { description: `MSK ${clusterName}: broker storage and logs`, enableKeyRotation: true, deletionWindowInDays: 30, policy: logsEncryptingKeyPolicy(logGroupName, this), tags },
        { parent: this },
      );
      new aws.kms.Alias(`${name}-key-alias`, { name: `alias/msk/${clusterName}`, targetKeyId: key.keyId }, { parent: this });
      const logGroup = new aws.cloudwatch.LogGroup(`${name}-broker-logs`, { name: logGroupName, retentionInDays: args.logRetentionDays ?? 90, kmsKeyId: key.arn, tags }, { parent: this });

      const brokers = (args.brokersPerAz ?? 1) * args.availabilityZoneCount;
      const configuration = new aws.msk.Configuration(
        `${name}-config`,
        {
          name: `${clusterName}-${kafkaVersion.replace(/\./g, "-")}`,
          kafkaVersions: [kafkaVersion],
          description: `${clusterName}: declared topics only, no unclean leader election`,
          serverProperties: [
            // Topics exist only as declared here (with their retention), never by a producer's typo.
            "auto.create.topics.enable=false",
            `default.replication.factor=${Math.min(3, brokers)}`,
            `min.insync.replicas=${minInsyncReplicas(Math.min(3, brokers))}`,
            // A lagging replica never becomes leader: no silent loss of acknowledged records.
            "unclean.leader.election.enable=false",
          ].join("\n"),
        },
        { parent: this },
      );

      const cluster = new aws.msk.Cluster(
        `${name}-cluster`,
        {
          clusterName,
          kafkaVersion,
          numberOfBrokerNodes: brokers,
          brokerNodeGroupInfo: {
            instanceType: args.brokerInstanceType ?? "kafka.m7g.large",
            clientSubnets: args.subnetIds,
            securityGroups: [securityGroup.id],
            storageInfo: { ebsStorageInfo: { volumeSize: args.volumeSizeGiB ?? 100 } },
            connectivityInfo: { publicAccess: { type: "DISABLED" } },
          },
          configurationInfo: { arn: configuration.arn, revision: configuration.latestRevision },
          encryptionInfo: { encryptionAtRestKmsKeyArn: key.arn, encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
          clientAuthentication: { sasl: { iam: true }, unauthenticated: false },
          loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: logGroup.name } } },
          // Per-topic-per-broker metrics in CloudWatch beside the consumer-lag metrics the lag alerts read.
          enhancedMonitoring: "PER_TOPIC_PER_BROKER",
          tags,
        },
        { parent: this },
      );

      // MSK grows broker volumes toward the ceiling; it cannot shrink them, so scale-in stays off.
      const storage = new aws.appautoscaling.Target(
        `${name}-storage`,
        { serviceNamespace: "kafka", scalableDimension: "kafka:broker-storage:VolumeSize", resourceId: cluster.arn, minCapacity: 1, maxCapacity: args.maxVolumeSizeGiB ?? 1000, tags },
        { parent: this },
      );
      new aws.appautoscaling.Policy(
        `${name}-storage`,
        {
          name: `${clusterName}-broker-storage`,
          policyType: "TargetTrackingScaling",
          serviceNamespace: storage.serviceNamespace,
          scalableDimension: storage.scalableDimension,
          resourceId: storage.resourceId,
          targetTrackingScalingPolicyConfiguration: {
            predefinedMetricSpecification: { predefinedMetricType: "KafkaBrokerStorageUtilization" },
            targetValue: args.storageTargetUtilizationPercent ?? 60,
            disableScaleIn: true,
          },
        },
        { parent: this },
      );

      const topics = args.topics ?? [];
      for (const topic of topics) {
        const rf = topic.replicationFactor ?? 3;
        new aws.msk.Topic(
          `${name}-topic-${topic.name}`,
          {
            clusterArn: cluster.arn,
            name: topic.name,
            partitionCount: topic.partitions,
            replicationFactor: rf,
            configs: JSON.stringify({ "retention.ms": retentionMs(topic.retentionHours), "cleanup.policy": "delete", "min.insync.replicas": String(minInsyncReplicas(rf)) }),
          },
          { parent: this },
        );
      }
      this.bootstrapBrokers = cluster.bootstrapBrokersSaslIam;
      this.arn = cluster.arn;
      this.clusterName = cluster.clusterName;
      this.kmsKeyArn = key.arn;
      this.topicNames = topics.map((t) => t.name);
    }
    this.securityGroupId = securityGroup.id;
    this.registerOutputs({ bootstrapBrokers: this.bootstrapBrokers, arn: this.arn, clusterName: this.clusterName, securityGroupId: this.securityGroupId, kmsKeyArn: this.kmsKeyArn });
  }
}
