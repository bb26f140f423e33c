import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KafkaCluster } from "../components/kafka-cluster";
import { CloudWatchExporter } from "../components/cloudwatch-exporter";
import { ConnectionSecret } from "../components/connection-secret";
import { kafkaAzCount } from "./config/messaging";
import type { ApplicationOutputs } from "./application";
import type { MonitoringContext } from "./monitoring";
import type { StackContext } from "./context";

/** Name of the Secret in the application namespace with KAFKA_BOOTSTRAP_SERVERS, KAFKA_SECURITY_PROTOCOL, KAFKA_SASL_MECHANISM. */
export const KAFKA_CONNECTION_SECRET = "kafka-connection";

/** What the messaging step leaves on `ctx.messaging`. */
export interface MessagingOutputs {
  kafka?: KafkaCluster;
  /** Managed IAM policy an application's IRSA role attaches to produce and consume on the declared topics. */
  clientPolicy?: aws.iam.Policy;
  lagExporter?: CloudWatchExporter;
  connection?: ConnectionSecret;
}

/**
 * The IAM permissions a Kafka client needs with MSK IAM auth: connect and describe the cluster, read and
 * write the topics of this cluster, and manage its own consumer groups. Nothing cluster-altering.
 */
function clientPolicyDocument(clusterArn: pulumi.Output<string>): pulumi.Output<string> {
  return clusterArn.apply((arn) => {
    // arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> -> topic/<name>/<uuid>/* and group/<name>/<uuid>/*
    const [prefix, rest] = arn.split(":cluster/");
    return JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        { Sid: "Cluster", Effect: "Allow", Action: ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"], Resource: arn },
        { Sid: "Topics", Effect: "Allow", Action: ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData", "kafka-cluster:WriteData"], Resource: `${prefix}:topic/${rest}/*` },
        { Sid: "Groups", Effect: "Allow", Action: ["kafka-cluster:AlterGroup", "kafka-cluster:DescribeGroup"], Resource: `${prefix}:group/${rest}/*` },
      ],
    });
  });
}

/**
 * Composes Kafka (`messaging.kafka`): the MSK cluster admitted from the cluster's nodes only, the IAM
 * policy clients attach, the connection Secret in the application namespace, and the CloudWatch
 * exporter that brings MSK's consumer lag to Prometheus for the `messaging` alert family.
 */
export function deployMessaging(ctx: StackContext): Record<string, unknown> {
  const kafkaConfig = ctx.config.messaging?.kafka;
  const out: MessagingOutputs = {};
  ctx.messaging = out;
  if (!kafkaConfig) return {};
  const { network, cluster, prefix, tags } = ctx;
  const azs = kafkaAzCount(ctx.config.network.availabilityZones);

  const kafka = new KafkaCluster("kafka", {
    mode: kafkaConfig.mode,
    clusterName: `${prefix}-kafka`,
    vpcId: network.vpcId,
    subnetIds: network.privateSubnetIds.apply((ids) => ids.slice(0, azs)),
    availabilityZoneCount: azs,
    allowedSecurityGroupIds: [cluster.clusterSecurityGroupId],
    kafkaVersion: kafkaConfig.kafkaVersion,
    ...(kafkaConfig.mode === "provisioned"
      ? {
          brokerInstanceType: kafkaConfig.brokerInstanceType,
          brokersPerAz: kafkaConfig.brokersPerAz,
          volumeSizeGiB: kafkaConfig.volumeSizeGiB,
          maxVolumeSizeGiB: kafkaConfig.maxVolumeSizeGiB,
          storageTargetUtilizationPercent: kafkaConfig.storageTargetUtilizationPercent,
          logRetentionDays: kafkaConfig.logRetentionDays,
          topics: kafkaConfig.topics,
        }
      : {}),
    tags,
  });
  out.kafka = kafka;
  out.clientPolicy = new aws.iam.Policy("kafka-client", { name: `${prefix}-kafka-client`, description: `Produce and consume on ${prefix}-kafka with MSK IAM auth`, policy: clientPolicyDocument(kafka.arn), tags });

  const application = ctx.application as ApplicationOutputs | undefined;
  if (application?.namespaceName) {
    const namespace = application.namespace ? application.namespace.metadata.name : application.namespaceName;
    out.connection = new ConnectionSecret(
      "kafka-connection",
      {
        namespace,
        secretName: KAFKA_CONNECTION_SECRET,
        // No credential here: clients sign with their IRSA role (attach kafkaClientPolicyArn to it).
        data: { KAFKA_BOOTSTRAP_SERVERS: kafka.bootstrapBrokers, KAFKA_SECURITY_PROTOCOL: "SASL_SSL", KAFKA_SASL_MECHANISM: "AWS_MSK_IAM" },
      },
      { providers: [cluster.provider] },
    );
  }

  const monitoring = ctx.monitoring as MonitoringContext | undefined;
  if (kafkaConfig.consumerLagAlerts && monitoring) {
    const lagMetric = (metricName: string) => ({
      awsNamespace: "AWS/Kafka",
      metricName,
      dimensions: ["Cluster Name", "Consumer Group", "Topic"],
      statistics: ["Maximum"],
      dimensionSelect: { "Cluster Name": [kafka.clusterName] },
    });
    out.lagExporter = new CloudWatchExporter(
      "kafka-lag-exporter",
      {
        namespace: monitoring.namespace,
        namespaceName: monitoring.namespace,
        region: ctx.config.region,
        oidcProviderArn: cluster.oidcProviderArn,
        oidcIssuer: cluster.oidcIssuer,
        metrics: [lagMetric("MaxOffsetLag"), lagMetric("EstimatedMaxTimeLag")],
        tags,
      },
      // A Helm release with pods: the provider that waits for nodes and coredns (helm-release-path-to-nodes).
      { providers: [cluster.workloadProvider], dependsOn: monitoring.stackComponent ? [monitoring.stackComponent] : [] },
    );
  }

  return { kafkaBootstrapBrokers: kafka.bootstrapBrokers, kafkaClusterArn: kafka.arn, kafkaClientPolicyArn: out.clientPolicy.arn };
}
