/**
 * `runbook-infra:observability` — what makes the alerts able to fire: exporters for the managed data
 * tier (with a read-only monitoring role), log shipping to CloudWatch Logs, and the weekly database
 * maintenance job. Everything is on by default wherever its prerequisites exist (monitoring for the
 * exporters, a database and an application namespace for the role and the job); each part has an
 * explicit `enabled: false` opt-out that stays visible in the stack file.
 */
import { z } from "zod";
import { bool, cron, int, k8sName, str } from "./fields";
import type { Refinement } from "./refinement";
import { logRetentionDays } from "./network";
import { CronExpressionParser } from "cron-parser";

export const exportersSchema = z
  .object({
    /** Deploy postgres_exporter / redis_exporter for the stack's database and cache (needs monitoring). @default true */
    enabled: bool().default(true),
    /** The read-only PostgreSQL role the exporter logs in as (created by a bootstrap Job; pg_monitor only). @default "monitoring" */
    monitoringUser: str(/^(?!pg_)[a-z_][a-z0-9_]{0,62}$/, "a lowercase PostgreSQL role name (letters, digits, '_', not starting with pg_)").default("monitoring"),
    /** Bump to rotate the monitoring role's password. @default 1 */
    passwordVersion: int(1, 1_000_000).default(1),
    /** Read RDS and ElastiCache CloudWatch metrics (storage, replica lag, CPU credits, evictions) into Prometheus. @default true */
    cloudwatch: bool().default(true),
  })
  .strict();

export const logShippingSchema = z
  .object({
    /** Ship container logs to CloudWatch Logs with Fluent Bit. @default true */
    enabled: bool().default(true),
    /** Namespaces whose container logs are shipped, one log group each. @default the application and monitoring namespaces */
    namespaces: z.array(k8sName()).default([]),
    /** Days the log groups keep logs. @default cluster.logRetentionDays */
    retentionDays: logRetentionDays().optional(),
  })
  .strict();

export const databaseMaintenanceSchema = z
  .object({
    /** Run the weekly ANALYZE/VACUUM CronJob (runbook 002 "Database Maintenance"). @default true */
    enabled: bool().default(true),
    /** When it runs (UTC); must start inside database.maintenanceWindow. @default the window's start ("0 3 * * 0", Sunday 03:00, with the default window) */
    schedule: cron().optional(),
  })
  .strict();

export const observabilitySchema = z
  .object({
    /** Data-tier exporters and the monitoring role. */
    exporters: exportersSchema.prefault({}),
    /** Container log shipping to CloudWatch Logs. */
    logShipping: logShippingSchema.prefault({}),
    /** The weekly database maintenance CronJob. */
    databaseMaintenance: databaseMaintenanceSchema.prefault({}),
  })
  .strict();

export type ObservabilityConfig = z.infer<typeof observabilitySchema>;

const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

/** Minutes since Sunday 00:00 of a `ddd:hh:mm` point. */
function weekMinute(point: string): number {
  const [day, hh, mm] = point.split(":");
  return DAYS.indexOf(day) * 1440 + Number(hh) * 60 + Number(mm);
}

/** True when every start of the cron schedule in a sample week lies inside the weekly window `ddd:hh:mm-ddd:hh:mm`. */
export function scheduleInsideWeeklyWindow(schedule: string, window: string): boolean {
  const [from, to] = window.split("-").map(weekMinute);
  const inside = (m: number) => (from <= to ? m >= from && m < to : m >= from || m < to);
  // A week starting on a Sunday 00:00 UTC (2026-11-29).
  const start = new Date(Date.UTC(2026, 10, 29));
  const it = CronExpressionParser.parse(schedule, { tz: "UTC", currentDate: new Date(start.getTime() - 1000), endDate: new Date(start.getTime() + 7 * 86400_000) });
  let any = false;
  while (it.hasNext()) {
    const at = it.next().toDate();
    const m = Math.floor((at.getTime() - start.getTime()) / 60000);
    if (m >= 7 * 1440) break;
    any = true;
    if (!inside(m)) return false;
  }
  return any;
}

/** The cron schedule that starts at the beginning of a weekly window: "sun:03:00-sun:06:00" → "0 3 * * 0". */
export function windowStartSchedule(window: string): string {
  const [day, hh, mm] = window.split("-")[0].split(":");
  return `${Number(mm)} ${Number(hh)} * * ${DAYS.indexOf(day)}`;
}

export const refineObservability: Refinement = (config, report) => {
  const o = config.observability;
  if (!o) return;
  const at = (...path: Array<string | number>) => ["observability", ...path];
  const maintenance = o.databaseMaintenance;
  // RDS may patch and reboot during its window; the runbook's Sunday 03:00 job runs there on purpose, when traffic is lowest
  // and nobody expects the database to be fast. Outside it, a VACUUM of a busy table competes with the application.
  if (config.database && maintenance.enabled && maintenance.schedule && !scheduleInsideWeeklyWindow(maintenance.schedule, config.database.maintenanceWindow))
    report(at("databaseMaintenance", "schedule"), maintenance.schedule, `must start inside database.maintenanceWindow (${config.database.maintenanceWindow}), every time it runs`);
  const namespaces = o.logShipping.namespaces;
  if (new Set(namespaces).size !== namespaces.length) report(at("logShipping", "namespaces"), namespaces, "must not list a namespace twice");
};
