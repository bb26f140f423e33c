import * as path from "node:path";
import { parseStackConfig } from "../stacks/config/load";
import type { StackConfig } from "../stacks/config/schema";
import { loadStackFile } from "../preview/stack-files";
import { backupsSchema } from "../stacks/config/backups";
import { main } from "../stacks/program";
import { RecoveryObjectives } from "../components/recovery-objectives";
import { planOf, TestPlan } from "./support/plan";
import { maxDumpIntervalMinutes, postgresDumpSchedules, recoveryReport, renderRecoveryReport, RecoveryReport } from "../model/recovery-report";

const root = path.join(__dirname, "..");
function stackConfig(name: "production" | "staging"): StackConfig {
  const stack = loadStackFile("runbook-infra", path.join(root, `Pulumi.${name}.yaml`));
  return parseStackConfig(stack.stack, stack.config, new Set(stack.secretKeys));
}
const row = (report: RecoveryReport, scenario: string) => {
  const found = report.rows.find((r) => r.scenario.startsWith(scenario));
  if (!found) throw new Error(`no row ${scenario}: ${report.rows.map((r) => r.scenario).join(", ")}`);
  return found;
};
/** Production, edited the way another system's stack file would differ. */
function production(edit: (config: any) => void = () => {}): StackConfig {
  const config = structuredClone(stackConfig("production")) as any;
  edit(config);
  return config;
}
/** Only a daily dump at 02:00 UTC (runbook 001's script), no PITR and nothing copied out of the region. */
const dailyDumpsOnly = () =>
  production((c) => {
    c.database.backupRetentionDays = 0;
    c.database.replicateBackupsToDr = false;
    c.backups = backupsSchema.parse({ replicateToDrRegion: false, postgres: { daily: { schedule: "0 2 * * *" } } });
    delete c.drRegion;
    delete c.dr.stack; // no standby site either
  });

describe("recovery report: production (runbook 001, RTO 4 h, RPO 1 h)", () => {
  const report = recoveryReport(stackConfig("production"));

  it("meets RTO 4 h and RPO 1 h in every scenario", () => {
    expect(report.targets).toEqual({ rtoMinutes: 240, rpoMinutes: 60 });
    expect(report.meetsTargets).toBe(true);
    expect(report.rows.map((r) => r.scenario)).toEqual(["database instance failure", "database data loss (corruption, bad migration)", "primary region loss"]);
    for (const r of report.rows) expect(r).toMatchObject({ compared: true, meetsRpo: true, meetsRto: true });
  });

  it("fails a database instance over to the Multi-AZ standby in at most 2 minutes without data loss", () => {
    expect(row(report, "database instance failure")).toMatchObject({ rpo: { minutes: 0 }, rto: { minutes: 2 } });
  });

  it("restores lost data by PITR to within 5 minutes, at the documented 50 GiB/h over 100 GiB plus 20 min", () => {
    const r = row(report, "database data loss");
    expect(r.rpo.minutes).toBe(5);
    expect(r.rto.minutes).toBeCloseTo(20 + (100 / 50) * 60);
    expect(r.rto.basis).toMatch(/100 GiB at 50 GiB\/h/);
  });

  it("survives the loss of us-east-1 by promoting the replica in production-dr: each term with its source", () => {
    const r = row(report, "primary region loss");
    expect(report.replicationToDr).toBe(true);
    expect(r.rpo).toMatchObject({ minutes: 5, terms: [{ name: "replica lag", minutes: 5, source: expect.stringMatching(/cross-region read replica in production-dr.*dr\.standby\.replicaLagMinutes/) }] });
    // DNS fails over by itself; on-call applies dr.active; promotion (15) and scale-out (10) run in one `pulumi up`.
    expect(r.rto.terms!.map((t) => [t.name, t.minutes])).toEqual([["detection", (30 * 3 + 60) / 60], ["activation", 30], ["promotion", 15]]);
    expect(r.rto.terms![0].source).toMatch(/30 s × 3 failed checks \(dr\.healthCheck\), then TTL 60 s/);
    expect(r.rto.terms![2].source).toMatch(/scale-out 10 min runs alongside/);
    expect(r.rto.minutes).toBeCloseTo(2.5 + 30 + 15);
  });

  it("states what standing by buys against a restore from the replicated backups", () => {
    expect(report.standby).toEqual([
      "the DR site is stack production-dr (dr.standby.database: replica); its footprint is in its own report",
      "standing by buys: RPO 5 min instead of 20 min and RTO 47.5 min instead of 2 h 53 min with a restore from the replicated backups",
    ]);
  });

  it("computes the restore path from its parts when the DR site keeps no replica", () => {
    const r = row(recoveryReport(production((c) => (c.dr.standby.database = "restore"))), "primary region loss");
    expect(r.rpo.terms!.map((t) => [t.name, t.minutes])).toEqual([["PITR", 5], ["backup replication lag", 15]]);
    expect(r.rto.minutes).toBeCloseTo(2.5 + 30 + 20 + 120);
    // At the 12-month size the capacity plan projects (500 GiB), a restore misses the 4 h RTO; the replica does not.
    const big = (database: string) => recoveryReport(production((c) => Object.assign(c.dr, { databaseSizeGiB: 500, standby: { ...c.dr.standby, database } })));
    expect(big("restore").meetsTargets).toBe(false);
    expect(row(big("replica"), "primary region loss").meetsRto).toBe(true);
  });

  it("cannot recover a region loss from a DR site that holds no data (dr.standby.database: none)", () => {
    const report = recoveryReport(production((c) => (c.dr.standby.database = "none")));
    expect(row(report, "primary region loss")).toMatchObject({ rpo: { minutes: null }, rto: { minutes: null }, meetsRpo: false });
    expect(report.meetsTargets).toBe(false);
  });

  it("renders a table with the targets, each scenario and the result", () => {
    const text = renderRecoveryReport(report);
    expect(text).toMatch(/^Recovery objectives \(targets: RPO 1 h, RTO 4 h\)/);
    expect(text).toMatch(/primary region loss\s+5 min\s+47\.5 min\s+meets targets/);
    expect(text).toMatch(/RTO 47\.5 min =\n\s+detection\s+2\.5 min\s+Route53/);
    expect(text).toMatch(/replication into the DR region: on/);
    expect(text).toMatch(/result: meets targets$/);
  });
});

describe("recovery report: a stack that only keeps daily dumps", () => {
  const report = recoveryReport(dailyDumpsOnly());

  it("misses the 1 h RPO: a daily dump can lose 24 hours", () => {
    expect(report.meetsTargets).toBe(false);
    const r = row(report, "database data loss");
    expect(r.rpo.minutes).toBe(1440);
    expect(r.meetsRpo).toBe(false);
    expect(r.rpo.basis).toMatch(/no PITR/);
  });

  it("has nothing to recover from when the region is lost", () => {
    const r = row(report, "primary region loss");
    expect(r).toMatchObject({ rpo: { minutes: null }, rto: { minutes: null }, meetsRpo: false, meetsRto: false });
    expect(r.rpo.basis).toMatch(/no copy outside the primary region/);
  });

  it("prints MISSES and fails the result line", () => {
    const text = renderRecoveryReport(report);
    expect(text).toMatch(/database data loss.*24 h.*MISSES RPO/);
    expect(text).toMatch(/primary region loss\s+none\s+none\s+MISSES RPO and RTO/);
    expect(text).toMatch(/result: MISSES TARGETS$/);
  });

  it("is a valid stack config that the report fails: staging with PITR off, daily dumps only and a 1 h RPO", () => {
    const stack = loadStackFile("runbook-infra", path.join(root, "Pulumi.staging.yaml"));
    const edit = (key: string, change: (value: any) => void) => {
      const value = JSON.parse(stack.config[`runbook-infra:${key}`]);
      change(value);
      stack.config[`runbook-infra:${key}`] = JSON.stringify(value);
    };
    edit("database", (d) => (d.backupRetentionDays = 0));
    edit("backups", (b) => delete b.postgres.hourly);
    edit("dr", (d) => Object.assign(d, { rpoMinutes: 60, rtoMinutes: 240 }));
    const config = parseStackConfig(stack.stack, stack.config, new Set(stack.secretKeys));
    const report = recoveryReport(config);
    expect(row(report, "database data loss")).toMatchObject({ rpo: { minutes: 1440 }, meetsRpo: false });
    expect(report.meetsTargets).toBe(false);
  });

  it("meets runbook 003's 24 h RPO with the same dumps when they are replicated to the DR region", () => {
    const config = production((c) => {
      delete c.dr.stack; // the dumps are the only copy in the DR region
      c.dr.rpoMinutes = 1440;
      c.database.backupRetentionDays = 0;
      c.database.replicateBackupsToDr = false;
      c.backups = backupsSchema.parse({ postgres: { daily: { schedule: "0 2 * * *" } } });
    });
    config.dr!.rpoMinutes = 1440 - 15; // the replication lag counts too: 24 h exactly is one lag short
    expect(recoveryReport(config).meetsTargets).toBe(false);
    config.dr!.rpoMinutes = 1440 + 15;
    const report = recoveryReport(config);
    expect(row(report, "primary region loss").rpo).toMatchObject({ minutes: 1455, basis: expect.stringMatching(/dumps replicated to the DR bucket/) });
    expect(report.meetsTargets).toBe(true);
  });
});

describe("recovery report: each fact moves the figures", () => {
  it("restores a single-AZ database instead of failing over", () => {
    const r = row(recoveryReport(production((c) => (c.database.multiAz = false))), "database instance failure");
    expect(r.rpo.minutes).toBe(5);
    expect(r.rto.minutes).toBeCloseTo(140);
  });

  it("misses the 4 h RTO for a 1 TiB database at 50 GiB/h, and meets it at 500 GiB/h", () => {
    const slow = recoveryReport(production((c) => (c.dr.databaseSizeGiB = 1024)));
    expect(slow.meetsTargets).toBe(false);
    expect(row(slow, "database data loss").meetsRto).toBe(false);
    const fast = recoveryReport(production((c) => Object.assign(c.dr, { databaseSizeGiB: 1024, restoreThroughputGiBPerHour: 500 })));
    expect(fast.meetsTargets).toBe(true);
  });

  it("detects faster with 10-second checks and one failure, and uses the CNAME TTL for CNAME targets", () => {
    const config = production((c) => {
      Object.assign(c.dr.healthCheck, { intervalSeconds: 10, failureThreshold: 1 });
      Object.assign(c.dr.records, { ttlSeconds: 300, primary: { cname: "primary.stockanalysis.com" }, secondary: { cname: "dr.stockanalysis.com" } });
    });
    const r = row(recoveryReport(config), "primary region loss");
    expect(r.rto.minutes).toBeCloseTo((10 * 1 + 300) / 60 + 30 + 15);
    expect(r.rto.basis).toMatch(/10 s × 1 failed checks \(dr\.healthCheck\), then TTL 300 s/);
  });

  it("shows but does not compare the region-loss row when DR is disabled (staging)", () => {
    const report = recoveryReport(stackConfig("staging"));
    expect(report.replicationToDr).toBe(false);
    expect(row(report, "primary region loss")).toMatchObject({ compared: false, rpo: { minutes: null } });
    expect(report.meetsTargets).toBe(true);
    expect(renderRecoveryReport(report)).toMatch(/primary region loss.*not compared \(DR disabled\)/);
  });

  it("has no targets to miss without a dr section", () => {
    const report = recoveryReport(production((c) => delete c.dr));
    expect(report.targets).toBeUndefined();
    expect(report.meetsTargets).toBe(true);
    expect(renderRecoveryReport(report)).toMatch(/no targets declared/);
  });
});

describe("dump schedules", () => {
  it("measures the longest gap between runs over the union of schedules", () => {
    expect(maxDumpIntervalMinutes([])).toBeUndefined();
    expect(maxDumpIntervalMinutes(["0 2 * * *"])).toBe(1440);
    // Runbook 001: hourly in business hours (Mon–Fri) leaves Friday 17:00 → Monday 09:00.
    expect(maxDumpIntervalMinutes(["0 9-17 * * 1-5"])).toBe(64 * 60);
    // With the daily 02:00 dump the weekend still has one dump a day.
    expect(maxDumpIntervalMinutes(["0 9-17 * * 1-5", "0 2 * * *"])).toBe(1440);
    expect(maxDumpIntervalMinutes(["0 3 * * 0"])).toBe(7 * 1440);
    expect(maxDumpIntervalMinutes(["0 3 1 * *"])).toBe(31 * 1440);
    expect(maxDumpIntervalMinutes(["*/5 * * * *", "0 2 * * *"])).toBe(5);
  });

  it("takes the daily and hourly PostgreSQL schedules from the backups section, not the Kubernetes config backup", () => {
    const config = production((c) => (c.backups = backupsSchema.parse({ postgres: { daily: { schedule: "0 2 * * *" }, hourly: { schedule: "0 9-17 * * 1-5" } }, kubernetesConfig: { schedule: "0 3 * * *" } })));
    expect(postgresDumpSchedules(config)).toEqual(["0 2 * * *", "0 9-17 * * 1-5"]);
    expect(postgresDumpSchedules(production((c) => delete c.database))).toEqual([]);
  });
});

describe("RecoveryObjectives (the figures in the plan, for the policy pack)", () => {
  const scenarios = [
    { scenario: "database data loss", rpoMinutes: 5, rtoMinutes: 140.04, basis: "PITR" },
    { scenario: "primary region loss", rpoMinutes: null, rtoMinutes: null, compared: false },
  ];

  it("registers the targets and the computed figures as its inputs", async () => {
    const plan = await planOf(() => {
      new RecoveryObjectives("objectives", { targets: { rtoMinutes: 240, rpoMinutes: 60 }, scenarios, replicationToDr: false });
    });
    const inputs = plan.one("runbook:dr:RecoveryObjectives").inputs as any;
    expect(inputs.targets).toEqual({ rtoMinutes: 240, rpoMinutes: 60 });
    expect(inputs.computed.meetsTargets).toBe(true);
    // rounded up, never down: a recovery is not reported faster than computed
    expect(inputs.computed.scenarios[0]).toMatchObject({ scenario: "database data loss", rpoMinutes: 5, rtoMinutes: 140.1, meetsRpo: true, meetsRto: true, compared: true });
    expect(inputs.computed.scenarios[1]).toMatchObject({ rpoMinutes: null, meetsRpo: false, compared: false });
    expect(inputs.replicationToDr).toBe(false);
  });

  it("does not meet the targets when a compared scenario misses one", async () => {
    await planOf(() => {
      const objectives = new RecoveryObjectives("objectives", { targets: { rtoMinutes: 120, rpoMinutes: 60 }, scenarios });
      expect(objectives.meetsTargets).toBe(false);
      expect(objectives.scenarios[0]).toMatchObject({ meetsRpo: true, meetsRto: false });
    });
  });

  const bad: Array<[string, any, RegExp]> = [
    ["an RTO of 0", { targets: { rtoMinutes: 0, rpoMinutes: 60 }, scenarios }, /RecoveryObjectives\.targets\.rtoMinutes: 0 — must be a whole number of minutes ≥ 1/],
    ["a fractional RPO target", { targets: { rtoMinutes: 240, rpoMinutes: 0.5 }, scenarios }, /RecoveryObjectives\.targets\.rpoMinutes: 0\.5 — must be a whole number/],
    ["no scenarios", { targets: { rtoMinutes: 240, rpoMinutes: 60 }, scenarios: [] }, /RecoveryObjectives\.scenarios: \[\] — must list at least one scenario/],
    ["a negative figure", { targets: { rtoMinutes: 240, rpoMinutes: 60 }, scenarios: [{ scenario: "x", rpoMinutes: -1, rtoMinutes: 1 }] }, /RecoveryObjectives\.scenarios\[x\]\.rpoMinutes: -1 — must be minutes ≥ 0, or null/],
    ["an infinite figure", { targets: { rtoMinutes: 240, rpoMinutes: 60 }, scenarios: [{ scenario: "x", rpoMinutes: 1, rtoMinutes: Infinity }] }, /RecoveryObjectives\.scenarios\[x\]\.rtoMinutes: "Infinity" — must be minutes ≥ 0/],
    ["a repeated scenario", { targets: { rtoMinutes: 240, rpoMinutes: 60 }, scenarios: [scenarios[0], scenarios[0]] }, /RecoveryObjectives\.scenarios: "database data loss" — must have a unique/],
  ];
  it.each(bad)("rejects %s", async (_, args, error) => {
    await planOf(() => expect(() => new RecoveryObjectives("objectives", args)).toThrow(error));
  });
});

describe("the production plan (runbook 001)", () => {
  let plan: TestPlan;
  beforeAll(async () => {
    const stack = loadStackFile("runbook-infra", path.join(root, "Pulumi.production.yaml"));
    plan = await planOf(() => main(), { stack: "production", config: stack.config, secretKeys: stack.secretKeys });
  }, 120000);

  it("fails api.stockanalysis.com over on its /health check, with the PRIMARY and SECONDARY records", () => {
    const records = plan.ofType("aws:route53/record:Record").filter((r) => r.inputs.name === "api.stockanalysis.com");
    expect(records.map((r) => (r.inputs.failoverRoutingPolicies as any)[0].type).sort()).toEqual(["PRIMARY", "SECONDARY"]);
    expect(plan.one("aws:route53/healthCheck:HealthCheck").inputs).toMatchObject({ type: "HTTPS", resourcePath: "/health" });
    expect(plan.one("aws:cloudwatch/metricAlarm:MetricAlarm", "failover").inputs.alarmActions).toHaveLength(1);
  });

  it("has stock-analysis-system-dr with the API and workers held at 5", () => {
    const dr = plan.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").filter((h) => (h.inputs as any).metadata.labels["runbook.dev/role"] === "dr");
    expect(dr.map((h) => [(h.inputs as any).spec.scaleTargetRef.name, (h.inputs as any).spec.minReplicas]).sort()).toEqual([
      ["celery-worker", 5],
      ["stock-analysis-api", 5],
    ]);
    const restore = plan.ofType("kubernetes:batch/v1:CronJob").filter((c) => (c.inputs as any).metadata.namespace === "stock-analysis-system-dr");
    expect(restore.map((c) => (c.inputs as any).metadata.labels["runbook.dev/backup"])).toEqual(["postgres-restore"]);
  });

  it("replicates the database's automated backups and the backup bucket into us-west-2, each with a key there", () => {
    const inDr = (r: { provider?: string }) => (r.provider ?? "").includes("::dr-region::");
    expect(plan.ofType("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication").filter(inDr)).toHaveLength(1);
    expect(plan.ofType("aws:s3/bucketReplicationConfig:BucketReplicationConfig")).toHaveLength(1);
    expect(plan.ofType("aws:s3/bucket:Bucket").filter(inDr)).toHaveLength(1);
    expect(plan.ofType("aws:kms/key:Key").filter(inDr).length).toBeGreaterThanOrEqual(2);
    expect(plan.ofType("aws:kms/key:Key").filter((k) => !inDr(k)).length).toBeGreaterThanOrEqual(2);
  });

  it("records figures that meet RTO 4 h and RPO 1 h", () => {
    const inputs = plan.one("runbook:dr:RecoveryObjectives").inputs as any;
    expect(inputs).toMatchObject({ targets: { rtoMinutes: 240, rpoMinutes: 60 }, computed: { meetsTargets: true }, replicationToDr: true, drRegion: "us-west-2" });
    expect(plan.outputs.recoveryObjectivesMet).toBe(true);
  });
});
