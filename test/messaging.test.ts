/**
 * Runbook 003 3.3 "Messaging (Kafka)": the MSK component in both modes, its config rules, the lag
 * exporter, and the Data Aggregator example that uses them.
 */
import * as path from "node:path";
import { planOf, TestPlan } from "./support/plan";
import { KafkaCluster, KafkaClusterArgs } from "../components/kafka-cluster";
import { CloudWatchExporter } from "../components/cloudwatch-exporter";
import { parseStackConfig } from "../stacks/config/load";
import { loadStackFile } from "../preview/stack-files";
import { evaluatePlan } from "../policies/evaluate";

const root = path.join(__dirname, "..");
const CLUSTER = "aws:msk/cluster:Cluster";
const base: KafkaClusterArgs = {
  clusterName: "dataaggregator-production-kafka",
  vpcId: "vpc-1",
  subnetIds: ["subnet-a", "subnet-b", "subnet-c"],
  availabilityZoneCount: 3,
  allowedSecurityGroupIds: ["sg-cluster-nodes"],
  tags: { environment: "production" },
};

async function rejection(args: Partial<KafkaClusterArgs>): Promise<{ message: string; registered: number }> {
  let message = "(accepted)";
  const plan = await planOf(() => {
    try {
      new KafkaCluster("kafka", { ...base, ...args });
    } catch (error) {
      message = (error as Error).message;
    }
  }, { stack: "production" });
  return { message, registered: plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").length };
}

describe("KafkaCluster, provisioned", () => {
  let plan: TestPlan;
  beforeAll(async () => {
    plan = await planOf(
      () => new KafkaCluster("kafka", { ...base, topics: [{ name: "ingest.raw-events", partitions: 12, retentionHours: 168 }, { name: "audit", partitions: 3, replicationFactor: 3, retentionHours: -1 }] }),
      { stack: "production" },
    );
  });

  it("runs 3 brokers over 3 AZs with TLS between clients and brokers and inside the cluster, IAM auth only, no public access", () => {
    const inputs = (plan.one(CLUSTER).inputs as any);
    expect(inputs).toMatchObject({
      clusterName: "dataaggregator-production-kafka",
      kafkaVersion: "3.8.x",
      numberOfBrokerNodes: 3,
      brokerNodeGroupInfo: { instanceType: "kafka.m7g.large", clientSubnets: ["subnet-a", "subnet-b", "subnet-c"], storageInfo: { ebsStorageInfo: { volumeSize: 100 } }, connectivityInfo: { publicAccess: { type: "DISABLED" } } },
      encryptionInfo: { encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
      clientAuthentication: { sasl: { iam: true }, unauthenticated: false },
    });
  });

  it("encrypts broker storage and broker logs with the cluster's own rotating key", () => {
    const key = plan.one("aws:kms/key:Key");
    expect(key.inputs.enableKeyRotation).toBe(true);
    const cluster = (plan.one(CLUSTER).inputs as any);
    expect(cluster.encryptionInfo.encryptionAtRestKmsKeyArn).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
    const logs = (plan.one("aws:cloudwatch/logGroup:LogGroup").inputs as any);
    expect(logs).toMatchObject({ name: "/aws/msk/dataaggregator-production-kafka/broker", retentionInDays: 90, kmsKeyId: cluster.encryptionInfo.encryptionAtRestKmsKeyArn });
    expect(cluster.loggingInfo).toEqual({ brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: "/aws/msk/dataaggregator-production-kafka/broker" } } });
  });

  it("grows broker storage toward 1000 GiB at 60 % utilisation and never shrinks it", () => {
    expect(plan.one("aws:appautoscaling/target:Target").inputs).toMatchObject({ serviceNamespace: "kafka", scalableDimension: "kafka:broker-storage:VolumeSize", maxCapacity: 1000, resourceId: expect.stringMatching(/^arn:aws:kafka:/) });
    expect(plan.one("aws:appautoscaling/policy:Policy").inputs.targetTrackingScalingPolicyConfiguration).toEqual({
      predefinedMetricSpecification: { predefinedMetricType: "KafkaBrokerStorageUtilization" },
      targetValue: 60,
      disableScaleIn: true,
    });
  });

  it("refuses auto-created topics and unclean leader elections in the broker configuration", () => {
    const props = String((plan.one("aws:msk/configuration:Configuration").inputs as any).serverProperties).split("\n");
    expect(props).toEqual(expect.arrayContaining(["auto.create.topics.enable=false", "unclean.leader.election.enable=false", "min.insync.replicas=2", "default.replication.factor=3"]));
  });

  it("declares topics through the MSK topic API with their retention", () => {
    const topics = plan.ofType("aws:msk/topic:Topic").map((t) => ({ name: (t.inputs as any).name, partitions: (t.inputs as any).partitionCount, rf: (t.inputs as any).replicationFactor, configs: JSON.parse((t.inputs as any).configs) }));
    expect(topics).toEqual([
      { name: "ingest.raw-events", partitions: 12, rf: 3, configs: { "retention.ms": "604800000", "cleanup.policy": "delete", "min.insync.replicas": "2" } },
      { name: "audit", partitions: 3, rf: 3, configs: { "retention.ms": "-1", "cleanup.policy": "delete", "min.insync.replicas": "2" } },
    ]);
  });

  it("admits only the cluster nodes' security group, on the IAM port 9098", () => {
    const rule = (plan.one("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").inputs as any);
    expect(rule).toMatchObject({ referencedSecurityGroupId: "sg-cluster-nodes", fromPort: 9098, toPort: 9098 });
    expect(rule.cidrIpv4).toBeUndefined();
  });

  it("passes the MSK policies", () => {
    const violations = evaluatePlan({ stack: "production", environment: "production", resources: plan.resources } as any).filter((v) => v.policy.startsWith("msk-"));
    expect(violations).toEqual([]);
  });
});

describe("KafkaCluster, serverless", () => {
  it("runs MSK Serverless with IAM auth in the private subnets and no topics", async () => {
    const plan = await planOf(() => new KafkaCluster("kafka", { ...base, mode: "serverless" }), { stack: "staging" });
    expect(plan.one("aws:msk/serverlessCluster:ServerlessCluster").inputs).toMatchObject({
      clusterName: "dataaggregator-production-kafka",
      clientAuthentication: { sasl: { iam: { enabled: true } } },
      vpcConfigs: [{ subnetIds: ["subnet-a", "subnet-b", "subnet-c"] }],
    });
    expect(plan.ofType(CLUSTER)).toHaveLength(0);
    expect(plan.ofType("aws:msk/topic:Topic")).toHaveLength(0);
  });
});

describe("KafkaCluster argument checks", () => {
  it.each([
    ["a Kafka version MSK no longer supports", { kafkaVersion: "3.5.1" }, /^production: KafkaCluster.kafkaVersion: "3.5.1" — must be one of 3.6.0, 3.7.x, 3.8.x, 3.9.x, 4.0.x/],
    ["topics on MSK Serverless", { mode: "serverless" as const, topics: [{ name: "a", partitions: 1, retentionHours: 1 }] }, /KafkaCluster.topics: \["a"\] — must be empty in serverless mode/],
    ["a replication factor above the broker count", { topics: [{ name: "a", partitions: 1, replicationFactor: 4, retentionHours: 1 }] }, /KafkaCluster.topics\[a\].replicationFactor: 4 — must be an integer from 1 to the broker count \(3\)/],
    ["a topic name Kafka refuses", { topics: [{ name: "raw events", partitions: 1, retentionHours: 1 }] }, /KafkaCluster.topics\[\].name: "raw events" — must be 1–249 letters/],
    ["a storage ceiling below the volume", { volumeSizeGiB: 500, maxVolumeSizeGiB: 400 }, /KafkaCluster.maxVolumeSizeGiB: 400 — must be an integer above volumeSizeGiB \(500\)/],
    ["an unknown broker type", { brokerInstanceType: "kafka.r5.large" }, /KafkaCluster.brokerInstanceType: "kafka.r5.large" — must be an MSK broker type/],
  ])("rejects %s before registering anything", async (_what, args, message) => {
    const result = await rejection(args as Partial<KafkaClusterArgs>);
    expect(result.message).toMatch(message);
    expect(result.registered).toBe(0);
  });

  it("accepts a replication factor equal to the broker count", async () => {
    expect((await rejection({ topics: [{ name: "a", partitions: 1, replicationFactor: 3, retentionHours: 1 }] })).message).toBe("(accepted)");
  });
});

describe("CloudWatchExporter (consumer lag into Prometheus)", () => {
  it("reads CloudWatch with a read-only IRSA role pinned to its service account and runs under Pod Security restricted", async () => {
    const plan = await planOf(
      () =>
        new CloudWatchExporter("lag", {
          namespace: "monitoring",
          namespaceName: "monitoring",
          region: "us-east-1",
          oidcProviderArn: "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-east-1.amazonaws.com/id/ABC",
          oidcIssuer: "oidc.eks.us-east-1.amazonaws.com/id/ABC",
          metrics: [{ awsNamespace: "AWS/Kafka", metricName: "MaxOffsetLag", dimensions: ["Cluster Name", "Consumer Group", "Topic"], statistics: ["Maximum"], dimensionSelect: { "Cluster Name": ["k"] } }],
        }),
      { stack: "production" },
    );
    const policy = JSON.parse((plan.one("aws:iam/rolePolicy:RolePolicy").inputs as any).policy);
    expect(policy.Statement.flatMap((s: any) => s.Action).sort()).toEqual(["cloudwatch:GetMetricData", "cloudwatch:GetMetricStatistics", "cloudwatch:ListMetrics"]);
    const trust = JSON.parse((plan.one("aws:iam/role:Role").inputs as any).assumeRolePolicy);
    expect(trust.Statement[0].Condition.StringEquals["oidc.eks.us-east-1.amazonaws.com/id/ABC:sub"]).toBe("system:serviceaccount:monitoring:cloudwatch-exporter");
    const release = (plan.one("kubernetes:helm.sh/v3:Release").inputs as any);
    expect(release).toMatchObject({ chart: "prometheus-cloudwatch-exporter", version: "0.26.0" });
    expect(release.values.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(release.values.containerSecurityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
    expect(release.values.resources.limits).toBeDefined();
    expect(release.values.serviceMonitor.enabled).toBe(true);
    expect(JSON.parse(release.values.config).metrics[0]).toMatchObject({ aws_namespace: "AWS/Kafka", aws_metric_name: "MaxOffsetLag", aws_dimension_select: { "Cluster Name": ["k"] } });
  });
});

type Edit = (blocks: { kafka: any; monitoring: any; network: any }) => void;

function parse(file: string, edit: Edit): string {
  const loaded = loadStackFile("runbook-infra", path.join(root, file));
  const raw = { ...loaded.config };
  const messaging = JSON.parse(raw["runbook-infra:messaging"]);
  const monitoring = JSON.parse(raw["runbook-infra:monitoring"]);
  const network = JSON.parse(raw["runbook-infra:network"] ?? "{}");
  edit({ kafka: messaging.kafka, monitoring, network });
  raw["runbook-infra:messaging"] = JSON.stringify(messaging);
  raw["runbook-infra:monitoring"] = JSON.stringify(monitoring);
  raw["runbook-infra:network"] = JSON.stringify(network);
  try {
    parseStackConfig(loaded.stack, raw, new Set(loaded.secretKeys));
    return "(accepted)";
  } catch (error) {
    expect((error as Error).name).toBe("ConfigError");
    return (error as Error).message;
  }
}

const PROD = "examples/data-aggregator/Pulumi.production.yaml";
const STAGING = "examples/data-aggregator/Pulumi.staging.yaml";

describe("messaging config", () => {
  it.each<[string, string, Edit, RegExp, Edit]>([
    ["topics on MSK Serverless", STAGING, ({ kafka }) => (kafka.topics = [{ name: "a", partitions: 1, retentionHours: 24 }]), /^staging: runbook-infra:messaging.kafka.topics: \["a"\] — must be empty in serverless mode/, ({ kafka }) => (kafka.topics = [])],
    ["a replication factor above the brokers", PROD, ({ kafka }) => (kafka.topics[0].replicationFactor = 4), /^production: runbook-infra:messaging.kafka.topics\[0\].replicationFactor: 4 — must not exceed the broker count \(3/, ({ kafka }) => (kafka.topics[0].replicationFactor = 3)],
    ["replication factor 2 in production", PROD, ({ kafka }) => (kafka.topics[1].replicationFactor = 2), /^production: runbook-infra:messaging.kafka.topics\[1\].replicationFactor: 2 — must be at least 3 in production/, ({ kafka }) => (kafka.topics[1].replicationFactor = 3)],
    ["a duplicate topic", PROD, ({ kafka }) => (kafka.topics[2].name = kafka.topics[0].name), /^production: runbook-infra:messaging.kafka.topics\[2\].name: "ingest.raw-events" — must be unique/, () => {}],
    ["lag alerts without the messaging family", PROD, ({ monitoring }) => (monitoring.families = monitoring.families.filter((f: string) => f !== "messaging")), /^production: runbook-infra:monitoring.families: \[.* — must include messaging while messaging.kafka.consumerLagAlerts is true/, ({ monitoring, kafka }) => {
      monitoring.families = monitoring.families.filter((f: string) => f !== "messaging");
      kafka.consumerLagAlerts = false;
    }],
    ["a storage ceiling at the volume size", PROD, ({ kafka }) => Object.assign(kafka, { volumeSizeGiB: 1000, maxVolumeSizeGiB: 1000 }), /^production: runbook-infra:messaging.kafka.maxVolumeSizeGiB: 1000 — must be above volumeSizeGiB \(1000\)/, ({ kafka }) => Object.assign(kafka, { volumeSizeGiB: 1000, maxVolumeSizeGiB: 2000 })],
    ["an MSK version past its end of support", PROD, ({ kafka }) => (kafka.kafkaVersion = "3.5.1"), /^production: runbook-infra:messaging.kafka.kafkaVersion: "3.5.1" — must be one of 3.6.0/, ({ kafka }) => (kafka.kafkaVersion = "3.9.x")],
    ["a typo in a Kafka key", PROD, ({ kafka }) => (kafka.brokersPerAZ = 2), /^production: runbook-infra:messaging.kafka.brokersPerAZ: 2 — unknown key/, ({ kafka }) => (kafka.brokersPerAz = 2)],
  ])("rejects %s with one line, and accepts the fixed value", (_what, file, bad, message, good) => {
    expect(parse(file, bad)).toMatch(message);
    expect(parse(file, good)).toBe("(accepted)");
  });
});

describe("examples/data-aggregator uses Kafka (runbook 003 3.3)", () => {
  let plan: TestPlan;
  beforeAll(async () => {
    const file = loadStackFile("runbook-infra", path.join(root, PROD));
    plan = await planOf(() => require("../stacks/program").main(), { stack: file.stack, config: file.config, secretKeys: file.secretKeys });
  });

  it("plans MSK with the example's three topics and their retention", () => {
    expect(plan.one(CLUSTER).inputs).toMatchObject({ numberOfBrokerNodes: 3, kafkaVersion: "3.8.x" });
    const retention = Object.fromEntries(plan.ofType("aws:msk/topic:Topic").map((t) => [(t.inputs as any).name, JSON.parse((t.inputs as any).configs)["retention.ms"]]));
    expect(retention).toEqual({ "ingest.raw-events": String(168 * 3_600_000), "pipeline.processed-events": String(72 * 3_600_000), "pipeline.dead-letter": String(720 * 3_600_000) });
  });

  it("publishes the bootstrap brokers to the application namespace without a credential, and a client IAM policy scoped to this cluster", () => {
    const secret = plan.ofType("kubernetes:core/v1:Secret").find((s) => (s.inputs.metadata as any).name === "kafka-connection")!;
    expect((secret.inputs.metadata as any).namespace).toBe("dataaggregator");
    expect((secret.inputs.metadata as any).annotations["runbook.dev/connection-keys"]).toBe("KAFKA_BOOTSTRAP_SERVERS,KAFKA_SECURITY_PROTOCOL,KAFKA_SASL_MECHANISM");
    const policy = JSON.parse((plan.one("aws:iam/policy:Policy", "kafka-client").inputs as any).policy);
    expect(policy.Statement.map((s: any) => s.Resource)).toEqual([
      expect.stringMatching(/^arn:aws:kafka:us-east-1:123456789012:cluster\/data-aggregator-production-kafka\//),
      expect.stringMatching(/^arn:aws:kafka:us-east-1:123456789012:topic\/data-aggregator-production-kafka\/.+\/\*$/),
      expect.stringMatching(/^arn:aws:kafka:us-east-1:123456789012:group\/data-aggregator-production-kafka\/.+\/\*$/),
    ]);
    expect(plan.outputs.kafkaBootstrapBrokers).toMatch(/:9098/);
  });

  it("installs the consumer-lag alerts, routed by severity like every other alert, and the exporter that feeds them", () => {
    const alerts = plan.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) => ((r.inputs as any).spec.groups as any[]).flatMap((g) => g.rules)).filter((r: any) => /^KafkaConsumer/.test(r.alert ?? ""));
    expect(alerts.map((a: any) => [a.alert, a.labels.severity])).toEqual([
      ["KafkaConsumerLagHigh", "warning"],
      ["KafkaConsumerTimeLagHigh", "critical"],
    ]);
    expect(alerts[0].expr).toContain("aws_kafka_max_offset_lag_maximum");
    expect(plan.one("kubernetes:helm.sh/v3:Release", "kafka-lag-exporter").inputs.namespace).toBe("monitoring");
  });

  it("has no mandatory policy violation", () => {
    const mandatory = evaluatePlan({ stack: "production", environment: "production", resources: plan.resources } as any).filter((v) => v.level === "mandatory");
    expect(mandatory.map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
  });

  it("shards the Redis cache: 2 shards × (primary + replica)", () => {
    expect(plan.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs).toMatchObject({ numNodeGroups: 2, replicasPerNodeGroup: 1, automaticFailoverEnabled: true });
  });
});
