/**
 * Every policy of the pack against a compliant plan (no violation) and against that plan with one
 * thing made unsafe (a violation of exactly that policy, at the level the policy promises).
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { evaluatePlan, Plan, Violation } from "../../policies/evaluate";
import { policies } from "../../policies/rules";
import { add, compliantPlan, ISSUER, one, PRIMARY_LB_NAME, remove, stagingPlan } from "./fixtures";
import { ACCESS_ASSOCIATION, ACCESS_ENTRY, ADDON, INGRESS, STORAGE_CLASS } from "./fixtures-cluster";

const BUCKET = "aws:s3/bucket:Bucket";
const PAB = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";
const SSE = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";
const BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy";
const LIFECYCLE = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";
const DB = "aws:rds/instance:Instance";
const DB_PARAMS = "aws:rds/parameterGroup:ParameterGroup";
const REDIS = "aws:elasticache/replicationGroup:ReplicationGroup";
const EKS = "aws:eks/cluster:Cluster";
const LT = "aws:ec2/launchTemplate:LaunchTemplate";
const NODES = "aws:eks/nodeGroup:NodeGroup";
const KEY = "aws:kms/key:Key";
const ROLE = "aws:iam/role:Role";
const ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy";
const RECORD = "aws:route53/record:Record";
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const CRON = "kubernetes:batch/v1:CronJob";
const HPA = "kubernetes:autoscaling/v2:HorizontalPodAutoscaler";
const PDB = "kubernetes:policy/v1:PodDisruptionBudget";
const NAMESPACE = "kubernetes:core/v1:Namespace";
const RULE = "kubernetes:monitoring.coreos.com/v1:PrometheusRule";
const RO = "runbook:dr:RecoveryObjectives";

const apiContainer = (plan: Plan) => one(plan, DEPLOYMENT).inputs.spec.template.spec.containers[0];
const dailyJob = (plan: Plan) => one(plan, CRON, "postgres-daily").inputs;
const alertRule = (plan: Plan) => one(plan, RULE).inputs.spec.groups[0].rules[1];
const setPolicyDoc = (plan: Plan, statement: object) => (one(plan, ROLE_POLICY).inputs.policy = JSON.stringify({ Version: "2012-10-17", Statement: [statement] }));

/** Gives the DR provider defaultTags on a copy (the fixture's provider object is shared between plans). */
const withDefaultTags = (plan: Plan, tags: Record<string, string>) =>
  (plan.resources = plan.resources.map((r) => (r.type === "pulumi:providers:aws" ? { ...r, inputs: { ...r.inputs, defaultTags: { tags } } } : r)));

interface Case {
  /** Makes the plan violate the policy. */
  violate: (plan: Plan) => void;
  /** What the message must say. */
  message: RegExp;
  /** A second compliant variant (beyond the base plan) that the policy must accept. */
  accept?: (plan: Plan) => void;
}

const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const SG = "aws:ec2/securityGroup:SecurityGroup";
const publicAlb = (p: Plan) => add(p, "aws:lb/loadBalancer:LoadBalancer", "edge-alb", { loadBalancerType: "application", internal: false, name: "stock-analysis-api", tags: { environment: "production" } });
/** Attaches the fixture's database SG to the database, as PostgresDatabase does. */
const dataTierSg = (p: Plan) => {
  const sg = one(p, SG, "database-sg");
  one(p, DB).inputs.vpcSecurityGroupIds = ["sg-db"];
  one(p, DB).dependencies!.push(sg.urn);
  return sg;
};
/** A compliant MSK cluster as KafkaCluster plans it, with `change` applied on top. */
const MSK = "aws:msk/cluster:Cluster";
function addMsk(plan: Plan, change: (inputs: Record<string, any>) => void = () => {}): void {
  const inputs: Record<string, any> = {
    clusterName: "data-kafka",
    brokerNodeGroupInfo: { instanceType: "kafka.m7g.large", clientSubnets: ["a", "b", "c"], securityGroups: ["sg-msk"], connectivityInfo: { publicAccess: { type: "DISABLED" } } },
    encryptionInfo: { encryptionAtRestKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/msk", encryptionInTransit: { clientBroker: "TLS", inCluster: true } },
    clientAuthentication: { sasl: { iam: true }, unauthenticated: false },
    loggingInfo: { brokerLogs: { cloudwatchLogs: { enabled: true, logGroup: "/aws/msk/data-kafka/broker" } } },
    tags: { environment: "production" },
  };
  change(inputs);
  add(plan, MSK, "kafka-cluster", inputs);
}

const cases: Record<string, Case> = {
  // Containment (issue 21)
  "k8s-namespace-default-deny": {
    violate: (p) => remove(p, NETWORK_POLICY, "network-policies-default-deny"),
    message: /namespace stock-analysis-system has no default-deny NetworkPolicy/,
    // A platform namespace (monitoring) is exempt; an allow-only policy is not a default-deny.
    accept: (p) => {
      one(p, NETWORK_POLICY, "network-policies-default-deny").inputs.metadata.namespace = "elsewhere";
      one(p, NAMESPACE).inputs.metadata.labels["runbook.dev/namespace-kind"] = "platform";
    },
  },
  "waf-public-load-balancer": {
    violate: (p) => publicAlb(p),
    message: /internet-facing load balancer edge-alb has no AWS WAF web ACL association/,
    accept: (p) => {
      const alb = publicAlb(p);
      add(p, "aws:wafv2/webAclAssociation:WebAclAssociation", "waf-association", { resourceArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/stock-analysis-api/0123456789abcdef", webAclArn: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/x/y" }, { dependencies: [alb.urn] });
    },
  },
  "k8s-workload-network-allowed": {
    // A pipeline's Deployment whose pod labels no allow policy selects.
    violate: (p) => (one(p, DEPLOYMENT).inputs.spec.template.metadata.labels = { app: "api-v2" }),
    message: /Deployment stock-analysis-system\/stock-analysis-api: no allow NetworkPolicy selects its pods/,
    // Without default-deny in its namespace the rule does not apply.
    accept: (p) => (one(p, DEPLOYMENT).inputs.metadata.namespace = "elsewhere"),
  },
  "waf-logging": {
    violate: (p) => add(p, "aws:wafv2/webAcl:WebAcl", "waf-acl", { name: "api", scope: "REGIONAL" }),
    message: /web ACL waf-acl has no logging configuration/,
    accept: (p) => {
      const acl = add(p, "aws:wafv2/webAcl:WebAcl", "waf-acl", { name: "api", scope: "REGIONAL" });
      add(p, "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration", "waf-logging", { resourceArn: "arn:aws:wafv2:us-east-1:123456789012:regional/webacl/api/1", logDestinationConfigs: ["arn:aws:logs:us-east-1:123456789012:log-group:aws-waf-logs-api"] }, { dependencies: [acl.urn] });
    },
  },
  "data-tier-no-open-egress": {
    violate: (p) => (dataTierSg(p).inputs.egress = [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }]),
    message: /data-tier security group database-sg allows egress to 0\.0\.0\.0\/0/,
    accept: (p) => {
      dataTierSg(p).inputs.egress = [];
      // An open egress rule on a security group that is not the data tier's is out of this rule's scope.
      add(p, SG, "bastion-sg", { vpcId: "vpc-0123", egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] });
    },
  },
  // S3
  "s3-public-access-block-all": { violate: (p) => (one(p, PAB).inputs.blockPublicPolicy = false), message: /blockPublicPolicy is not true/ },
  "s3-bucket-public-access-blocked": {
    violate: (p) => remove(p, PAB),
    message: /backups-123456789012-us-east-1 has no BucketPublicAccessBlock/,
    // Matched by the `bucket` input alone when no dependency was recorded.
    accept: (p) => (one(p, PAB).dependencies = []),
  },
  "s3-no-public-acl": { violate: (p) => (one(p, BUCKET).inputs.acl = "public-read"), message: /public-read makes the bucket public/, accept: (p) => (one(p, BUCKET).inputs.acl = "private") },
  "s3-bucket-policy-not-public": {
    violate: (p) => (one(p, BUCKET_POLICY).inputs.policy = JSON.stringify({ Statement: [{ Sid: "Public", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] })),
    message: /statement Public allows "s3:GetObject" to everyone/,
    accept: (p) => {
      const doc = JSON.parse(one(p, BUCKET_POLICY).inputs.policy);
      doc.Statement.push({ Sid: "OrgOnly", Effect: "Allow", Principal: "*", Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-123" } } });
      one(p, BUCKET_POLICY).inputs.policy = JSON.stringify(doc);
    },
  },
  "s3-bucket-encrypted": { violate: (p) => remove(p, SSE), message: /has no default encryption/ },
  "s3-encryption-uses-kms": {
    violate: (p) => (one(p, SSE).inputs.rules = [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "AES256" } }]),
    message: /default encryption is AES256, not aws:kms/,
    accept: (p) => (one(p, SSE).inputs.rules[0].applyServerSideEncryptionByDefault.sseAlgorithm = "aws:kms:dsse"),
  },
  "s3-bucket-versioning": { violate: (p) => (one(p, "aws:s3/bucketVersioning:BucketVersioning").inputs.versioningConfiguration.status = "Suspended"), message: /does not have versioning Enabled/ },
  "s3-tls-only": {
    violate: (p) => (one(p, BUCKET_POLICY).inputs.policy = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "s3:GetObject", Resource: "arn:aws:s3:::b/*" }] })),
    message: /no policy denying aws:SecureTransport=false/,
    accept: (p) =>
      (one(p, BUCKET_POLICY).inputs.policy = JSON.stringify({ Statement: [{ Effect: "Deny", Principal: "*", Action: "s3:*", Resource: "arn:aws:s3:::b/*", Condition: { NumericLessThan: { "s3:TlsVersion": "1.2" } } }] })),
  },
  "s3-backup-bucket-retention": {
    violate: (p) => (one(p, LIFECYCLE).inputs.rules = one(p, LIFECYCLE).inputs.rules.map((r: object) => ({ ...r, status: "Disabled" }))),
    message: /backup bucket stock-analysis-production-backups-123456789012-us-east-1 has no enabled lifecycle rule/,
  },
  "s3-lifecycle-aborts-incomplete-uploads": { violate: (p) => delete one(p, LIFECYCLE).inputs.rules[0].abortIncompleteMultipartUpload, message: /no enabled rule aborts incomplete multipart uploads/ },
  "s3-deny-keeps-multipart": {
    violate: (p) => {
      const doc = JSON.parse(one(p, BUCKET_POLICY).inputs.policy);
      doc.Statement.push({ Sid: "DenyWritesWithoutBackupKey", Effect: "Deny", Principal: "*", Action: "s3:PutObject", Resource: "arn:aws:s3:::b/k8s-configs/secrets/*", Condition: { StringNotEquals: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:123456789012:key/backups" } } });
      one(p, BUCKET_POLICY).inputs.policy = JSON.stringify(doc);
    },
    message: /statement DenyWritesWithoutBackupKey denies s3:PutObject when StringNotEquals s3:x-amz-server-side-encryption-aws-kms-key-id holds for a missing header, so it also denies every multipart UploadPart/,
    accept: (p) => {
      const doc = JSON.parse(one(p, BUCKET_POLICY).inputs.policy);
      doc.Statement.push({
        Sid: "DenyWritesWithOtherKey",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: "arn:aws:s3:::b/k8s-configs/secrets/*",
        Condition: { StringNotEqualsIfExists: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "arn:aws:kms:us-east-1:123456789012:key/backups" }, Null: { "s3:x-amz-server-side-encryption-aws-kms-key-id": "false" } },
      });
      one(p, BUCKET_POLICY).inputs.policy = JSON.stringify(doc);
    },
  },
  "s3-acls-disabled": { violate: (p) => (one(p, "aws:s3/bucketOwnershipControls:BucketOwnershipControls").inputs.rule.objectOwnership = "ObjectWriter"), message: /objectOwnership is ObjectWriter/ },

  // MSK
  "msk-tls-in-transit": {
    violate: (p) => addMsk(p, (i) => (i.encryptionInfo.encryptionInTransit = { clientBroker: "TLS_PLAINTEXT", inCluster: false })),
    message: /clientBroker is TLS_PLAINTEXT[\s\S]*inCluster is false/,
    accept: (p) => addMsk(p, (i) => delete i.encryptionInfo.encryptionInTransit),
  },
  "msk-no-public-access": {
    violate: (p) => addMsk(p, (i) => (i.brokerNodeGroupInfo.connectivityInfo.publicAccess.type = "SERVICE_PROVIDED_EIPS")),
    message: /publicAccess.type is SERVICE_PROVIDED_EIPS/,
    accept: (p) => addMsk(p, (i) => delete i.brokerNodeGroupInfo.connectivityInfo),
  },
  "msk-authenticated-clients": {
    violate: (p) => addMsk(p, (i) => (i.clientAuthentication = { unauthenticated: true })),
    message: /unauthenticated is true[\s\S]*no client authentication method/,
    accept: (p) => add(p, "aws:msk/serverlessCluster:ServerlessCluster", "kafka-serverless", { clusterName: "k", clientAuthentication: { sasl: { iam: { enabled: true } } } }),
  },
  "msk-encryption-cmk": { violate: (p) => addMsk(p, (i) => delete i.encryptionInfo.encryptionAtRestKmsKeyArn), message: /encryptionAtRestKmsKeyArn is unset/ },
  "msk-broker-logs": {
    violate: (p) => addMsk(p, (i) => delete i.loggingInfo),
    message: /no broker log destination is enabled/,
    accept: (p) => addMsk(p, (i) => (i.loggingInfo = { brokerLogs: { s3: { enabled: true, bucket: "logs" } } })),
  },

  // RBAC
  "k8s-rbac-no-wildcard-or-escalation": {
    violate: (p) =>
      add(p, "kubernetes:rbac.authorization.k8s.io/v1:Role", "application-operators-role", {
        metadata: { name: "operator", namespace: "stock-analysis-system" },
        rules: [
          { apiGroups: ["apps"], resources: ["deployments"], verbs: ["*"] },
          { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["bind", "escalate"] },
          { apiGroups: [""], resources: ["*"], verbs: ["get", "delete"] },
        ],
      }),
    message: /rules\[0\] grants every verb[\s\S]*rules\[1\] grants bind, escalate[\s\S]*rules\[2\] grants delete on every resource/,
    // Read-only wildcards (the configuration backup's Role) and named verbs pass.
    accept: (p) => {
      add(p, "kubernetes:rbac.authorization.k8s.io/v1:Role", "k8s-config-read", { metadata: { name: "read", namespace: "x" }, rules: [{ apiGroups: ["*"], resources: ["*"], verbs: ["get", "list"] }] });
      add(p, "kubernetes:rbac.authorization.k8s.io/v1:Role", "operators", { metadata: { name: "operator", namespace: "x" }, rules: [{ apiGroups: ["apps"], resources: ["deployments/scale"], verbs: ["get", "patch", "update"] }] });
    },
  },

  // RDS
  "rds-storage-encrypted": { violate: (p) => (one(p, DB).inputs.storageEncrypted = false), message: /storageEncrypted is not true/ },
  "rds-multi-az": { violate: (p) => (one(p, DB).inputs.multiAz = false), message: /multiAz is not true/ },
  "rds-read-replica-encrypted": {
    // A cross-region replica (the DR provider) that names no key in its region: RDS would make it unencrypted.
    violate: (p) => add(p, DB, "database-replica-1-instance", { replicateSourceDb: "arn:aws:rds:us-east-1:123456789012:db:db", instanceClass: "db.r5.large", storageEncrypted: false, parameterGroupName: "db-postgres16" }),
    message: /storageEncrypted is not true[\s\S]*kmsKeyId is unset/,
    accept: (p) => {
      const primary = one(p, DB).inputs;
      add(p, DB, "database-replica-1-instance", { replicateSourceDb: "arn:aws:rds:us-east-1:123456789012:db:db", instanceClass: "db.r5.large", storageEncrypted: true, kmsKeyId: primary.kmsKeyId ?? "arn:aws:kms:us-east-1:123456789012:key/k", parameterGroupName: primary.parameterGroupName, skipFinalSnapshot: true, backupRetentionPeriod: 0, multiAz: false });
    },
  },
  "rds-backup-retention": { violate: (p) => (one(p, DB).inputs.backupRetentionPeriod = 3), message: /backupRetentionPeriod is 3, below 7/, accept: (p) => (one(p, DB).inputs.backupRetentionPeriod = 7) },
  "rds-deletion-protection": { violate: (p) => (one(p, DB).inputs.deletionProtection = false), message: /deletionProtection is not true/ },
  "rds-final-snapshot": { violate: (p) => (one(p, DB).inputs.skipFinalSnapshot = true), message: /skipFinalSnapshot is true/ },
  "rds-not-public": { violate: (p) => (one(p, DB).inputs.publiclyAccessible = true), message: /publiclyAccessible is true/ },
  "rds-iam-authentication": { violate: (p) => delete one(p, DB).inputs.iamDatabaseAuthenticationEnabled, message: /iamDatabaseAuthenticationEnabled is not true/ },
  "rds-log-exports": { violate: (p) => (one(p, DB).inputs.enabledCloudwatchLogsExports = ["postgresql"]), message: /lacks upgrade/ },
  "rds-custom-parameter-group": { violate: (p) => (one(p, DB).inputs.parameterGroupName = "default.postgres15"), message: /default.postgres15 is an engine default/ },
  "rds-force-ssl": {
    violate: (p) => (one(p, DB_PARAMS).inputs.parameters[0].value = "0"),
    message: /rds.force_ssl is 0/,
    // Not a PostgreSQL group: nothing to force.
    accept: (p) => {
      one(p, DB_PARAMS).inputs.family = "mysql8.0";
      one(p, DB_PARAMS).inputs.parameters = [];
    },
  },
  "rds-auto-minor-version-upgrade": { violate: (p) => (one(p, DB).inputs.autoMinorVersionUpgrade = false), message: /autoMinorVersionUpgrade is false/, accept: (p) => delete one(p, DB).inputs.autoMinorVersionUpgrade },
  "rds-copy-tags-to-snapshots": { violate: (p) => (one(p, DB).inputs.copyTagsToSnapshot = false), message: /copyTagsToSnapshot is not true/ },
  "rds-enhanced-monitoring": {
    violate: (p) => Object.assign(one(p, DB).inputs, { monitoringInterval: 0, performanceInsightsEnabled: false }),
    message: /neither monitoringInterval nor performanceInsightsEnabled/,
    accept: (p) => Object.assign(one(p, DB).inputs, { monitoringInterval: 0 }),
  },

  // ElastiCache
  "elasticache-encryption-at-rest": { violate: (p) => (one(p, REDIS).inputs.atRestEncryptionEnabled = false), message: /atRestEncryptionEnabled is not true/ },
  "elasticache-encryption-in-transit": { violate: (p) => (one(p, REDIS).inputs.transitEncryptionMode = "preferred"), message: /plaintext clients are still accepted/ },
  "elasticache-auth": { violate: (p) => delete one(p, REDIS).inputs.authToken, message: /neither authToken nor userGroupIds/, accept: (p) => (one(p, REDIS).inputs.userGroupIds = ["app-users"]) },
  "elasticache-automatic-failover": { violate: (p) => Object.assign(one(p, REDIS).inputs, { numCacheClusters: 1, automaticFailoverEnabled: false }), message: /automaticFailoverEnabled is not true[\s\S]*only 1 node/ },
  "elasticache-snapshot-retention": { violate: (p) => (one(p, REDIS).inputs.snapshotRetentionLimit = 0), message: /snapshotRetentionLimit is 0, below 1/ },
  "elasticache-auto-minor-version-upgrade": { violate: (p) => (one(p, REDIS).inputs.autoMinorVersionUpgrade = false), message: /autoMinorVersionUpgrade is false/ },

  // EKS and nodes
  "eks-endpoint-not-public": {
    violate: (p) => Object.assign(one(p, EKS).inputs.vpcConfig, { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24", "0.0.0.0/0"] }),
    message: /publicAccessCidrs includes 0.0.0.0\/0/,
    accept: (p) => Object.assign(one(p, EKS).inputs.vpcConfig, { endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] }),
  },
  "eks-private-endpoint": { violate: (p) => (one(p, EKS).inputs.vpcConfig.endpointPrivateAccess = false), message: /endpointPrivateAccess is not true/ },
  "eks-control-plane-logging": { violate: (p) => (one(p, EKS).inputs.enabledClusterLogTypes = ["api", "audit"]), message: /lacks authenticator, controllerManager, scheduler/ },
  "eks-secrets-encryption": { violate: (p) => delete one(p, EKS).inputs.encryptionConfig, message: /encryptionConfig does not cover secrets/ },
  "eks-supported-version": { violate: (p) => (one(p, EKS).inputs.version = "1.27"), message: /version 1.27 is older than 1.30/ },
  "launch-template-imdsv2": { violate: (p) => (one(p, LT).inputs.metadataOptions.httpTokens = "optional"), message: /httpTokens is optional/ },
  "launch-template-imds-hop-limit": { violate: (p) => (one(p, LT).inputs.metadataOptions.httpPutResponseHopLimit = 3), message: /httpPutResponseHopLimit is 3/ },
  "launch-template-ebs-encrypted": { violate: (p) => (one(p, LT).inputs.blockDeviceMappings[0].ebs.encrypted = "false"), message: /volume \/dev\/xvda is not encrypted/, accept: (p) => (one(p, LT).inputs.blockDeviceMappings[0].ebs.encrypted = true) },
  "eks-node-group-no-remote-access": {
    violate: (p) => (one(p, NODES).inputs.remoteAccess = { ec2SshKey: "ops" }),
    message: /SSH from anywhere/,
    accept: (p) => (one(p, NODES).inputs.remoteAccess = { ec2SshKey: "ops", sourceSecurityGroupIds: ["sg-bastion"] }),
  },
  "eks-node-group-capacity": { violate: (p) => (one(p, NODES).inputs.scalingConfig.minSize = 10), message: /min 10, desired 8, max 20 is not min ≤ desired ≤ max/ },

  // AWS tags
  "aws-tags-valid": {
    violate: (p) => {
      const vpc = one(p, "aws:ec2/vpc:Vpc");
      vpc.inputs.tags = { ...vpc.inputs.tags, ...Object.fromEntries(Array.from({ length: 46 }, (_, i) => [`cost-${i}`, "x"])) };
      one(p, "aws:kms/key:Key", "cluster-secrets").inputs.tags = { "aws:createdBy": "me", owner: "ops 🚀" };
      // The provider's defaultTags count with a resource's own.
      withDefaultTags(p, Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`d-${i}`, "x"])));
    },
    message: /network-vpc carries 5\d tags[\s\S]*cluster-secrets: tag key "aws:createdBy" must not start with aws:[\s\S]*tag "owner" value must use only letters[\s\S]*carries 5\d tags \(with its provider's defaultTags\)/,
    accept: (p) => {
      const vpc = one(p, "aws:ec2/vpc:Vpc");
      vpc.inputs.tags = { ...vpc.inputs.tags, ...Object.fromEntries(Array.from({ length: 44 }, (_, i) => [`cost-${i}`, "Zürich"])) };
      withDefaultTags(p, { project: "runbook-infra", secret: "[secret]" });
    },
  },

  // RBAC subjects
  "k8s-rbac-no-reserved-groups": {
    violate: (p) => {
      add(p, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "dr-operator", { roleRef: { kind: "Role", name: "dr-operator" }, subjects: [{ kind: "Group", name: "system:authenticated" }] });
      add(p, "aws:eks/accessEntry:AccessEntry", "ops", { principalArn: "arn:aws:iam::123456789012:role/ops", kubernetesGroups: ["ops", "system:masters"] });
    },
    message: /binds the reserved group system:authenticated[\s\S]*binds the reserved group system:masters/,
    accept: (p) => {
      add(p, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding", "dr-operator", { roleRef: { kind: "Role", name: "dr-operator" }, subjects: [{ kind: "Group", name: "dr-operators" }, { kind: "ServiceAccount", name: "system:backup" }] });
      add(p, "aws:eks/accessEntry:AccessEntry", "ops", { principalArn: "arn:aws:iam::123456789012:role/ops", kubernetesGroups: ["ops:sre"] });
    },
  },

  // KMS
  "kms-key-rotation": {
    violate: (p) => (one(p, KEY, "cluster-secrets").inputs.enableKeyRotation = false),
    message: /enableKeyRotation is not true/,
    // Asymmetric keys cannot rotate.
    accept: (p) => Object.assign(one(p, KEY, "cluster-secrets").inputs, { enableKeyRotation: false, customerMasterKeySpec: "RSA_2048" }),
  },
  "kms-deletion-window": { violate: (p) => (one(p, KEY, "cluster-secrets").inputs.deletionWindowInDays = 7), message: /deletionWindowInDays is 7/, accept: (p) => delete one(p, KEY, "cluster-secrets").inputs.deletionWindowInDays },

  // VPC
  "vpc-flow-logs": { violate: (p) => remove(p, "aws:ec2/flowLog:FlowLog"), message: /VPC network-vpc has no flow log/ },
  "vpc-flow-log-all-traffic": { violate: (p) => (one(p, "aws:ec2/flowLog:FlowLog").inputs.trafficType = "REJECT"), message: /trafficType is REJECT/ },
  "security-group-no-public-ingress": {
    violate: (p) => {
      one(p, "aws:ec2/securityGroup:SecurityGroup").inputs.ingress = [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }];
      Object.assign(one(p, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "database-ingress-0").inputs, { referencedSecurityGroupId: undefined, cidrIpv4: "0.0.0.0/0" });
    },
    message: /exposes port 22/,
    accept: (p) => (one(p, "aws:ec2/securityGroup:SecurityGroup").inputs.ingress = [{ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] }]),
  },
  "vpc-default-security-group-closed": {
    violate: (p) => (one(p, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup").inputs.ingress = [{ protocol: "-1", fromPort: 0, toPort: 0, self: true }]),
    message: /default security group has rules/,
  },
  "subnet-no-auto-public-ip": { violate: (p) => (one(p, "aws:ec2/subnet:Subnet").inputs.mapPublicIpOnLaunch = true), message: /mapPublicIpOnLaunch is true/ },
  "cloudwatch-log-retention": { violate: (p) => delete one(p, "aws:cloudwatch/logGroup:LogGroup").inputs.retentionInDays, message: /retentionInDays is unset/ },

  // IAM
  "iam-no-admin-statement": { violate: (p) => setPolicyDoc(p, { Sid: "Everything", Effect: "Allow", Action: "*", Resource: "*" }), message: /statement Everything allows "\*" on "\*"/ },
  "iam-no-service-wildcard": { violate: (p) => setPolicyDoc(p, { Effect: "Allow", Action: ["s3:*"], Resource: "arn:aws:s3:::b" }), message: /policy allows s3:\*/ },
  "iam-no-admin-managed-policy": {
    violate: (p) => (one(p, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").inputs.policyArn = "arn:aws:iam::aws:policy/AdministratorAccess"),
    message: /attaches AdministratorAccess/,
  },
  "iam-trust-no-public-principal": {
    violate: (p) => (one(p, ROLE, "database-monitoring").inputs.assumeRolePolicy = JSON.stringify({ Statement: [{ Effect: "Allow", Principal: { AWS: "*" }, Action: "sts:AssumeRole" }] })),
    message: /lets any AWS principal assume the role/,
  },
  "irsa-trust-scoped": {
    violate: (p) => {
      const doc = JSON.parse(one(p, ROLE, "backups-irsa-role").inputs.assumeRolePolicy);
      delete doc.Statement[0].Condition.StringEquals[`${ISSUER}:sub`];
      doc.Statement[0].Condition.StringLike = { [`${ISSUER}:sub`]: "system:serviceaccount:backups:*" };
      one(p, ROLE, "backups-irsa-role").inputs.assumeRolePolicy = JSON.stringify(doc);
    },
    message: /not pinned to one service account[\s\S]*uses StringLike/,
  },
  "iam-no-user-credentials": { violate: (p) => add(p, "aws:iam/accessKey:AccessKey", "ci-key", { user: "ci" }), message: /AccessKey gives long-lived IAM user credentials/ },

  // Route53
  "route53-failover-health-check": {
    violate: (p) => delete one(p, RECORD, "dns-primary").inputs.healthCheckId,
    message: /PRIMARY record api.stockanalysis.com has no healthCheckId/,
    accept: (p) => {
      const primary = one(p, RECORD, "dns-primary").inputs;
      delete primary.healthCheckId;
      delete primary.records;
      primary.aliases = [{ name: "lb.elb.amazonaws.com", zoneId: "Z35SXDOTRQ7X7K", evaluateTargetHealth: true }];
    },
  },
  "route53-failover-pair": { violate: (p) => remove(p, RECORD, "dns-secondary"), message: /PRIMARY CNAME api.stockanalysis.com has no SECONDARY/ },
  // Edge and failover targets (issue 14 item 4, issue 18)
  "route53-no-literal-load-balancer-targets": {
    // The placeholder the stack files used to carry, typed into the record with nothing behind it.
    violate: (p) => {
      const primary = one(p, RECORD, "dns-primary");
      primary.inputs.records = ["stock-analysis-primary.elb.us-east-1.amazonaws.com"];
      primary.dependencies = [];
    },
    message: /record api.stockanalysis.com points at stock-analysis-primary.elb.us-east-1.amazonaws.com, a load balancer name no resource or stack reference/,
    // The visible opt-in on the FailoverDns parent accepts the same typed name.
    accept: (p) => {
      const failover = add(p, "runbook:dr:FailoverDns", "failover", { allowLiteralTargets: true, recordName: "api.stockanalysis.com" }, { custom: false });
      const primary = one(p, RECORD, "dns-primary");
      primary.inputs.records = ["stock-analysis-primary.elb.us-east-1.amazonaws.com"];
      primary.dependencies = [];
      primary.parent = failover.urn;
    },
  },
  "route53-health-check-served-host": {
    violate: (p) => (one(p, "aws:route53/healthCheck:HealthCheck").inputs.fqdn = PRIMARY_LB_NAME),
    message: /asks for runbook-infra-production-api-1224386724.us-east-1.elb.amazonaws.com, the load balancer's own name/,
    // A name the load balancer's certificate covers is served too.
    accept: (p) => {
      add(p, "aws:acm/certificate:Certificate", "edge-cert", { domainName: "primary.stockanalysis.com", subjectAlternativeNames: ["status.stockanalysis.com"], validationMethod: "DNS" });
      one(p, "aws:route53/healthCheck:HealthCheck").inputs.fqdn = "status.stockanalysis.com";
    },
  },
  "dr-stack-reference": {
    violate: (p) => {
      remove(p, "pulumi:pulumi:StackReference");
      one(p, RECORD, "dns-secondary").dependencies = [];
    },
    message: /SECONDARY api.stockanalysis.com has failover but the stack reads no DR stack/,
    // No failover records, nothing to read.
    accept: (p) => {
      remove(p, RECORD);
      remove(p, "pulumi:pulumi:StackReference");
    },
  },
  "route53-secondary-in-dr-region": {
    violate: (p) => (one(p, RECORD, "dns-secondary").inputs.records = ["runbook-infra-production-dr-api-1.us-east-1.elb.amazonaws.com"]),
    message: /SECONDARY api.stockanalysis.com points at runbook-infra-production-dr-api-1.us-east-1.elb.amazonaws.com in us-east-1, not in the DR region us-west-2/,
    accept: (p) => (one(p, RECORD, "dns-secondary").inputs.records = ["dualstack.runbook-infra-production-dr-api-1.us-west-2.elb.amazonaws.com"]),
  },
  "route53-health-check-detects-quickly": {
    violate: (p) => Object.assign(one(p, "aws:route53/healthCheck:HealthCheck").inputs, { type: "HTTP", failureThreshold: 5 }),
    message: /type is HTTP, not HTTPS[\s\S]*failureThreshold 5 exceeds 3/,
  },

  // Kubernetes
  "k8s-run-as-non-root": { violate: (p) => (apiContainer(p).securityContext = { ...apiContainer(p).securityContext, runAsNonRoot: false, runAsUser: 0 }), message: /container api: runAsNonRoot is not true, runAsUser is 0/ },
  "k8s-restricted-capabilities": {
    violate: (p) => (apiContainer(p).securityContext = { ...apiContainer(p).securityContext, capabilities: { add: ["SYS_ADMIN"] }, seccompProfile: undefined }),
    message: /capabilities.drop lacks ALL, adds capabilities SYS_ADMIN/,
  },
  "k8s-read-only-root-filesystem": { violate: (p) => (dailyJob(p).spec.jobTemplate.spec.template.spec.containers[0].securityContext.readOnlyRootFilesystem = false), message: /container backup: readOnlyRootFilesystem is not true/ },
  "k8s-container-resources": { violate: (p) => (apiContainer(p).resources = { requests: { cpu: "100m" } }), message: /no requests.memory, limits.cpu, limits.memory/ },
  "k8s-image-pinned": {
    violate: (p) => (dailyJob(p).spec.jobTemplate.spec.template.spec.containers[0].image = "registry.example.com:5000/tools/pg-backup"),
    message: /has no tag \(means latest\)/,
    accept: (p) => {
      apiContainer(p).image = "ghcr.io/example/api@sha256:0f3c1e5d9b7a2c4e6f8a0b1c3d5e7f9a1b3c5d7e9f0a2b4c6d8e0f1a3b5c7d9e";
      dailyJob(p).spec.jobTemplate.spec.template.spec.containers[0].image = "registry.example.com:5000/tools/pg-backup:2.1";
    },
  },
  "k8s-no-host-access": {
    violate: (p) => {
      const pod = one(p, DEPLOYMENT).inputs.spec.template.spec;
      pod.hostNetwork = true;
      pod.volumes = [{ name: "docker", hostPath: { path: "/var/run/docker.sock" } }];
    },
    message: /hostNetwork is true/,
  },
  "k8s-readiness-probe": { violate: (p) => delete apiContainer(p).readinessProbe, message: /container api has no readinessProbe/ },
  "k8s-not-default-namespace": { violate: (p) => (one(p, PDB, "worker-pdb").inputs.metadata.namespace = "default"), message: /namespace is default/ },
  "k8s-library-labels": { violate: (p) => delete one(p, NAMESPACE).inputs.metadata.labels["app.kubernetes.io/part-of"], message: /missing labels app.kubernetes.io\/part-of=runbook-infra/ },
  "k8s-namespace-pod-security": {
    violate: (p) => (one(p, NAMESPACE).inputs.metadata.labels["pod-security.kubernetes.io/enforce"] = "privileged"),
    message: /namespace stock-analysis-system enforces privileged/,
    accept: (p) => {
      add(p, NAMESPACE, "kube-system", { metadata: { name: "kube-system", labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "runbook-infra" } } });
      const ns = one(p, NAMESPACE, "app-namespace").inputs.metadata;
      ns.labels["pod-security.kubernetes.io/enforce"] = "privileged";
      ns.annotations = { "runbook.dev/pod-security-exception": "node-exporter reads host metrics" };
    },
  },
  "k8s-cronjob-no-concurrency": {
    violate: (p) => (dailyJob(p).spec.concurrencyPolicy = "Replace"),
    message: /concurrencyPolicy is Replace on a backup job/,
    accept: (p) => {
      const job = add(p, CRON, "report", JSON.parse(JSON.stringify(dailyJob(p))));
      delete (job.inputs as any).metadata.labels["runbook.dev/backup"];
      (job.inputs as any).spec.concurrencyPolicy = "Replace";
    },
  },
  "k8s-cronjob-deadlines": { violate: (p) => delete dailyJob(p).spec.startingDeadlineSeconds, message: /startingDeadlineSeconds is unset/ },
  "k8s-cronjob-history": { violate: (p) => (dailyJob(p).spec.failedJobsHistoryLimit = 0), message: /failedJobsHistoryLimit is 0/ },
  "k8s-cronjob-valid-schedule": {
    violate: (p) => (dailyJob(p).spec.schedule = "0 25 * * *"),
    message: /schedule "0 25 \* \* \*" in Etc\/UTC does not parse/,
    accept: (p) => (one(p, CRON, "k8s-config").inputs.spec.schedule = "@daily"),
  },
  "k8s-hpa-bounds": { violate: (p) => (one(p, HPA, "api-hpa").inputs.spec.maxReplicas = 3), message: /maxReplicas 3 is not above minReplicas 3/ },
  "k8s-hpa-high-availability": { violate: (p) => (one(p, HPA, "worker-hpa").inputs.spec.minReplicas = 1), message: /minReplicas is 1/ },
  "k8s-pdb-valid": { violate: (p) => (one(p, PDB, "api-pdb").inputs.spec.maxUnavailable = 0), message: /allows no voluntary evictions/ },
  "helm-release-pinned": { violate: (p) => (one(p, "kubernetes:helm.sh/v3:Release").inputs.version = "^9.43.0"), message: /version \^9.43.0 is a range/ },

  // Monitoring
  // An alert on postgres_exporter's pg_up in a stack that deploys no postgres_exporter can never fire.
  "prometheus-alert-has-producer": {
    violate: (p) => one(p, RULE).inputs.spec.groups[0].rules.push({ alert: "DatabaseDown", expr: "pg_up == 0", for: "1m", labels: { severity: "critical" }, annotations: { summary: "PostgreSQL is unreachable", runbook_url: "https://runbooks.example.com/ops.md#database" } }),
    message: /alert DatabaseDown reads pg_up, which postgres_exporter .* would produce, and the stack does not deploy it/,
  },
  "prometheus-rule-valid-promql": { violate: (p) => (alertRule(p).expr = "sum(rate(http_requests_total[5m]) >"), message: /api\/HighErrorRate: expr does not parse at offset/ },
  "prometheus-rule-structure": {
    violate: (p) => {
      alertRule(p).for = "5 minutes";
      one(p, RULE).inputs.spec.groups.push({ name: "api", rules: [] });
    },
    message: /group name api is used twice/,
  },
  "prometheus-rule-alert-labels": { violate: (p) => (alertRule(p).labels = { severity: "page" }), message: /api\/HighErrorRate: severity page/ },
  "prometheus-rule-selector-labels": { violate: (p) => (one(p, RULE).inputs.metadata.labels = { release: "kube-prometheus-stack" }), message: /lacks app.kubernetes.io\/part-of=runbook-infra/ },
  "prometheus-rule-alert-hygiene": { violate: (p) => delete alertRule(p).annotations.runbook_url, message: /no runbook_url annotation/ },
  "cloudwatch-alarm-actions": { violate: (p) => (one(p, "aws:cloudwatch/metricAlarm:MetricAlarm").inputs.alarmActions = []), message: /alarmActions is empty/ },

  // Whole stack
  "stack-database-backup-bucket": { violate: (p) => delete one(p, BUCKET).inputs.tags["runbook:purpose"], message: /database stock-analysis-production has no backup bucket/ },
  "stack-database-daily-backup": {
    violate: (p) => (dailyJob(p).spec.schedule = "0 7 * * 0"),
    message: /leaves a 168 h gap between runs/,
    accept: (p) => (dailyJob(p).spec.schedule = "0 */6 * * *"),
  },
  "stack-backup-maintenance-windows": {
    violate: (p) => (dailyJob(p).spec.schedule = "0 2 * * *"),
    message: /runs inside database stock-analysis-production maintenance window sun:02:00-sun:06:00/,
    // 01:00 for an hour ends exactly when Sunday's window opens.
    accept: (p) => (dailyJob(p).spec.schedule = "0 1 * * *"),
  },
  "stack-hpa-has-pdb": { violate: (p) => remove(p, PDB, "worker-pdb"), message: /HPA stock-analysis-system\/celery-worker \(target celery-worker\) has no PodDisruptionBudget/ },
  "stack-dr-resources": {
    violate: (p) => {
      remove(p, "aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication");
      remove(p, "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
    },
    message: /not replicated to the DR region/,
    // Without the DR provider, DR is off and nothing is required.
    accept: (p) => {
      p.resources = p.resources.filter((r) => r.name !== "dr-region" && !r.provider);
      remove(p, "aws:s3/bucketReplicationConfig:BucketReplicationConfig");
    },
  },
  "stack-recovery-objectives-met": {
    violate: (p) => (one(p, RO).inputs.computed.scenarios[1].rpoMinutes = 1440),
    message: /primary region loss: RPO 1440 min misses the 60 min target/,
  },
  "stack-recovery-objectives-declared": { violate: (p) => remove(p, RO), message: /declares no recovery objectives/ },
  "stack-backup-restore-job": { violate: (p) => remove(p, CRON, "postgres-restore"), message: /no postgres-restore job/ },
  "stack-cluster-config-backup": { violate: (p) => remove(p, CRON, "k8s-config"), message: /no k8s-config backup CronJob/ },
  // Cost: the fixture's estimate (EKS, nodes, RDS, Redis, NAT...) is far above $1 and far below $1,000,000.
  "stack-monthly-budget": {
    violate: (p) => add(p, "runbook:cost:CostBudget", "cost-budget", { monthlyBudgetUsd: 1 }),
    message: /the estimated cost \$[\d,]+\.\d\d per month exceeds cost\.monthlyBudgetUsd \$1\.00 \(largest: /,
    accept: (p) => add(p, "runbook:cost:CostBudget", "cost-budget", { monthlyBudgetUsd: 1_000_000 }),
  },

  // First deploy (issue 14)
  "eks-access-beyond-creator": {
    violate: (p) => remove(p, ACCESS_ASSOCIATION),
    message: /cluster stock-analysis-production has no access entry with AmazonEKSClusterAdminPolicy: nobody can use it/,
    // A cluster still on the aws-auth ConfigMap is judged elsewhere.
    accept: (p) => {
      remove(p, ACCESS_ASSOCIATION);
      one(p, EKS).inputs.accessConfig = { authenticationMode: "CONFIG_MAP" };
    },
  },
  "k8s-group-binding-has-members": {
    violate: (p) => (one(p, ACCESS_ENTRY, "cluster-group-stock-analysis-dr-operators").inputs.kubernetesGroups = ["dr-operators"]),
    message: /stock-analysis-system-dr\/dr-operators binds group stock-analysis-dr-operators, which no access entry maps/,
    // Groups of Kubernetes itself need no entry.
    accept: (p) => (one(p, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").inputs.subjects = [{ kind: "Group", name: "system:authenticated" }]),
  },
  "eks-private-endpoint-deploy-path": {
    violate: (p) => remove(p, INGRESS, "cluster-deploy-path-1"),
    message: /cluster stock-analysis-production has a private endpoint and no ingress on 443 for the deploy runners/,
    // Runners outside the VPC: the public endpoint open to their CIDRs is the path.
    accept: (p) => {
      remove(p, INGRESS, "cluster-deploy-path-1");
      Object.assign(one(p, EKS).inputs.vpcConfig, { endpointPublicAccess: true, publicAccessCidrs: ["198.51.100.0/28"] });
    },
  },
  "k8s-claim-storage-class": {
    violate: (p) => (one(p, "kubernetes:helm.sh/v3:Release").inputs.values = { prometheus: { prometheusSpec: { storageSpec: { volumeClaimTemplate: { spec: { resources: { requests: { storage: "50Gi" } } } } } } } }),
    message: /release cluster-autoscaler values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate names no storageClassName/,
    accept: (p) =>
      add(p, "kubernetes:core/v1:PersistentVolumeClaim", "data", { metadata: { name: "data", namespace: "app" }, spec: { storageClassName: "gp3-encrypted", accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } } }),
  },
  "k8s-storage-class-encrypted": {
    violate: (p) => delete one(p, STORAGE_CLASS).inputs.parameters.kmsKeyId,
    message: /StorageClass gp3-encrypted encrypts with the AWS-managed key/,
    // Not an EBS class: nothing to judge.
    accept: (p) => (one(p, STORAGE_CLASS).inputs.provisioner = "efs.csi.aws.com"),
  },
  "eks-node-group-after-cni": {
    violate: (p) => (one(p, NODES).dependencies = (one(p, NODES).dependencies ?? []).filter((d) => !d.includes("vpc-cni"))),
    message: /node group general does not wait for the vpc-cni add-on/,
  },
  "helm-release-path-to-nodes": {
    violate: (p) => delete one(p, "kubernetes:helm.sh/v3:Release").provider,
    message: /release cluster-autoscaler does not wait for a node group or the coredns add-on/,
    // A direct dependsOn works as well as the provider.
    accept: (p) => {
      const release = one(p, "kubernetes:helm.sh/v3:Release");
      delete release.provider;
      release.dependencies = [one(p, NODES).urn, one(p, ADDON, "cluster-coredns").urn];
    },
  },
  "physical-names-carry-system": {
    violate: (p) => (one(p, BUCKET).inputs.bucket = "runbook-infra-production-backups"),
    message: /bucket runbook-infra-production-backups does not start with the system name stock-analysis-[\s\S]*not unique by construction/,
    // Auto-named buckets are unique by construction.
    accept: (p) => delete one(p, BUCKET).inputs.bucket,
  },
  "versions-not-end-of-life": {
    violate: (p) => (one(p, EKS).inputs.version = "1.31"),
    message: /EKS 1.31: support ended 2026-11-26/,
    accept: (p) => (one(p, CRON, "postgres-daily").inputs.spec.jobTemplate.spec.template.spec.containers[0].image = "postgres:16.10-trixie"),
  },
  "versions-in-support": {
    violate: (p) => (one(p, CRON, "postgres-daily").inputs.spec.jobTemplate.spec.template.spec.containers[0].image = "postgres:16.6-bookworm"),
    message: /image postgres:16.6-bookworm: standard support ended 2026-06-10; extended support only, until 2028-06-30/,
    accept: (p) => (one(p, EKS).inputs.version = "1.34"),
  },
  "versions-support-ending": {
    violate: (p) => (one(p, EKS).inputs.version = "1.34"),
    message: /EKS 1.34: standard support ends 2026-12-02/,
  },
  "eks-subnet-zone-id": {
    violate: (p) => (one(p, "aws:ec2/subnet:Subnet").inputs.availabilityZoneId = "use1-az3"),
    message: /is in use1-az3, where EKS does not create clusters/,
    // Subnets that no cluster uses may go anywhere.
    accept: (p) => {
      const subnet = one(p, "aws:ec2/subnet:Subnet");
      subnet.inputs.tags = { Name: "tools" };
      subnet.inputs.availabilityZone = "us-east-1a";
      delete subnet.inputs.availabilityZoneId;
    },
  },
};

const GRADED = policies.filter((p) => Object.keys(p.configSchema?.properties ?? {}).includes("mandatoryIn")).map((p) => p.name);

function violationsOf(plan: Plan, policy: string, environment?: string): Violation[] {
  return evaluatePlan(plan, environment ? { environment } : {}).filter((v) => v.policy === policy);
}

describe("the policy pack", () => {
  it("has at least 50 policies with unique names, each mapped to a control or runbook in its description", () => {
    const names = policies.map((p) => p.name);
    expect(names.length).toBeGreaterThanOrEqual(50);
    expect(new Set(names).size).toBe(names.length);
    for (const p of policies) expect(p.description).toMatch(/\((AWS FSBP|AWS EKS|CIS|CKV|kube-score|runbook|Pod Security|Kubernetes|prometheus|promtool|Prometheus).*\)/);
  });

  it("has a violating and a compliant case for every policy", () => {
    expect(Object.keys(cases).sort()).toEqual(policies.map((p) => p.name).sort());
  });

  it("is documented: docs/policy-pack.md lists every policy with its level", () => {
    const doc = readFileSync(join(__dirname, "..", "..", "docs", "policy-pack.md"), "utf8");
    expect(doc).toContain(`${policies.length} policies`);
    for (const p of policies) {
      const level = GRADED.includes(p.name) ? "mandatory in production, advisory elsewhere" : p.enforcementLevel;
      expect(doc).toContain(`| \`${p.name}\` | ${"validateStack" in p ? "stack" : "resource"} | ${level} |`);
    }
  });

  it("passes the compliant production plan and its staging twin with no violation at all", () => {
    expect(evaluatePlan(compliantPlan())).toEqual([]);
    expect(evaluatePlan(stagingPlan())).toEqual([]);
  });
});

describe.each(policies.map((p) => [p.name, p.enforcementLevel] as const))("%s", (name, level) => {
  const testCase = cases[name];

  it("reports the unsafe plan", () => {
    const plan = compliantPlan();
    testCase.violate(plan);
    const found = violationsOf(plan, name);
    expect(found.length).toBeGreaterThan(0);
    expect(found.map((v) => v.message).join("\n")).toMatch(testCase.message);
    expect(found.every((v) => v.level === (level === "advisory" ? "advisory" : "mandatory"))).toBe(true);
    expect(found.every((v) => plan.resources.some((r) => r.urn === v.urn))).toBe(true);
  });

  it("accepts the compliant plan", () => {
    expect(violationsOf(compliantPlan(), name)).toEqual([]);
    if (testCase.accept) {
      const plan = compliantPlan();
      testCase.accept(plan);
      expect(violationsOf(plan, name)).toEqual([]);
    }
  });

  if (GRADED.includes(name)) {
    it("blocks in production and only advises in staging", () => {
      const plan = compliantPlan();
      testCase.violate(plan);
      expect(violationsOf(plan, name, "production").map((v) => v.level)).not.toContain("advisory");
      const staging = violationsOf(plan, name, "staging");
      expect(staging.length).toBeGreaterThan(0);
      expect(staging.every((v) => v.level === "advisory")).toBe(true);
    });
  }
});
