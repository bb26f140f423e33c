/**
 * Stack keys of the backups capability (`runbook-infra:backups`): the S3 bucket's retention per
 * prefix, cold storage, Object Lock and DR replication, and the schedules of the backup CronJobs.
 * Defaults are runbook 001's production figures: daily dumps at 02:00 UTC kept 30 days, 12 weekly and
 * 12 monthly copies, Kubernetes configs kept 30 days.
 */
import { z } from "zod";
import { CronExpressionParser } from "cron-parser";
import { bool, cron, int, k8sName, oneOf, str } from "./fields";
import type { Refinement, Report } from "./refinement";
import { COLD_STORAGE_CLASSES, lifecycleProblem } from "../../core/s3-lifecycle";

const transition = z
  .object({
    /** Age in days at which backups move. No default. */
    afterDays: int(0, 36500),
    /** Colder storage class to move into. No default. */
    storageClass: oneOf(COLD_STORAGE_CLASSES),
  })
  .strict();

/** Moves to colder storage, in increasing age and coldness; checked against S3's minimum durations. @default [] */
const transitions = () => z.array(transition, { error: "must be a list of { afterDays, storageClass }" }).default([]);

const pinnedImage = () => str(/^(?!.*:latest$)[a-z0-9][a-z0-9./_-]*(:[\w][\w.-]{0,127}|@sha256:[a-f0-9]{64})$/, "an image pinned by a tag other than latest or by digest, e.g. postgres:16.6-bookworm");

export const backupsSchema = z
  .object({
    /** Object Lock default retention (immutable backups); can only be turned on when the bucket is created. @default none */
    objectLock: z
      .object({
        /** GOVERNANCE (privileged users may delete early) or COMPLIANCE (nobody may). @default "GOVERNANCE" */
        mode: oneOf(["GOVERNANCE", "COMPLIANCE"]).default("GOVERNANCE"),
        /** Days every new object version is immutable. No default. */
        days: int(1, 36500),
      })
      .strict()
      .optional(),
    /** Days an expired or replaced object version survives before it is deleted for good. @default 7 */
    noncurrentVersionDays: int(1, 365).default(7),
    /** Replicate the bucket to a bucket in `drRegion` (ignored without drRegion). @default true */
    replicateToDrRegion: bool().default(true),
    /** Keep the bucket on `pulumi destroy` (Pulumi `protect`). @default true */
    protectBucket: bool().default(true),
    /** PostgreSQL dumps (used only when the stack has a database). @default {} (every field at its default) */
    postgres: z
      .object({
        /** The daily dump, the source of the weekly and monthly copies. @default {} (02:00 UTC, kept 30 days) */
        daily: z
          .object({
            /** When the daily dump runs (UTC). Must run every day: Sunday's dump becomes the weekly copy, the 1st's the monthly one. @default "0 2 * * *" */
            schedule: cron().default("0 2 * * *"),
            /** Days daily dumps are kept. @default 30 */
            retentionDays: int(1, 3650).default(30),
            /** Cold storage for daily dumps. @default [] */
            transitions: transitions(),
          })
          .strict()
          .prefault({}),
        /** Extra dumps during business hours (runbook 002: "0 9-17 * * *"). @default none */
        hourly: z
          .object({
            /** When the hourly dumps run (UTC). @default "0 9-17 * * 1-5" */
            schedule: cron().default("0 9-17 * * 1-5"),
            /** Days hourly dumps are kept; the short tier. @default 2 */
            retentionDays: int(1, 90).default(2),
          })
          .strict()
          .optional(),
        /** Sunday's daily dump, kept longer under postgresql/weekly/. @default {} (12 weeks) */
        weekly: z
          .object({
            /** Weeks the Sunday copies are kept. @default 12 */
            retentionWeeks: int(1, 520).default(12),
            /** Cold storage for weekly copies. @default [] */
            transitions: transitions(),
          })
          .strict()
          .prefault({}),
        /** The 1st's daily dump, kept longer under postgresql/monthly/. @default {} (12 months) */
        monthly: z
          .object({
            /** Months the copies of the 1st are kept (a month counts 365/12 days, rounded up). @default 12 */
            retentionMonths: int(1, 120).default(12),
            /** Cold storage for monthly copies. @default [] */
            transitions: transitions(),
          })
          .strict()
          .prefault({}),
        /** Tier the suspended restore CronJob restores the newest dump of. @default "daily" */
        restoreTier: oneOf(["daily", "hourly", "weekly", "monthly"]).default("daily"),
        /** pg_dump/pg_restore image; its major must be ≥ the database's. @default the pinned Debian image of database.engineVersion's major */
        clientImage: pinnedImage().optional(),
      })
      .strict()
      .prefault({}),
    /** Kubernetes configuration backup (runbook 001 "Configuration Backup"). @default {} (03:00 UTC, kept 30 days) */
    kubernetesConfig: z
      .object({
        /** When the export runs (UTC). @default "0 3 * * *" */
        schedule: cron().default("0 3 * * *"),
        /** Days configuration archives are kept. @default 30 */
        retentionDays: int(1, 3650).default(30),
        /** Export Secrets too, uploaded only with SSE-KMS (runbook 002 "Backup secrets (encrypted)"). @default true */
        includeSecrets: bool().default(true),
        /** Namespaces exported besides the application namespace. @default [] */
        extraNamespaces: z.array(k8sName()).default([]),
      })
      .strict()
      .prefault({}),
  })
  .strict();

export type BackupsConfig = z.infer<typeof backupsSchema>;

/** Days in the retention of each tier, as the bucket's lifecycle rules express them. */
export function retentionDays(backups: BackupsConfig) {
  const pg = backups.postgres;
  return {
    daily: pg.daily.retentionDays,
    hourly: pg.hourly?.retentionDays,
    weekly: pg.weekly.retentionWeeks * 7,
    monthly: Math.ceil((pg.monthly.retentionMonths * 365) / 12),
    kubernetesConfig: backups.kubernetesConfig.retentionDays,
  };
}

/** True when a cron expression fires on every day of every month (so on every Sunday and every 1st). */
function runsEveryDay(expression: string): boolean {
  const fields = CronExpressionParser.parse(expression, { tz: "UTC" }).fields;
  const weekdays = new Set(fields.dayOfWeek.values.map((d) => Number(d) % 7));
  return fields.dayOfMonth.values.length === 31 && fields.month.values.length === 12 && weekdays.size === 7;
}

function checkTransitions(report: Report, path: Array<string | number>, expireAfterDays: number, list: Array<{ afterDays: number; storageClass: (typeof COLD_STORAGE_CLASSES)[number] }>, retentionKey: string, retentionValue: number) {
  const problem = lifecycleProblem({ expireAfterDays, transitions: list });
  if (!problem) return;
  if (problem.index < 0) report([...path.slice(0, -1), retentionKey], retentionValue, problem.allowed);
  else report([...path, problem.index], list[problem.index], problem.allowed);
}

export const refineBackups: Refinement = (config, report) => {
  const backups = config.backups;
  if (!backups) {
    // A DR stack's database is a replica: the primary's dumps (replicated into this region) are its backups until activation.
    if (config.environment === "production" && config.database && config.role !== "dr")
      report(["backups"], undefined, "production with a database must configure backups (runbook 001: daily dumps at 02:00 UTC kept 30 days)");
    return;
  }
  const pg = backups.postgres;
  const days = retentionDays(backups);
  const base = ["backups", "postgres"];

  if (!runsEveryDay(pg.daily.schedule))
    report([...base, "daily", "schedule"], pg.daily.schedule, "must run every day: Sunday's dump is kept as the weekly copy and the 1st's as the monthly one");
  if (pg.hourly && pg.hourly.retentionDays > days.daily)
    report([...base, "hourly", "retentionDays"], pg.hourly.retentionDays, `must not exceed postgres.daily.retentionDays (${days.daily}): hourly dumps are the short tier`);
  if (days.weekly <= days.daily)
    report([...base, "weekly", "retentionWeeks"], pg.weekly.retentionWeeks, `must keep weekly copies longer than daily dumps (${days.daily} days), i.e. more than ${Math.floor(days.daily / 7)} weeks`);
  if (days.monthly <= days.weekly)
    report([...base, "monthly", "retentionMonths"], pg.monthly.retentionMonths, `must keep monthly copies longer than weekly ones (${pg.weekly.retentionWeeks} weeks = ${days.weekly} days)`);

  checkTransitions(report, [...base, "daily", "transitions"], days.daily, pg.daily.transitions, "retentionDays", pg.daily.retentionDays);
  checkTransitions(report, [...base, "weekly", "transitions"], days.weekly, pg.weekly.transitions, "retentionWeeks", pg.weekly.retentionWeeks);
  checkTransitions(report, [...base, "monthly", "transitions"], days.monthly, pg.monthly.transitions, "retentionMonths", pg.monthly.retentionMonths);

  if (backups.objectLock && backups.objectLock.days > days.daily)
    report(["backups", "objectLock", "days"], backups.objectLock.days, `must not exceed postgres.daily.retentionDays (${days.daily}): locked versions would outlive their retention`);

  const database = config.database as { engineVersion?: string } | undefined;
  const dbMajor = database?.engineVersion ? Number(database.engineVersion.split(".")[0]) : undefined;
  const clientMajor = pg.clientImage ? /^(?:[^/]+\/)*postgres:(\d+)/.exec(pg.clientImage)?.[1] : undefined;
  if (dbMajor !== undefined && clientMajor !== undefined && Number(clientMajor) < dbMajor)
    report([...base, "clientImage"], pg.clientImage, `must be PostgreSQL ${dbMajor} or newer: pg_dump refuses servers of a newer major (database.engineVersion is ${database!.engineVersion})`);

  const namespaces = backups.kubernetesConfig.extraNamespaces;
  if (new Set(namespaces).size !== namespaces.length) report(["backups", "kubernetesConfig", "extraNamespaces"], namespaces, "must not repeat a namespace");

  if (config.database && !config.application)
    report(["backups"], "(set)", "the PostgreSQL backup jobs run in the application namespace beside the postgres-connection Secret: set runbook-infra:application too");
  if (config.environment === "production" && config.drRegion && !backups.replicateToDrRegion)
    report(["backups", "replicateToDrRegion"], false, "must be true in production with a drRegion: runbook 001's DR site restores from the copy in the DR region");
};
