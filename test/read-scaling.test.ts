/**
 * Runbook 001 1.17 "Database scaling": read replicas of the PostgreSQL primary (in-region and, with the
 * same component, across regions) and ElastiCache cluster mode, with their config rules and policy.
 */
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { planOf, TestPlan } from "./support/plan";
import { PostgresDatabase } from "../components/postgres-database";
import { PostgresReadReplica, PostgresReadReplicaArgs } from "../components/postgres-read-replica";
import { RedisCache, RedisCacheArgs } from "../components/redis-cache";
import { postgresParameters } from "../core/postgres-parameters";
import { deployData, DataOutputs } from "../stacks/data";
import { parseStackConfig } from "../stacks/config/load";
import { cacheNodeCount } from "../stacks/config/cache";
import { loadStackFile } from "../preview/stack-files";
import { evaluatePlan } from "../policies/evaluate";

const INSTANCE = "aws:rds/instance:Instance";
const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const root = path.join(__dirname, "..");
const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

const replicaBase: PostgresReadReplicaArgs = {
  identifier: "runbook-infra-production-postgres-replica-1",
  sourceDbInstanceArn: "arn:aws:rds:us-east-1:123456789012:db:runbook-infra-production-postgres",
  kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/source-key",
  parameterGroupName: "runbook-infra-production-postgres-postgres16",
  subnetGroupName: "runbook-infra-production-postgres",
  securityGroupIds: ["sg-database"],
};

async function thrown(build: () => void, stack = "production"): Promise<{ message: string; registered: number }> {
  let message = "(accepted)";
  const plan = await planOf(() => {
    try {
      build();
    } catch (error) {
      message = (error as Error).message;
    }
  }, { stack });
  return { message, registered: plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").length };
}

describe("PostgresReadReplica", () => {
  it("replicates the source by ARN with the source's key, parameter group, subnets and security group", async () => {
    const plan = await planOf(() => new PostgresReadReplica("replica", { ...replicaBase, instanceClass: "db.r5.large" }), { stack: "production" });
    const inputs = plan.one(INSTANCE).inputs;
    expect(inputs).toMatchObject({
      identifier: "runbook-infra-production-postgres-replica-1",
      replicateSourceDb: replicaBase.sourceDbInstanceArn,
      instanceClass: "db.r5.large",
      storageEncrypted: true,
      kmsKeyId: replicaBase.kmsKeyArn,
      parameterGroupName: replicaBase.parameterGroupName,
      dbSubnetGroupName: replicaBase.subnetGroupName,
      vpcSecurityGroupIds: ["sg-database"],
      publiclyAccessible: false,
      multiAz: false,
      backupRetentionPeriod: 0,
      skipFinalSnapshot: true,
      deletionProtection: true,
      performanceInsightsKmsKeyId: replicaBase.kmsKeyArn,
    });
    // A replica inherits data, engine and credentials: naming them would make RDS refuse the request.
    for (const key of ["password", "username", "dbName", "engine", "allocatedStorage", "finalSnapshotIdentifier"]) expect(inputs[key]).toBeUndefined();
    expect(plan.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => [g.inputs.name, g.inputs.retentionInDays])).toEqual([
      ["/aws/rds/instance/runbook-infra-production-postgres-replica-1/postgresql", 90],
      ["/aws/rds/instance/runbook-infra-production-postgres-replica-1/upgrade", 90],
    ]);
  });

  it("builds a cross-region replica through the DR region's provider, with a key and parameter group of that region", async () => {
    const plan = await planOf(() => {
      const dr = new aws.Provider("dr-region", { region: "us-west-2" });
      const key = new aws.kms.Key("dr-key", { enableKeyRotation: true }, { provider: dr });
      const params = new aws.rds.ParameterGroup("dr-params", { family: "postgres16", parameters: postgresParameters(500) }, { provider: dr });
      new PostgresReadReplica("dr-replica", { ...replicaBase, identifier: "runbook-infra-production-postgres-dr", kmsKeyArn: key.arn, parameterGroupName: params.name, backupRetentionDays: 7 }, { provider: dr });
    }, { stack: "production" });
    const replica = plan.one(INSTANCE);
    expect(replica.provider).toContain("pulumi:providers:aws::dr-region::");
    expect(replica.inputs.kmsKeyId).toMatch(/^arn:aws:kms:us-west-2:/);
    expect(replica.inputs.backupRetentionPeriod).toBe(7);
    const params = plan.one("aws:rds/parameterGroup:ParameterGroup").inputs.parameters as Array<{ name: string; value: string }>;
    expect(params).toContainEqual({ name: "rds.force_ssl", value: "1" });
  });

  it.each([
    ["an identifier RDS refuses", { identifier: "Replica_1" }, /^production: PostgresReadReplica.identifier: "Replica_1" — must be 1–63 lowercase/],
    ["enhanced monitoring without a role", { monitoringIntervalSeconds: 15 }, /^production: PostgresReadReplica.monitoringRoleArn: \(missing\) — must be set when monitoringIntervalSeconds > 0/],
    ["no security group", { securityGroupIds: [] }, /^production: PostgresReadReplica.securityGroupIds: \[\] — must list at least one/],
    ["an unknown class", { instanceClass: "db.z9.large" }, /^production: PostgresReadReplica.instanceClass: "db.z9.large" — must be an RDS PostgreSQL instance class/],
  ])("rejects %s before registering anything", async (_what, args, message) => {
    const result = await thrown(() => new PostgresReadReplica("replica", { ...replicaBase, ...(args as Partial<PostgresReadReplicaArgs>) }));
    expect(result.message).toMatch(message);
    expect(result.registered).toBe(0);
  });

  it("accepts enhanced monitoring with the source's role", async () => {
    const result = await thrown(() => new PostgresReadReplica("replica", { ...replicaBase, monitoringIntervalSeconds: 15, monitoringRoleArn: "arn:aws:iam::123456789012:role/m" }));
    expect(result.message).toBe("(accepted)");
  });

  it("shares the primary's parameter list, so a replica can never run without forced TLS", async () => {
    const plan = await planOf(
      () => new PostgresDatabase("database", { identifier: "db", vpcId: "vpc-1", subnetIds: ["a", "b"], allowedSecurityGroupIds: ["sg-1"], slowQueryLogMs: 250 }),
      { stack: "production" },
    );
    expect(plan.one("aws:rds/parameterGroup:ParameterGroup").inputs.parameters).toEqual(postgresParameters(250));
  });
});

const redisBase: RedisCacheArgs = {
  replicationGroupId: "runbook-infra-production-redis",
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-private-a", "subnet-private-b", "subnet-private-c"],
  allowedSecurityGroupIds: ["sg-cluster-nodes"],
  availabilityZones: ["us-east-1a", "us-east-1b", "us-east-1c"],
};

describe("RedisCache in cluster mode", () => {
  let plan: TestPlan;
  let endpoint: Promise<string>;
  beforeAll(async () => {
    plan = await planOf(() => {
      const cache = new RedisCache("cache", { ...redisBase, clusterMode: { shards: 3, replicasPerShard: 1 } });
      endpoint = valueOf(cache.primaryEndpoint);
      expect(cache.clusterModeEnabled).toBe(true);
    }, { stack: "production" });
  });

  it("runs the runbook's 6-node cluster as 3 shards of a primary and a replica, with failover", () => {
    const inputs = plan.one(GROUP).inputs;
    expect(inputs).toMatchObject({ numNodeGroups: 3, replicasPerNodeGroup: 1, automaticFailoverEnabled: true, multiAzEnabled: true, transitEncryptionEnabled: true, atRestEncryptionEnabled: true });
    expect(inputs.numCacheClusters).toBeUndefined();
    expect(inputs.preferredCacheClusterAzs).toBeUndefined();
  });

  it("uses a parameter group with cluster-enabled=yes", () => {
    const group = plan.one("aws:elasticache/parameterGroup:ParameterGroup").inputs;
    expect(group.name).toBe("runbook-infra-production-redis-redis7-cluster");
    expect(group.parameters).toContainEqual({ name: "cluster-enabled", value: "yes" });
  });

  it("hands clients the configuration endpoint (a cluster has no primary endpoint)", async () => {
    expect(await endpoint).toMatch(/^clustercfg\.runbook-infra-production-redis\./);
  });

  it.each([
    ["numCacheClusters beside clusterMode", { numCacheClusters: 3, clusterMode: { shards: 2, replicasPerShard: 1 } }, /RedisCache.numCacheClusters: 3 — must not be set with clusterMode/],
    ["Multi-AZ shards without replicas", { clusterMode: { shards: 2, replicasPerShard: 0 } }, /RedisCache.clusterMode.replicasPerShard: 0 — must be at least 1 when multiAz is true/],
    ["more than 500 nodes", { clusterMode: { shards: 100, replicasPerShard: 5 } }, /RedisCache.clusterMode.shards: 100 — must keep shards × \(1 \+ replicasPerShard\) at most 500/],
  ])("rejects %s before registering anything", async (_what, args, message) => {
    const result = await thrown(() => new RedisCache("cache", { ...redisBase, ...(args as Partial<RedisCacheArgs>) }));
    expect(result.message).toMatch(message);
    expect(result.registered).toBe(0);
  });

  it("accepts shards without replicas when Multi-AZ is off", async () => {
    expect((await thrown(() => new RedisCache("cache", { ...redisBase, multiAz: false, clusterMode: { shards: 2, replicasPerShard: 0 } }))).message).toBe("(accepted)");
  });
});

type Edit = (blocks: { database: any; cache: any }) => void;

function parse(stack: "production" | "staging", edit: Edit): string {
  const file = loadStackFile("runbook-infra", path.join(root, `Pulumi.${stack}.yaml`));
  const raw = { ...file.config };
  const database = JSON.parse(raw["runbook-infra:database"]);
  const cache = JSON.parse(raw["runbook-infra:cache"]);
  edit({ database, cache });
  raw["runbook-infra:database"] = JSON.stringify(database);
  raw["runbook-infra:cache"] = JSON.stringify(cache);
  try {
    parseStackConfig(file.stack, raw, new Set(file.secretKeys));
    return "(accepted)";
  } catch (error) {
    expect((error as Error).name).toBe("ConfigError");
    return (error as Error).message;
  }
}

describe("read scaling config", () => {
  it.each<[string, "production" | "staging", Edit, RegExp, Edit]>([
    [
      "more read replicas than RDS allows",
      "production",
      ({ database }) => (database.readReplicas = { count: 16 }),
      /^production: runbook-infra:database.readReplicas.count: 16 — must be an integer from 1 to 15$/,
      ({ database }) => (database.readReplicas = { count: 15 }),
    ],
    [
      "read replicas of a database without automated backups",
      "staging",
      ({ database }) => Object.assign(database, { backupRetentionDays: 0, readReplicas: { count: 1 } }),
      /^staging: runbook-infra:database.backupRetentionDays: 0 — must be at least 1 when readReplicas is set/,
      ({ database }) => Object.assign(database, { backupRetentionDays: 1, readReplicas: { count: 1 } }),
    ],
    [
      "a replica class without Performance Insights while it is on",
      "production",
      ({ database }) => (database.readReplicas = { count: 1, instanceClass: "db.t3.micro" }),
      /^production: runbook-infra:database.readReplicas.instanceClass: "db.t3.micro" — must offer Performance Insights/,
      ({ database }) => (database.readReplicas = { count: 1, instanceClass: "db.t3.medium" }),
    ],
    [
      "cluster mode on Celery's broker",
      "production",
      ({ cache }) => Object.assign(cache, { numCacheClusters: undefined, clusterMode: { shards: 3, replicasPerShard: 1 } }),
      /^production: runbook-infra:cache.clusterMode: \{"shards":3,"replicasPerShard":1\} — must not be set while celeryBroker is true/,
      ({ cache }) => Object.assign(cache, { numCacheClusters: undefined, celeryBroker: false, clusterMode: { shards: 3, replicasPerShard: 1 } }),
    ],
    [
      "numCacheClusters beside clusterMode",
      "production",
      ({ cache }) => Object.assign(cache, { celeryBroker: false, numCacheClusters: 3, clusterMode: { shards: 3 } }),
      /^production: runbook-infra:cache.numCacheClusters: 3 — must not be set with clusterMode/,
      ({ cache }) => Object.assign(cache, { celeryBroker: false, numCacheClusters: undefined, clusterMode: { shards: 3 } }),
    ],
    [
      "Multi-AZ cluster shards without a replica",
      "production",
      ({ cache }) => Object.assign(cache, { celeryBroker: false, numCacheClusters: undefined, clusterMode: { shards: 3, replicasPerShard: 0 } }),
      /^production: runbook-infra:cache.clusterMode.replicasPerShard: 0 — must be at least 1 when multiAz is true/,
      ({ cache }) => Object.assign(cache, { celeryBroker: false, numCacheClusters: undefined, clusterMode: { shards: 3, replicasPerShard: 2 } }),
    ],
  ])("rejects %s with one line, and accepts the fixed value", (_what, stack, bad, message, good) => {
    expect(parse(stack, bad)).toMatch(message);
    expect(parse(stack, good)).toBe("(accepted)");
  });

  it("counts cluster nodes as shards × (1 + replicas) and single-shard nodes as numCacheClusters (3 when unset)", () => {
    expect(cacheNodeCount({ clusterMode: { shards: 3, replicasPerShard: 1 } })).toBe(6);
    expect(cacheNodeCount({ numCacheClusters: 2 })).toBe(2);
    expect(cacheNodeCount({})).toBe(3);
  });
});

describe("the data step with read replicas (production stack file)", () => {
  let plan: TestPlan;
  let data: DataOutputs;
  beforeAll(async () => {
    const file = loadStackFile("runbook-infra", path.join(root, "Pulumi.production.yaml"));
    const config = parseStackConfig(file.stack, file.config, new Set(file.secretKeys));
    const ctx: Record<string, unknown> = {};
    plan = await planOf(() => {
      const provider = new k8s.Provider("eks", { kubeconfig: "{}" });
      const namespace = new k8s.core.v1.Namespace("application", { metadata: { name: "stock-analysis-system" } }, { provider });
      Object.assign(ctx, {
        stack: "production",
        prefix: "runbook-infra-production",
        config,
        secrets: {},
        tags: { project: "runbook-infra" },
        network: { vpcId: pulumi.output("vpc-1"), privateSubnetIds: pulumi.output(["a", "b", "c"]), availabilityZones: pulumi.output(["us-east-1a", "us-east-1b", "us-east-1c"]) },
        cluster: { clusterSecurityGroupId: pulumi.output("sg-cluster-nodes"), provider },
        application: { namespaceName: "stock-analysis-system", namespace },
      });
      return deployData(ctx as any);
    }, { stack: "production" });
    data = ctx.data as DataOutputs;
  });

  it("runs the runbook's 3 PostgreSQL instances: the primary and 2 replicas with its key, parameter group and security group", () => {
    const instances = plan.ofType(INSTANCE);
    const primary = instances.find((i) => !i.inputs.replicateSourceDb)!;
    const replicas = instances.filter((i) => i.inputs.replicateSourceDb);
    expect(replicas.map((r) => r.inputs.identifier)).toEqual(["runbook-infra-production-postgres-replica-1", "runbook-infra-production-postgres-replica-2"]);
    for (const replica of replicas) {
      expect(replica.inputs).toMatchObject({
        replicateSourceDb: "arn:aws:rds:us-east-1:123456789012:db:runbook-infra-production-postgres",
        instanceClass: "db.r5.large",
        storageEncrypted: true,
        kmsKeyId: primary.inputs.kmsKeyId,
        parameterGroupName: primary.inputs.parameterGroupName,
        vpcSecurityGroupIds: primary.inputs.vpcSecurityGroupIds,
        dbSubnetGroupName: primary.inputs.dbSubnetGroupName,
        monitoringInterval: 15,
        monitoringRoleArn: primary.inputs.monitoringRoleArn,
      });
    }
  });

  it("puts the replicas' hosts in the connection Secret as PGHOST_READER (libpq multi-host)", async () => {
    const values = await valueOf(data.postgresConnection!.stringData);
    const hosts = values.PGHOST_READER.split(",");
    expect(hosts).toHaveLength(2);
    expect(hosts[0]).toMatch(/^runbook-infra-production-postgres-replica-1\..*\.rds\.amazonaws\.com$/);
    expect(values.PGHOST).not.toContain("replica");
  });

  it("tells Redis clients cluster mode is off for Celery's broker", async () => {
    expect((await valueOf(data.redisConnection!.stringData)).REDIS_CLUSTER_MODE).toBe("false");
  });

  it("passes the policy pack's RDS rules, replicas included", () => {
    const violations = evaluatePlan({ stack: "production", environment: "production", resources: plan.resources } as any);
    expect(violations.filter((v) => v.policy.startsWith("rds-")).map((v) => `${v.policy}: ${v.message}`)).toEqual([]);
  });
});
