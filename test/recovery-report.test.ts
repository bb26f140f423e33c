import * as path from "node:path";
import { parseStackConfig } from "../stacks/config/load";
import type { StackConfig } from "../stacks/config/schema";
import { loadStackFile } from "../preview/stack-files";
import { backupsSchema } from "../stacks/config/backups";
import { maxDumpIntervalMinutes, postgresDumpSchedules, recoveryReport, renderRecoveryReport, RecoveryReport } from "../preview/recovery-report";

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

  it("survives the loss of us-east-1 from backups replicated to us-west-2, with detection = 30 s × 3 + 60 s TTL", () => {
    const r = row(report, "primary region loss");
    expect(report.replicationToDr).toBe(true);
    expect(r.rpo.minutes).toBe(5 + 15);
    expect(r.rpo.basis).toMatch(/automated backups replicated to the DR region/);
    expect(r.rto.minutes).toBeCloseTo((30 * 3 + 60) / 60 + 30 + 20 + 120);
  });

  it("renders a table with the targets, each scenario and the result", () => {
    const text = renderRecoveryReport(report);
    expect(text).toMatch(/^Recovery objectives \(targets: RPO 1 h, RTO 4 h\)/);
    expect(text).toMatch(/primary region loss\s+20 min\s+2 h 53 min\s+meets targets/);
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

  it("meets runbook 003's 24 h RPO with the same dumps when they are replicated to the DR region", () => {
    const config = production((c) => {
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
    expect(r.rto.minutes).toBeCloseTo((10 * 1 + 300) / 60 + 30 + 140);
    expect(r.rto.basis).toMatch(/detection 10 s × 1 \+ TTL 300 s/);
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
