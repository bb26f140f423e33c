import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { postgresParameters } from "../core/postgres-parameters";
import { logsEncryptingKeyPolicy } from "./kms-key-policy";
import { PostgresReadReplica } from "./postgres-read-replica";

const PORT = 5432;
const RDS_IDENTIFIER = /^[a-z](?!.*--)[a-z0-9-]{0,61}[a-z0-9]$/;

export interface StandbyDatabaseArgs {
  /** ARN of the primary's instance in the other region (the replica's source). No default. */
  sourceDbInstanceArn: pulumi.Input<string>;
  /** RDS identifier of the standby (1–63 lowercase letters, digits, single hyphens). No default. */
  identifier: string;
  /** PostgreSQL major version of the source ("16"): the parameter group's family. No default. */
  engineMajorVersion: string;
  /** Instance class; keep the primary's so the site can take the load after promotion. @default "db.r5.large" */
  instanceClass?: string;
  /** VPC of the DR site. No default. */
  vpcId: pulumi.Input<string>;
  /** Private subnets of the DR site. No default. */
  subnetIds: pulumi.Input<pulumi.Input<string>[]>;
  /** Security groups admitted on 5432 (the DR cluster's). No default. */
  allowedSecurityGroupIds: pulumi.Input<string>[];
  /** Storage autoscaling ceiling (GiB), the primary's. @default 500 */
  maxAllocatedStorageGiB?: number;
  /** Days of the standby's own automated backups (≥ 1 so it can be promoted with PITR from day one). @default 7 */
  backupRetentionDays?: number;
  /** `log_min_duration_statement` in ms, as on the primary. @default 500 */
  slowQueryLogMs?: number;
  /** DR activation: promote the replica to the writable primary of the DR site. @default false */
  promote?: boolean;
  /** Standby for the promoted instance too (Multi-AZ), for a site that will carry production. @default false */
  multiAz?: boolean;
  /** Refuse deletion. @default true */
  deletionProtection?: boolean;
  /** Days the exported logs stay in CloudWatch Logs. @default 90 */
  logRetentionDays?: number;
  /** Tags. @default {} */
  tags?: Record<string, string>;
}

/**
 * The DR site's database: a cross-region read replica of the primary, with what a replica in another
 * region needs of its own — a customer-managed KMS key of this region (RDS encrypts a cross-region replica
 * only with a key of its region), a subnet group, a security group that admits the DR cluster alone on
 * 5432, and a parameter group built from the same parameter list as the primary's (TLS forced). It keeps
 * automated backups so that promotion (`promote: true`, the DR activation) leaves a writable instance
 * with point-in-time restore. Why a replica and not a restore from the replicated automated backups:
 * the replica's RPO is its replication lag (seconds to minutes) and its RTO a promotion (minutes); a
 * restore loses up to the backup replication lag plus PITR granularity and takes size/throughput hours,
 * which misses runbook 001's 4 h at the 500 GiB the capacity plan projects.
 */
export class StandbyDatabase extends pulumi.ComponentResource {
  public readonly endpoint: pulumi.Output<string>;
  public readonly instanceArn: pulumi.Output<string>;
  public readonly kmsKeyArn: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;
  /** True when the replica is promoted (the DR site is active). */
  public readonly promoted: boolean;

  constructor(name: string, args: StandbyDatabaseArgs, opts?: pulumi.ComponentResourceOptions) {
    if (!RDS_IDENTIFIER.test(args.identifier)) rejectArg("StandbyDatabase", "identifier", args.identifier, "must be 1–63 lowercase letters, digits or single hyphens, starting with a letter");
    if (!/^\d{2}$/.test(args.engineMajorVersion)) rejectArg("StandbyDatabase", "engineMajorVersion", args.engineMajorVersion, 'must be a PostgreSQL major version such as "16"');
    const retention = args.backupRetentionDays ?? 7;
    if (!Number.isInteger(retention) || retention < 1 || retention > 35) rejectArg("StandbyDatabase", "backupRetentionDays", retention, "must be an integer from 1 to 35 (a replica without backups cannot be promoted)");
    super("runbook:dr:StandbyDatabase", name, { identifier: args.identifier, promoted: args.promote ?? false, source: args.sourceDbInstanceArn }, opts);
    const tags = args.tags ?? {};

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `RDS ${args.identifier}: the DR replica's storage, Performance Insights and logs`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: logsEncryptingKeyPolicy(`/aws/rds/instance/${args.identifier}/*`, this),
        tags,
      },
      { parent: this },
    );
    const subnetGroup = new aws.rds.SubnetGroup(`${name}-subnets`, { name: args.identifier, description: `Private subnets of ${args.identifier}`, subnetIds: args.subnetIds, tags }, { parent: this });
    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: `PostgreSQL ${args.identifier}: 5432 from the DR cluster only`, egress: [], tags: { ...tags, Name: `${args.identifier}-postgres` } },
      { parent: this },
    );
    args.allowedSecurityGroupIds.forEach((source, i) => {
      new aws.vpc.SecurityGroupIngressRule(
        `${name}-ingress-${i}`,
        { securityGroupId: securityGroup.id, referencedSecurityGroupId: source, ipProtocol: "tcp", fromPort: PORT, toPort: PORT, description: "PostgreSQL from the DR cluster", tags },
        { parent: this },
      );
    });
    const parameterGroup = new aws.rds.ParameterGroup(
      `${name}-params`,
      {
        name: `${args.identifier}-postgres${args.engineMajorVersion}`,
        family: `postgres${args.engineMajorVersion}`,
        description: `${args.identifier}: TLS only, pg_stat_statements, slow-query log (as the primary)`,
        parameters: postgresParameters(args.slowQueryLogMs ?? 500),
        tags,
      },
      { parent: this },
    );

    const replica = new PostgresReadReplica(
      `${name}-replica`,
      {
        identifier: args.identifier,
        sourceDbInstanceArn: args.sourceDbInstanceArn,
        instanceClass: args.instanceClass,
        kmsKeyArn: key.arn,
        parameterGroupName: parameterGroup.name,
        subnetGroupName: subnetGroup.name,
        securityGroupIds: [securityGroup.id],
        backupRetentionDays: retention,
        maxAllocatedStorageGiB: args.maxAllocatedStorageGiB,
        multiAz: args.multiAz ?? false,
        deletionProtection: args.deletionProtection ?? true,
        logRetentionDays: args.logRetentionDays,
        promote: args.promote ?? false,
        tags: { ...tags, role: "dr-standby" },
      },
      { parent: this },
    );

    this.promoted = args.promote ?? false;
    this.endpoint = replica.endpoint;
    this.instanceArn = replica.instanceArn;
    this.kmsKeyArn = key.arn;
    this.securityGroupId = securityGroup.id;
    this.registerOutputs({ endpoint: this.endpoint, instanceArn: this.instanceArn, kmsKeyArn: this.kmsKeyArn, securityGroupId: this.securityGroupId });
  }
}
