/**
 * A compliant production plan in the shape the offline preview writes (`--json`), modelled on what the
 * components register (network, EKS, PostgresDatabase, RedisCache, backups, FailoverDns, DrNamespace,
 * ServiceScaling, monitoring, RecoveryObjectives). Each policy test edits one thing in a fresh copy.
 */
import type { Plan, PlanResource } from "../../policies/evaluate";
import { withClusterReadiness } from "./fixtures-cluster";

export const STACK = "production";
const PROJECT = "runbook-infra";
export const ISSUER = "oidc.eks.us-east-1.amazonaws.com/id/0123456789ABCDEF0123456789ABCDEF";
const OIDC_ARN = `arn:aws:iam::123456789012:oidc-provider/${ISSUER}`;
const TAGS = { project: PROJECT, stack: STACK, environment: "production", "managed-by": "pulumi", system: "stock-analysis" };
const K8S_LABELS = { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "runbook-infra" };

/** Load balancer names as AWS assigns them (the plans' own load balancer, and the DR stack's as its reference reads it). */
export const PRIMARY_LB_NAME = "runbook-infra-production-api-1224386724.us-east-1.elb.amazonaws.com";
export const DR_LB_NAME = "runbook-infra-production-dr-api-1224386724.us-west-2.elb.amazonaws.com";

export function urnOf(type: string, name: string, stack = STACK): string {
  return `urn:pulumi:${stack}::${PROJECT}::${type}::${name}`;
}

function res(type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlanResource> = {}): PlanResource {
  return { urn: urnOf(type, name), type, name, parent: null, custom: !type.startsWith("runbook:"), inputs, dependencies: [], ...extra };
}

const DR_PROVIDER = res("pulumi:providers:aws", "dr-region", { region: "us-west-2" });
const inDr = { provider: `${DR_PROVIDER.urn}::0123456789abcdef` };

export const SECURE_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 10001,
  runAsGroup: 10001,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
};
const POD_SECURITY = { runAsNonRoot: true, runAsUser: 10001, runAsGroup: 10001, fsGroup: 10001, seccompProfile: { type: "RuntimeDefault" } };
const RESOURCES = { requests: { cpu: "250m", memory: "256Mi" }, limits: { cpu: "1", memory: "1Gi" } };

function container(name: string, image: string, extra: Record<string, unknown> = {}) {
  return { name, image, resources: RESOURCES, securityContext: SECURE_CONTAINER, ...extra };
}

function cronJob(name: string, kind: string, schedule: string, extra: Record<string, unknown> = {}) {
  const labels = { ...K8S_LABELS, "runbook.dev/backup": kind };
  return res("kubernetes:batch/v1:CronJob", name, {
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name, namespace: "backups", labels },
    spec: {
      schedule,
      timeZone: "Etc/UTC",
      concurrencyPolicy: "Forbid",
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      ...extra,
      jobTemplate: {
        metadata: { labels },
        spec: {
          backoffLimit: 2,
          activeDeadlineSeconds: 7200,
          template: {
            metadata: { labels },
            spec: {
              restartPolicy: "Never",
              serviceAccountName: "postgres-backup",
              securityContext: { ...POD_SECURITY, runAsUser: 70, runAsGroup: 70, fsGroup: 70 },
              volumes: [{ name: "scratch", emptyDir: {} }],
              containers: [container("backup", "postgres:15.8-alpine", { volumeMounts: [{ name: "scratch", mountPath: "/backup" }], securityContext: { ...SECURE_CONTAINER, runAsUser: 70, runAsGroup: 70 } })],
            },
          },
        },
      },
    },
  });
}

export function compliantPlan(): Plan {
  const vpc = res("aws:ec2/vpc:Vpc", "network-vpc", { cidrBlock: "10.0.0.0/16", enableDnsHostnames: true, enableDnsSupport: true, tags: { ...TAGS, Name: "network-vpc" } });
  const flowLogGroup = res("aws:cloudwatch/logGroup:LogGroup", "network-flow-logs", { retentionInDays: 365, tags: TAGS });
  const eksKey = res("aws:kms/key:Key", "cluster-secrets", { description: "EKS secrets envelope encryption", enableKeyRotation: true, deletionWindowInDays: 30, tags: TAGS });
  const backupBucket = res("aws:s3/bucket:Bucket", "backups-bucket", { bucket: "stock-analysis-production-backups-123456789012-us-east-1", forceDestroy: false, tags: { ...TAGS, "runbook:purpose": "backups" } });
  const onBucket = { dependencies: [backupBucket.urn] };
  const bucketName = "stock-analysis-production-backups-123456789012-us-east-1";
  const bucketArn = `arn:aws:s3:::${bucketName}`;
  const dbParams = res("aws:rds/parameterGroup:ParameterGroup", "database-params", {
    family: "postgres15",
    parameters: [
      { name: "rds.force_ssl", value: "1" },
      { name: "shared_preload_libraries", value: "pg_stat_statements", applyMethod: "pending-reboot" },
    ],
    tags: TAGS,
  });
  const db = res(
    "aws:rds/instance:Instance",
    "database-instance",
    {
      identifier: "stock-analysis-production",
      engine: "postgres",
      engineVersion: "15.8",
      instanceClass: "db.r5.large",
      allocatedStorage: 100,
      storageType: "gp3",
      storageEncrypted: true,
      kmsKeyId: "arn:aws:kms:us-east-1:123456789012:key/db",
      username: "stock_analysis",
      password: "[secret]",
      publiclyAccessible: false,
      parameterGroupName: "database-params-1a2b3c4d",
      multiAz: true,
      backupRetentionPeriod: 30,
      backupWindow: "00:30-01:30",
      maintenanceWindow: "sun:02:00-sun:06:00",
      copyTagsToSnapshot: true,
      deletionProtection: true,
      skipFinalSnapshot: false,
      finalSnapshotIdentifier: "stock-analysis-production-final",
      autoMinorVersionUpgrade: true,
      iamDatabaseAuthenticationEnabled: true,
      enabledCloudwatchLogsExports: ["postgresql", "upgrade"],
      performanceInsightsEnabled: true,
      monitoringInterval: 60,
      tags: TAGS,
    },
    { dependencies: [dbParams.urn] },
  );
  const healthCheck = res("aws:route53/healthCheck:HealthCheck", "dns-primary", {
    type: "HTTPS",
    fqdn: "primary.stockanalysis.com",
    port: 443,
    resourcePath: "/health",
    requestInterval: 10,
    failureThreshold: 3,
    tags: TAGS,
  });
  const record = (name: string, type: "PRIMARY" | "SECONDARY", target: string, extra: Record<string, unknown> = {}, more: Partial<PlanResource> = {}) =>
    res("aws:route53/record:Record", name, { zoneId: "Z0123456789ABCDEFGHIJ", name: "api.stockanalysis.com", type: "CNAME", ttl: 60, records: [target], setIdentifier: type.toLowerCase(), failoverRoutingPolicies: [{ type }], ...extra }, more);
  const edgeLb = res("aws:lb/loadBalancer:LoadBalancer", "edge-alb", { name: "runbook-infra-production-api", loadBalancerType: "application", internal: true, dropInvalidHeaderFields: true, enableDeletionProtection: true, tags: TAGS });
  const drStack = res("pulumi:pulumi:StackReference", "dr-stack", { name: "production-dr" });
  const irsaTrust = JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Federated: OIDC_ARN },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: { StringEquals: { [`${ISSUER}:aud`]: "sts.amazonaws.com", [`${ISSUER}:sub`]: "system:serviceaccount:backups:postgres-backup" } },
      },
    ],
  });
  const apiLabels = { ...K8S_LABELS, app: "api" };

  return withClusterReadiness({
    project: PROJECT,
    stack: STACK,
    environment: "production",
    resources: [
      res("pulumi:pulumi:Stack", `${PROJECT}-${STACK}`, {}, { custom: false }),
      DR_PROVIDER,
      vpc,
      res("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "network-default-sg", { vpcId: "vpc-0123", ingress: [], egress: [], tags: TAGS }, { dependencies: [vpc.urn] }),
      res("aws:ec2/subnet:Subnet", "network-private-1", { vpcId: "vpc-0123", cidrBlock: "10.0.0.0/19", availabilityZone: "us-east-1a", mapPublicIpOnLaunch: false, tags: TAGS }, { dependencies: [vpc.urn] }),
      flowLogGroup,
      res("aws:ec2/flowLog:FlowLog", "network-flow-log", { vpcId: "vpc-0123", trafficType: "ALL", logDestinationType: "cloud-watch-logs", maxAggregationInterval: 60, tags: TAGS }, { dependencies: [vpc.urn, flowLogGroup.urn] }),
      res("aws:ec2/securityGroup:SecurityGroup", "database-sg", { vpcId: "vpc-0123", description: "PostgreSQL 5432 from the cluster only", tags: TAGS }),
      res("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", "database-ingress-0", { securityGroupId: "sg-db", referencedSecurityGroupId: "sg-nodes", ipProtocol: "tcp", fromPort: 5432, toPort: 5432, tags: TAGS }),
      eksKey,
      res("aws:eks/cluster:Cluster", "cluster-eks", {
        name: "stock-analysis-production",
        version: "1.35",
        vpcConfig: { subnetIds: ["subnet-a", "subnet-b", "subnet-c"], endpointPrivateAccess: true, endpointPublicAccess: false, publicAccessCidrs: [] },
        enabledClusterLogTypes: ["api", "audit", "authenticator", "controllerManager", "scheduler"],
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: "arn:aws:kms:us-east-1:123456789012:key/eks" } },
        tags: TAGS,
      }),
      res("aws:ec2/launchTemplate:LaunchTemplate", "cluster-general", {
        metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 2, httpEndpoint: "enabled" },
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 100, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
        tags: TAGS,
      }),
      res("aws:eks/nodeGroup:NodeGroup", "cluster-general", { clusterName: "stock-analysis-production", nodeGroupName: "general", scalingConfig: { minSize: 5, maxSize: 20, desiredSize: 8 }, tags: TAGS }),
      res("aws:iam/role:Role", "backups-irsa-role", { assumeRolePolicy: irsaTrust, tags: TAGS }),
      res("aws:iam/rolePolicy:RolePolicy", "backups-irsa-policy", {
        role: "backups-irsa-role",
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            { Effect: "Allow", Action: ["s3:PutObject", "s3:GetObject"], Resource: `${bucketArn}/*` },
            { Effect: "Allow", Action: "s3:ListBucket", Resource: bucketArn },
          ],
        }),
      }),
      res("aws:iam/role:Role", "database-monitoring", {
        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "monitoring.rds.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
        tags: TAGS,
      }),
      res("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "database-monitoring", { role: "database-monitoring", policyArn: "arn:aws:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole" }),
      backupBucket,
      res("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", "backups-public-access", { bucket: bucketName, blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true }, onBucket),
      res("aws:s3/bucketOwnershipControls:BucketOwnershipControls", "backups-ownership", { bucket: bucketName, rule: { objectOwnership: "BucketOwnerEnforced" } }, onBucket),
      res("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration", "backups-encryption", { bucket: bucketName, rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: "aws:kms", kmsMasterKeyId: "arn:aws:kms:us-east-1:123456789012:key/backups" }, bucketKeyEnabled: true }] }, onBucket),
      res("aws:s3/bucketVersioning:BucketVersioning", "backups-versioning", { bucket: bucketName, versioningConfiguration: { status: "Enabled" } }, onBucket),
      res(
        "aws:s3/bucketPolicy:BucketPolicy",
        "backups-tls-only",
        {
          bucket: bucketName,
          policy: JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Sid: "DenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "s3:*", Resource: [bucketArn, `${bucketArn}/*`], Condition: { Bool: { "aws:SecureTransport": "false" } } }],
          }),
        },
        onBucket,
      ),
      res(
        "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration",
        "backups-retention",
        {
          bucket: bucketName,
          rules: [
            { id: "daily", status: "Enabled", filter: { prefix: "postgresql/daily/" }, expiration: { days: 30 }, noncurrentVersionExpiration: { noncurrentDays: 7 }, abortIncompleteMultipartUpload: { daysAfterInitiation: 1 } },
            { id: "weekly", status: "Enabled", filter: { prefix: "postgresql/weekly/" }, expiration: { days: 84 } },
          ],
        },
        onBucket,
      ),
      res("aws:s3/bucketReplicationConfig:BucketReplicationConfig", "backups-replication", { bucket: bucketName, role: "arn:aws:iam::123456789012:role/replication", rules: [{ id: "dr", status: "Enabled", destination: { bucket: "arn:aws:s3:::stock-analysis-production-backups-123456789012-us-east-1-dr" } }] }, onBucket),
      dbParams,
      db,
      res("aws:kms/key:Key", "database-dr-key", { description: "Replicated automated backups", enableKeyRotation: true, deletionWindowInDays: 30, tags: TAGS }, inDr),
      res("aws:rds/instanceAutomatedBackupsReplication:InstanceAutomatedBackupsReplication", "database-dr-backups", { sourceDbInstanceArn: "arn:aws:rds:us-east-1:123456789012:db:stock-analysis-production", retentionPeriod: 7 }, { ...inDr, dependencies: [db.urn] }),
      res("aws:elasticache/replicationGroup:ReplicationGroup", "cache-group", {
        replicationGroupId: "stock-analysis-production",
        engine: "redis",
        engineVersion: "7.1",
        numCacheClusters: 2,
        automaticFailoverEnabled: true,
        multiAzEnabled: true,
        atRestEncryptionEnabled: true,
        transitEncryptionEnabled: true,
        transitEncryptionMode: "required",
        authToken: "[secret]",
        snapshotRetentionLimit: 7,
        snapshotWindow: "00:30-01:30",
        maintenanceWindow: "sun:02:00-sun:06:00",
        autoMinorVersionUpgrade: true,
        tags: TAGS,
      }),
      healthCheck,
      res("aws:cloudwatch/metricAlarm:MetricAlarm", "dns-primary-unhealthy", { namespace: "AWS/Route53", metricName: "HealthCheckStatus", alarmActions: ["arn:aws:sns:us-east-1:123456789012:alerts"], tags: TAGS }),
      // The edge: this stack's load balancer (serving primary. and api.) and the DR stack read through a reference.
      edgeLb,
      res("runbook:edge:ApiLoadBalancer", "edge", { scheme: "internet-facing", hosts: ["primary.stockanalysis.com", "api.stockanalysis.com"], siteName: "primary.stockanalysis.com" }, { custom: false }),
      drStack,
      record("dns-primary", "PRIMARY", PRIMARY_LB_NAME, { healthCheckId: "hc-0123" }, { dependencies: [edgeLb.urn] }),
      record("dns-secondary", "SECONDARY", DR_LB_NAME, {}, { dependencies: [drStack.urn] }),
      res("kubernetes:core/v1:Namespace", "app-namespace", {
        metadata: {
          name: "stock-analysis-system",
          labels: { ...K8S_LABELS, "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" },
        },
      }),
      // runbook:security:NetworkPolicies — default-deny in the application namespace (allow policies omitted).
      res("kubernetes:networking.k8s.io/v1:NetworkPolicy", "network-policies-default-deny", {
        metadata: { name: "default-deny", namespace: "stock-analysis-system", labels: K8S_LABELS },
        spec: { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
      }),
      res("kubernetes:networking.k8s.io/v1:NetworkPolicy", "network-policies-allow-api", {
        metadata: { name: "allow-api", namespace: "stock-analysis-system", labels: K8S_LABELS },
        spec: {
          podSelector: { matchLabels: { app: "api" }, matchExpressions: [{ key: "runbook.dev/quarantine", operator: "NotIn", values: ["true"] }] },
          policyTypes: ["Ingress", "Egress"],
          egress: [{ to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } }], ports: [{ protocol: "UDP", port: 53 }] }],
        },
      }),
      res("kubernetes:apps/v1:Deployment", "api", {
        metadata: { name: "stock-analysis-api", namespace: "stock-analysis-system", labels: apiLabels },
        spec: {
          selector: { matchLabels: { app: "api" } },
          template: {
            metadata: { labels: apiLabels },
            spec: { securityContext: POD_SECURITY, containers: [container("api", "ghcr.io/example/stock-analysis-api:1.4.2", { readinessProbe: { httpGet: { path: "/health", port: 8000 } } })] },
          },
        },
      }),
      res("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "api-hpa", {
        metadata: { name: "stock-analysis-api", namespace: "stock-analysis-system", labels: K8S_LABELS },
        spec: {
          scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "stock-analysis-api" },
          minReplicas: 3,
          maxReplicas: 10,
          metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
        },
      }),
      res("kubernetes:policy/v1:PodDisruptionBudget", "api-pdb", { metadata: { name: "stock-analysis-api-pdb", namespace: "stock-analysis-system", labels: K8S_LABELS }, spec: { maxUnavailable: 1, selector: { matchLabels: { app: "api" } } } }),
      // A worker whose Deployment ships from its own pipeline: the HPA and PDB match by the target's name.
      res("kubernetes:autoscaling/v2:HorizontalPodAutoscaler", "worker-hpa", {
        metadata: { name: "celery-worker", namespace: "stock-analysis-system", labels: K8S_LABELS },
        spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "celery-worker" }, minReplicas: 2, maxReplicas: 8, metrics: [{ type: "Resource", resource: { name: "memory", target: { type: "Utilization", averageUtilization: 80 } } }] },
      }),
      res("kubernetes:policy/v1:PodDisruptionBudget", "worker-pdb", { metadata: { name: "celery-worker-pdb", namespace: "stock-analysis-system", labels: K8S_LABELS }, spec: { minAvailable: 1, selector: { matchLabels: { app: "celery-worker" } } } }),
      cronJob("postgres-daily", "postgres-daily", "0 7 * * *"),
      cronJob("k8s-config", "k8s-config", "30 7 * * *"),
      cronJob("postgres-restore", "postgres-restore", "0 0 1 1 *", { suspend: true }),
      res("kubernetes:monitoring.coreos.com/v1:PrometheusRule", "alerts", {
        apiVersion: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata: { name: "stock-analysis-alerts", namespace: "monitoring", labels: K8S_LABELS },
        spec: {
          groups: [
            {
              name: "api",
              rules: [
                { record: "job:http_requests:rate5m", expr: "sum by (job) (rate(http_requests_total[5m]))" },
                {
                  alert: "HighErrorRate",
                  expr: 'sum(rate(http_requests_total{job="api",status=~"5.."}[5m])) / sum(rate(http_requests_total{job="api"}[5m])) > 0.05',
                  for: "5m",
                  labels: { severity: "critical" },
                  annotations: { summary: "API error rate above 5%", description: "5xx ratio is {{ $value | humanizePercentage }}", runbook_url: "https://runbooks.example.com/high-error-rate" },
                },
              ],
            },
          ],
        },
      }),
      res("kubernetes:helm.sh/v3:Release", "cluster-autoscaler", { chart: "cluster-autoscaler", version: "9.43.2", namespace: "kube-system", repositoryOpts: { repo: "https://kubernetes.github.io/autoscaler" } }),
      res(
        "runbook:dr:RecoveryObjectives",
        "recovery",
        {
          targets: { rtoMinutes: 240, rpoMinutes: 60 },
          computed: {
            scenarios: [
              { scenario: "database failure", rpoMinutes: 5, rtoMinutes: 62.5, compared: true, basis: "PITR", meetsRpo: true, meetsRto: true },
              { scenario: "primary region loss", rpoMinutes: 20, rtoMinutes: 95, compared: true, basis: "replicated backups", meetsRpo: true, meetsRto: true },
            ],
            meetsTargets: true,
          },
          replicationToDr: true,
          drRegion: "us-west-2",
        },
        { custom: false },
      ),
    ],
  });
}

/** The same plan as a staging stack (URNs, tags and environment). */
export function stagingPlan(): Plan {
  const text = JSON.stringify(compliantPlan()).replace(/urn:pulumi:production::/g, "urn:pulumi:staging::").replace(/"environment":"production"/g, '"environment":"staging"');
  const plan = JSON.parse(text) as Plan;
  plan.stack = "staging";
  return plan;
}

/** The single resource of `type` (optionally with this name) in the plan, for editing. */
export function one(plan: Plan, type: string, name?: string): PlanResource & { inputs: Record<string, any> } {
  const found = plan.resources.filter((r) => r.type === type && (name === undefined || r.name === name));
  if (found.length !== 1) throw new Error(`fixture: expected one ${type}${name ? ` ${name}` : ""}, found ${found.length}`);
  return found[0] as PlanResource & { inputs: Record<string, any> };
}

export function remove(plan: Plan, type: string, name?: string): void {
  plan.resources = plan.resources.filter((r) => !(r.type === type && (name === undefined || r.name === name)));
}

export function add(plan: Plan, type: string, name: string, inputs: Record<string, unknown>, extra: Partial<PlanResource> = {}): PlanResource {
  const r = res(type, name, inputs, extra);
  plan.resources.push(r);
  return r;
}
