import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { logsEncryptingKeyPolicy } from "./kms-key-policy";
import * as random from "@pulumi/random";
import { rejectArg } from "../core/errors";
import { dailyOverlapsWeekly, dailyWindowMinutes, isDailyWindow, isWeeklyWindow, weeklyWindowMinutes } from "../core/windows";
import { LOG_RETENTION_DAYS } from "../core/retention";
import { DATABASE_NAME, DATABASE_NAME_ALLOWED } from "../core/database-names";
import { postgresParameters } from "../core/postgres-parameters";
import {
  MONITORING_INTERVALS,
  POSTGRES_VERSION,
  RDS_CLASS_ALLOWED,
  isPerformanceInsightsRetention,
  isRdsPostgresClass,
  isReservedPgName,
  minMaxAllocatedStorage,
  supportsPerformanceInsights,
} from "../core/aws-catalogue";

export interface PostgresDatabaseArgs {
  /** VPC the database lives in. No default. */
  vpcId: pulumi.Input<string>;
  /** Private subnets (at least two AZs) for the DB subnet group. No default. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups admitted on 5432 (the EKS nodes' group); nothing else is, and never a CIDR. No default. */
  allowedSecurityGroupIds: pulumi.Input<string>[];
  /** RDS instance identifier (also names the log groups, secret and final snapshot). @default the component name */
  identifier?: string;
  /** PostgreSQL version; a major alone lets automatic minor upgrades move it. @default "16" */
  engineVersion?: string;
  /** Instance class. @default "db.r5.large" */
  instanceClass?: string;
  /** gp3 storage at creation (GiB). @default 100 */
  allocatedStorageGiB?: number;
  /** Storage autoscaling ceiling (GiB); AWS wants at least 110 % of allocatedStorageGiB. @default 500 */
  maxAllocatedStorageGiB?: number;
  /** Synchronous standby in another AZ. @default true */
  multiAz?: boolean;
  /** Days automated backups and point-in-time restore reach back (AWS allows 0–35). @default 30 */
  backupRetentionDays?: number;
  /** Daily UTC backup window "hh:mm-hh:mm", ≥ 30 minutes, outside the maintenance window. @default "00:30-01:30" */
  backupWindow?: string;
  /** Weekly UTC maintenance window "ddd:hh:mm-ddd:hh:mm". @default "sun:03:00-sun:06:00" (inside the runbooks' Sunday 02:00–06:00 slot, after the 02:00 dump) */
  maintenanceWindow?: string;
  /** Refuse deletion until turned off. @default true */
  deletionProtection?: boolean;
  /** Database created on the instance. @default "app" */
  databaseName?: string;
  /** Master user name. @default "app_admin" */
  username?: string;
  /** Apply modifications at once (the runbooks' urgent resize) instead of in the next maintenance window. @default false */
  applyImmediately?: boolean;
  /** Bump to generate a new master password; the next `pulumi up` changes it in RDS, Secrets Manager and the connection Secret together. @default 1 */
  passwordVersion?: number;
  /** Performance Insights (encrypted with the database key). @default true */
  performanceInsights?: boolean;
  /** Days Performance Insights keeps data: 7, a multiple of 31 up to 713, or 731. @default 7 */
  performanceInsightsRetentionDays?: number;
  /** Enhanced monitoring granularity (s): 0, 1, 5, 10, 15, 30 or 60; 0 turns it off. @default 60 */
  monitoringIntervalSeconds?: number;
  /** `log_min_duration_statement` (ms): slower statements are logged for the runbooks' slow-query hunts. @default 500 */
  slowQueryLogMs?: number;
  /** Days the exported postgresql and upgrade logs are kept in CloudWatch Logs. @default 90 */
  logRetentionDays?: number;
  /** Provider of the DR region; when set, automated backups (snapshots and WAL) are replicated there. @default none (no replication) */
  drProvider?: aws.Provider;
  /** Days replicated backups are kept in the DR region (1–35). @default 7 */
  drBackupRetentionDays?: number;
  /** Tags on every AWS resource. @default {} */
  tags?: Record<string, string>;
}

const PG_IDENTIFIER = /^[a-zA-Z][a-zA-Z0-9_]{0,62}$/;
const RDS_IDENTIFIER = /^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$/;
const PORT = 5432;

function validate(name: string, args: PostgresDatabaseArgs) {
  const reject = (arg: string, value: unknown, allowed: string) => rejectArg("PostgresDatabase", arg, value, allowed);
  const isInt = (v: number, min: number, max: number) => Number.isInteger(v) && v >= min && v <= max;
  const identifier = args.identifier ?? name;
  if (!RDS_IDENTIFIER.test(identifier)) reject("identifier", identifier, "must be 1–63 lowercase letters, digits or single hyphens, starting with a letter and not ending with a hyphen");
  if (args.engineVersion !== undefined && !POSTGRES_VERSION.test(args.engineVersion)) reject("engineVersion", args.engineVersion, 'must be a PostgreSQL version from 13 to 17 such as "16" or "16.4"');
  const instanceClass = args.instanceClass ?? "db.r5.large";
  if (!isRdsPostgresClass(instanceClass)) reject("instanceClass", instanceClass, RDS_CLASS_ALLOWED);
  const allocated = args.allocatedStorageGiB ?? 100;
  if (!isInt(allocated, 20, 65536)) reject("allocatedStorageGiB", allocated, "must be an integer from 20 to 65536");
  const max = args.maxAllocatedStorageGiB ?? 500;
  if (!isInt(max, minMaxAllocatedStorage(allocated), 65536))
    reject("maxAllocatedStorageGiB", max, `must be an integer from 110 % of allocatedStorageGiB (${minMaxAllocatedStorage(allocated)}) to 65536`);
  const retention = args.backupRetentionDays ?? 30;
  if (!isInt(retention, 0, 35)) reject("backupRetentionDays", retention, "must be an integer from 0 to 35 (AWS's range)");
  const backupWindow = args.backupWindow ?? "00:30-01:30";
  const maintenanceWindow = args.maintenanceWindow ?? "sun:03:00-sun:06:00";
  if (!isDailyWindow(backupWindow) || dailyWindowMinutes(backupWindow) < 30)
    reject("backupWindow", backupWindow, 'must be a daily UTC window "hh:mm-hh:mm" of at least 30 minutes');
  if (!isWeeklyWindow(maintenanceWindow) || weeklyWindowMinutes(maintenanceWindow) < 30 || weeklyWindowMinutes(maintenanceWindow) > 1440)
    reject("maintenanceWindow", maintenanceWindow, 'must be a weekly UTC window "ddd:hh:mm-ddd:hh:mm" from 30 minutes to 24 hours');
  if (dailyOverlapsWeekly(backupWindow, maintenanceWindow)) reject("backupWindow", backupWindow, `must not overlap maintenanceWindow (${maintenanceWindow})`);
  const databaseName = args.databaseName ?? "app";
  if (!DATABASE_NAME.test(databaseName)) reject("databaseName", databaseName, `must be ${DATABASE_NAME_ALLOWED}`);
  const username = args.username ?? "app_admin";
  if (!PG_IDENTIFIER.test(username) || isReservedPgName(username))
    reject("username", username, "must be a PostgreSQL identifier (a letter, then letters, digits or '_', at most 63) and not reserved (postgres, rds*, pg_*)");
  if (args.passwordVersion !== undefined && !isInt(args.passwordVersion, 1, Number.MAX_SAFE_INTEGER)) reject("passwordVersion", args.passwordVersion, "must be a positive integer");
  const interval = args.monitoringIntervalSeconds ?? 60;
  if (!(MONITORING_INTERVALS as readonly number[]).includes(interval)) reject("monitoringIntervalSeconds", interval, `must be one of ${MONITORING_INTERVALS.join(", ")}`);
  if ((args.performanceInsights ?? true) && !supportsPerformanceInsights(instanceClass))
    reject("performanceInsights", true, `must be false on ${instanceClass} (not offered on micro/small burstable classes)`);
  const piRetention = args.performanceInsightsRetentionDays ?? 7;
  if (!isPerformanceInsightsRetention(piRetention)) reject("performanceInsightsRetentionDays", piRetention, "must be 7, a multiple of 31 up to 713, or 731");
  const slow = args.slowQueryLogMs ?? 500;
  if (!isInt(slow, 0, 3_600_000)) reject("slowQueryLogMs", slow, "must be an integer from 0 to 3600000 (slow-query logging stays on)");
  const logRetention = args.logRetentionDays ?? 90;
  if (!(LOG_RETENTION_DAYS as readonly number[]).includes(logRetention)) reject("logRetentionDays", logRetention, `must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
  if (args.allowedSecurityGroupIds.length === 0) reject("allowedSecurityGroupIds", [], "must list at least one security group (the database is never opened to CIDRs)");
  const drRetention = args.drBackupRetentionDays ?? 7;
  if (!isInt(drRetention, 1, 35)) reject("drBackupRetentionDays", drRetention, "must be an integer from 1 to 35");
  if (args.drProvider && retention === 0) reject("backupRetentionDays", retention, "must be at least 1 when drProvider is set (there are no automated backups to replicate)");
}

/**
 * RDS PostgreSQL as the runbooks' system of record: private, encrypted with its own rotating KMS key,
 * TLS-only, Multi-AZ, with backups that never collide with the maintenance window and (optionally)
 * replicated to the DR region for the 1-hour RPO.
 *
 * Master credentials: a `random.RandomPassword` kept as a Pulumi secret, not the RDS-managed password.
 * The application namespace's connection Secret and the pg_dump backup jobs need the password itself,
 * and an RDS-managed password lives only in Secrets Manager (rotating behind Pulumi's back, which would
 * leave the Kubernetes Secret stale). The password is also written to a Secrets Manager secret,
 * encrypted with the database key, for consumers outside Kubernetes; it never appears in plaintext in
 * an output. Rotate it by bumping `passwordVersion`: one `pulumi up` changes RDS, Secrets Manager and the
 * Kubernetes Secret together; then restart the deployments (`kubectl rollout restart`), as runbook 002's
 * rotation procedure does, because pods read the Secret at start.
 */
export class PostgresDatabase extends pulumi.ComponentResource {
  /** Host name of the instance (Multi-AZ failover keeps it). */
  public readonly endpoint: pulumi.Output<string>;
  public readonly port: pulumi.Output<number>;
  public readonly databaseName: pulumi.Output<string>;
  public readonly username: pulumi.Output<string>;
  /** The master password, as a Pulumi secret. */
  public readonly password: pulumi.Output<string>;
  /** Secrets Manager secret holding {engine, host, port, dbname, username, password}. */
  public readonly secretArn: pulumi.Output<string>;
  /** The database's security group (admits 5432 from `allowedSecurityGroupIds` only). */
  public readonly securityGroupId: pulumi.Output<string>;
  public readonly instanceIdentifier: pulumi.Output<string>;
  public readonly instanceArn: pulumi.Output<string>;
  /** Key encrypting storage, snapshots, Performance Insights, the logs and the secret. */
  public readonly kmsKeyArn: pulumi.Output<string>;
  /** The parameter group (TLS forced); in-region read replicas share it. */
  public readonly parameterGroupName: pulumi.Output<string>;
  /** The DB subnet group; in-region read replicas use it. */
  public readonly subnetGroupName: pulumi.Output<string>;
  /** Role RDS assumes for enhanced monitoring, when it is on; replicas reuse it. */
  public readonly monitoringRoleArn?: pulumi.Output<string>;
  /** ARN of the DR-region backup replication, when `drProvider` was given. */
  public readonly drBackupReplicationArn?: pulumi.Output<string>;

  constructor(name: string, args: PostgresDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    validate(name, args);
    super("runbook:data:PostgresDatabase", name, {}, opts);

    const identifier = args.identifier ?? name;
    const engineVersion = args.engineVersion ?? "16";
    const major = engineVersion.split(".")[0];
    const databaseName = args.databaseName ?? "app";
    const username = args.username ?? "app_admin";
    const monitoringInterval = args.monitoringIntervalSeconds ?? 60;
    const performanceInsights = args.performanceInsights ?? true;
    const tags = args.tags ?? {};
    const logGroupPrefix = `/aws/rds/instance/${identifier}/`;

    const key = new aws.kms.Key(
      `${name}-key`,
      { description: `RDS ${identifier}: storage, snapshots, Performance Insights, logs, credentials`, enableKeyRotation: true, deletionWindowInDays: 30, policy: logsEncryptingKeyPolicy(`${logGroupPrefix}*`, this), tags },
      { parent: this },
    );
    new aws.kms.Alias(`${name}-key-alias`, { name: `alias/rds/${identifier}`, targetKeyId: key.keyId }, { parent: this });

    const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, { name: identifier, description: `Private subnets of ${identifier}`, subnetIds: args.subnetIds, tags }, { parent: this });

    // No egress rules: the database only answers connections, and RDS needs no outbound path.
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      // egress: [] manages egress as empty: the database answers on connections it accepted and opens none, so a
      // rule added by hand (say 0.0.0.0/0) is drift that the next `pulumi up` removes.
      { vpcId: args.vpcId, description: `PostgreSQL ${identifier}: 5432 from the cluster only`, egress: [], tags: { ...tags, Name: `${identifier}-postgres` } },
      { parent: this },
    );
    args.allowedSecurityGroupIds.forEach((source, i) => {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-ingress-${i}`,
        { securityGroupId: securityGroup.id, referencedSecurityGroupId: source, ipProtocol: "tcp", fromPort: PORT, toPort: PORT, description: "PostgreSQL from the cluster", tags },
        { parent: this },
      );
    });

    const parameterGroup = new aws.rds.ParameterGroup(
      `${name}-params`,
      {
        // The major version in the name: a major upgrade makes a new group next to the old one, no name clash.
        name: `${identifier}-postgres${major}`,
        family: `postgres${major}`,
        description: `${identifier}: TLS only, pg_stat_statements, slow-query log`,
        // One list for the primary and every replica (a cross-region replica builds its own group from it).
        parameters: postgresParameters(args.slowQueryLogMs ?? 500),
        tags,
      },
      { parent: this },
    );

    // Created before the instance so that RDS writes into groups with retention and encryption instead
    // of creating never-expiring, unencrypted ones itself.
    const logGroups = ["postgresql", "upgrade"].map(
      (log) =>
        new aws.cloudwatch.LogGroup(
          `${name}-log-${log}`,
          { name: `${logGroupPrefix}${log}`, retentionInDays: args.logRetentionDays ?? 90, kmsKeyId: key.arn, tags },
          { parent: this },
        ),
    );

    let monitoringRoleArn: pulumi.Output<string> | undefined;
    const monitoringDeps: pulumi.Resource[] = [];
    if (monitoringInterval > 0) {
      const partition = aws.getPartitionOutput({}, { parent: this }).partition;
      const role = new aws.iam.Role(
        `${name}-monitoring`,
        {
          description: `Enhanced monitoring of ${identifier}`,
          assumeRolePolicy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }],
          }),
          tags,
        },
        { parent: this },
      );
      monitoringDeps.push(
        new aws.iam.RolePolicyAttachment(
          `${name}-monitoring`,
          { role: role.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole` },
          { parent: this },
        ),
      );
      monitoringRoleArn = role.arn;
    }

    // Letters and digits only: nothing to escape in libpq strings, URLs or shell scripts; 40 of them is ~238 bits.
    const password = new random.RandomPassword(`${name}-master-password`, { length: 40, special: false, keepers: { version: String(args.passwordVersion ?? 1) } }, { parent: this });

    const instance = new aws.rds.Instance(
      `${name}-instance`,
      {
        identifier,
        engine: "postgres",
        engineVersion,
        instanceClass: args.instanceClass ?? "db.r5.large",
        allocatedStorage: args.allocatedStorageGiB ?? 100,
        maxAllocatedStorage: args.maxAllocatedStorageGiB ?? 500,
        storageType: "gp3",
        storageEncrypted: true,
        kmsKeyId: key.arn,
        dbName: databaseName,
        username,
        password: password.result,
        port: PORT,
        dbSubnetGroupName: subnetGroup.name,
        vpcSecurityGroupIds: [securityGroup.id],
        publiclyAccessible: false,
        parameterGroupName: parameterGroup.name,
        multiAz: args.multiAz ?? true,
        backupRetentionPeriod: args.backupRetentionDays ?? 30,
        backupWindow: args.backupWindow ?? "00:30-01:30",
        maintenanceWindow: args.maintenanceWindow ?? "sun:03:00-sun:06:00",
        copyTagsToSnapshot: true,
        deletionProtection: args.deletionProtection ?? true,
        skipFinalSnapshot: false,
        finalSnapshotIdentifier: `${identifier}-final`,
        // Keep automated backups after a deletion: the last line of recovery from a mistaken destroy.
        deleteAutomatedBackups: false,
        autoMinorVersionUpgrade: true,
        allowMajorVersionUpgrade: false,
        // By default changes wait for the maintenance window; the runbooks' urgent resize sets applyImmediately.
        applyImmediately: args.applyImmediately ?? false,
        iamDatabaseAuthenticationEnabled: true,
        caCertIdentifier: "rds-ca-rsa2048-g1",
        enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
        performanceInsightsEnabled: performanceInsights,
        performanceInsightsKmsKeyId: performanceInsights ? key.arn : undefined,
        performanceInsightsRetentionPeriod: performanceInsights ? (args.performanceInsightsRetentionDays ?? 7) : undefined,
        monitoringInterval,
        monitoringRoleArn,
        tags,
      },
      { parent: this, dependsOn: [...logGroups, ...monitoringDeps] },
    );

    const secret = new aws.secretsmanager.Secret(
      `${name}-master-secret`,
      { name: `rds/${identifier}/master`, description: `Master credentials of RDS ${identifier}`, kmsKeyId: key.arn, recoveryWindowInDays: 7, tags },
      { parent: this },
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-master-secret`,
      {
        secretId: secret.id,
        // The shape RDS and its rotation functions use for database secrets.
        secretString: pulumi.secret(pulumi.jsonStringify({ engine: "postgres", host: instance.address, port: instance.port, dbname: databaseName, username, password: password.result })),
      },
      { parent: this },
    );

    if (args.drProvider) {
      const drKey = new aws.kms.Key(
        `${name}-dr-key`,
        { description: `Replicated automated backups of RDS ${identifier}`, enableKeyRotation: true, deletionWindowInDays: 30, tags },
        { parent: this, provider: args.drProvider },
      );
      const replication = new aws.rds.InstanceAutomatedBackupsReplication(
        `${name}-dr-backups`,
        { sourceDbInstanceArn: instance.arn, kmsKeyId: drKey.arn, retentionPeriod: args.drBackupRetentionDays ?? 7 },
        { parent: this, provider: args.drProvider },
      );
      this.drBackupReplicationArn = replication.id;
    }

    this.endpoint = instance.address;
    this.port = instance.port;
    this.databaseName = pulumi.output(databaseName);
    this.username = pulumi.output(username);
    this.password = pulumi.secret(password.result);
    this.secretArn = secret.arn;
    this.securityGroupId = securityGroup.id;
    this.instanceIdentifier = instance.identifier;
    this.instanceArn = instance.arn;
    this.kmsKeyArn = key.arn;
    this.parameterGroupName = parameterGroup.name;
    this.subnetGroupName = subnetGroup.name;
    this.monitoringRoleArn = monitoringRoleArn;
    this.registerOutputs({
      parameterGroupName: this.parameterGroupName,
      subnetGroupName: this.subnetGroupName,
      endpoint: this.endpoint,
      port: this.port,
      databaseName: this.databaseName,
      secretArn: this.secretArn,
      securityGroupId: this.securityGroupId,
      instanceIdentifier: this.instanceIdentifier,
      instanceArn: this.instanceArn,
      kmsKeyArn: this.kmsKeyArn,
    });
  }
}
