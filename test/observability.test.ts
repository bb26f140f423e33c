/**
 * Issue 17 under mocks: the data-tier exporters with the read-only monitoring role's bootstrap Job, the
 * CloudWatch exporter, log shipping and the weekly maintenance CronJob — in the production plan, in
 * Pod Security "restricted" (checked by the policy pack's own Kubernetes rules), with least-privilege
 * IAM, and the config rules both ways.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import { planOf, TestPlan } from "./support/plan";
import { loadStackFile } from "../preview/stack-files";
import { evaluatePlan } from "../policies/evaluate";
import { parseStackConfig } from "../stacks/config/load";
import { PostgresExporter } from "../components/postgres-exporter";
import { RedisExporter } from "../components/redis-exporter";
import { LogShipping, fluentBitConfig } from "../components/log-shipping";
import { DatabaseMaintenance } from "../components/database-maintenance";
import { cacheMemberIds } from "../stacks/observability";
import { scheduleInsideWeeklyWindow, windowStartSchedule } from "../stacks/config/observability";

const ROOT = path.join(__dirname, "..");
const DEPLOYMENT = "kubernetes:apps/v1:Deployment";
const JOB = "kubernetes:batch/v1:Job";
const CRONJOB = "kubernetes:batch/v1:CronJob";
const SECRET = "kubernetes:core/v1:Secret";
const MONITOR = "kubernetes:monitoring.coreos.com/v1:ServiceMonitor";
const POD_RULES = ["k8s-run-as-non-root", "k8s-restricted-capabilities", "k8s-read-only-root-filesystem", "k8s-container-resources", "k8s-image-pinned", "k8s-no-host-access", "k8s-library-labels", "k8s-not-default-namespace"];

/** The policy pack's Kubernetes rules over a plan (the same code `pulumi preview --policy-pack` runs). */
function podViolations(plan: TestPlan) {
  return evaluatePlan({ project: "runbook-infra", stack: "production", environment: "production", resources: plan.resources } as never, { environment: "production" }).filter((v) => POD_RULES.includes(v.policy));
}

const withProvider = (fn: (opts: { provider: k8s.Provider }) => void) => () => fn({ provider: new k8s.Provider("cluster", { kubeconfig: "offline" }) });

describe("the production plan (Pulumi.production.yaml)", () => {
  let plan: TestPlan;
  beforeAll(async () => {
    const file = loadStackFile("runbook-infra", path.join(ROOT, "Pulumi.production.yaml"));
    plan = await planOf(() => require("../stacks/program").main(), { stack: "production", config: file.config, secretKeys: file.secretKeys });
  });

  it("has postgres_exporter and redis_exporter in the monitoring namespace, each with a ServiceMonitor", () => {
    const deployments = plan.ofType(DEPLOYMENT).map((d) => d.inputs as any);
    for (const name of ["postgres-exporter", "redis-exporter"]) {
      expect(deployments.find((d) => d.metadata.name === name)?.metadata.namespace).toBe("monitoring");
      expect(plan.ofType(MONITOR).some((m) => (m.inputs as any).metadata.name === name)).toBe(true);
    }
  });

  it("reads RDS and ElastiCache CloudWatch metrics of this stack's instances and nodes only, with a read-only IRSA role", () => {
    const release = plan.ofType("kubernetes:helm.sh/v3:Release").find((r) => (r.inputs as any).name === "data-tier-cloudwatch-exporter")!.inputs as any;
    expect(release).toMatchObject({ chart: "prometheus-cloudwatch-exporter", namespace: "monitoring" });
    expect(release.values.serviceMonitor.enabled).toBe(true);
    const config = JSON.parse(release.values.config);
    const byMetric = Object.fromEntries(config.metrics.map((m: any) => [m.aws_metric_name, m]));
    expect(Object.keys(byMetric)).toEqual(["FreeStorageSpace", "CPUUtilization", "CPUCreditBalance", "ReplicaLag", "Evictions", "EngineCPUUtilization", "ReplicationLag"]);
    // The primary and its two read replicas; the three Redis nodes of the replication group.
    expect(byMetric.FreeStorageSpace.aws_dimension_select.DBInstanceIdentifier).toHaveLength(3);
    expect(byMetric.Evictions.aws_dimension_select.CacheClusterId).toEqual([1, 2, 3].map((n) => expect.stringMatching(new RegExp(`-redis-00${n}$`))));
    expect(byMetric.Evictions).toMatchObject({ aws_dimensions: ["CacheClusterId", "CacheNodeId"], aws_statistics: ["Sum"] });
    const role = plan.ofType("aws:iam/rolePolicy:RolePolicy").find((p) => p.name.startsWith("data-tier-cloudwatch"))!.inputs as any;
    for (const statement of JSON.parse(role.policy).Statement) for (const action of statement.Action) expect(action).toMatch(/^cloudwatch:(Get|List)/);
  });

  it("bootstraps the monitoring role with a Job in the application namespace that reads the master Secret there", () => {
    const job = plan.one(JOB).inputs as any;
    expect(job.metadata.namespace).toBe("stock-analysis-system");
    const c = job.spec.template.spec.containers[0];
    expect(c.envFrom).toEqual([{ secretRef: { name: "postgres-connection" } }, { secretRef: { name: "postgres-monitoring-role" } }]);
    expect(c.image).toMatch(/^postgres:1[5-9]\./);
    // The exporter never sees the master Secret: only its own, in its namespace.
    const exporter = plan.ofType(DEPLOYMENT).find((d) => (d.inputs as any).metadata.name === "postgres-exporter")!.inputs as any;
    const refs = exporter.spec.template.spec.containers[0].env.map((e: any) => e.valueFrom?.secretKeyRef?.name);
    expect(new Set(refs)).toEqual(new Set(["postgres-exporter"]));
    expect(plan.ofType(SECRET).find((s) => (s.inputs as any).metadata.name === "postgres-exporter")!.inputs.stringData).toBe("[secret]");
    expect(plan.ofType(SECRET).find((s) => (s.inputs as any).metadata.name === "postgres-monitoring-role")!.inputs.stringData).toBe("[secret]");
  });

  it("runs the weekly maintenance CronJob on Sunday 03:00 UTC inside the database's maintenance window, labelled for the backup alerts", () => {
    const cron = plan.ofType(CRONJOB).find((c) => (c.inputs as any).metadata.name === "database-maintenance")!.inputs as any;
    expect(cron.metadata).toMatchObject({ namespace: "stock-analysis-system", labels: { "runbook.dev/backup": "db-maintenance" } });
    expect(cron.spec).toMatchObject({ schedule: "0 3 * * 0", timeZone: "Etc/UTC", concurrencyPolicy: "Forbid" });
    const window = (plan.one("aws:rds/instance:Instance", "database-instance").inputs as any).maintenanceWindow;
    expect(scheduleInsideWeeklyWindow(cron.spec.schedule, window)).toBe(true);
  });

  it("ships the application's and monitoring's container logs to one KMS-encrypted log group each, kept as long as the cluster's logs", () => {
    const groups = plan.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs as any).filter((g) => g.name?.includes("/containers/"));
    expect(groups.map((g) => g.name).sort()).toEqual(["/aws/eks/runbook-infra-production/containers/monitoring", "/aws/eks/runbook-infra-production/containers/stock-analysis-system"].sort().map((n) => expect.stringMatching(new RegExp(`^${n.replace("runbook-infra-production", "[a-z0-9-]+")}$`))));
    const cluster = plan.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs as any).find((g) => g.name?.endsWith("/cluster"));
    for (const g of groups) {
      expect(g.retentionInDays).toBe(cluster.retentionInDays);
      expect(g.kmsKeyId).toEqual(expect.any(String));
    }
    expect((plan.one("kubernetes:helm.sh/v3:Release", "log-shipping").inputs as any).values.serviceMonitor.enabled).toBe(true);
  });

  it("declares the new pods' flows, so the default-deny NetworkPolicies let each reach only its data store", () => {
    const policies = plan.ofType("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => p.inputs as any);
    const allow = (ns: string, name: string) => policies.find((p) => p.metadata.namespace === ns && p.metadata.name === `allow-${name}`);
    expect(allow("stock-analysis-system", "database-maintenance").spec.podSelector.matchLabels).toMatchObject({ "runbook.dev/backup": "db-maintenance" });
    expect(allow("stock-analysis-system", "postgres-monitoring-role").spec.podSelector.matchLabels).toMatchObject({ "app.kubernetes.io/name": "postgres-monitoring-role" });
    const egressPorts = (p: any) => p.spec.egress.flatMap((e: any) => e.ports.map((port: any) => port.port));
    expect(egressPorts(allow("monitoring", "postgres-exporter"))).toEqual(expect.arrayContaining([53, 5432]));
    expect(egressPorts(allow("monitoring", "redis-exporter"))).toEqual(expect.arrayContaining([53, 6379]));
    expect(egressPorts(allow("monitoring", "redis-exporter"))).not.toContain(5432);
  });

  it("switches the LogShippingStalled alert on with the log agent", () => {
    const rule = plan.ofType("kubernetes:monitoring.coreos.com/v1:PrometheusRule").find((r) => (r.inputs as any).metadata.name === "runbook-alerts")!.inputs as any;
    const alerts = rule.spec.groups.flatMap((g: any) => g.rules).map((r: any) => r.alert);
    expect(alerts).toEqual(expect.arrayContaining(["LogShippingStalled", "DatabaseStorageLow", "CacheEvictions", "DatabaseMaintenanceOverdue"]));
  });

  it("keeps every new pod within Pod Security restricted and the pack's pod rules (the log agent excepted, in its own namespace)", () => {
    expect(podViolations(plan)).toEqual([]);
    const ns = plan.ofType("kubernetes:core/v1:Namespace").find((n) => (n.inputs as any).metadata.name === "logging")!.inputs as any;
    expect(ns.metadata.labels).toMatchObject({ "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" });
    expect(ns.metadata.annotations["runbook.dev/pod-security-exception"]).toMatch(/hostPath/);
  });
});

describe("a production stack that switches the exporters off but keeps the data-tier alerts", () => {
  it("fails the policy pack: the alerts could never fire", async () => {
    const file = loadStackFile("runbook-infra", path.join(ROOT, "Pulumi.production.yaml"));
    const config = { ...file.config, "runbook-infra:observability": JSON.stringify({ exporters: { enabled: false } }) };
    const plan = await planOf(() => require("../stacks/program").main(), { stack: "production", config, secretKeys: file.secretKeys });
    const found = evaluatePlan({ project: "runbook-infra", stack: "production", environment: "production", resources: plan.resources } as never, { environment: "production" }).filter((v) => v.policy === "prometheus-alert-has-producer");
    expect(found.map((v) => v.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^alert DatabaseDown reads pg_up/), expect.stringMatching(/^alert RedisDown reads redis_up/), expect.stringMatching(/^alert DatabaseStorageLow reads aws_rds_free_storage_space_average/)]),
    );
    expect(found.every((v) => v.level === "mandatory")).toBe(true);
  });
});

describe("PostgresExporter", () => {
  let plan: TestPlan;
  beforeAll(async () => {
    plan = await planOf(withProvider((o) => new PostgresExporter("pg", { namespace: "monitoring", bootstrapNamespace: "shop", host: "db.example.internal", port: 5432, databaseName: "shop" }, o)));
  });

  it("ships the exact bootstrap SQL and script, and rolls the exporter when the password version changes", () => {
    const cm = plan.one("kubernetes:core/v1:ConfigMap").inputs as any;
    expect(cm.data["monitoring-role.sql"]).toBe(fs.readFileSync(path.join(ROOT, "scripts/monitoring/monitoring-role.sql"), "utf8"));
    expect(cm.data["monitoring-role.sql"]).toMatch(/GRANT pg_monitor/);
    expect(cm.data["monitoring-role.sql"]).not.toMatch(/GRANT SELECT ON ALL TABLES/);
    const deployment = plan.one(DEPLOYMENT).inputs as any;
    expect(deployment.spec.template.metadata.annotations["runbook.dev/password-version"]).toBe("1");
    expect(deployment.spec.template.spec.containers[0].image).toBe("quay.io/prometheuscommunity/postgres-exporter:v0.20.1");
  });

  it("meets Pod Security restricted in the exporter and the bootstrap Job", () => {
    expect(podViolations(plan)).toEqual([]);
    const job = plan.one(JOB).inputs as any;
    expect(job.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true, seccompProfile: { type: "RuntimeDefault" } });
    expect(job.spec.template.spec.containers[0].securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  });

  it.each<[string, object, RegExp]>([
    ["a reserved role name", { monitoringUser: "pg_monitor" }, /PostgresExporter\.monitoringUser: "pg_monitor" — must be a lowercase PostgreSQL role name/],
    ["an unpinned exporter image", { image: "quay.io/prometheuscommunity/postgres-exporter:latest" }, /PostgresExporter\.image: .* — must be pinned/],
    ["a psql too old for \\getenv", { clientImage: "postgres:14.15-bookworm" }, /PostgresExporter\.clientImage: "postgres:14\.15-bookworm" — must carry psql 15 or newer/],
    ["password version 0", { passwordVersion: 0 }, /PostgresExporter\.passwordVersion: 0 — must be a whole number ≥ 1/],
  ])("rejects %s", async (_what, change, error) => {
    await planOf(() => expect(() => new PostgresExporter("pg", { namespace: "monitoring", bootstrapNamespace: "shop", host: "h", databaseName: "d", ...change })).toThrow(error));
  });
});

describe("RedisExporter", () => {
  let plan: TestPlan;
  beforeAll(async () => {
    plan = await planOf(
      withProvider((o) => {
        new RedisExporter("redis", { namespace: "monitoring", host: "master.shop-redis.cache.amazonaws.com", authToken: "TOKEN-xyz", clusterMode: true }, o);
      }),
    );
  });

  it("connects redis_exporter over TLS with the AUTH token from a Secret, in cluster mode when the group is", () => {
    const env = (plan.ofType(DEPLOYMENT).find((d) => (d.inputs as any).metadata.name === "redis-exporter")!.inputs as any).spec.template.spec.containers[0].env;
    expect(env).toEqual(
      expect.arrayContaining([
        { name: "REDIS_ADDR", value: "rediss://master.shop-redis.cache.amazonaws.com:6379" },
        { name: "REDIS_EXPORTER_IS_CLUSTER", value: "true" },
        { name: "REDIS_PASSWORD", valueFrom: { secretKeyRef: { name: "redis-exporter", key: "REDIS_PASSWORD" } } },
      ]),
    );
    expect(JSON.stringify(plan.resources)).not.toContain("TOKEN-xyz");
  });

  it("meets Pod Security restricted", () => expect(podViolations(plan)).toEqual([]));

  it("derives ElastiCache member node ids from the group, with and without cluster mode", () => {
    expect(cacheMemberIds("shop-redis", { numCacheClusters: 2 })).toEqual(["shop-redis-001", "shop-redis-002"]);
    expect(cacheMemberIds("shop-redis", { clusterMode: { shards: 2, replicasPerShard: 1 } })).toEqual(["shop-redis-0001-001", "shop-redis-0001-002", "shop-redis-0002-001", "shop-redis-0002-002"]);
  });
});

describe("LogShipping", () => {
  const base = { clusterName: "shop-prod", namespaces: ["shop", "monitoring"], retentionDays: 30, region: "us-east-1", oidcProviderArn: "arn:aws:iam::1:oidc-provider/x", oidcIssuer: "oidc.example/id/X" };
  let plan: TestPlan;
  beforeAll(async () => {
    plan = await planOf(withProvider((o) => new LogShipping("logs", base, { providers: [o.provider] })));
  });

  it("lets the agent write only streams of its own log groups: no group creation, no reads", () => {
    const policy = JSON.parse((plan.one("aws:iam/rolePolicy:RolePolicy").inputs as any).policy);
    const actions = policy.Statement.flatMap((s: any) => s.Action);
    expect(actions.sort()).toEqual(["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"]);
    for (const s of policy.Statement) for (const r of s.Resource) expect(r).toMatch(/^arn:aws:logs:.*:log-group:\/aws\/eks\/shop-prod\/containers\/(shop|monitoring):/);
  });

  it("creates one group per namespace with the retention and a rotating KMS key CloudWatch Logs may use for these groups only", () => {
    const groups = plan.ofType("aws:cloudwatch/logGroup:LogGroup").map((g) => g.inputs as any);
    expect(groups.map((g) => [g.name, g.retentionInDays])).toEqual([
      ["/aws/eks/shop-prod/containers/shop", 30],
      ["/aws/eks/shop-prod/containers/monitoring", 30],
    ]);
    const key = plan.one("aws:kms/key:Key").inputs as any;
    expect(key.enableKeyRotation).toBe(true);
    expect(JSON.parse(key.policy).Statement[1].Condition.ArnLike["kms:EncryptionContext:aws:logs:arn"]).toMatch(/log-group:\/aws\/eks\/shop-prod\/containers\/\*$/);
  });

  it("configures one tail input and one CloudWatch output per namespace, never creating groups", () => {
    const config = fluentBitConfig({ namespaces: ["shop"], region: "us-east-1", logGroups: { shop: "/g/shop" } });
    expect(config.inputs).toMatch(/Path\s+\/var\/log\/containers\/\*_shop_\*\.log/);
    expect(config.outputs).toMatch(/log_group_name\s+\/g\/shop/);
    expect(config.outputs).toMatch(/auto_create_group\s+Off/);
    const release = plan.one("kubernetes:helm.sh/v3:Release").inputs as any;
    expect(release).toMatchObject({ chart: "fluent-bit", version: "0.49.0" });
    expect(release.values.securityContext).toMatchObject({ allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ["ALL"] } });
  });

  it.each<[string, object, RegExp]>([
    ["a retention CloudWatch does not offer", { retentionDays: 45 }, /LogShipping\.retentionDays: 45 — must be one of 1, 3, 5/],
    ["no namespace", { namespaces: [] }, /LogShipping\.namespaces: \[\] — must list at least one namespace/],
    ["a namespace twice", { namespaces: ["shop", "shop"] }, /LogShipping\.namespaces: .* — must not list a namespace twice/],
  ])("rejects %s", async (_what, change, error) => {
    await planOf(() => expect(() => new LogShipping("logs", { ...base, ...change })).toThrow(error));
  });
});

describe("DatabaseMaintenance", () => {
  it("runs VACUUM (ANALYZE) from the shipped script, restricted, with deadlines inside the window", async () => {
    const plan = await planOf(withProvider((o) => new DatabaseMaintenance("m", { namespace: "shop" }, o)));
    const cron = plan.one(CRONJOB).inputs as any;
    expect(cron.spec.jobTemplate.spec.activeDeadlineSeconds).toBeLessThanOrEqual(3 * 3600);
    expect((plan.one("kubernetes:core/v1:ConfigMap").inputs as any).data["pg-maintenance.sh"]).toBe(fs.readFileSync(path.join(ROOT, "scripts/maintenance/pg-maintenance.sh"), "utf8"));
    expect(podViolations(plan)).toEqual([]);
  });

  it("rejects a schedule that is not cron", async () => {
    await planOf(() => expect(() => new DatabaseMaintenance("m", { namespace: "shop", schedule: "sundays" })).toThrow(/DatabaseMaintenance\.schedule: "sundays" — must be a five-field cron/));
  });
});

describe("observability config (runbook-infra:observability)", () => {
  const file = loadStackFile("runbook-infra", path.join(ROOT, "Pulumi.production.yaml"));
  const parse = (extra: Record<string, string>) => parseStackConfig("production", { ...file.config, ...extra }, new Set(file.secretKeys));

  it("defaults to everything on, maintenance Sunday 03:00", () => {
    expect(parse({}).observability).toEqual({
      exporters: { enabled: true, monitoringUser: "monitoring", passwordVersion: 1, cloudwatch: true },
      logShipping: { enabled: true, namespaces: [] },
      databaseMaintenance: { enabled: true },
    });
  });

  it("starts the maintenance job where the database's maintenance window starts, unless told otherwise", () => {
    expect(windowStartSchedule("sun:03:00-sun:06:00")).toBe("0 3 * * 0");
    expect(windowStartSchedule("tue:19:30-tue:21:00")).toBe("30 19 * * 2");
    expect(scheduleInsideWeeklyWindow(windowStartSchedule("tue:19:30-tue:21:00"), "tue:19:30-tue:21:00")).toBe(true);
  });

  it("rejects a maintenance schedule outside the database's maintenance window, in one line naming the key", () => {
    expect(() => parse({ "runbook-infra:observability": JSON.stringify({ databaseMaintenance: { schedule: "0 12 * * 3" } }) })).toThrow(
      /^production: runbook-infra:observability\.databaseMaintenance\.schedule: "0 12 \* \* 3" — must start inside database\.maintenanceWindow \(sun:03:00-sun:06:00\)/,
    );
  });

  it("accepts Sunday 04:30 (inside the window) and an opt-out", () => {
    expect(parse({ "runbook-infra:observability": JSON.stringify({ databaseMaintenance: { schedule: "30 4 * * 0" } }) }).observability.databaseMaintenance.schedule).toBe("30 4 * * 0");
    expect(parse({ "runbook-infra:observability": JSON.stringify({ logShipping: { enabled: false }, exporters: { enabled: false } }) }).observability.logShipping.enabled).toBe(false);
  });

  it.each([
    [{ exporters: { monitoringUser: "Monitoring" } }, /observability\.exporters\.monitoringUser: "Monitoring" — must be a lowercase PostgreSQL role name/],
    [{ logShipping: { retentionDays: 45 } }, /observability\.logShipping\.retentionDays: 45/],
    [{ logShipping: { namespaces: ["a", "a"] } }, /observability\.logShipping\.namespaces: .* — must not list a namespace twice/],
    [{ unknown: true }, /observability/],
  ])("rejects %j", (value, error) => {
    expect(() => parse({ "runbook-infra:observability": JSON.stringify(value) })).toThrow(error);
  });

  it("knows which schedules fall inside a window, across midnight too", () => {
    expect(scheduleInsideWeeklyWindow("0 3 * * 0", "sun:03:00-sun:06:00")).toBe(true);
    expect(scheduleInsideWeeklyWindow("0 6 * * 0", "sun:03:00-sun:06:00")).toBe(false);
    expect(scheduleInsideWeeklyWindow("0 3 * * *", "sun:03:00-sun:06:00")).toBe(false);
    expect(scheduleInsideWeeklyWindow("30 23 * * 6", "sat:23:00-sun:01:00")).toBe(true);
  });
});
