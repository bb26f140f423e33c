/** RDS rules: the database holds the system's state, so most of these block. */
import { asArray, get, resourceRule } from "./common";

export const DB_INSTANCE = "aws:rds/instance:Instance";
export const DB_CLUSTER = "aws:rds/cluster:Cluster";
export const DB_PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";

const DBS = [DB_INSTANCE, DB_CLUSTER];

function isPostgres(props: Record<string, any>): boolean {
  return typeof props.engine === "string" && props.engine.includes("postgres");
}

/** A read replica (in-region or cross-region): it inherits engine, data and credentials from its source. */
export function isReadReplica(props: Record<string, any>): boolean {
  return typeof props.replicateSourceDb === "string" && props.replicateSourceDb !== "";
}

export const rdsPolicies = [
  resourceRule({
    name: "rds-storage-encrypted",
    description: "RDS storage is encrypted at rest (AWS FSBP RDS.3, CIS AWS 2.3.1, CKV_AWS_16).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Set storageEncrypted: true (with kmsKeyId for a customer-managed key); existing instances need a snapshot-restore.",
    types: DBS,
    check: (props) => (props.storageEncrypted === true ? undefined : "storageEncrypted is not true"),
  }),
  resourceRule({
    name: "rds-read-replica-encrypted",
    description:
      "An RDS read replica is encrypted with a customer-managed key of its own region (AWS FSBP RDS.3 for replicas; runbook 001 1.17). A cross-region replica ignores storageEncrypted and is encrypted only when kmsKeyId names a key there.",
    grade: "mandatory",
    severity: "critical",
    remediation: "Set storageEncrypted: true and kmsKeyId to a KMS key ARN in the replica's region (PostgresReadReplica does both).",
    types: [DB_INSTANCE],
    check: (props) => {
      if (!isReadReplica(props)) return undefined;
      const problems: string[] = [];
      if (props.storageEncrypted !== true) problems.push("storageEncrypted is not true");
      if (typeof props.kmsKeyId !== "string" || props.kmsKeyId === "") problems.push("kmsKeyId is unset: a cross-region replica would be unencrypted");
      return problems;
    },
  }),
  resourceRule({
    name: "rds-multi-az",
    description: "RDS keeps a synchronous standby in a second AZ (AWS FSBP RDS.5, CKV_AWS_157). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Set multiAz: true.",
    types: [DB_INSTANCE],
    // A read replica is itself a second copy; its own standby is optional.
    check: (props) => (props.multiAz === true || isReadReplica(props) ? undefined : "multiAz is not true: an AZ failure takes the database down until a restore"),
  }),
  resourceRule({
    name: "rds-backup-retention",
    description: "RDS automated backups are kept at least `minimumDays` days, so point-in-time restore reaches back far enough (AWS FSBP RDS.11, CKV_AWS_133).",
    grade: "mandatory",
    config: { minimumDays: { type: "integer", minimum: 1, maximum: 35, default: 7, description: "Fewest days of automated backups. @default 7" } },
    remediation: "Set backupRetentionPeriod to at least the configured minimum (AWS allows 0–35).",
    types: DBS,
    check: (props, ctx) => {
      // A replica's data is backed up on its source; its own backups matter only once it is promoted.
      if (isReadReplica(props)) return undefined;
      const minimum = Number(ctx.config.minimumDays);
      const days = Number(props.backupRetentionPeriod ?? 1);
      return days >= minimum ? undefined : `backupRetentionPeriod is ${props.backupRetentionPeriod ?? "unset (1 day)"}, below ${minimum}`;
    },
  }),
  resourceRule({
    name: "rds-deletion-protection",
    description: "RDS deletion protection is on (AWS FSBP RDS.8, CKV_AWS_293). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Set deletionProtection: true; turn it off deliberately in a separate change before a planned delete.",
    types: DBS,
    check: (props) => (props.deletionProtection === true ? undefined : "deletionProtection is not true"),
  }),
  resourceRule({
    name: "rds-final-snapshot",
    description: "Deleting the database leaves a final snapshot (runbook 001: the last state is never lost; no FSBP control). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Set skipFinalSnapshot: false and a finalSnapshotIdentifier.",
    types: DBS,
    // RDS refuses a final snapshot of a read replica; its data lives on in the source.
    check: (props) => (props.skipFinalSnapshot === true && !isReadReplica(props) ? "skipFinalSnapshot is true: a delete destroys the data with no snapshot" : undefined),
  }),
  resourceRule({
    name: "rds-not-public",
    description: "RDS is not publicly accessible (AWS FSBP RDS.2, CIS AWS 2.3.3, CKV_AWS_17).",
    grade: "mandatory",
    severity: "critical",
    remediation: "Set publiclyAccessible: false and reach the database from inside the VPC.",
    types: [DB_INSTANCE],
    check: (props) => (props.publiclyAccessible === true ? "publiclyAccessible is true" : undefined),
  }),
  resourceRule({
    name: "rds-iam-authentication",
    description: "RDS accepts IAM database authentication, so pods can connect with short-lived tokens (AWS FSBP RDS.10, CKV_AWS_161).",
    grade: "advisory",
    remediation: "Set iamDatabaseAuthenticationEnabled: true.",
    types: DBS,
    check: (props) => (props.iamDatabaseAuthenticationEnabled === true ? undefined : "iamDatabaseAuthenticationEnabled is not true"),
  }),
  resourceRule({
    name: "rds-log-exports",
    description: "PostgreSQL exports its `postgresql` and `upgrade` logs to CloudWatch (AWS FSBP RDS.9, CKV_AWS_129). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Set enabledCloudwatchLogsExports: [\"postgresql\", \"upgrade\"].",
    types: DBS,
    check: (props) => {
      if (!isPostgres(props)) return undefined;
      const exported = asArray<string>(props.enabledCloudwatchLogsExports);
      const missing = ["postgresql", "upgrade"].filter((log) => !exported.includes(log));
      return missing.length ? `enabledCloudwatchLogsExports lacks ${missing.join(", ")}` : undefined;
    },
  }),
  resourceRule({
    name: "rds-custom-parameter-group",
    description: "PostgreSQL uses the stack's own parameter group (which forces TLS), not a default.* group (CKV2_AWS_69 needs a group to set rds.force_ssl).",
    grade: "mandatory",
    remediation: "Create an aws.rds.ParameterGroup with rds.force_ssl=1 and pass its name as parameterGroupName.",
    types: [DB_INSTANCE],
    check: (props) => {
      // A replica names no engine (it takes its source's) but needs the TLS-forcing group just the same.
      if (!isPostgres(props) && !isReadReplica(props)) return undefined;
      const group = props.parameterGroupName;
      if (typeof group !== "string" || group === "") return "parameterGroupName is unset, so the engine default group applies";
      return group.startsWith("default.") ? `parameterGroupName ${group} is an engine default` : undefined;
    },
  }),
  resourceRule({
    name: "rds-force-ssl",
    description: "A PostgreSQL parameter group sets rds.force_ssl=1, so no client connects without TLS (CKV2_AWS_69).",
    grade: "mandatory",
    severity: "high",
    remediation: "Add { name: \"rds.force_ssl\", value: \"1\" } to the parameter group's parameters.",
    types: [DB_PARAMETER_GROUP, "aws:rds/clusterParameterGroup:ClusterParameterGroup"],
    check: (props) => {
      if (typeof props.family !== "string" || !props.family.startsWith("postgres")) return undefined;
      const param = asArray(props.parameters).find((p) => get(p, "name") === "rds.force_ssl");
      return param && String(get(param, "value")) === "1" ? undefined : `rds.force_ssl is ${param ? String(get(param, "value")) : "not set"}`;
    },
  }),
  resourceRule({
    name: "rds-auto-minor-version-upgrade",
    description: "RDS applies minor engine upgrades in the maintenance window (AWS FSBP RDS.13, CKV_AWS_226).",
    grade: "advisory",
    remediation: "Leave autoMinorVersionUpgrade unset or true.",
    types: [DB_INSTANCE],
    check: (props) => (props.autoMinorVersionUpgrade === false ? "autoMinorVersionUpgrade is false" : undefined),
  }),
  resourceRule({
    name: "rds-copy-tags-to-snapshots",
    description: "RDS copies its tags to snapshots, so backups stay attributable and covered by tag-based policies (AWS FSBP RDS.17, CKV2_AWS_60).",
    grade: "advisory",
    remediation: "Set copyTagsToSnapshot: true.",
    types: DBS,
    check: (props) => (props.copyTagsToSnapshot === true ? undefined : "copyTagsToSnapshot is not true"),
  }),
  resourceRule({
    name: "rds-enhanced-monitoring",
    description: "RDS enhanced monitoring or Performance Insights is on, so the runbook's slow-query and connection checks have data (CKV_AWS_118, CKV_AWS_353).",
    grade: "advisory",
    remediation: "Set monitoringInterval (e.g. 60) with monitoringRoleArn, or performanceInsightsEnabled: true.",
    types: [DB_INSTANCE],
    check: (props) => (Number(props.monitoringInterval ?? 0) > 0 || props.performanceInsightsEnabled === true ? undefined : "neither monitoringInterval nor performanceInsightsEnabled is set"),
  }),
];
