import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { isWeeklyWindow, weeklyWindowMinutes } from "../core/windows";
import { LOG_RETENTION_DAYS } from "../core/retention";
import { MONITORING_INTERVALS, RDS_CLASS_ALLOWED, isRdsPostgresClass, supportsPerformanceInsights } from "../core/aws-catalogue";

export interface PostgresReadReplicaArgs {
  /** ARN of the source instance (`PostgresDatabase.instanceArn`). An ARN, not an identifier: RDS needs one when a subnet group is given, and across regions. No default. */
  sourceDbInstanceArn: pulumi.Input<string>;
  /** RDS identifier of the replica (1–63 lowercase letters, digits, single hyphens). @default the component name */
  identifier?: string;
  /** Instance class; the runbooks' replicas match the primary. @default "db.r5.large" */
  instanceClass?: string;
  /** Customer-managed key in the replica's own region. Required: a cross-region replica is encrypted only with a key of its region, and an in-region replica keeps the source's. No default. */
  kmsKeyArn: pulumi.Input<string>;
  /** Parameter group in the replica's region: the source's in-region, one made from `postgresParameters()` across regions (TLS forced either way). No default. */
  parameterGroupName: pulumi.Input<string>;
  /** DB subnet group in the replica's region (private subnets). No default. */
  subnetGroupName: pulumi.Input<string>;
  /** Security groups of the replica (the source's in-region: same clients, same port). No default. */
  securityGroupIds: pulumi.Input<string>[];
  /** Standby for the replica itself; replicas are already redundant copies, so off unless asked. @default false */
  multiAz?: boolean;
  /** Days of the replica's own automated backups: 0 for a read-scaling replica, ≥ 1 for one you may promote (DR). @default 0 */
  backupRetentionDays?: number;
  /** Weekly UTC maintenance window "ddd:hh:mm-ddd:hh:mm". @default "sun:03:00-sun:06:00" (the source's, inside the runbooks' Sunday slot) */
  maintenanceWindow?: string;
  /** Storage autoscaling ceiling (GiB); keep it equal to the source's, a replica must never run out first. @default 500 */
  maxAllocatedStorageGiB?: number;
  /** Refuse deletion until turned off. @default true */
  deletionProtection?: boolean;
  /** Performance Insights, encrypted with `kmsKeyArn`. @default true */
  performanceInsights?: boolean;
  /** Enhanced monitoring interval (s); needs `monitoringRoleArn` when > 0. @default 0 */
  monitoringIntervalSeconds?: number;
  /** Role RDS assumes for enhanced monitoring (the source's in-region; IAM is global). @default none */
  monitoringRoleArn?: pulumi.Input<string>;
  /** Apply modifications at once instead of in the maintenance window. @default false */
  applyImmediately?: boolean;
  /** Days the replica's exported postgresql/upgrade logs stay in CloudWatch Logs. @default 90 */
  logRetentionDays?: number;
  /**
   * Promote the replica to a standalone, writable instance (DR activation): `replicateSourceDb` is
   * dropped, which the AWS provider carries out as PromoteReadReplica. Needs `backupRetentionDays` ≥ 1.
   * @default false
   */
  promote?: boolean;
  /** Tags on the replica. @default {} */
  tags?: Record<string, string>;
}

const RDS_IDENTIFIER = /^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$/;

function validate(name: string, args: PostgresReadReplicaArgs) {
  const reject = (arg: string, value: unknown, allowed: string) => rejectArg("PostgresReadReplica", arg, value, allowed);
  const isInt = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  const identifier = args.identifier ?? name;
  if (!RDS_IDENTIFIER.test(identifier)) reject("identifier", identifier, "must be 1–63 lowercase letters, digits or single hyphens, starting with a letter and not ending with a hyphen");
  const instanceClass = args.instanceClass ?? "db.r5.large";
  if (!isRdsPostgresClass(instanceClass)) reject("instanceClass", instanceClass, RDS_CLASS_ALLOWED);
  const retention = args.backupRetentionDays ?? 0;
  if (!isInt(retention, 0, 35)) reject("backupRetentionDays", retention, "must be an integer from 0 to 35 (AWS's range)");
  const window = args.maintenanceWindow ?? "sun:03:00-sun:06:00";
  if (!isWeeklyWindow(window) || weeklyWindowMinutes(window) < 30 || weeklyWindowMinutes(window) > 1440)
    reject("maintenanceWindow", window, 'must be a weekly UTC window "ddd:hh:mm-ddd:hh:mm" from 30 minutes to 24 hours');
  const max = args.maxAllocatedStorageGiB ?? 500;
  if (!isInt(max, 22, 65536)) reject("maxAllocatedStorageGiB", max, "must be an integer from 22 to 65536");
  const interval = args.monitoringIntervalSeconds ?? 0;
  if (!(MONITORING_INTERVALS as readonly number[]).includes(interval)) reject("monitoringIntervalSeconds", interval, `must be one of ${MONITORING_INTERVALS.join(", ")}`);
  if (interval > 0 && args.monitoringRoleArn === undefined) reject("monitoringRoleArn", undefined, "must be set when monitoringIntervalSeconds > 0 (RDS needs a role to publish enhanced monitoring)");
  if ((args.performanceInsights ?? true) && !supportsPerformanceInsights(instanceClass))
    reject("performanceInsights", true, `must be false on ${instanceClass} (not offered on micro/small burstable classes)`);
  const logRetention = args.logRetentionDays ?? 90;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetention)) reject("logRetentionDays", logRetention, `must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
  if (args.promote && retention < 1) reject("promote", true, "needs backupRetentionDays ≥ 1 (RDS promotes only a replica with automated backups)");
  if (args.securityGroupIds.length === 0) reject("securityGroupIds", [], "must list at least one security group (the default group would apply)");
}

/**
 * One RDS PostgreSQL read replica (runbook 001 1.17: "3 PostgreSQL instances" = the primary and two
 * replicas). The same component serves in-region read scaling and a cross-region DR replica: pass the
 * DR region's provider in `opts`, a key, subnet group and parameter group of that region, and
 * `backupRetentionDays ≥ 1` so the replica can be promoted with point-in-time restore from day one.
 *
 * Encryption is not optional: RDS makes a replica of an encrypted source encrypted, and this component
 * always names the key (`kmsKeyId`), which is what a cross-region replica needs; the policy pack
 * refuses a replica without `storageEncrypted` and a key. No password or database name is given: a
 * replica inherits both from its source. No final snapshot: RDS refuses one when a replica is deleted.
 */
export class PostgresReadReplica extends pulumi.ComponentResource {
  /** Host name of the replica (read-only connections). */
  public readonly endpoint: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  public readonly instanceArn: pulumi.Output<string>;
  public readonly instanceIdentifier: pulumi.Output<string>;

  constructor(name: string, args: PostgresReadReplicaArgs, opts?: pulumi.ComponentResourceOptions) {
    validate(name, args);
    super("runbook:data:PostgresReadReplica", name, {}, opts);

    const identifier = args.identifier ?? name;
    const performanceInsights = args.performanceInsights ?? true;
    const monitoringInterval = args.monitoringIntervalSeconds ?? 0;

    // Created before the replica so RDS writes into groups with retention instead of never-expiring ones.
    // Encrypted by CloudWatch Logs' own key: the source's key policy admits only the source's log groups.
    const logGroups = ["postgresql", "upgrade"].map(
      (log) =>
        new aws.cloudwatch.LogGroup(
          `${name}-log-${log}`,
          { name: `/aws/rds/instance/${identifier}/${log}`, retentionInDays: args.logRetentionDays ?? 90, tags: args.tags ?? {} },
          { parent: this },
        ),
    );

    const instance = new aws.rds.Instance(
      `${name}-instance`,
      {
        identifier,
        // Dropping the source promotes the replica; the ARN stays in the component's args for the record.
        replicateSourceDb: args.promote ? undefined : args.sourceDbInstanceArn,
        instanceClass: args.instanceClass ?? "db.r5.large",
        storageType: "gp3",
        maxAllocatedStorage: args.maxAllocatedStorageGiB ?? 500,
        storageEncrypted: true,
        kmsKeyId: args.kmsKeyArn,
        dbSubnetGroupName: args.subnetGroupName,
        vpcSecurityGroupIds: args.securityGroupIds,
        parameterGroupName: args.parameterGroupName,
        publiclyAccessible: false,
        multiAz: args.multiAz ?? false,
        backupRetentionPeriod: args.backupRetentionDays ?? 0,
        maintenanceWindow: args.maintenanceWindow ?? "sun:03:00-sun:06:00",
        copyTagsToSnapshot: true,
        deletionProtection: args.deletionProtection ?? true,
        // RDS refuses a final snapshot when a replica is deleted (DeleteDBInstance: "must enable SkipFinalSnapshot").
        skipFinalSnapshot: true,
        autoMinorVersionUpgrade: true,
        applyImmediately: args.applyImmediately ?? false,
        iamDatabaseAuthenticationEnabled: true,
        caCertIdentifier: "rds-ca-rsa2048-g1",
        enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
        performanceInsightsEnabled: performanceInsights,
        performanceInsightsKmsKeyId: performanceInsights ? args.kmsKeyArn : undefined,
        performanceInsightsRetentionPeriod: performanceInsights ? 7 : undefined,
        monitoringInterval,
        monitoringRoleArn: monitoringInterval > 0 ? args.monitoringRoleArn : undefined,
        tags: { ...(args.tags ?? {}), role: args.promote ? "promoted-replica" : "read-replica" },
      },
      { parent: this, dependsOn: logGroups },
    );

    this.endpoint = instance.address;
    this.port = instance.port;
    this.instanceArn = instance.arn;
    this.instanceIdentifier = instance.identifier;
    this.registerOutputs({ endpoint: this.endpoint, port: this.port, instanceArn: this.instanceArn, instanceIdentifier: this.instanceIdentifier });
  }
}
