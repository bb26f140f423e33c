/**
 * The recovery point and recovery time this stack actually provides, computed from its config, and
 * compared with the targets it declares (`dr.rtoMinutes`, `dr.rpoMinutes`). Pure functions: the
 * offline preview prints the table and fails on a miss, `stacks/dr.ts` registers the figures on a
 * `RecoveryObjectives` component so that the policy pack can check them in the plan.
 *
 * The AWS facts the figures rest on (see ENVIRONMENT.md): RDS point-in-time restore reaches within
 * about 5 minutes of the failure; Multi-AZ failover takes 60–120 s; Route53 declares an endpoint
 * unhealthy after interval × failure threshold and resolvers follow after the record's TTL.
 */
import { CronExpressionParser } from "cron-parser";
import { DR_DEFAULTS, targetRecordType } from "../stacks/config/dr";
import type { StandbyConfig } from "../stacks/config/dr";
import { standbyFootprint } from "./standby";
import type { StackConfig } from "../stacks/config/schema";

/** RDS PITR restores to within about 5 minutes of the failure (the transaction-log upload interval). */
export const PITR_GRANULARITY_MINUTES = 5;
/** Multi-AZ failover: 60–120 s; the report takes the upper bound. */
export const MULTI_AZ_FAILOVER_MINUTES = 2;
/** Alias records to load balancers are answered with the load balancer's TTL: 60 s. */
export const ALIAS_TTL_SECONDS = 60;

/** One part of a figure and where its number comes from (a config key, an AWS fact, a planning default). */
export interface RecoveryTerm {
  name: string;
  minutes: number;
  source: string;
}

/** One figure with the reasoning behind it. `minutes: null` means this stack cannot recover at all. */
export interface RecoveryFigure {
  minutes: number | null;
  basis: string;
  /** The parts the figure is the sum of (when it is computed from parts). */
  terms?: RecoveryTerm[];
}

export interface RecoveryRow {
  scenario: string;
  rpo: RecoveryFigure;
  rto: RecoveryFigure;
  /** False when the scenario is outside what the stack declares (DR disabled): shown, not compared. */
  compared: boolean;
  meetsRpo: boolean;
  meetsRto: boolean;
}

export interface RecoveryTargets {
  rtoMinutes: number;
  rpoMinutes: number;
}

export interface RecoveryReport {
  /** Undefined when the stack declares no targets (no `dr` section). */
  targets?: RecoveryTargets;
  rows: RecoveryRow[];
  /** True when every compared row meets both targets (vacuously true without targets). */
  meetsTargets: boolean;
  /** Whether backups are copied into the DR region: the same condition the data and backup steps use. */
  replicationToDr: boolean;
  /** The planning figures used, to print under the table. */
  assumptions: string[];
  /** What standing by costs and buys, when the DR site is a standby stack (dr.stack, or role: dr). */
  standby?: string[];
}

/** The facts the figures come from, read from the config of the areas that own them. */
export interface RecoveryFacts {
  hasDatabase: boolean;
  backupRetentionDays: number;
  multiAz: boolean;
  databaseSizeGiB: number;
  /** Cron schedules of the PostgreSQL dumps (daily, hourly, ...). */
  dumpSchedules: string[];
  /** The DR region is in use (drRegion set and DR enabled). */
  replicationToDr: boolean;
  /** RDS automated backups are replicated there (also needs database.replicateBackupsToDr and PITR). */
  databaseBackupsReplicated: boolean;
  /** Dumps reach the DR region (the backup bucket's replication). */
  dumpsReplicated: boolean;
  drEnabled: boolean;
  healthCheckIntervalSeconds: number;
  healthCheckFailureThreshold: number;
  dnsTtlSeconds: number;
  restoreThroughputGiBPerHour: number;
  restoreOverheadMinutes: number;
  activationMinutes: number;
  replicationLagMinutes: number;
  /** The DR site is a standby stack of its own: the primary names it (dr.stack) or this is it (role: dr). */
  standby?: StandbyConfig & { site: string; role: "primary" | "dr" };
}

/** Replication into the DR region is on exactly when the data and backup steps get `ctx.drProvider` and DR is enabled. */
export function replicationEnabled(config: StackConfig): boolean {
  return Boolean(config.drRegion && config.dr?.enabled);
}

/** Cron schedules of the PostgreSQL dumps (daily, and hourly when set); weekly/monthly are copies of the daily dump. */
export function postgresDumpSchedules(config: StackConfig): string[] {
  const pg = config.backups?.postgres;
  if (!config.database || !pg) return [];
  return [pg.daily.schedule, ...(pg.hourly ? [pg.hourly.schedule] : [])];
}

export function recoveryFacts(config: StackConfig): RecoveryFacts {
  const database = config.database;
  const backups = config.backups;
  const replication = replicationEnabled(config);
  const dr = config.dr;
  const records = dr?.records;
  // Without a typed primary the record aliases the stack's own load balancer.
  const dnsTtlSeconds = !records ? DR_DEFAULTS.ttlSeconds : !records.primary || records.primary.alias ? ALIAS_TTL_SECONDS : records.ttlSeconds;
  return {
    // A DR stack that restores on activation has no database yet, but has one to recover.
    hasDatabase: database !== undefined || (config.role === "dr" && dr?.standby.database === "restore"),
    backupRetentionDays: database?.backupRetentionDays ?? 0,
    multiAz: database?.multiAz ?? false,
    databaseSizeGiB: dr?.databaseSizeGiB ?? database?.allocatedStorageGiB ?? 0,
    dumpSchedules: postgresDumpSchedules(config),
    replicationToDr: replication,
    // The data step replicates when drProvider is set and database.replicateBackupsToDr (default true) holds.
    databaseBackupsReplicated: replication && database !== undefined && database.replicateBackupsToDr && database.backupRetentionDays > 0,
    // The backups step replicates the bucket when drProvider is set and backups.replicateToDrRegion holds.
    dumpsReplicated: replication && backups !== undefined && backups.replicateToDrRegion,
    drEnabled: dr?.enabled ?? false,
    healthCheckIntervalSeconds: dr?.healthCheck.intervalSeconds ?? 30,
    healthCheckFailureThreshold: dr?.healthCheck.failureThreshold ?? 3,
    dnsTtlSeconds,
    restoreThroughputGiBPerHour: dr?.restoreThroughputGiBPerHour ?? DR_DEFAULTS.restoreThroughputGiBPerHour,
    restoreOverheadMinutes: dr?.restoreOverheadMinutes ?? DR_DEFAULTS.restoreOverheadMinutes,
    activationMinutes: dr?.activationMinutes ?? DR_DEFAULTS.activationMinutes,
    replicationLagMinutes: dr?.replicationLagMinutes ?? DR_DEFAULTS.replicationLagMinutes,
    standby:
      dr && config.role === "dr"
        ? { ...dr.standby, site: "this stack", role: "dr" }
        : dr?.enabled && dr.stack
          ? { ...dr.standby, site: dr.stack, role: "primary" }
          : undefined,
  };
}

// A fixed Monday 00:00 UTC, so that the figure does not depend on when the preview runs.
const WINDOW_START = Date.UTC(2026, 0, 5);
const MAX_RUNS_PER_SCHEDULE = 3000;

/**
 * The longest time (minutes) between two consecutive dumps over the union of `schedules`: the data
 * a dump-only restore can lose. Two weeks cover every weekly pattern; a year when a schedule
 * restricts day of month or month. Undefined without schedules.
 */
export function maxDumpIntervalMinutes(schedules: string[]): number | undefined {
  if (schedules.length === 0) return undefined;
  // Walking cron runs costs ~0.5 ms a step; the program and the preview's report ask for the same schedules.
  const key = schedules.join("|");
  if (!intervalCache.has(key)) intervalCache.set(key, walkDumpIntervals(schedules));
  return intervalCache.get(key);
}

const intervalCache = new Map<string, number>();

function walkDumpIntervals(schedules: string[]): number {
  const yearly = schedules.some((s) => {
    const fields = s.trim().split(/\s+/);
    return fields[2] !== "*" || fields[3] !== "*";
  });
  // A weekly pattern repeats every 7 days and no gap in it exceeds 7 days, so 14 days hold every gap.
  let end = WINDOW_START + (yearly ? 366 : 14) * 86_400_000;
  const runs: number[] = [];
  for (const schedule of schedules) {
    const iterator = CronExpressionParser.parse(schedule, { tz: "UTC", currentDate: new Date(WINDOW_START - 1000), endDate: new Date(end) });
    let count = 0;
    let last = WINDOW_START;
    while (iterator.hasNext()) {
      last = iterator.next().getTime();
      runs.push(last);
      if (++count >= MAX_RUNS_PER_SCHEDULE) {
        // A schedule this frequent bounds every gap by itself; stop the window where it stopped.
        end = Math.min(end, last);
        break;
      }
    }
  }
  const times = [...new Set(runs.filter((t) => t <= end))].sort((a, b) => a - b);
  if (times.length < 2) return (end - WINDOW_START) / 60_000;
  let gap = 0;
  for (let i = 1; i < times.length; i++) gap = Math.max(gap, times[i] - times[i - 1]);
  return gap / 60_000;
}

function restoreMinutes(facts: RecoveryFacts): RecoveryFigure {
  const loading = (facts.databaseSizeGiB / facts.restoreThroughputGiBPerHour) * 60;
  return {
    minutes: facts.restoreOverheadMinutes + loading,
    basis: `restore: ${facts.restoreOverheadMinutes} min to create the instance + ${facts.databaseSizeGiB} GiB at ${facts.restoreThroughputGiBPerHour} GiB/h (${fmt(loading)})`,
  };
}

/** Computes the figures for (a) a database failure and (b) the loss of the primary region, and compares them with the targets. */
export function recoveryReport(config: StackConfig): RecoveryReport {
  const facts = recoveryFacts(config);
  const targets = config.dr ? { rtoMinutes: config.dr.rtoMinutes, rpoMinutes: config.dr.rpoMinutes } : undefined;
  const rows: Array<Omit<RecoveryRow, "meetsRpo" | "meetsRto">> = [];
  const pitr = facts.hasDatabase && facts.backupRetentionDays > 0;
  const dumpGap = maxDumpIntervalMinutes(facts.dumpSchedules);
  const restore = restoreMinutes(facts);

  // The best local source of a restore, in the primary region.
  const localRestore: RecoveryFigure | undefined = pitr
    ? { minutes: PITR_GRANULARITY_MINUTES, basis: `PITR (automated backups kept ${facts.backupRetentionDays} days) to within ${PITR_GRANULARITY_MINUTES} min` }
    : dumpGap !== undefined
      ? { minutes: dumpGap, basis: `no PITR (backupRetentionDays 0); latest dump, up to ${fmt(dumpGap)} apart (${facts.dumpSchedules.join(" | ")})` }
      : undefined;
  const none = (what: string): RecoveryFigure => ({ minutes: null, basis: what });

  if (facts.hasDatabase) {
    rows.push(
      facts.multiAz
        ? {
            scenario: "database instance failure",
            rpo: { minutes: 0, basis: "Multi-AZ: synchronous standby, no committed data lost" },
            rto: { minutes: MULTI_AZ_FAILOVER_MINUTES, basis: "Multi-AZ failover 60–120 s" },
            compared: true,
          }
        : {
            scenario: "database instance failure",
            rpo: localRestore ?? none("no PITR and no dump schedule: nothing to restore from"),
            rto: localRestore ? { minutes: restore.minutes, basis: `single-AZ: ${restore.basis}` } : none("nothing to restore from"),
            compared: true,
          },
      {
        // Multi-AZ copies a dropped table or a bad migration to the standby at once: only a restore helps.
        scenario: "database data loss (corruption, bad migration)",
        rpo: localRestore ?? none("no PITR and no dump schedule: nothing to restore from"),
        rto: localRestore ? restore : none("nothing to restore from"),
        compared: true,
      },
    );
  }

  const detectionMinutes = (facts.healthCheckIntervalSeconds * facts.healthCheckFailureThreshold + facts.dnsTtlSeconds) / 60;
  const detection = `detection ${facts.healthCheckIntervalSeconds} s × ${facts.healthCheckFailureThreshold} + TTL ${facts.dnsTtlSeconds} s`;
  const activation = `activation ${facts.activationMinutes} min`;
  const regionCompared = facts.drEnabled;
  const standby = facts.standby;
  if (standby) {
    const figures = standbyRegionLoss(facts, standby, restore);
    // A DR stack judges its own take-over; its own database rows would describe a replica that is not yet writable.
    if (standby.role === "dr") rows.length = 0;
    rows.push({ scenario: standby.role === "dr" ? "primary region loss (this site takes over)" : "primary region loss", ...figures, compared: true });
  } else if (!facts.hasDatabase) {
    rows.push({
      scenario: "primary region loss",
      rpo: { minutes: 0, basis: "no database in this stack" },
      rto: facts.drEnabled
        ? { minutes: detectionMinutes + facts.activationMinutes, basis: `${detection} + ${activation}` }
        : none("DR disabled: no failover"),
      compared: regionCompared,
    });
  } else {
    const drSources: RecoveryFigure[] = [];
    if (facts.databaseBackupsReplicated)
      drSources.push({
        minutes: PITR_GRANULARITY_MINUTES + facts.replicationLagMinutes,
        basis: `automated backups replicated to the DR region: PITR ${PITR_GRANULARITY_MINUTES} min + replication lag ${facts.replicationLagMinutes} min`,
      });
    if (facts.dumpsReplicated && dumpGap !== undefined)
      drSources.push({ minutes: dumpGap + facts.replicationLagMinutes, basis: `dumps replicated to the DR bucket: up to ${fmt(dumpGap)} apart + replication lag ${facts.replicationLagMinutes} min` });
    const best = drSources.sort((a, b) => (a.minutes ?? Infinity) - (b.minutes ?? Infinity))[0];
    rows.push({
      scenario: "primary region loss",
      rpo: best ?? none(facts.replicationToDr ? "no backup source to replicate (no PITR, no dumps)" : "no copy outside the primary region (replication off: drRegion unset or DR disabled)"),
      rto: best
        ? { minutes: detectionMinutes + facts.activationMinutes + (restore.minutes ?? 0), basis: `${detection} + ${activation} + ${restore.basis}` }
        : none("nothing to restore from in the DR region"),
      compared: regionCompared,
    });
  }

  const judged: RecoveryRow[] = rows.map((row) => ({
    ...row,
    meetsRpo: !targets || (row.rpo.minutes !== null && row.rpo.minutes <= targets.rpoMinutes),
    meetsRto: !targets || (row.rto.minutes !== null && row.rto.minutes <= targets.rtoMinutes),
  }));
  const assumptions = [
    `restore throughput ${facts.restoreThroughputGiBPerHour} GiB/h${config.dr?.restoreThroughputGiBPerHour === undefined ? " (default)" : ""} over ${facts.databaseSizeGiB} GiB, plus ${facts.restoreOverheadMinutes} min to create the instance`,
    `on-call activation ${facts.activationMinutes} min; replication lag ${facts.replicationLagMinutes} min`,
    `PITR within ${PITR_GRANULARITY_MINUTES} min; Multi-AZ failover ≤ ${MULTI_AZ_FAILOVER_MINUTES} min`,
    `DNS: ${facts.healthCheckIntervalSeconds} s × ${facts.healthCheckFailureThreshold} failed checks, then TTL ${facts.dnsTtlSeconds} s${config.dr?.records && (!config.dr.records.primary || config.dr.records.primary.alias) ? " (alias to a load balancer)" : ""}`,
  ];
  if (config.dr?.records) assumptions.push(`failover record type ${config.dr.records.primary ? targetRecordType(config.dr.records.primary) : "A (alias to the stacks' load balancers)"}`);
  // The DR namespace lives on whichever cluster it is given; the region-loss time holds only if the
  // secondary target's cluster is outside the primary region and already running.
  if (facts.drEnabled && !standby) assumptions.push("region loss: the DR site behind the secondary record runs outside the primary region (a DR namespace on the primary cluster is lost with it)");
  return {
    targets,
    rows: judged,
    meetsTargets: judged.every((row) => !row.compared || (row.meetsRpo && row.meetsRto)),
    replicationToDr: facts.replicationToDr,
    assumptions,
    ...(standby ? { standby: standbyLines(config, facts, standby, restore) } : {}),
  };
}

function sum(terms: RecoveryTerm[]): number {
  return terms.reduce((total, t) => total + t.minutes, 0);
}

function describe(terms: RecoveryTerm[]): string {
  return terms.map((t) => `${t.name} ${fmt(t.minutes)} (${t.source})`).join(" + ");
}

/**
 * Region loss with a standby DR stack, from its parts: DNS fails over by itself (detection + TTL);
 * on-call confirms and applies `dr.active: true`; that one `pulumi up` promotes the replica (or
 * restores) and scales out at once, so the longer of the two counts. RPO is what the DR copy lags.
 */
function standbyRegionLoss(facts: RecoveryFacts, standby: NonNullable<RecoveryFacts["standby"]>, restore: RecoveryFigure): { rpo: RecoveryFigure; rto: RecoveryFigure } {
  const detection: RecoveryTerm = {
    name: "detection",
    minutes: (facts.healthCheckIntervalSeconds * facts.healthCheckFailureThreshold + facts.dnsTtlSeconds) / 60,
    source: `Route53: ${facts.healthCheckIntervalSeconds} s × ${facts.healthCheckFailureThreshold} failed checks (dr.healthCheck), then TTL ${facts.dnsTtlSeconds} s`,
  };
  const activation: RecoveryTerm = { name: "activation", minutes: facts.activationMinutes, source: "on-call confirms and applies dr.active: true (dr.activationMinutes)" };
  const scaleOut: RecoveryTerm = { name: "scale-out", minutes: standby.scaleOutMinutes, source: "nodes join and DR services reach dr.drReplicas (dr.standby.scaleOutMinutes)" };
  const none = (basis: string): RecoveryFigure => ({ minutes: null, basis });
  if (!facts.hasDatabase) {
    const terms = [detection, activation, scaleOut];
    return { rpo: { minutes: 0, basis: "no database in this stack" }, rto: { minutes: sum(terms), basis: describe(terms), terms } };
  }
  let data: RecoveryTerm;
  let rpo: RecoveryFigure;
  if (standby.database === "replica") {
    data = { name: "promotion", minutes: standby.promotionMinutes, source: "RDS promotes the cross-region read replica (dr.standby.promotionMinutes)" };
    const lag: RecoveryTerm = { name: "replica lag", minutes: standby.replicaLagMinutes, source: `cross-region read replica in ${standby.site}, asynchronous (dr.standby.replicaLagMinutes)` };
    rpo = { minutes: lag.minutes, basis: describe([lag]), terms: [lag] };
  } else if (standby.database === "restore") {
    data = { name: "restore", minutes: restore.minutes ?? 0, source: restore.basis };
    const terms: RecoveryTerm[] = [
      { name: "PITR", minutes: PITR_GRANULARITY_MINUTES, source: "RDS point-in-time restore granularity" },
      { name: "backup replication lag", minutes: facts.replicationLagMinutes, source: "automated backups replicated to drRegion (dr.replicationLagMinutes)" },
    ];
    rpo = { minutes: sum(terms), basis: describe(terms), terms };
  } else {
    return { rpo: none(`dr.standby.database none: ${standby.site} holds no copy of the data`), rto: none("nothing to take over with") };
  }
  // One `pulumi up` runs the promotion (or restore) and the scale-out side by side.
  const parallel: RecoveryTerm = data.minutes >= scaleOut.minutes ? { ...data, source: `${data.source}; scale-out ${fmt(scaleOut.minutes)} runs alongside` } : { ...scaleOut, source: `${scaleOut.source}; ${data.name} ${fmt(data.minutes)} runs alongside` };
  const terms = [detection, activation, parallel];
  return { rpo, rto: { minutes: sum(terms), basis: describe(terms), terms } };
}

/** What standing by costs (the DR stack knows its footprint) and buys (the same loss with a cold restore instead). */
function standbyLines(config: StackConfig, facts: RecoveryFacts, standby: NonNullable<RecoveryFacts["standby"]>, restore: RecoveryFigure): string[] {
  const lines: string[] = [];
  const footprint = standbyFootprint(config);
  if (footprint)
    lines.push(
      `standing by runs: ${footprint.nodes.map((n) => `${n.count} × ${n.instanceType} (${n.group})`).join(", ")}; database: ${footprint.database}; cache: ${footprint.cache}; ${footprint.replicasPerService} replica(s) per DR service`,
    );
  else lines.push(`the DR site is stack ${standby.site} (dr.standby.database: ${standby.database}); its footprint is in its own report`);
  if (facts.hasDatabase && standby.database === "replica") {
    const warm = standbyRegionLoss(facts, standby, restore);
    const cold = standbyRegionLoss(facts, { ...standby, database: "restore" }, restore);
    lines.push(`standing by buys: RPO ${fmt(warm.rpo.minutes)} instead of ${fmt(cold.rpo.minutes)} and RTO ${fmt(warm.rto.minutes)} instead of ${fmt(cold.rto.minutes)} with a restore from the replicated backups`);
  }
  return lines;
}

/** Minutes as "45 min", "4 h" or "4 h 05 min"; null as "none". */
export function fmt(minutes: number | null): string {
  if (minutes === null) return "none";
  const rounded = Math.round(minutes * 10) / 10;
  if (rounded < 60) return `${rounded} min`;
  const whole = Math.round(minutes);
  const h = Math.floor(whole / 60);
  const m = whole % 60;
  return m === 0 ? `${h} h` : `${h} h ${String(m).padStart(2, "0")} min`;
}

function status(row: RecoveryRow, targets: RecoveryTargets | undefined): string {
  if (!targets) return "no targets";
  if (!row.compared) return "not compared (DR disabled)";
  const misses = [!row.meetsRpo && "RPO", !row.meetsRto && "RTO"].filter(Boolean);
  return misses.length === 0 ? "meets targets" : `MISSES ${misses.join(" and ")}`;
}

/** The text table the offline preview prints. */
export function renderRecoveryReport(report: RecoveryReport): string {
  const t = report.targets;
  const header = t ? `Recovery objectives (targets: RPO ${fmt(t.rpoMinutes)}, RTO ${fmt(t.rtoMinutes)})` : "Recovery objectives (no targets declared: set runbook-infra:dr)";
  const table = [["scenario", "RPO", "RTO", "status"], ...report.rows.map((row) => [row.scenario, fmt(row.rpo.minutes), fmt(row.rto.minutes), status(row, t)])];
  const widths = table[0].map((_, col) => Math.max(...table.map((line) => line[col].length)));
  const lines = table.map((line) => line.map((cell, col) => (col === line.length - 1 ? cell : cell.padEnd(widths[col]))).join("  ").trimEnd());
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  // A figure computed from parts shows one line per term with its source.
  const figure = (label: string, f: RecoveryFigure) =>
    f.terms && f.terms.length > 0 ? [`    ${label} ${fmt(f.minutes)} =`, ...f.terms.map((t) => `      ${t.name.padEnd(22)} ${fmt(t.minutes).padStart(8)}  ${t.source}`)] : [`    ${label} ${f.basis}`];
  const basis = report.rows.flatMap((row) => [`  ${row.scenario}:`, ...figure("RPO", row.rpo), ...figure("RTO", row.rto)]);
  return [
    header,
    ...lines,
    "basis:",
    ...basis,
    `assumptions: ${report.assumptions.join("; ")}`,
    `replication into the DR region: ${report.replicationToDr ? "on" : "off"}`,
    ...(report.standby ?? []),
    report.meetsTargets ? "result: meets targets" : "result: MISSES TARGETS",
  ].join("\n");
}
