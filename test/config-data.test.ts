import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { planOf, TestPlan } from "./support/plan";
import { deployData, DataOutputs } from "../stacks/data";
import { evaluatePlan } from "../policies/evaluate";
import { parseStackConfig } from "../stacks/config/load";
import type { StackConfig } from "../stacks/config/schema";
import { loadStackFile } from "../preview/stack-files";
import { cacheNodeCount, cacheSchema, weeklyWithin } from "../stacks/config/cache";
import { databaseSchema } from "../stacks/config/database";

const root = path.join(__dirname, "..");
type Stack = "production" | "staging";
type Edit = (data: { database: any; cache: any; raw: Record<string, string> }) => void;

const DATA_KEY = /^\w+: runbook-infra:(database|cache)[.:]/;

/**
 * Parses a stack file after `edit` changed its database/cache blocks. Errors about the data tier are
 * thrown; an error about another area (a key another capability requires, while its block is still
 * being written) only means the data tier itself passed, because the data refinements run first.
 */
function parseData(stack: Stack, edit: Edit = () => {}): StackConfig | undefined {
  const file = loadStackFile("runbook-infra", path.join(root, `Pulumi.${stack}.yaml`));
  const raw = { ...file.config };
  const database = JSON.parse(raw["runbook-infra:database"]);
  const cache = JSON.parse(raw["runbook-infra:cache"]);
  edit({ database, cache, raw });
  if (database !== undefined && raw["runbook-infra:database"] !== undefined) raw["runbook-infra:database"] = JSON.stringify(database);
  if (cache !== undefined && raw["runbook-infra:cache"] !== undefined) raw["runbook-infra:cache"] = JSON.stringify(cache);
  try {
    return parseStackConfig(file.stack, raw, new Set(file.secretKeys));
  } catch (error) {
    const message = (error as Error).message;
    if (DATA_KEY.test(message) || (error as Error).name !== "ConfigError") throw error;
    return undefined;
  }
}

function rejection(stack: Stack, edit: Edit): string {
  try {
    parseData(stack, edit);
  } catch (error) {
    expect((error as Error).name).toBe("ConfigError");
    expect((error as Error).message).not.toContain("\n");
    return (error as Error).message;
  }
  return "(accepted)";
}

describe("data tier config: the stack files", () => {
  it("production runs the runbook's database: db.r5.large, 100 GiB growing to 500, Multi-AZ, 30-day backups, Sunday 02:00-06:00 maintenance", () => {
    // Read through the schemas directly, so the values are checked even while another area's block is incomplete.
    const file = loadStackFile("runbook-infra", path.join(root, "Pulumi.production.yaml"));
    const database = databaseSchema.parse(JSON.parse(file.config["runbook-infra:database"]));
    const cache = cacheSchema.parse(JSON.parse(file.config["runbook-infra:cache"]));
    expect(database).toMatchObject({
      instanceClass: "db.r5.large",
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 500,
      multiAz: true,
      backupRetentionDays: 30,
      // Inside the runbook's Sunday 02:00–06:00 slot, after the 02:00 dump has had its hour.
      maintenanceWindow: "sun:03:00-sun:06:00",
      deletionProtection: true,
      name: "stock_analysis",
      performanceInsights: true,
      replicateBackupsToDr: true,
    });
    expect(cache).toMatchObject({ nodeType: "cache.r5.large", numCacheClusters: 3, multiAz: true, snapshotRetentionDays: 7, maintenanceWindow: "sun:03:00-sun:06:00" });
  });

  it("the production file's data blocks pass every data-tier rule", () => {
    expect(() => parseData("production")).not.toThrow();
  });

  it("staging asks for cheaper settings: small classes, one AZ, 7-day backups, no deletion protection", () => {
    const config = parseData("staging");
    expect(config).toBeDefined();
    expect(config!.database).toMatchObject({ instanceClass: "db.t4g.medium", multiAz: false, backupRetentionDays: 7, deletionProtection: false });
    expect(config!.cache).toMatchObject({ nodeType: "cache.t4g.medium", numCacheClusters: 1, multiAz: false });
    expect(config!.cache!.snapshotRetentionDays).toBeGreaterThan(0);
  });

  it("fills production-grade defaults for keys a stack leaves out", () => {
    const config = parseData("staging", ({ database, cache }) => {
      for (const key of Object.keys(database)) delete database[key];
      for (const key of Object.keys(cache)) delete cache[key];
    });
    expect(config!.database).toMatchObject({
      engineVersion: "16",
      instanceClass: "db.r5.large",
      multiAz: true,
      backupRetentionDays: 30,
      backupWindow: "00:30-01:30",
      maintenanceWindow: "sun:03:00-sun:06:00",
      deletionProtection: true,
      performanceInsights: true,
      monitoringIntervalSeconds: 60,
      slowQueryLogMs: 500,
      applyImmediately: false,
      passwordVersion: 1,
      replicateBackupsToDr: true,
    });
    expect(config!.cache).toMatchObject({ engineVersion: "7.1", nodeType: "cache.r5.large", multiAz: true, maxmemoryPolicy: "volatile-lru", snapshotRetentionDays: 7 });
    expect(cacheNodeCount(config!.cache!)).toBe(3); // numCacheClusters left out: the single-shard default
  });

  it("a stack without database or cache keys has no data tier", () => {
    const config = parseData("staging", ({ raw }) => {
      delete raw["runbook-infra:database"];
      delete raw["runbook-infra:cache"];
    });
    expect(config!.database).toBeUndefined();
    expect(config!.cache).toBeUndefined();
  });
});

// [description, stack, bad edit, expected error, good edit]: every rule has a rejected and an accepted value.
const rules: Array<[string, Stack, Edit, RegExp, Edit]> = [
  [
    "backup retention beyond AWS's 35 days",
    "production",
    ({ database }) => (database.backupRetentionDays = 40),
    /^production: runbook-infra:database.backupRetentionDays: 40 — must be an integer from 0 to 35$/,
    ({ database }) => (database.backupRetentionDays = 35),
  ],
  [
    "negative backup retention",
    "staging",
    ({ database }) => (database.backupRetentionDays = -1),
    /^staging: runbook-infra:database.backupRetentionDays: -1 — must be an integer from 0 to 35$/,
    ({ database }) => (database.backupRetentionDays = 0),
  ],
  [
    "backups turned off in production",
    "production",
    ({ database }) => (database.backupRetentionDays = 0),
    /^production: runbook-infra:database.backupRetentionDays: 0 — must be at least 1 in production/,
    ({ database }) => (database.backupRetentionDays = 1),
  ],
  [
    "a backup window overlapping the Sunday maintenance window",
    "production",
    ({ database }) => (database.backupWindow = "03:00-04:00"),
    /^production: runbook-infra:database.backupWindow: "03:00-04:00" — must not overlap maintenanceWindow \(sun:03:00-sun:06:00\)$/,
    ({ database }) => (database.backupWindow = "06:00-07:00"),
  ],
  [
    "a backup window crossing midnight into the maintenance window",
    "staging",
    ({ database }) => Object.assign(database, { backupWindow: "23:30-00:30", maintenanceWindow: "sun:00:00-sun:06:00" }),
    /^staging: runbook-infra:database.backupWindow: "23:30-00:30" — must not overlap maintenanceWindow \(sun:00:00-sun:06:00\)$/,
    ({ database }) => Object.assign(database, { backupWindow: "22:30-23:30", maintenanceWindow: "sun:00:00-sun:06:00" }),
  ],
  [
    "a backup window shorter than 30 minutes",
    "staging",
    ({ database }) => (database.backupWindow = "00:30-00:50"),
    /^staging: runbook-infra:database.backupWindow: "00:30-00:50" — must be at least 30 minutes long$/,
    ({ database }) => (database.backupWindow = "00:30-01:00"),
  ],
  [
    "a malformed backup window",
    "staging",
    ({ database }) => (database.backupWindow = "1:30-2:30"),
    /^staging: runbook-infra:database.backupWindow: "1:30-2:30" — must be a daily UTC window "hh:mm-hh:mm"/,
    ({ database }) => (database.backupWindow = "01:00-01:30"),
  ],
  [
    "a maintenance window of 25 hours",
    "staging",
    ({ database }) => (database.maintenanceWindow = "sat:02:00-sun:03:00"),
    /^staging: runbook-infra:database.maintenanceWindow: "sat:02:00-sun:03:00" — must be from 30 minutes to 24 hours long$/,
    ({ database }) => Object.assign(database, { maintenanceWindow: "sat:10:00-sun:06:00", backupWindow: "07:00-08:00" }),
  ],
  [
    "an unknown instance class family",
    "production",
    ({ database }) => (database.instanceClass = "db.q9.large"),
    /^production: runbook-infra:database.instanceClass: "db.q9.large" — must be an RDS PostgreSQL instance class "db.<family>.<size>" of a known family/,
    ({ database }) => (database.instanceClass = "db.r5.2xlarge"),
  ],
  [
    "an EC2 instance type where an RDS class belongs",
    "staging",
    ({ database }) => (database.instanceClass = "r5.large"),
    /^staging: runbook-infra:database.instanceClass: "r5.large" — must be an RDS PostgreSQL instance class/,
    ({ database }) => (database.instanceClass = "db.m6g.large"),
  ],
  [
    "Performance Insights on a class that lacks it",
    "staging",
    ({ database }) => Object.assign(database, { instanceClass: "db.t4g.small", performanceInsights: true }),
    /^staging: runbook-infra:database.performanceInsights: true — must be false on db.t4g.small/,
    ({ database }) => Object.assign(database, { instanceClass: "db.t4g.small", performanceInsights: false }),
  ],
  [
    "Multi-AZ off in production without the opt-out",
    "production",
    ({ database }) => (database.multiAz = false),
    /^production: runbook-infra:database.multiAz: false — must be true in production \(or set allowSingleAzInProduction: true/,
    ({ database }) => Object.assign(database, { multiAz: false, allowSingleAzInProduction: true }),
  ],
  [
    "maximum storage below the allocated storage",
    "production",
    ({ database }) => Object.assign(database, { allocatedStorageGiB: 200, maxAllocatedStorageGiB: 100 }),
    /^production: runbook-infra:database.maxAllocatedStorageGiB: 100 — must be at least 110 % of allocatedStorageGiB \(200\), i.e. ≥ 220$/,
    ({ database }) => Object.assign(database, { allocatedStorageGiB: 200, maxAllocatedStorageGiB: 220 }),
  ],
  [
    "allocated storage below RDS's 20 GiB",
    "staging",
    ({ database }) => (database.allocatedStorageGiB = 10),
    /^staging: runbook-infra:database.allocatedStorageGiB: 10 — must be an integer from 20 to 65536$/,
    ({ database }) => (database.allocatedStorageGiB = 20),
  ],
  [
    "deletion protection off in production",
    "production",
    ({ database }) => (database.deletionProtection = false),
    /^production: runbook-infra:database.deletionProtection: false — must be true in production$/,
    ({ database }) => (database.deletionProtection = true),
  ],
  [
    "enhanced monitoring off in production",
    "production",
    ({ database }) => (database.monitoringIntervalSeconds = 0),
    /^production: runbook-infra:database.monitoringIntervalSeconds: 0 — must be 1, 5, 10, 15, 30 or 60 in production/,
    ({ database }) => (database.monitoringIntervalSeconds = 60),
  ],
  [
    "an enhanced monitoring interval RDS does not offer",
    "staging",
    ({ database }) => (database.monitoringIntervalSeconds = 20),
    /^staging: runbook-infra:database.monitoringIntervalSeconds: 20 — must be one of 0, 1, 5, 10, 15, 30, 60$/,
    ({ database }) => (database.monitoringIntervalSeconds = 0),
  ],
  [
    "Performance Insights off in production",
    "production",
    ({ database }) => (database.performanceInsights = false),
    /^production: runbook-infra:database.performanceInsights: false — must be true in production$/,
    ({ database }) => (database.performanceInsights = true),
  ],
  [
    "a Performance Insights retention RDS does not offer",
    "staging",
    ({ database }) => (database.performanceInsightsRetentionDays = 30),
    /^staging: runbook-infra:database.performanceInsightsRetentionDays: 30 — must be 7, a multiple of 31 up to 713, or 731$/,
    ({ database }) => (database.performanceInsightsRetentionDays = 93),
  ],
  [
    "an unsupported PostgreSQL version",
    "staging",
    ({ database }) => (database.engineVersion = "11"),
    /^staging: runbook-infra:database.engineVersion: "11" — must be a PostgreSQL version from 13 to 17/,
    ({ database }) => (database.engineVersion = "15.7"),
  ],
  [
    "a reserved master user name",
    "staging",
    ({ database }) => (database.username = "rdsadmin"),
    /^staging: runbook-infra:database.username: "rdsadmin" — must not be a name RDS or PostgreSQL reserve/,
    ({ database }) => (database.username = "stock_admin"),
  ],
  [
    "a database name that is not an identifier",
    "staging",
    ({ database }) => (database.name = "stock-analysis"),
    /^staging: runbook-infra:database.name: "stock-analysis" — must be a lowercase PostgreSQL name/,
    ({ database }) => (database.name = "stock_analysis"),
  ],
  [
    "slow-query logging turned off",
    "staging",
    ({ database }) => (database.slowQueryLogMs = -1),
    /^staging: runbook-infra:database.slowQueryLogMs: -1 — must be an integer from 0 to 3600000$/,
    ({ database }) => (database.slowQueryLogMs = 0),
  ],
  [
    "backups replicated to the DR region with retention 0",
    "staging",
    ({ database, raw }) => {
      raw["runbook-infra:drRegion"] = "us-west-2";
      Object.assign(database, { backupRetentionDays: 0, replicateBackupsToDr: true });
    },
    /^staging: runbook-infra:database.backupRetentionDays: 0 — must be at least 1 while replicateBackupsToDr is on/,
    ({ database, raw }) => {
      raw["runbook-infra:drRegion"] = "us-west-2";
      Object.assign(database, { backupRetentionDays: 0, replicateBackupsToDr: false });
    },
  ],
  [
    "a typo in a database key",
    "staging",
    ({ database }) => (database.multiAZ = true),
    /^staging: runbook-infra:database.multiAZ: true — unknown key; allowed keys here: engineVersion, instanceClass/,
    ({ database }) => (database.multiAz = true),
  ],
  [
    "an unknown cache node family",
    "production",
    ({ cache }) => (cache.nodeType = "cache.z9.large"),
    /^production: runbook-infra:cache.nodeType: "cache.z9.large" — must be an ElastiCache node type "cache.<family>.<size>" of a known family/,
    ({ cache }) => (cache.nodeType = "cache.r5.xlarge"),
  ],
  [
    "Redis Multi-AZ without a replica",
    "staging",
    ({ cache }) => Object.assign(cache, { multiAz: true, numCacheClusters: 1 }),
    /^staging: runbook-infra:cache.numCacheClusters: 1 — must be at least 2 when multiAz is true/,
    ({ cache }) => Object.assign(cache, { multiAz: true, numCacheClusters: 2 }),
  ],
  [
    "more Redis nodes than AZs",
    "production",
    ({ cache }) => (cache.numCacheClusters = 4),
    /^production: runbook-infra:cache.numCacheClusters: 4 — must not exceed network.availabilityZones \(3\)/,
    ({ cache }) => (cache.numCacheClusters = 3),
  ],
  [
    "Redis Multi-AZ off in production without the opt-out",
    "production",
    ({ cache }) => (cache.multiAz = false),
    /^production: runbook-infra:cache.multiAz: false — must be true in production \(or set allowSingleAzInProduction: true/,
    ({ cache }) => Object.assign(cache, { multiAz: false, allowSingleAzInProduction: true }),
  ],
  [
    "Redis snapshots off in production",
    "production",
    ({ cache }) => (cache.snapshotRetentionDays = 0),
    /^production: runbook-infra:cache.snapshotRetentionDays: 0 — must be at least 1 in production/,
    ({ cache }) => (cache.snapshotRetentionDays = 1),
  ],
  [
    "Redis snapshot retention beyond 35 days",
    "staging",
    ({ cache }) => (cache.snapshotRetentionDays = 36),
    /^staging: runbook-infra:cache.snapshotRetentionDays: 36 — must be an integer from 0 to 35$/,
    ({ cache }) => (cache.snapshotRetentionDays = 0),
  ],
  [
    "a snapshot window overlapping the maintenance window",
    "production",
    ({ cache }) => (cache.snapshotWindow = "05:00-06:00"),
    /^production: runbook-infra:cache.snapshotWindow: "05:00-06:00" — must not overlap maintenanceWindow \(sun:03:00-sun:06:00\)$/,
    ({ cache }) => (cache.snapshotWindow = "06:00-07:00"),
  ],
  [
    "a snapshot window shorter than ElastiCache's 60 minutes",
    "staging",
    ({ cache }) => (cache.snapshotWindow = "00:30-01:00"),
    /^staging: runbook-infra:cache.snapshotWindow: "00:30-01:00" — must be at least 60 minutes long$/,
    ({ cache }) => (cache.snapshotWindow = "00:00-01:00"),
  ],
  [
    "a Redis maintenance window outside the database's",
    "production",
    ({ cache }) => (cache.maintenanceWindow = "sat:02:00-sat:04:00"),
    /^production: runbook-infra:cache.maintenanceWindow: "sat:02:00-sat:04:00" — must lie within database.maintenanceWindow \(sun:03:00-sun:06:00\)/,
    ({ cache }) => (cache.maintenanceWindow = "sun:03:00-sun:05:00"),
  ],
  [
    "an unknown maxmemory policy",
    "staging",
    ({ cache }) => (cache.maxmemoryPolicy = "lru"),
    /^staging: runbook-infra:cache.maxmemoryPolicy: "lru" — must be one of volatile-lru, allkeys-lru/,
    ({ cache }) => (cache.maxmemoryPolicy = "allkeys-lfu"),
  ],
  [
    "an unsupported Redis version",
    "staging",
    ({ cache }) => (cache.engineVersion = "5.0.6"),
    /^staging: runbook-infra:cache.engineVersion: "5.0.6" — must be one of 6.2, 7.0, 7.1$/,
    ({ cache }) => (cache.engineVersion = "6.2"),
  ],
  [
    "a slow-log retention CloudWatch does not offer",
    "staging",
    ({ cache }) => (cache.slowLogRetentionDays = 10),
    /^staging: runbook-infra:cache.slowLogRetentionDays: 10 — must be one of 1, 3, 5, 7, 14/,
    ({ cache }) => (cache.slowLogRetentionDays = 14),
  ],
];

describe("data tier config: each rule rejects a bad value and accepts a good one", () => {
  it.each(rules)("rejects %s", (_, stack, bad, expected) => {
    expect(rejection(stack, bad)).toMatch(expected);
  });

  it.each(rules)("accepts the fix for %s", (_, stack, __, ___, good) => {
    expect(() => parseData(stack, good)).not.toThrow();
  });
});

describe("weeklyWithin", () => {
  it("holds for a window inside another, also across the week's end", () => {
    expect(weeklyWithin("sun:03:00-sun:05:00", "sun:02:00-sun:06:00")).toBe(true);
    expect(weeklyWithin("sun:23:30-mon:00:30", "sun:22:00-mon:02:00")).toBe(true);
    expect(weeklyWithin("sun:01:00-sun:03:00", "sun:02:00-sun:06:00")).toBe(false);
    expect(weeklyWithin("sun:23:30-mon:03:30", "sun:22:00-mon:02:00")).toBe(false);
  });
});

/**
 * The data step with a context like program.ts builds: the stack file's validated data blocks, a
 * network and cluster standing in for the lead's components (only the outputs this step reads), and
 * the application step's namespace.
 */
async function dataStep(stack: Stack, options: { application?: boolean; dr?: boolean } = {}): Promise<{ plan: TestPlan; data: DataOutputs }> {
  const file = loadStackFile("runbook-infra", path.join(root, `Pulumi.${stack}.yaml`));
  const config = {
    environment: stack,
    region: "us-east-1",
    drRegion: options.dr ? "us-west-2" : undefined,
    network: { availabilityZones: 3 },
    database: databaseSchema.parse(JSON.parse(file.config["runbook-infra:database"])),
    cache: cacheSchema.parse(JSON.parse(file.config["runbook-infra:cache"])),
  } as unknown as StackConfig;
  const ctx: Record<string, unknown> = {};
  const plan = await planOf(
    () => {
      const provider = new k8s.Provider("eks", { kubeconfig: "{}" });
      const namespace = new k8s.core.v1.Namespace("application", { metadata: { name: "stock-analysis-system" } }, { provider });
      Object.assign(ctx, {
        stack,
        prefix: `stock-analysis-${stack}`,
        config,
        secrets: {},
        tags: { system: "stock-analysis", project: "runbook-infra", stack },
        network: {
          vpcId: pulumi.output("vpc-0123456789abcdef0"),
          privateSubnetIds: pulumi.output(["subnet-a", "subnet-b", "subnet-c"]),
          availabilityZones: pulumi.output(["us-east-1a", "us-east-1b", "us-east-1c"]),
        },
        cluster: { clusterSecurityGroupId: pulumi.output("sg-cluster-nodes"), provider },
        drProvider: options.dr ? new aws.Provider("dr-region", { region: "us-west-2" }) : undefined,
        application: options.application === false ? undefined : { namespaceName: "stock-analysis-system", namespace },
      });
      return deployData(ctx as any);
    },
    { stack },
  );
  return { plan, data: ctx.data as DataOutputs };
}

const SECRET = "kubernetes:core/v1:Secret";
const valueOf = <T>(output: pulumi.Output<T>) => new Promise<T>((resolve) => output.apply(resolve));

describe("the data step (deployData)", () => {
  let production: { plan: TestPlan; data: DataOutputs };
  beforeAll(async () => {
    production = await dataStep("production", { dr: true });
  });

  it("builds the database and the cache from the stack file and leaves them on ctx.data", () => {
    const { plan, data } = production;
    expect(data.database).toBeDefined();
    expect(data.cache).toBeDefined();
    expect(plan.one("aws:rds/instance:Instance", "database-instance").inputs).toMatchObject({
      identifier: "stock-analysis-production-postgres",
      instanceClass: "db.r5.large",
      allocatedStorage: 100,
      maxAllocatedStorage: 500,
      multiAz: true,
      backupRetentionPeriod: 30,
      maintenanceWindow: "sun:03:00-sun:06:00",
      deletionProtection: true,
      monitoringInterval: 15,
    });
    expect(plan.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs).toMatchObject({
      replicationGroupId: "stock-analysis-production-redis",
      nodeType: "cache.r5.large",
      numCacheClusters: 3,
      preferredCacheClusterAzs: ["us-east-1a", "us-east-1b", "us-east-1c"],
      multiAzEnabled: true,
      snapshotRetentionLimit: 7,
    });
  });

  it("admits only the cluster nodes' security group to PostgreSQL and Redis", () => {
    const rules = production.plan.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    expect(rules.map((r) => [r.inputs.referencedSecurityGroupId, r.inputs.fromPort]).sort()).toEqual([
      ["sg-cluster-nodes", 5432],
      ["sg-cluster-nodes", 6379],
    ]);
  });

  it("replicates database backups to the DR region in production (RPO 1 hour)", () => {
    const replication = production.plan.one("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication");
    expect(replication.inputs.retentionPeriod).toBe(7);
    expect(replication.provider).toContain("pulumi:providers:aws::dr-region::");
  });

  it("publishes postgres-connection and redis-connection Secrets in the application namespace through the cluster's provider", () => {
    const { plan } = production;
    const secrets = plan.ofType(SECRET);
    expect(secrets.map((s) => (s.inputs.metadata as any).name).sort()).toEqual(["postgres-connection", "redis-connection"]);
    const namespace = plan.one("kubernetes:core/v1:Namespace");
    for (const secret of secrets) {
      expect(secret.inputs.metadata).toMatchObject({
        namespace: "stock-analysis-system",
        labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "runbook-infra" },
      });
      expect(secret.inputs.type).toBe("Opaque");
      expect(secret.provider).toContain("pulumi:providers:kubernetes::eks::");
      expect(secret.dependencies).toContain(namespace.urn);
    }
    expect(plan.ofType("kubernetes:core/v1:ConfigMap")).toHaveLength(0);
  });

  it("gives the backup jobs PGHOST, PGPORT, PGDATABASE, PGUSER, PGPASSWORD and PGSSLMODE", async () => {
    const secret = production.data.postgresConnection!;
    expect(secret.keys).toEqual(["PGHOST", "PGHOST_READER", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSSLMODE"]);
    const values = await valueOf(secret.stringData);
    expect(values).toMatchObject({ PGPORT: "5432", PGDATABASE: "stock_analysis", PGUSER: "stock_analysis", PGSSLMODE: "require" });
    expect(values.PGHOST).toMatch(/^stock-analysis-production-postgres\..*\.rds\.amazonaws\.com$/);
    expect(values.PGPASSWORD).toHaveLength(40);
    expect(await pulumi.isSecret(secret.stringData)).toBe(true);
    expect((production.plan.one(SECRET, "postgres").inputs.metadata as any).annotations["runbook.dev/connection-keys"]).toBe("PGHOST,PGHOST_READER,PGPORT,PGDATABASE,PGUSER,PGPASSWORD,PGSSLMODE");
  });

  it("gives Redis clients REDIS_HOST, REDIS_PORT, REDIS_AUTH_TOKEN and REDIS_TLS=true", async () => {
    const secret = production.data.redisConnection!;
    expect(secret.keys).toEqual(["REDIS_HOST", "REDIS_PORT", "REDIS_AUTH_TOKEN", "REDIS_TLS", "REDIS_CLUSTER_MODE"]);
    const values = await valueOf(secret.stringData);
    expect(values).toMatchObject({ REDIS_PORT: "6379", REDIS_TLS: "true" });
    expect(values.REDIS_HOST).toMatch(/^master\.stock-analysis-production-redis\./);
    expect(values.REDIS_AUTH_TOKEN.length).toBeGreaterThanOrEqual(16);
  });

  it("holds no password or token in plaintext in any stack output or Kubernetes object", async () => {
    const { plan, data } = production;
    const password = await valueOf(data.database!.password);
    const token = await valueOf(data.cache!.authToken);
    for (const secret of plan.ofType(SECRET)) expect(secret.inputs.stringData).toBe("[secret]");
    const everything = JSON.stringify({ outputs: plan.outputs, inputs: plan.resources.map((r) => r.inputs) });
    expect(everything).not.toContain(password);
    expect(everything).not.toContain(token);
    expect(Object.keys(plan.outputs).sort()).toEqual([
      "cacheEndpoint",
      "cachePort",
      "cacheReaderEndpoint",
      "cacheSecurityGroupId",
      "databaseEndpoint",
      "databaseName",
      "databasePort",
      "databaseReaderEndpoints",
      "databaseSecretArn",
      "databaseSecurityGroupId",
    ]);
  });

  it("passes every policy-pack rule for RDS, ElastiCache, KMS, logs and Secrets in production", () => {
    const { plan } = production;
    const violations = evaluatePlan({ stack: "production", environment: "production", resources: plan.resources } as any);
    const mine = new Set(plan.resources.filter((r) => /runbook:data:/.test(r.urn)).map((r) => r.urn));
    // Stack-wide rules (a backup bucket and CronJobs next to the database) are the backup step's to meet.
    const perResource = violations.filter((v) => mine.has(v.urn) && !v.policy.startsWith("stack-"));
    expect(perResource.map((v) => `${v.level} ${v.policy}: ${v.message}`)).toEqual([]);
    expect(violations.length).toBeGreaterThan(perResource.length); // the pack did run over this plan
  });

  it("publishes no Secrets when the stack has no application namespace", async () => {
    const { plan, data } = await dataStep("staging", { application: false });
    expect(plan.ofType(SECRET)).toHaveLength(0);
    expect(data.postgresConnection).toBeUndefined();
    expect(data.database).toBeDefined();
  });

  it("runs staging's cheaper settings and replicates nothing without a DR region", async () => {
    const { plan } = await dataStep("staging");
    expect(plan.one("aws:rds/instance:Instance").inputs).toMatchObject({ instanceClass: "db.t4g.medium", multiAz: false, backupRetentionPeriod: 7, deletionProtection: false });
    expect(plan.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs).toMatchObject({ nodeType: "cache.t4g.medium", numCacheClusters: 1, automaticFailoverEnabled: false, multiAzEnabled: false });
    expect(plan.ofType("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication")).toHaveLength(0);
    expect(plan.ofType(SECRET)).toHaveLength(2);
  });
});

describe("the data tier inside the whole program (stacks/program.ts, production stack file)", () => {
  it("builds the database and cache, publishes both connection Secrets in the application namespace, and leaves no password or token in plaintext anywhere", async () => {
    const file = loadStackFile("runbook-infra", path.join(root, "Pulumi.production.yaml"));
    const plan = await planOf(() => require("../stacks/program").main(), { stack: "production", config: file.config, secretKeys: file.secretKeys });
    expect(plan.one("aws:rds/instance:Instance", "database-instance").inputs).toMatchObject({ identifier: "stock-analysis-production-postgres", multiAz: true, password: "[secret]" });
    expect(plan.one("aws:elasticache/replicationGroup:ReplicationGroup").inputs).toMatchObject({ numCacheClusters: 3, authToken: "[secret]" });
    expect(plan.outputs).toMatchObject({ databaseEndpoint: expect.stringContaining(".rds.amazonaws.com"), databaseSecretArn: expect.stringMatching(/^arn:aws:secretsmanager:/) });
    const secrets = plan.ofType(SECRET).filter((r) => ["postgres-connection", "redis-connection"].includes((r.inputs.metadata as any)?.name));
    expect(secrets).toHaveLength(2);
    const appNamespace = (plan.one("kubernetes:core/v1:Namespace", "application").inputs.metadata as any).name;
    for (const secret of secrets) {
      expect((secret.inputs.metadata as any).namespace).toBe(appNamespace);
      expect(secret.inputs.stringData).toBe("[secret]");
    }
    // The offline RandomPassword results all start with "offline-" and a hex digest.
    expect(JSON.stringify({ outputs: plan.outputs, inputs: plan.resources.map((r) => r.inputs) })).not.toMatch(/offline-[0-9a-f]{8}/);
  });
});
