import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planOf, TestPlan } from "./support/plan";
import { PostgresDatabase, PostgresDatabaseArgs } from "../components/postgres-database";

const INSTANCE = "aws:rds/instance:Instance";
const base: PostgresDatabaseArgs = {
  identifier: "runbook-infra-production-postgres",
  vpcId: "vpc-0123456789abcdef0",
  subnetIds: ["subnet-private-a", "subnet-private-b", "subnet-private-c"],
  allowedSecurityGroupIds: ["sg-cluster-nodes"],
  tags: { project: "runbook-infra" },
};

let passwordIsSecret: Promise<boolean> = Promise.resolve(false);

function production(extra: Partial<PostgresDatabaseArgs> = {}): Promise<TestPlan> {
  return planOf(
    () => {
      const db = new PostgresDatabase("database", { ...base, ...extra });
      passwordIsSecret = pulumi.isSecret(db.password);
      return { endpoint: db.endpoint, port: db.port, databaseName: db.databaseName, secretArn: db.secretArn, securityGroupId: db.securityGroupId };
    },
    { stack: "production" },
  );
}

/** The error a constructor throws for `args`, and how many resources it registered before throwing. */
async function rejection(args: Partial<PostgresDatabaseArgs>): Promise<{ message: string; registered: number }> {
  let message = "(accepted)";
  const plan = await planOf(
    () => {
      try {
        new PostgresDatabase("database", { ...base, ...args });
      } catch (error) {
        message = (error as Error).message;
      }
    },
    { stack: "production" },
  );
  return { message, registered: plan.resources.filter((r) => r.type !== "pulumi:pulumi:Stack").length };
}

describe("PostgresDatabase in production (runbook 001 figures)", () => {
  let plan: TestPlan;
  beforeAll(async () => {
    plan = await production({
      instanceClass: "db.r5.large",
      allocatedStorageGiB: 100,
      maxAllocatedStorageGiB: 500,
      databaseName: "stock_analysis",
      username: "stock_analysis",
      monitoringIntervalSeconds: 15,
    });
  });

  it("runs PostgreSQL on db.r5.large with 100 GiB of gp3 that autoscales to the 12-month 500 GiB", () => {
    expect(plan.one(INSTANCE).inputs).toMatchObject({
      identifier: "runbook-infra-production-postgres",
      engine: "postgres",
      engineVersion: "16",
      instanceClass: "db.r5.large",
      allocatedStorage: 100,
      maxAllocatedStorage: 500,
      storageType: "gp3",
      dbName: "stock_analysis",
      username: "stock_analysis",
      port: 5432,
    });
  });

  it("encrypts storage, Performance Insights and logs with its own customer-managed key that rotates", () => {
    const key = plan.one("aws:kms/key:Key");
    expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
    const policy = JSON.parse(key.inputs.policy as string);
    expect(policy.Statement.map((s: any) => s.Principal)).toEqual([{ AWS: "arn:aws:iam::123456789012:root" }, { Service: "logs.us-east-1.amazonaws.com" }]);
    const instance = plan.one(INSTANCE);
    expect(instance.inputs.storageEncrypted).toBe(true);
    expect(instance.inputs.kmsKeyId).toMatch(/^arn:aws:kms:us-east-1:123456789012:key\//);
    expect(instance.inputs.performanceInsightsKmsKeyId).toBe(instance.inputs.kmsKeyId);
    expect(instance.dependencies).toContain(key.urn);
    for (const group of plan.ofType("aws:cloudwatch/logGroup:LogGroup")) expect(group.inputs.kmsKeyId).toBe(instance.inputs.kmsKeyId);
  });

  it("stays in the private subnets and is never publicly accessible", () => {
    expect(plan.one("aws:rds/subnetGroup:SubnetGroup").inputs).toMatchObject({ name: "runbook-infra-production-postgres", subnetIds: base.subnetIds });
    expect(plan.one(INSTANCE).inputs.dbSubnetGroupName).toBe("runbook-infra-production-postgres");
    expect(plan.one(INSTANCE).inputs.publiclyAccessible).toBe(false);
  });

  it("admits 5432 only from the cluster's security group, never from a CIDR", () => {
    const sg = plan.one("aws:ec2/securityGroup:SecurityGroup");
    expect(sg.inputs).toMatchObject({ vpcId: base.vpcId });
    expect(sg.inputs.ingress).toBeUndefined();
    const rules = plan.ofType("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule");
    expect(rules).toHaveLength(1);
    expect(rules[0].inputs).toMatchObject({ referencedSecurityGroupId: "sg-cluster-nodes", ipProtocol: "tcp", fromPort: 5432, toPort: 5432 });
    expect(rules[0].inputs.cidrIpv4).toBeUndefined();
    expect(rules[0].dependencies).toContain(sg.urn);
    expect(plan.one(INSTANCE).dependencies).toContain(sg.urn);
  });

  it("forces TLS and preloads pg_stat_statements with slow-query logging for the runbooks' tuning queries", () => {
    const group = plan.one("aws:rds/parameterGroup:ParameterGroup");
    expect(group.inputs.family).toBe("postgres16");
    expect(group.inputs.parameters).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: "rds.force_ssl", value: "1" }),
        expect.objectContaining({ name: "shared_preload_libraries", value: "pg_stat_statements", applyMethod: "pending-reboot" }),
        expect.objectContaining({ name: "log_min_duration_statement", value: "500" }),
      ]),
    );
    expect(plan.one(INSTANCE).dependencies).toContain(group.urn);
    // Never an engine default.* group (which would not force TLS).
    expect(plan.one(INSTANCE).inputs.parameterGroupName).toBe("runbook-infra-production-postgres-postgres16");
    expect(group.inputs.name).toBe("runbook-infra-production-postgres-postgres16");
  });

  it("keeps backups 30 days in a window outside the Sunday 02:00-06:00 maintenance window", () => {
    expect(plan.one(INSTANCE).inputs).toMatchObject({
      backupRetentionPeriod: 30,
      backupWindow: "00:30-01:30",
      maintenanceWindow: "sun:03:00-sun:06:00",
      copyTagsToSnapshot: true,
      deleteAutomatedBackups: false,
    });
  });

  it("refuses deletion and takes a final snapshot if it is ever deleted", () => {
    expect(plan.one(INSTANCE).inputs).toMatchObject({ deletionProtection: true, skipFinalSnapshot: false, finalSnapshotIdentifier: "runbook-infra-production-postgres-final" });
  });

  it("runs Multi-AZ by default", () => {
    expect(plan.one(INSTANCE).inputs.multiAz).toBe(true);
  });

  it("exports postgresql and upgrade logs into log groups made first, with retention", () => {
    const instance = plan.one(INSTANCE);
    expect(instance.inputs.enabledCloudwatchLogsExports).toEqual(["postgresql", "upgrade"]);
    const groups = plan.ofType("aws:cloudwatch/logGroup:LogGroup");
    expect(groups.map((g) => g.inputs.name).sort()).toEqual([
      "/aws/rds/instance/runbook-infra-production-postgres/postgresql",
      "/aws/rds/instance/runbook-infra-production-postgres/upgrade",
    ]);
    for (const group of groups) {
      expect(group.inputs.retentionInDays).toBe(90);
      expect(instance.dependencies).toContain(group.urn);
    }
  });

  it("turns on Performance Insights, enhanced monitoring, IAM authentication and automatic minor upgrades", () => {
    const instance = plan.one(INSTANCE);
    expect(instance.inputs).toMatchObject({
      performanceInsightsEnabled: true,
      performanceInsightsRetentionPeriod: 7,
      monitoringInterval: 15,
      iamDatabaseAuthenticationEnabled: true,
      autoMinorVersionUpgrade: true,
      allowMajorVersionUpgrade: false,
    });
    const role = plan.one("aws:iam/role:Role");
    expect(JSON.parse(role.inputs.assumeRolePolicy as string).Statement[0].Principal).toEqual({ Service: "monitoring.rds.amazonaws.com" });
    expect(instance.inputs.monitoringRoleArn).toMatch(/^arn:aws:iam::123456789012:role\//);
    expect(plan.one("aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn).toBe("arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole");
  });

  it("generates a 40-character master password that reaches RDS and Secrets Manager only as a secret", () => {
    expect(plan.one("random:index/randomPassword:RandomPassword").inputs).toMatchObject({ length: 40, special: false });
    expect(plan.one(INSTANCE).inputs.password).toBe("[secret]");
    expect(plan.one(INSTANCE).inputs.manageMasterUserPassword).toBeUndefined();
    const secret = plan.one("aws:secretsmanager/secret:Secret");
    expect(secret.inputs).toMatchObject({ name: "rds/runbook-infra-production-postgres/master" });
    expect(secret.inputs.kmsKeyId).toBe(plan.one(INSTANCE).inputs.kmsKeyId);
    expect(plan.one("aws:secretsmanager/secretVersion:SecretVersion").inputs.secretString).toBe("[secret]");
  });

  it("outputs endpoint, port, database name, secret ARN and security group id, and the password only as a secret", async () => {
    expect(plan.outputs).toMatchObject({
      endpoint: expect.stringMatching(/^runbook-infra-production-postgres\..*\.rds\.amazonaws\.com$/),
      port: 5432,
      databaseName: "stock_analysis",
      secretArn: expect.stringMatching(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:rds\/runbook-infra-production-postgres\/master/),
      securityGroupId: expect.stringMatching(/^sg-/),
    });
    expect(await passwordIsSecret).toBe(true);
  });

  it("holds no plaintext password in any resource input", () => {
    // The offline RandomPassword result starts with "offline-"; only masked copies may appear.
    expect(JSON.stringify(plan.resources.map((r) => r.inputs))).not.toMatch(/offline-[0-9a-f]/);
  });

  it("puts every child under the component", () => {
    const component = plan.one("runbook:data:PostgresDatabase");
    for (const child of plan.resources.filter((r) => r.custom && !r.type.startsWith("pulumi:providers:"))) expect(child.parent).toBe(component.urn);
  });

  it("does not replicate backups when no DR provider is given", () => {
    expect(plan.ofType("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication")).toHaveLength(0);
  });
});

describe("PostgresDatabase changes", () => {
  it("wait for the maintenance window by default, and apply at once for the runbooks' urgent resize to db.r5.2xlarge", async () => {
    expect((await production()).one(INSTANCE).inputs.applyImmediately).toBe(false);
    const resized = (await production({ instanceClass: "db.r5.2xlarge", applyImmediately: true })).one(INSTANCE);
    expect(resized.inputs).toMatchObject({ instanceClass: "db.r5.2xlarge", applyImmediately: true });
  });

  it("rotate the master password when passwordVersion is bumped", async () => {
    expect((await production()).one("random:index/randomPassword:RandomPassword").inputs.keepers).toEqual({ version: "1" });
    expect((await production({ passwordVersion: 2 })).one("random:index/randomPassword:RandomPassword").inputs.keepers).toEqual({ version: "2" });
  });
});

describe("PostgresDatabase with a DR region (RPO 1 hour)", () => {
  it("replicates automated backups into the DR region, encrypted with a key made there", async () => {
    const plan = await planOf(
      () => {
        const drProvider = new aws.Provider("dr-region", { region: "us-west-2" });
        new PostgresDatabase("database", { ...base, drProvider, drBackupRetentionDays: 14 });
      },
      { stack: "production" },
    );
    const provider = plan.one("pulumi:providers:aws", "dr-region");
    const replication = plan.one("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication");
    expect(replication.inputs).toMatchObject({ retentionPeriod: 14, sourceDbInstanceArn: expect.stringMatching(/^arn:aws:rds:us-east-1:.*:db:runbook-infra-production-postgres$/) });
    expect(replication.provider).toMatch(new RegExp(`^${provider.urn.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}::`));
    const drKey = plan.one("aws:kms/key:Key", "dr-key");
    expect(drKey.provider).toBe(replication.provider);
    expect(drKey.inputs.enableKeyRotation).toBe(true);
    expect(replication.dependencies).toContain(drKey.urn);
    expect(replication.parent).toBe(plan.one("runbook:data:PostgresDatabase").urn);
  });
});

describe("PostgresDatabase with staging's cheaper settings", () => {
  it("runs single-AZ with 7-day backups, no deletion protection and no enhanced-monitoring role when monitoring is off", async () => {
    const plan = await production({
      instanceClass: "db.t4g.medium",
      allocatedStorageGiB: 20,
      maxAllocatedStorageGiB: 100,
      multiAz: false,
      backupRetentionDays: 7,
      deletionProtection: false,
      monitoringIntervalSeconds: 0,
    });
    expect(plan.one(INSTANCE).inputs).toMatchObject({
      instanceClass: "db.t4g.medium",
      allocatedStorage: 20,
      maxAllocatedStorage: 100,
      multiAz: false,
      backupRetentionPeriod: 7,
      deletionProtection: false,
      monitoringInterval: 0,
      // Even a throwaway database keeps a final snapshot.
      skipFinalSnapshot: false,
    });
    expect(plan.one(INSTANCE).inputs.monitoringRoleArn).toBeUndefined();
    expect(plan.ofType("aws:iam/role:Role")).toHaveLength(0);
  });
});

describe("PostgresDatabase validates every argument before creating anything", () => {
  // [what, bad args, expected error, good args]
  const cases: Array<[string, Partial<PostgresDatabaseArgs>, RegExp, Partial<PostgresDatabaseArgs>]> = [
    ["backup retention beyond 35 days", { backupRetentionDays: 40 }, /^production: PostgresDatabase.backupRetentionDays: 40 — must be an integer from 0 to 35/, { backupRetentionDays: 35 }],
    ["fractional backup retention", { backupRetentionDays: 7.5 }, /^production: PostgresDatabase.backupRetentionDays: 7.5 — /, { backupRetentionDays: 7 }],
    ["a backup window inside the maintenance window", { backupWindow: "02:30-03:30" }, /^production: PostgresDatabase.backupWindow: "02:30-03:30" — must not overlap maintenanceWindow \(sun:03:00-sun:06:00\)$/, { backupWindow: "01:00-02:00" }],
    ["a backup window shorter than 30 minutes", { backupWindow: "00:30-00:45" }, /^production: PostgresDatabase.backupWindow: "00:30-00:45" — must be a daily UTC window "hh:mm-hh:mm" of at least 30 minutes$/, { backupWindow: "00:30-01:00" }],
    ["a malformed maintenance window", { maintenanceWindow: "sunday 02:00-06:00" }, /^production: PostgresDatabase.maintenanceWindow: "sunday 02:00-06:00" — must be a weekly UTC window/, { maintenanceWindow: "sat:02:00-sat:06:00" }],
    ["an unknown instance class family", { instanceClass: "db.q9.large" }, /^production: PostgresDatabase.instanceClass: "db.q9.large" — must be an RDS PostgreSQL instance class/, { instanceClass: "db.r6g.xlarge" }],
    ["an instance class without a size", { instanceClass: "db.r5" }, /^production: PostgresDatabase.instanceClass: "db.r5" — /, { instanceClass: "db.r5.2xlarge" }],
    ["maximum storage below allocated storage", { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 80 }, /^production: PostgresDatabase.maxAllocatedStorageGiB: 80 — must be an integer from 110 % of allocatedStorageGiB \(110\) to 65536$/, { allocatedStorageGiB: 100, maxAllocatedStorageGiB: 110 }],
    ["allocated storage below 20 GiB", { allocatedStorageGiB: 5 }, /^production: PostgresDatabase.allocatedStorageGiB: 5 — must be an integer from 20 to 65536$/, { allocatedStorageGiB: 20 }],
    ["no allowed security group", { allowedSecurityGroupIds: [] }, /^production: PostgresDatabase.allowedSecurityGroupIds: \[\] — must list at least one security group/, { allowedSecurityGroupIds: ["sg-a", "sg-b"] }],
    ["an identifier RDS refuses", { identifier: "Prod--DB" }, /^production: PostgresDatabase.identifier: "Prod--DB" — must be 1–63 lowercase letters/, { identifier: "prod-db" }],
    ["a PostgreSQL version RDS no longer runs", { engineVersion: "12" }, /^production: PostgresDatabase.engineVersion: "12" — must be a PostgreSQL version from 13 to 17/, { engineVersion: "17" }],
    ["a reserved master user", { username: "postgres" }, /^production: PostgresDatabase.username: "postgres" — must be a PostgreSQL identifier .* not reserved/, { username: "stock_analysis" }],
    ["a database name with a hyphen", { databaseName: "stock-analysis" }, /^production: PostgresDatabase.databaseName: "stock-analysis" — must be a lowercase PostgreSQL name/, { databaseName: "stock_analysis" }],
    ["an enhanced monitoring interval RDS does not offer", { monitoringIntervalSeconds: 45 }, /^production: PostgresDatabase.monitoringIntervalSeconds: 45 — must be one of 0, 1, 5, 10, 15, 30, 60$/, { monitoringIntervalSeconds: 30 }],
    ["Performance Insights on a micro class", { instanceClass: "db.t3.micro" }, /^production: PostgresDatabase.performanceInsights: true — must be false on db.t3.micro/, { instanceClass: "db.t3.micro", performanceInsights: false }],
    ["a Performance Insights retention RDS does not offer", { performanceInsightsRetentionDays: 14 }, /^production: PostgresDatabase.performanceInsightsRetentionDays: 14 — must be 7, a multiple of 31 up to 713, or 731$/, { performanceInsightsRetentionDays: 731 }],
    ["slow-query logging off", { slowQueryLogMs: -1 }, /^production: PostgresDatabase.slowQueryLogMs: -1 — must be an integer from 0 to 3600000/, { slowQueryLogMs: 250 }],
    ["a log retention CloudWatch does not offer", { logRetentionDays: 45 }, /^production: PostgresDatabase.logRetentionDays: 45 — must be one of 1, 3, 5/, { logRetentionDays: 60 }],
    ["a DR retention beyond 35 days", { drBackupRetentionDays: 0 }, /^production: PostgresDatabase.drBackupRetentionDays: 0 — must be an integer from 1 to 35$/, { drBackupRetentionDays: 35 }],
    ["a password version of zero", { passwordVersion: 0 }, /^production: PostgresDatabase.passwordVersion: 0 — must be a positive integer$/, { passwordVersion: 2 }],
  ];

  it.each(cases)("rejects %s", async (_, bad, expected) => {
    const { message, registered } = await rejection(bad);
    expect(message).toMatch(expected);
    expect(registered).toBe(0);
  });

  it.each(cases)("accepts the fix for %s", async (_, __, ___, good) => {
    expect((await rejection(good)).message).toBe("(accepted)");
  });

  it("rejects DR backup replication of a database with automated backups off, and accepts it with backups on", async () => {
    const withDr = async (backupRetentionDays: number) => {
      let message = "(accepted)";
      await planOf(
        () => {
          const drProvider = new aws.Provider("dr-region", { region: "us-west-2" });
          try {
            new PostgresDatabase("database", { ...base, backupRetentionDays, drProvider });
          } catch (error) {
            message = (error as Error).message;
          }
        },
        { stack: "production" },
      );
      return message;
    };
    expect(await withDr(0)).toMatch(/^production: PostgresDatabase.backupRetentionDays: 0 — must be at least 1 when drProvider is set/);
    expect(await withDr(1)).toBe("(accepted)");
  });
});
