/**
 * Stack keys of RDS PostgreSQL (`runbook-infra:database`). Defaults are the production-grade ones
 * (Multi-AZ, 30-day backups, deletion protection): a cheaper stack opts out in its own file, where the
 * opt-out is visible in review.
 */
import { z } from "zod";
import { bool, dailyOverlapsWeekly, dailyWindow, dailyWindowMinutes, int, str, weeklyWindow, weeklyWindowMinutes } from "./fields";
import { logRetentionDays } from "./network";
import type { Refinement } from "./refinement";
import { MAX_POSTGRES_READ_REPLICAS } from "../../core/postgres-parameters";
import {
  RDS_POSTGRES_FAMILIES, isRdsPostgresClass, RDS_CLASS_ALLOWED, supportsPerformanceInsights, MONITORING_INTERVALS,
  isPerformanceInsightsRetention, POSTGRES_VERSION, PG_IDENTIFIER, isReservedPgName, minMaxAllocatedStorage,
} from "../../core/aws-catalogue";
export {
  RDS_POSTGRES_FAMILIES, isRdsPostgresClass, RDS_CLASS_ALLOWED, supportsPerformanceInsights, MONITORING_INTERVALS,
  isPerformanceInsightsRetention, POSTGRES_VERSION, isReservedPgName, minMaxAllocatedStorage,
};
import { DATABASE_NAME, DATABASE_NAME_ALLOWED } from "../../core/database-names";

export const databaseSchema = z
  .object({
    /** PostgreSQL engine version; a major alone ("16") lets automatic minor upgrades move it. @default "16" */
    engineVersion: str(POSTGRES_VERSION, 'a PostgreSQL version from 13 to 17 such as "16" or "16.4" (quoted)').default("16"),
    /** RDS instance class (the runbooks scale db.r5.large → db.r5.2xlarge). @default "db.r5.large" */
    instanceClass: z.string({ error: RDS_CLASS_ALLOWED }).refine(isRdsPostgresClass, { error: RDS_CLASS_ALLOWED }).default("db.r5.large"),
    /** gp3 storage allocated at creation (GiB), the capacity plan's current figure. @default 100 */
    allocatedStorageGiB: int(20, 65536).default(100),
    /** Storage autoscaling ceiling (GiB), the capacity plan's 12-month figure; AWS wants ≥ 110 % of allocated. @default 500 */
    maxAllocatedStorageGiB: int(22, 65536).default(500),
    /** Synchronous standby in a second AZ (failover in 60–120 s). @default true */
    multiAz: bool().default(true),
    /** Explicit opt-out that lets a production stack run without Multi-AZ. @default false */
    allowSingleAzInProduction: bool().default(false),
    /** Days automated backups (and point-in-time restore) are kept; AWS allows 0–35. @default 30 */
    backupRetentionDays: int(0, 35).default(30),
    /** Daily UTC window for automated backups; at least 30 minutes, never inside the maintenance window. @default "00:30-01:30" */
    backupWindow: dailyWindow().default("00:30-01:30"),
    /** Weekly UTC maintenance window (the runbooks': Sunday 02:00–06:00). @default "sun:03:00-sun:06:00" (inside the runbooks' Sunday 02:00–06:00 slot, after the 02:00 dump) */
    maintenanceWindow: weeklyWindow().default("sun:03:00-sun:06:00"),
    /** Refuse `DeleteDBInstance` until turned off; required in production. @default true */
    deletionProtection: bool().default(true),
    /** Name of the database created on the instance; lowercase and short enough for the restore job's `<name>_restore_<timestamp>` target. @default "app" */
    name: str(DATABASE_NAME, DATABASE_NAME_ALLOWED).default("app"),
    /** Master user name; its password is generated and kept secret. @default "app_admin" */
    username: str(PG_IDENTIFIER, "a PostgreSQL identifier: a letter, then letters, digits or '_' (at most 63)").default("app_admin"),
    /** Apply changes (e.g. the runbooks' db.r5.large → db.r5.2xlarge resize) at once instead of in the maintenance window. @default false */
    applyImmediately: bool().default(false),
    /** Bump to rotate the master password: one `pulumi up` changes it in RDS, Secrets Manager and the connection Secret. @default 1 */
    passwordVersion: int(1, 1_000_000).default(1),
    /** Performance Insights (required in production). @default true */
    performanceInsights: bool().default(true),
    /** Days Performance Insights keeps data: 7 (free), a multiple of 31 up to 713, or 731. @default 7 */
    performanceInsightsRetentionDays: z
      .number({ error: "must be 7, a multiple of 31 up to 713, or 731" })
      .refine(isPerformanceInsightsRetention, { error: "must be 7, a multiple of 31 up to 713, or 731" })
      .default(7),
    /** Enhanced monitoring granularity in seconds; 0 turns it off (not allowed in production). @default 60 */
    monitoringIntervalSeconds: z
      .number({ error: `must be one of ${MONITORING_INTERVALS.join(", ")}` })
      .refine((v) => (MONITORING_INTERVALS as readonly number[]).includes(v), { error: `must be one of ${MONITORING_INTERVALS.join(", ")}` })
      .default(60),
    /** `log_min_duration_statement`: statements slower than this (ms) are logged; slow-query logging stays on. @default 500 */
    slowQueryLogMs: int(0, 3_600_000).default(500),
    /** Days the exported postgresql/upgrade logs stay in CloudWatch Logs. @default 90 */
    logRetentionDays: logRetentionDays().default(90),
    /** Replicate automated backups (snapshots + WAL) into the stack's drRegion, when one is set. @default true */
    replicateBackupsToDr: bool().default(true),
    /** Days the replicated backups are kept in the DR region (1–35). @default 7 */
    drBackupRetentionDays: int(1, 35).default(7),
    /** In-region read replicas (runbook 001 1.17: "3 PostgreSQL instances" = the primary and 2 replicas); their hosts reach the application as PGHOST_READER. @default none (no replicas) */
    readReplicas: z
      .object({
        /** Number of replicas; RDS allows up to 15 per source. @default 1 */
        count: int(1, MAX_POSTGRES_READ_REPLICAS).default(1),
        /** Instance class of every replica. @default database.instanceClass */
        instanceClass: z.string({ error: RDS_CLASS_ALLOWED }).refine(isRdsPostgresClass, { error: RDS_CLASS_ALLOWED }).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type DatabaseConfig = z.infer<typeof databaseSchema>;

export const refineDatabase: Refinement = (config, report) => {
  const db = config.database;
  if (!db) return;
  const at = (key: keyof DatabaseConfig) => ["database", key];
  const production = config.environment === "production";

  const minMax = minMaxAllocatedStorage(db.allocatedStorageGiB);
  if (db.maxAllocatedStorageGiB < minMax)
    report(at("maxAllocatedStorageGiB"), db.maxAllocatedStorageGiB, `must be at least 110 % of allocatedStorageGiB (${db.allocatedStorageGiB}), i.e. ≥ ${minMax}`);
  if (dailyWindowMinutes(db.backupWindow) < 30) report(at("backupWindow"), db.backupWindow, "must be at least 30 minutes long");
  const maintenanceMinutes = weeklyWindowMinutes(db.maintenanceWindow);
  if (maintenanceMinutes < 30 || maintenanceMinutes > 24 * 60) report(at("maintenanceWindow"), db.maintenanceWindow, "must be from 30 minutes to 24 hours long");
  if (dailyOverlapsWeekly(db.backupWindow, db.maintenanceWindow))
    report(at("backupWindow"), db.backupWindow, `must not overlap maintenanceWindow (${db.maintenanceWindow})`);
  if (isReservedPgName(db.username)) report(at("username"), db.username, "must not be a name RDS or PostgreSQL reserve (postgres, rds*, pg_*)");
  if (db.performanceInsights && !supportsPerformanceInsights(db.instanceClass))
    report(at("performanceInsights"), db.performanceInsights, `must be false on ${db.instanceClass} (Performance Insights is not offered on micro/small burstable classes)`);

  if (production) {
    if (!db.multiAz && !db.allowSingleAzInProduction)
      report(at("multiAz"), db.multiAz, "must be true in production (or set allowSingleAzInProduction: true to accept an AZ outage taking the database down)");
    if (db.backupRetentionDays < 1) report(at("backupRetentionDays"), db.backupRetentionDays, "must be at least 1 in production (0 turns off automated backups and point-in-time restore)");
    if (!db.deletionProtection) report(at("deletionProtection"), db.deletionProtection, "must be true in production");
    if (!db.performanceInsights) report(at("performanceInsights"), db.performanceInsights, "must be true in production");
    if (db.monitoringIntervalSeconds === 0) report(at("monitoringIntervalSeconds"), db.monitoringIntervalSeconds, "must be 1, 5, 10, 15, 30 or 60 in production (enhanced monitoring on)");
  }
  if (db.readReplicas) {
    // RDS creates a replica from the source's automated backups: none, no replica (CreateDBInstanceReadReplica).
    if (db.backupRetentionDays < 1) report(at("backupRetentionDays"), db.backupRetentionDays, "must be at least 1 when readReplicas is set (RDS builds replicas from automated backups)");
    const replicaClass = db.readReplicas.instanceClass ?? db.instanceClass;
    if (db.performanceInsights && !supportsPerformanceInsights(replicaClass))
      report(["database", "readReplicas", "instanceClass"], replicaClass, "must offer Performance Insights while database.performanceInsights is true (not micro/small burstable classes)");
  }
  if (config.drRegion && db.replicateBackupsToDr && db.backupRetentionDays < 1)
    report(at("backupRetentionDays"), db.backupRetentionDays, "must be at least 1 while replicateBackupsToDr is on (there is nothing to replicate)");
};
