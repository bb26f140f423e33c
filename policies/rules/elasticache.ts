/** ElastiCache (Redis) rules: the cache carries sessions and task queues, so it is encrypted and authenticated. */
import { resourceRule } from "./common";

export const REPLICATION_GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";

export const elasticachePolicies = [
  resourceRule({
    name: "elasticache-encryption-at-rest",
    description: "ElastiCache encrypts data at rest (AWS FSBP ElastiCache.4, CKV_AWS_29).",
    grade: "mandatory",
    remediation: "Set atRestEncryptionEnabled: true (with kmsKeyId for a customer-managed key).",
    types: [REPLICATION_GROUP],
    check: (props) => (props.atRestEncryptionEnabled === true || props.atRestEncryptionEnabled === "true" ? undefined : "atRestEncryptionEnabled is not true"),
  }),
  resourceRule({
    name: "elasticache-encryption-in-transit",
    description: "ElastiCache encrypts traffic in transit (AWS FSBP ElastiCache.5, CKV_AWS_30).",
    grade: "mandatory",
    remediation: "Set transitEncryptionEnabled: true (and transitEncryptionMode required).",
    types: [REPLICATION_GROUP],
    check: (props) => {
      if (props.transitEncryptionEnabled !== true) return "transitEncryptionEnabled is not true";
      return props.transitEncryptionMode === "preferred" ? "transitEncryptionMode is preferred, so plaintext clients are still accepted" : undefined;
    },
  }),
  resourceRule({
    name: "elasticache-auth",
    description: "Redis requires authentication: an AUTH token or RBAC user groups (AWS FSBP ElastiCache.6, CKV_AWS_31).",
    grade: "mandatory",
    remediation: "Set authToken from a secret (random.RandomPassword) or userGroupIds.",
    types: [REPLICATION_GROUP],
    check: (props) => {
      const hasToken = typeof props.authToken === "string" && props.authToken !== "";
      const hasUsers = Array.isArray(props.userGroupIds) && props.userGroupIds.length > 0;
      return hasToken || hasUsers ? undefined : "neither authToken nor userGroupIds is set";
    },
  }),
  resourceRule({
    name: "elasticache-automatic-failover",
    description: "Redis fails over to a replica automatically, across AZs (AWS FSBP ElastiCache.3). Mandatory in production, advisory elsewhere.",
    grade: "graded",
    remediation: "Set automaticFailoverEnabled: true, multiAzEnabled: true and at least 2 cache clusters.",
    types: [REPLICATION_GROUP],
    check: (props) => {
      const problems: string[] = [];
      if (props.automaticFailoverEnabled !== true) problems.push("automaticFailoverEnabled is not true");
      if (props.multiAzEnabled !== true) problems.push("multiAzEnabled is not true");
      const nodes = Number(props.numCacheClusters ?? (Number(props.replicasPerNodeGroup ?? 0) + 1));
      if (nodes < 2) problems.push(`only ${nodes} node: nothing to fail over to`);
      return problems;
    },
  }),
  resourceRule({
    name: "elasticache-snapshot-retention",
    description: "Redis keeps automatic snapshots at least `minimumDays` days (AWS FSBP ElastiCache.1, CKV_AWS_134).",
    grade: "mandatory",
    config: { minimumDays: { type: "integer", minimum: 1, maximum: 35, default: 1, description: "Fewest days of snapshots. @default 1" } },
    remediation: "Set snapshotRetentionLimit to at least the configured minimum and a snapshotWindow.",
    types: [REPLICATION_GROUP],
    check: (props, ctx) => {
      const minimum = Number(ctx.config.minimumDays);
      const days = Number(props.snapshotRetentionLimit ?? 0);
      return days >= minimum ? undefined : `snapshotRetentionLimit is ${props.snapshotRetentionLimit ?? "unset (0: no snapshots)"}, below ${minimum}`;
    },
  }),
  resourceRule({
    name: "elasticache-auto-minor-version-upgrade",
    description: "Redis applies minor engine upgrades automatically (AWS FSBP ElastiCache.2).",
    grade: "advisory",
    remediation: "Leave autoMinorVersionUpgrade unset or true.",
    types: [REPLICATION_GROUP],
    check: (props) => (props.autoMinorVersionUpgrade === false || props.autoMinorVersionUpgrade === "false" ? "autoMinorVersionUpgrade is false" : undefined),
  }),
];
