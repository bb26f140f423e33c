/**
 * Stack rules: what only the whole plan shows. A database without a backup bucket and a daily dump,
 * backups that run inside the maintenance window, an HPA with no disruption budget, DR switched on
 * without its replicas, recovery figures that miss their targets.
 */
import type { PolicyResource } from "@pulumi/policy";
import { CronExpressionParser } from "cron-parser";
import { asArray, Finding, get, k8sName, labelsOf, ofType, stackRule } from "./common";
import { DB_CLUSTER, DB_INSTANCE } from "./rds";
import { REPLICATION_GROUP } from "./elasticache";
import { attachedTo, buckets, isBackupBucket } from "./s3";
import { BACKUP_LABEL, CRON_JOB, DEPLOYMENT, HPA, normalizeSchedule, PDB, STATEFUL_SET } from "./kubernetes";
import { failoverType, HEALTH_CHECK, RECORD } from "./route53";
import { EKS_CLUSTER } from "./eks";

export const RECOVERY_OBJECTIVES = "runbook:dr:RecoveryObjectives";
export const DR_PROVIDER_NAME = "dr-region";
const BUCKET_REPLICATION = "aws:s3/bucketReplicationConfig:BucketReplicationConfig";
const BACKUP_REPLICATION = "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication";

const WEEK = 7 * 24 * 60;
const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
/** A Monday 00:00 UTC: cron runs are laid out over the week that starts here. */
const WEEK_START = Date.UTC(2026, 0, 5);

type Interval = [number, number];

function databases(resources: PolicyResource[]): PolicyResource[] {
  return ofType(resources, DB_INSTANCE, DB_CLUSTER).filter((db) => !get(db.props, "replicateSourceDb"));
}

function backupJobs(resources: PolicyResource[], kind: string): PolicyResource[] {
  return ofType(resources, CRON_JOB).filter((j) => labelsOf(j.props)[BACKUP_LABEL] === kind);
}

/** Splits [start, end) minutes-of-week that may wrap past the week's end into in-week pieces. */
function wrap(start: number, end: number): Interval[] {
  const s = ((start % WEEK) + WEEK) % WEEK;
  const length = end - start;
  return s + length <= WEEK ? [[s, s + length]] : [[s, WEEK], [0, s + length - WEEK]];
}

function hhmm(text: string): number | undefined {
  const m = /^(\d{2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) return undefined;
  return Number(m[1]) * 60 + Number(m[2]);
}

/** "03:00-04:00" (daily, UTC) → its seven occurrences in minutes of the week. */
export function dailyWindow(text: unknown): Interval[] | undefined {
  const [a, b] = String(text ?? "").split("-");
  const start = hhmm(a ?? "");
  const end = hhmm(b ?? "");
  if (start === undefined || end === undefined) return undefined;
  const length = (end - start + 1440) % 1440 || 1440;
  return DAYS.flatMap((_, day) => wrap(day * 1440 + start, day * 1440 + start + length));
}

/** "sun:05:00-sun:06:00" (weekly, UTC) → minutes of the week. */
export function weeklyWindow(text: unknown): Interval[] | undefined {
  const m = /^([a-z]{3}):(\d{2}:\d{2})-([a-z]{3}):(\d{2}:\d{2})$/i.exec(String(text ?? ""));
  if (!m) return undefined;
  const d1 = DAYS.indexOf(m[1].toLowerCase());
  const d2 = DAYS.indexOf(m[3].toLowerCase());
  const t1 = hhmm(m[2]);
  const t2 = hhmm(m[4]);
  if (d1 < 0 || d2 < 0 || t1 === undefined || t2 === undefined) return undefined;
  const start = d1 * 1440 + t1;
  const length = (d2 * 1440 + t2 - start + WEEK) % WEEK || WEEK;
  return wrap(start, start + length);
}

const MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** The values one cron field allows, or undefined when it does not parse. */
function cronField(field: string, min: number, max: number, names: string[] = [], offset = 0): Set<number> | undefined {
  const values = new Set<number>();
  const value = (text: string) => {
    const named = names.indexOf(text.toLowerCase());
    return named >= 0 ? named + offset : /^\d+$/.test(text) ? Number(text) : NaN;
  };
  for (const part of field.split(",")) {
    const [range, stepText] = part.split("/");
    const step = stepText === undefined ? 1 : Number(stepText);
    let from: number;
    let to: number;
    if (range === "*" || range === "?") [from, to] = [min, max];
    else if (range.includes("-")) [from, to] = range.split("-").map(value) as [number, number];
    else [from, to] = [value(range), stepText === undefined ? value(range) : max];
    if (![from, to, step].every(Number.isInteger) || step < 1 || from < min || to > max || from > to) return undefined;
    for (let v = from; v <= to; v += step) values.add(v);
  }
  return values;
}

/**
 * The minutes of the week a CronJob is running, assuming each run takes `durationMinutes`. UTC
 * schedules are expanded directly (fast, and this runs on every preview); other zones go through
 * cron-parser for the offsets.
 */
export function cronRuns(schedule: unknown, timeZone: unknown, durationMinutes: number): Interval[] | undefined {
  const expression = normalizeSchedule(schedule);
  if (!expression) return undefined;
  const zone = typeof timeZone === "string" ? timeZone : "UTC";
  if (!["UTC", "Etc/UTC", "Etc/GMT", "GMT"].includes(zone)) return zonedCronRuns(expression, zone, durationMinutes);
  const [m, h, dom, mon, dow] = expression.split(/\s+/);
  const minutes = cronField(m, 0, 59);
  const hours = cronField(h, 0, 23);
  const days = cronField(dom, 1, 31);
  const months = cronField(mon, 1, 12, MONTHS, 1);
  const weekdays = cronField(dow.replace(/\b7\b/g, "0"), 0, 6, WEEKDAYS);
  if (!minutes || !hours || !days || !months || !weekdays) return undefined;
  // Cron's rule: when both day fields are restricted, a day matching either one runs.
  const domRestricted = !dom.startsWith("*") && dom !== "?";
  const dowRestricted = !dow.startsWith("*") && dow !== "?";
  const runs: Interval[] = [];
  for (let day = 0; day < 7; day++) {
    const date = new Date(WEEK_START + day * 86_400_000);
    const domOk = days.has(date.getUTCDate());
    const dowOk = weekdays.has(date.getUTCDay());
    const dayOk = domRestricted && dowRestricted ? domOk || dowOk : domOk && dowOk;
    if (!dayOk || !months.has(date.getUTCMonth() + 1)) continue;
    for (const hour of hours) for (const minute of minutes) runs.push(...wrap(day * 1440 + hour * 60 + minute, day * 1440 + hour * 60 + minute + durationMinutes));
  }
  return runs;
}

function zonedCronRuns(expression: string, timeZone: string, durationMinutes: number): Interval[] | undefined {
  try {
    const expr = CronExpressionParser.parse(expression, { currentDate: new Date(WEEK_START - 1), endDate: new Date(WEEK_START + WEEK * 60_000), tz: timeZone });
    const runs: Interval[] = [];
    while (expr.hasNext() && runs.length < 20_000) {
      const minute = Math.round((expr.next().getTime() - WEEK_START) / 60_000);
      if (minute >= WEEK) break;
      runs.push(...wrap(minute, minute + durationMinutes));
    }
    return runs;
  } catch {
    return undefined;
  }
}

/** Longest gap, in minutes, between consecutive runs of a schedule over a week (wrapping into the next week). */
export function longestGap(schedule: unknown, timeZone: unknown): number | undefined {
  const runs = cronRuns(schedule, timeZone, 0)?.map(([s]) => s);
  if (!runs) return undefined;
  if (runs.length === 0) return Infinity;
  const sorted = [...new Set(runs)].sort((a, b) => a - b);
  let gap = sorted[0] + WEEK - sorted[sorted.length - 1];
  for (let i = 1; i < sorted.length; i++) gap = Math.max(gap, sorted[i] - sorted[i - 1]);
  return gap;
}

function overlaps(a: Interval[], b: Interval[]): boolean {
  return a.some(([s1, e1]) => b.some(([s2, e2]) => s1 < e2 && s2 < e1));
}

function dbLabel(db: PolicyResource): string {
  return `database ${get(db.props, "identifier") ?? get(db.props, "clusterIdentifier") ?? db.name}`;
}

/** True when every label of a non-empty matchLabels selector is on the pod. */
function matchesSelector(selector: Record<string, string>, labels: Record<string, string>): boolean {
  const entries = Object.entries(selector);
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

function namespaceOf(r: PolicyResource): string | undefined {
  return get(r.props, "metadata", "namespace");
}

/** True when the resource is deployed through the DR region's provider. */
function inDrRegion(r: PolicyResource): boolean {
  return r.provider?.name === DR_PROVIDER_NAME || (r.provider?.urn ?? "").endsWith(`::${DR_PROVIDER_NAME}`);
}

export const stackPolicies = [
  stackRule({
    name: "stack-database-backup-bucket",
    description: "Every database has an S3 backup bucket (tag runbook:purpose=backups) for its dumps, independent of RDS snapshots (runbook 001 backups: upload to cloud storage; AWS FSBP RDS.11 complement).",
    grade: "mandatory",
    remediation: "Enable the backups capability (components/backup-bucket.ts) for the stack, tagged runbook:purpose=backups.",
    check: (resources) => {
      const hasBucket = buckets(resources).some(isBackupBucket);
      return hasBucket ? [] : databases(resources).map((db) => ({ urn: db.urn, message: `${dbLabel(db)} has no backup bucket (no S3 bucket tagged runbook:purpose=backups)` }));
    },
  }),
  stackRule({
    name: "stack-database-daily-backup",
    description: "Every PostgreSQL database has an active backup CronJob (label runbook.dev/backup=postgres-daily) that runs at least once every 24 hours (runbook 001: daily at 02:00 UTC, 30 days).",
    grade: "mandatory",
    remediation: "Add the daily pg_dump CronJob (components/backup-jobs.ts) with schedule \"0 2 * * *\" and the postgres-daily label.",
    check: (resources) => {
      const dbs = databases(resources).filter((db) => String(get(db.props, "engine") ?? "postgres").includes("postgres"));
      if (dbs.length === 0) return [];
      const jobs = backupJobs(resources, "postgres-daily");
      const findings: Finding[] = [];
      const daily = jobs.filter((j) => {
        const gap = longestGap(get(j.props, "spec", "schedule"), get(j.props, "spec", "timeZone"));
        if (get(j.props, "spec", "suspend") === true) findings.push({ urn: j.urn, message: `backup job ${k8sName(j)} is suspended` });
        else if (gap === undefined || gap > 24 * 60) findings.push({ urn: j.urn, message: `backup job ${k8sName(j)} schedule ${JSON.stringify(get(j.props, "spec", "schedule"))} ${gap === undefined ? "does not parse" : gap === Infinity ? "does not run every week" : `leaves a ${Math.round(gap / 60)} h gap between runs`}` });
        else return true;
        return false;
      });
      if (daily.length < dbs.length) for (const db of dbs.slice(daily.length)) findings.push({ urn: db.urn, message: `${dbLabel(db)} has no daily backup CronJob (label ${BACKUP_LABEL}=postgres-daily)` });
      return findings;
    },
  }),
  stackRule({
    name: "stack-backup-maintenance-windows",
    description: "Backups never run inside a maintenance window: RDS backupWindow and ElastiCache snapshotWindow do not overlap their maintenanceWindow, and the daily dump job (with its expected duration) stays clear of the database's maintenance window (runbook 001: backups 02:00 daily vs maintenance Sunday 02:00–06:00).",
    grade: "mandatory",
    config: { backupDurationMinutes: { type: "integer", minimum: 1, default: 60, description: "How long a dump job is assumed to run. @default 60" } },
    remediation: "Move the backup window or CronJob schedule (e.g. 03:00) or the maintenance window (e.g. sun:05:00-sun:06:00) apart.",
    check: (resources, ctx) => {
      const findings: Finding[] = [];
      const pairs: [PolicyResource, string, string][] = [
        ...ofType(resources, DB_INSTANCE, DB_CLUSTER).map((r) => [r, "preferredBackupWindow" in r.props ? "preferredBackupWindow" : "backupWindow", "preferredMaintenanceWindow" in r.props ? "preferredMaintenanceWindow" : "maintenanceWindow"] as [PolicyResource, string, string]),
        ...ofType(resources, REPLICATION_GROUP).map((r) => [r, "snapshotWindow", "maintenanceWindow"] as [PolicyResource, string, string]),
      ];
      for (const [r, backupKey, maintenanceKey] of pairs) {
        const backup = get(r.props, backupKey);
        const maintenance = get(r.props, maintenanceKey);
        if (backup === undefined || maintenance === undefined) continue;
        const b = dailyWindow(backup);
        const m = weeklyWindow(maintenance);
        if (!b) findings.push({ urn: r.urn, message: `${backupKey} ${JSON.stringify(backup)} is not hh:mm-hh:mm` });
        else if (!m) findings.push({ urn: r.urn, message: `${maintenanceKey} ${JSON.stringify(maintenance)} is not ddd:hh:mm-ddd:hh:mm` });
        else if (overlaps(b, m)) findings.push({ urn: r.urn, message: `${r.name}: ${backupKey} ${backup} overlaps ${maintenanceKey} ${maintenance}` });
      }
      const duration = Number(ctx.config.backupDurationMinutes);
      const dbWindows = databases(resources).flatMap((db) => {
        const text = get(db.props, "maintenanceWindow") ?? get(db.props, "preferredMaintenanceWindow");
        const w = weeklyWindow(text);
        return w ? [{ db, text, w }] : [];
      });
      // Only the dumps touch the database; hourly dumps cannot avoid a 4-hour window and are not checked.
      for (const job of backupJobs(resources, "postgres-daily")) {
        const runs = cronRuns(get(job.props, "spec", "schedule"), get(job.props, "spec", "timeZone"), duration);
        if (!runs) continue;
        for (const { db, text, w } of dbWindows) {
          if (overlaps(runs, w)) findings.push({ urn: job.urn, message: `backup job ${k8sName(job)} (${get(job.props, "spec", "schedule")}, ~${duration} min) runs inside ${dbLabel(db)} maintenance window ${text}` });
        }
      }
      return findings;
    },
  }),
  stackRule({
    name: "stack-hpa-has-pdb",
    description: "Every HPA's workload has a PodDisruptionBudget in the same namespace, so node drains and upgrades keep it serving (kube-score deployment-has-poddisruptionbudget). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Add a PodDisruptionBudget whose selector matches the Deployment's pod labels (components/service-scaling.ts creates both).",
    check: (resources) => {
      const pdbs = ofType(resources, PDB);
      const workloads = ofType(resources, DEPLOYMENT, STATEFUL_SET);
      return ofType(resources, HPA).flatMap((hpa) => {
        const ns = namespaceOf(hpa);
        const target = String(get(hpa.props, "spec", "scaleTargetRef", "name") ?? "");
        const candidates = pdbs.filter((p) => namespaceOf(p) === ns);
        const workload = workloads.find((w) => namespaceOf(w) === ns && (get(w.props, "metadata", "name") ?? w.name) === target);
        const podLabels = (get(workload?.props, "spec", "template", "metadata", "labels") ?? {}) as Record<string, string>;
        const covered = candidates.some((p) => {
          const selector = (get(p.props, "spec", "selector", "matchLabels") ?? {}) as Record<string, string>;
          // Deployments usually arrive from the application's own pipeline, not this plan: then match the
          // conventional selectors on the target's name.
          if (workload) return matchesSelector(selector, podLabels);
          return Object.values(selector).includes(target) || String(get(p.props, "metadata", "name") ?? "").startsWith(`${target}-`);
        });
        return covered ? [] : [{ urn: hpa.urn, message: `HPA ${k8sName(hpa)} (target ${target}) has no PodDisruptionBudget` }];
      });
    },
  }),
  stackRule({
    name: "stack-dr-resources",
    description: `When DR is enabled (an aws provider named ${DR_PROVIDER_NAME} exists), the DR copies exist: backup bucket replication, RDS automated-backup replication, a health-checked PRIMARY/SECONDARY DNS pair and resources in the DR region (runbook 001 DR; AWS FSBP S3.7 cross-region replication).`,
    grade: "mandatory",
    config: { requireDnsFailover: { type: "boolean", default: true, description: "Require Route53 failover records when DR is enabled. @default true" } },
    remediation: "Enable the DR capability's replication (backup bucket, RDS backups) and failover DNS for the stack, or unset drRegion.",
    check: (resources, ctx) => {
      // The analyzer may not list provider resources; a resource deployed through the DR provider also means DR is on.
      const provider = resources.find((r) => r.type === "pulumi:providers:aws" && r.name === DR_PROVIDER_NAME) ?? resources.find(inDrRegion);
      if (!provider) return [];
      const findings: Finding[] = [];
      for (const bucket of buckets(resources).filter((b) => isBackupBucket(b) && !inDrRegion(b))) {
        const replicated = attachedTo(resources, bucket, BUCKET_REPLICATION).some((c) => asArray(get(c.props, "rules")).some((r) => get(r, "status") === "Enabled"));
        if (!replicated) findings.push({ urn: bucket.urn, message: `backup bucket ${get(bucket.props, "bucket") ?? bucket.name} is not replicated to the DR region` });
      }
      const replications = ofType(resources, BACKUP_REPLICATION);
      const drReplicas = ofType(resources, DB_INSTANCE).filter((db) => get(db.props, "replicateSourceDb") && inDrRegion(db));
      for (const db of ofType(resources, DB_INSTANCE).filter((d) => !get(d.props, "replicateSourceDb"))) {
        if (replications.length === 0 && drReplicas.length === 0) findings.push({ urn: db.urn, message: `${dbLabel(db)} has no automated-backup replication or replica in the DR region` });
      }
      if (ctx.config.requireDnsFailover !== false) {
        const records = ofType(resources, RECORD);
        const hasPair = records.some((r) => failoverType(r.props) === "PRIMARY") && records.some((r) => failoverType(r.props) === "SECONDARY");
        if (!hasPair || ofType(resources, HEALTH_CHECK).length === 0) findings.push({ urn: provider.urn, message: "DR is enabled but there is no health-checked PRIMARY/SECONDARY failover record pair" });
      }
      if (!resources.some(inDrRegion)) findings.push({ urn: provider.urn, message: `DR is enabled but no resource is created in the DR region (provider ${DR_PROVIDER_NAME})` });
      return findings;
    },
  }),
  stackRule({
    name: "stack-recovery-objectives-met",
    description: "The recovery figures computed from the configuration meet the declared RTO and RPO targets in every compared scenario (runbook 001: RTO 4 h, RPO 1 h).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Shorten what the failing figure rests on (PITR, replication, backup frequency, health-check timing) or change the declared target deliberately.",
    check: (resources) =>
      ofType(resources, RECOVERY_OBJECTIVES).flatMap((ro) => {
        const rto = Number(get(ro.props, "targets", "rtoMinutes"));
        const rpo = Number(get(ro.props, "targets", "rpoMinutes"));
        const findings: Finding[] = [];
        for (const s of asArray(get(ro.props, "computed", "scenarios"))) {
          if (get(s, "compared") === false) continue;
          const name = get(s, "scenario");
          const sRpo = get(s, "rpoMinutes");
          const sRto = get(s, "rtoMinutes");
          if (sRpo === null || sRpo === undefined || Number(sRpo) > rpo) findings.push({ urn: ro.urn, message: `${name}: RPO ${sRpo === null || sRpo === undefined ? "unrecoverable" : `${sRpo} min`} misses the ${rpo} min target` });
          if (sRto === null || sRto === undefined || Number(sRto) > rto) findings.push({ urn: ro.urn, message: `${name}: RTO ${sRto === null || sRto === undefined ? "unrecoverable" : `${sRto} min`} misses the ${rto} min target` });
        }
        // After an update the analyzer sees the component's registered outputs ({ targets, meetsTargets }), not its inputs.
        const meets = get(ro.props, "computed", "meetsTargets") ?? get(ro.props, "meetsTargets");
        if (findings.length === 0 && meets === false) findings.push({ urn: ro.urn, message: "the component reports meetsTargets: false" });
        if (!Number.isFinite(rto) || !Number.isFinite(rpo)) findings.push({ urn: ro.urn, message: "targets.rtoMinutes/rpoMinutes are missing" });
        return findings;
      }),
  }),
  stackRule({
    name: "stack-recovery-objectives-declared",
    description: `A stack with a database or DR declares its RTO/RPO targets and computed figures (${RECOVERY_OBJECTIVES}), so the recovery promise is checked on every preview (runbook 001 DR). Mandatory in production, advisory elsewhere.`,
    grade: "graded",
    remediation: "Configure dr.rtoMinutes/dr.rpoMinutes so the DR capability registers RecoveryObjectives.",
    check: (resources) => {
      if (ofType(resources, RECOVERY_OBJECTIVES).length > 0) return [];
      const subject = databases(resources)[0] ?? resources.find((r) => r.type === "pulumi:providers:aws" && r.name === DR_PROVIDER_NAME);
      return subject ? [{ urn: subject.urn, message: "the stack declares no recovery objectives" }] : [];
    },
  }),
  stackRule({
    name: "stack-backup-restore-job",
    description: "A stack with a daily database backup also has the restore job template (label runbook.dev/backup=postgres-restore), so a restore is one command, not a script written during the incident (runbook 001 restore procedure).",
    grade: "advisory",
    remediation: "Add the suspended restore CronJob from components/backup-jobs.ts.",
    check: (resources) => {
      const daily = backupJobs(resources, "postgres-daily");
      return daily.length > 0 && backupJobs(resources, "postgres-restore").length === 0 ? [{ urn: daily[0].urn, message: "there is no postgres-restore job" }] : [];
    },
  }),
  stackRule({
    name: "stack-cluster-config-backup",
    description: "A stack with an EKS cluster backs up its Kubernetes configuration daily (label runbook.dev/backup=k8s-config) (runbook 001 configuration backup).",
    grade: "advisory",
    remediation: "Enable the k8s-config backup CronJob in the backups capability.",
    check: (resources) => {
      const cluster = ofType(resources, EKS_CLUSTER)[0];
      return cluster && backupJobs(resources, "k8s-config").length === 0 ? [{ urn: cluster.urn, message: "no k8s-config backup CronJob" }] : [];
    },
  }),
];
