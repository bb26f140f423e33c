/**
 * Every runbook as a stack: each example stack file under examples/<system>/ goes through the offline
 * preview exactly as a user runs it (`node .build/preview/cli.js --config <file> --json <plan>`, in a
 * child process, from the repository root), and the plan it writes must carry the numbers its runbook
 * states — HPA bounds and targets, backup schedules and retention, alert thresholds, SLO objectives,
 * RTO/RPO targets. The CI workflows in .github/workflows/ are checked here too (they must parse and
 * gate what they claim to gate).
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { loadStackFile } from "../preview/stack-files";
import { parseStackConfig } from "../stacks/config/load";

const ROOT = path.resolve(__dirname, "..");
const EXAMPLES = path.join(ROOT, "examples");

interface Resource {
  urn: string;
  type: string;
  name: string;
  inputs: any;
}
interface Plan {
  stack: string;
  environment?: string;
  resources: Resource[];
  outputs: Record<string, unknown>;
  policies?: { violations?: Array<{ policy: string; level: string; urn: string; message: string }> };
}
interface Preview {
  status: number | null;
  stderr: string;
  plan?: Plan;
}

/** examples/<system>/Pulumi.<env>.yaml, relative to the repository root. */
const exampleFiles: string[] = fs
  .readdirSync(EXAMPLES, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .flatMap((dir) =>
    fs
      .readdirSync(path.join(EXAMPLES, dir.name))
      .filter((file) => /^Pulumi\.[^.]+\.yaml$/.test(file))
      .map((file) => path.join("examples", dir.name, file)),
  )
  .sort();

const previews = new Map<string, Preview>();

beforeAll(() => {
  execFileSync(process.execPath, ["scripts/transpile.mjs"], { cwd: ROOT, stdio: "pipe" });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "examples-plans-"));
  for (const file of exampleFiles) {
    const out = path.join(dir, `${file.replace(/[/.]/g, "_")}.json`);
    const run = spawnSync(process.execPath, [".build/preview/cli.js", "--config", file, "--json", out, "--quiet"], { cwd: ROOT, encoding: "utf8", timeout: 120_000 });
    previews.set(file, {
      status: run.status,
      stderr: `${run.stderr ?? ""}${run.error ? String(run.error) : ""}`,
      plan: fs.existsSync(out) ? (JSON.parse(fs.readFileSync(out, "utf8")) as Plan) : undefined,
    });
  }
  fs.rmSync(dir, { recursive: true, force: true });
}, 600_000);

/** The plan of a previewed example; fails the test with the preview's own error when there is none. */
function planOf(file: string): Plan {
  const preview = previews.get(file);
  if (!preview) throw new Error(`${file} is not an example stack file (examples: ${exampleFiles.join(", ")})`);
  if (!preview.plan) throw new Error(`${file}: the offline preview wrote no plan (exit ${preview.status}): ${preview.stderr.trim()}`);
  return preview.plan;
}

const ofType = (plan: Plan, type: string) => plan.resources.filter((r) => r.type === type);

function one(plan: Plan, type: string, match: (r: Resource) => boolean, what: string): Resource {
  const found = ofType(plan, type).filter(match);
  if (found.length !== 1) throw new Error(`expected one ${type} ${what}, found ${found.length}`);
  return found[0];
}

function hpa(plan: Plan, namespace: string, service: string) {
  const r = one(plan, "kubernetes:autoscaling/v2:HorizontalPodAutoscaler", (x) => x.inputs.metadata?.namespace === namespace && x.inputs.spec?.scaleTargetRef?.name === service, `for ${namespace}/${service}`);
  const spec = r.inputs.spec;
  const target = (metric: string) => spec.metrics?.find((m: any) => m.resource?.name === metric)?.resource?.target?.averageUtilization;
  return { min: spec.minReplicas, max: spec.maxReplicas, cpu: target("cpu"), memory: target("memory") };
}

function pdbExists(plan: Plan, namespace: string, service: string): boolean {
  return ofType(plan, "kubernetes:policy/v1:PodDisruptionBudget").some((r) => r.inputs.metadata?.namespace === namespace && r.inputs.metadata?.name === `${service}-pdb`);
}

function backupCronJob(plan: Plan, namespace: string, kind: string) {
  const r = one(
    plan,
    "kubernetes:batch/v1:CronJob",
    (x) => x.inputs.metadata?.namespace === namespace && x.inputs.metadata?.labels?.["runbook.dev/backup"] === kind,
    `labelled runbook.dev/backup=${kind} in ${namespace}`,
  );
  return { namespace: r.inputs.metadata.namespace, schedule: r.inputs.spec.schedule, timeZone: r.inputs.spec.timeZone, suspend: r.inputs.spec.suspend };
}

/** The lifecycle rule of a backup prefix in the primary bucket (the DR replica repeats it). */
function lifecycle(plan: Plan, prefix: string) {
  const configs = ofType(plan, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration").filter((r) => !r.name.includes("replica"));
  if (configs.length !== 1) throw new Error(`expected one primary backup bucket lifecycle configuration, found ${configs.length}`);
  const rule = configs[0].inputs.rules.find((x: any) => x.filter?.prefix === prefix);
  if (!rule) throw new Error(`no lifecycle rule for prefix ${prefix}`);
  return { expireDays: rule.expiration?.days, transitions: (rule.transitions ?? []).map((t: any) => [t.days, t.storageClass]) };
}

function rds(plan: Plan) {
  return one(plan, "aws:rds/instance:Instance", (r) => !r.inputs.replicateSourceDb, "(the primary)").inputs;
}

function recoveryObjectives(plan: Plan) {
  const r = one(plan, "runbook:dr:RecoveryObjectives", () => true, "");
  return r.inputs as { targets: { rtoMinutes: number; rpoMinutes: number }; computed: { meetsTargets: boolean; scenarios: Array<{ scenario: string; rpoMinutes: number | null; rtoMinutes: number | null; compared: boolean }> } };
}

/** Every alerting rule of the stack's PrometheusRules, by alert name (SLO burn alerts appear once per severity). */
function alertingRules(plan: Plan) {
  return ofType(plan, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) => r.inputs.spec.groups.flatMap((g: any) => g.rules.filter((x: any) => x.alert)));
}

function alert(plan: Plan, name: string) {
  const rules = alertingRules(plan).filter((x: any) => x.alert === name);
  if (rules.length !== 1) throw new Error(`expected one alert ${name}, found ${rules.length}`);
  const rule = rules[0];
  return { for: rule.for, severity: rule.labels?.severity, expr: String(rule.expr).replace(/\s+/g, " ") };
}

/** The number an alert's expression compares against at its end (`… > 0.05`, `… < 3`). */
function threshold(expr: string): { op: string; value: number } {
  const match = /([<>]=?|==)\s*([0-9.e-]+)\s*$/.exec(expr.replace(/\s+and .*$/, "").trim());
  if (!match) throw new Error(`no trailing comparison in ${expr}`);
  return { op: match[1], value: Number(match[2]) };
}

/**
 * An SLO objective as the generated rules encode it: the error budget is Sloth's `slo:error_budget:ratio`
 * recording (so 99.9 % → 0.001), which the slow-burn ticket's 1x threshold over 3 days must equal, and a
 * latency objective's bound is the `le` bucket its recording rule reads.
 */
function slo(plan: Plan, service: string, objective: string) {
  const groups = ofType(plan, "kubernetes:monitoring.coreos.com/v1:PrometheusRule").flatMap((r) => r.inputs.spec.groups);
  const rules = groups.flatMap((g: any) => g.rules).filter((x: any) => x.labels?.service === service && x.labels?.slo === objective);
  const ticket = rules.find((x: any) => x.alert === "ErrorBudgetBurn" && x.labels?.severity === "warning");
  if (!ticket) throw new Error(`no ErrorBudgetBurn ticket for ${service} ${objective}`);
  const budget = Number(/^vector\(([0-9.e-]+)\)$/.exec(rules.find((x: any) => x.record === "slo:error_budget:ratio")?.expr ?? "")?.[1]);
  const ticketBudget = Number(/ratio_rate3d\{[^}]*\}\) > ([0-9.e-]+)/.exec(ticket.expr)?.[1]);
  if (ticketBudget !== budget) throw new Error(`${service} ${objective}: the 1x ticket threshold ${ticketBudget} is not the error budget ${budget}`);
  const le = /le=~"([^"]+)"/.exec(rules.find((x: any) => x.record)?.expr ?? "")?.[1];
  // The matcher accepts "0.15" and "0.150…": strip the regex decoration back to the number.
  const bound = le === undefined ? undefined : Number(le.replace(/\\\\\./g, ".").replace(/\\\./g, ".").replace(/0\*$/, "").replace(/\(.*\)\?$/, ""));
  return { budget, thresholdSeconds: bound };
}

const round = (value: number) => Math.round(value * 1e9) / 1e9;

/**
 * An example's validated config. Used only where the plan cannot show a number: the Alertmanager
 * configuration is a Secret (it carries the PagerDuty key), so the plan holds it as "[secret]".
 */
function validatedConfig(file: string) {
  const loaded = loadStackFile("runbook-infra", path.join(ROOT, file));
  return parseStackConfig(loaded.stack, loaded.config, new Set(loaded.secretKeys));
}

describe("every example stack previews offline", () => {
  it("has an example for each of the four runbooks", () => {
    const systems = new Set(exampleFiles.map((f) => f.split(path.sep)[1]));
    expect([...systems].sort()).toEqual(["data-aggregator", "intent-trading", "stock-analysis", "suuupra"]);
  });

  it.each(exampleFiles)("%s passes the offline preview (exit 0, plan written)", (file) => {
    const preview = previews.get(file)!;
    if (preview.status !== 0) throw new Error(`${file}: exit ${preview.status}: ${preview.stderr.trim()}`);
    expect(planOf(file).resources.length).toBeGreaterThan(50);
  });

  it.each(exampleFiles)("%s has no mandatory policy violation", (file) => {
    const mandatory = (planOf(file).policies?.violations ?? []).filter((v) => v.level === "mandatory");
    expect(mandatory).toEqual([]);
  });

  it.each(exampleFiles.filter((f) => f.endsWith("Pulumi.production.yaml")))("%s meets its own RTO/RPO targets in every compared scenario", (file) => {
    const { targets, computed } = recoveryObjectives(planOf(file));
    for (const s of computed.scenarios.filter((x) => x.compared)) {
      expect({ scenario: s.scenario, rpoWithin: s.rpoMinutes !== null && s.rpoMinutes <= targets.rpoMinutes }).toEqual({ scenario: s.scenario, rpoWithin: true });
      expect({ scenario: s.scenario, rtoWithin: s.rtoMinutes !== null && s.rtoMinutes <= targets.rtoMinutes }).toEqual({ scenario: s.scenario, rtoWithin: true });
    }
    expect(computed.meetsTargets).toBe(true);
  });
});

describe("the DR failover alarm reaches people in every production example", () => {
  it.each(exampleFiles.filter((f) => f.endsWith("Pulumi.production.yaml")))("%s mails the failover alarm's SNS topic to an address", (file) => {
    const plan = planOf(file);
    expect(ofType(plan, "aws:cloudwatch/metricAlarm:MetricAlarm").length).toBeGreaterThan(0);
    // The failover topic's subscription (the security-alerts topic has its own).
    const subscriptions = ofType(plan, "aws:sns/topicSubscription:TopicSubscription").filter((r) => r.inputs.protocol === "email" && String(r.inputs.topic).includes("dr-failover"));
    expect(subscriptions.map((r) => r.inputs.endpoint)).toEqual([expect.stringMatching(/^[^@\s]+@[^@\s]+$/)]);
  });
});

describe("001 Stock Analysis System (examples/stock-analysis = the default stacks)", () => {
  const prod = path.join("examples", "stock-analysis", "Pulumi.production.yaml");
  const staging = path.join("examples", "stock-analysis", "Pulumi.staging.yaml");

  it("is the default Pulumi.production.yaml / Pulumi.staging.yaml, not a copy that can drift", () => {
    expect(fs.realpathSync(path.join(ROOT, prod))).toBe(fs.realpathSync(path.join(ROOT, "Pulumi.production.yaml")));
    expect(fs.realpathSync(path.join(ROOT, staging))).toBe(fs.realpathSync(path.join(ROOT, "Pulumi.staging.yaml")));
  });

  it("scales stock-analysis-api 3–10 at 70 % CPU, with a PDB", () => {
    const plan = planOf(prod);
    expect(hpa(plan, "stock-analysis-system", "stock-analysis-api")).toEqual({ min: 3, max: 10, cpu: 70, memory: undefined });
    expect(pdbExists(plan, "stock-analysis-system", "stock-analysis-api")).toBe(true);
  });

  it("lets the HPAs reach the runbook's manual numbers (Celery 8, frontend 4) and the 12-month worker count (10)", () => {
    const plan = planOf(prod);
    expect(hpa(plan, "stock-analysis-system", "celery-worker").max).toBeGreaterThanOrEqual(10);
    expect(hpa(plan, "stock-analysis-system", "stock-analysis-frontend").max).toBeGreaterThanOrEqual(4);
  });

  it("runs node groups min 5, max 20, desired 8", () => {
    const group = one(planOf(prod), "aws:eks/nodeGroup:NodeGroup", () => true, "").inputs.scalingConfig;
    expect(group).toEqual({ minSize: 5, maxSize: 20, desiredSize: 8 });
  });

  it("dumps the database daily at 02:00 UTC and keeps 30 days daily, 12 weeks weekly, 12 months monthly", () => {
    const plan = planOf(prod);
    expect(backupCronJob(plan, "stock-analysis-system", "postgres-daily")).toEqual({ namespace: "stock-analysis-system", schedule: "0 2 * * *", timeZone: "Etc/UTC", suspend: false });
    expect(lifecycle(plan, "postgresql/daily/").expireDays).toBe(30);
    expect(lifecycle(plan, "postgresql/weekly/").expireDays).toBe(12 * 7);
    expect(lifecycle(plan, "postgresql/monthly/").expireDays).toBe(365);
    expect(rds(plan).backupRetentionPeriod).toBe(30);
  });

  it("backs up the Kubernetes configuration and keeps a restore job ready (suspended)", () => {
    const plan = planOf(prod);
    expect(backupCronJob(plan, "stock-analysis-system", "k8s-config").suspend).toBe(false);
    expect(backupCronJob(plan, "stock-analysis-system", "postgres-restore").suspend).toBe(true);
  });

  it("declares RTO 4 h and RPO 1 h", () => {
    expect(recoveryObjectives(planOf(prod)).targets).toEqual({ rtoMinutes: 240, rpoMinutes: 60 });
  });

  it("checks https://api.stockanalysis.com/health and fails api.stockanalysis.com over to the DR site", () => {
    const plan = planOf(prod);
    const check = one(plan, "aws:route53/healthCheck:HealthCheck", () => true, "").inputs;
    expect({ type: check.type, path: check.resourcePath, port: check.port }).toEqual({ type: "HTTPS", path: "/health", port: 443 });
    const failover = ofType(plan, "aws:route53/record:Record").filter((r) => r.inputs.name === "api.stockanalysis.com");
    expect(failover.map((r) => r.inputs.failoverRoutingPolicies?.[0]?.type).sort()).toEqual(["PRIMARY", "SECONDARY"]);
  });

  it("holds stock-analysis-api and celery-worker at 5 replicas in stock-analysis-system-dr", () => {
    const plan = planOf(prod);
    expect(hpa(plan, "stock-analysis-system-dr", "stock-analysis-api").min).toBe(5);
    expect(hpa(plan, "stock-analysis-system-dr", "celery-worker").min).toBe(5);
    expect(backupCronJob(plan, "stock-analysis-system-dr", "postgres-restore").suspend).toBe(true);
  });

  it("keeps database and cache maintenance inside the runbook's Sunday 02:00–06:00 UTC slot", () => {
    const plan = planOf(prod);
    const windows = [rds(plan).maintenanceWindow, one(plan, "aws:elasticache/replicationGroup:ReplicationGroup", () => true, "").inputs.maintenanceWindow];
    for (const window of windows) {
      const match = /^sun:(\d\d):(\d\d)-sun:(\d\d):(\d\d)$/.exec(window);
      expect(match).not.toBeNull();
      const [start, end] = [Number(match![1]) * 60 + Number(match![2]), Number(match![3]) * 60 + Number(match![4])];
      expect(start).toBeGreaterThanOrEqual(2 * 60);
      expect(end).toBeLessThanOrEqual(6 * 60);
      expect(end).toBeGreaterThan(start);
    }
  });

  it.each([
    ["HighErrorRate", "critical", "5m", undefined],
    ["DatabaseDown", "critical", "1m", undefined],
    ["HighMemoryUsage", "warning", "5m", { op: ">", value: 0.9 }],
    ["HighFailedLogins", "warning", "2m", { op: ">", value: 10 }],
    ["SuspiciousAPIActivity", "warning", "5m", { op: ">", value: 5 }],
    ["DatabaseConnectionsHigh", "warning", undefined, { op: ">", value: 0.8 }],
  ] as const)("alerts %s at severity %s as the runbook's alert rules and targets say", (name, severity, forDuration, limit) => {
    const rule = alert(planOf(prod), name);
    expect(rule.severity).toBe(severity);
    if (forDuration) expect(rule.for).toBe(forDuration);
    if (limit) expect(threshold(rule.expr)).toEqual(limit);
  });

  it("holds stock-analysis-api to p95 < 500 ms", () => {
    expect(slo(planOf(prod), "stock-analysis-api", "latency-p95")).toEqual({ budget: 0.05, thresholdSeconds: 0.5 });
  });

  it("staging keeps its database backups 7 days", () => {
    const plan = planOf(staging);
    expect(rds(plan).backupRetentionPeriod).toBe(7);
    expect(lifecycle(plan, "postgresql/daily/").expireDays).toBe(7);
  });
});

describe("002 Intent-Based Trading Aggregator (examples/intent-trading)", () => {
  const file = path.join("examples", "intent-trading", "Pulumi.production.yaml");

  it("scales backend-relayer 3–20 at 70 % CPU and 80 % memory", () => {
    expect(hpa(planOf(file), "intendly", "backend-relayer")).toEqual({ min: 3, max: 20, cpu: 70, memory: 80 });
  });

  it("lets the coordinator reach 3 and the WebSocket servers 6 replicas (the runbook's manual numbers)", () => {
    const plan = planOf(file);
    expect(hpa(plan, "intendly", "backend-coordinator").max).toBeGreaterThanOrEqual(3);
    expect(hpa(plan, "intendly", "websocket-server").max).toBeGreaterThanOrEqual(6);
  });

  it("runs the general node group min 5, max 20, desired 8", () => {
    expect(one(planOf(file), "aws:eks/nodeGroup:NodeGroup", () => true, "").inputs.scalingConfig).toEqual({ minSize: 5, maxSize: 20, desiredSize: 8 });
  });

  it("runs PostgreSQL on db.r5.2xlarge and Redis on cache.r5.xlarge", () => {
    const plan = planOf(file);
    expect(rds(plan).instanceClass).toBe("db.r5.2xlarge");
    expect(one(plan, "aws:elasticache/replicationGroup:ReplicationGroup", () => true, "").inputs.nodeType).toBe("cache.r5.xlarge");
  });

  it("backs up daily at 02:00, hourly 09:00–17:00, and moves the weekly copy to cold storage", () => {
    const plan = planOf(file);
    expect(backupCronJob(plan, "intendly", "postgres-daily").schedule).toBe("0 2 * * *");
    expect(backupCronJob(plan, "intendly", "postgres-hourly").schedule).toBe("0 9-17 * * *");
    expect(lifecycle(plan, "postgresql/weekly/").transitions).toEqual([[0, "GLACIER"]]);
  });

  it("keeps the weekly database maintenance on Sunday at 03:00 UTC", () => {
    expect(rds(planOf(file)).maintenanceWindow).toBe("sun:03:00-sun:05:00");
  });

  it.each([
    ["ServiceDown", "critical", "1m", undefined],
    ["HighErrorRate", "critical", "2m", { op: ">", value: 0.05 }],
    ["DatabaseDown", "critical", "1m", undefined],
    ["RedisDown", "critical", "1m", undefined],
    ["IntentProcessingStalled", "critical", undefined, undefined],
    ["BlockchainConnectionLost", "critical", undefined, undefined],
    ["HighCPUUsage", "warning", "5m", { op: ">", value: 0.8 }],
    ["HighMemoryUsage", "warning", "5m", { op: ">", value: 0.85 }],
    ["DiskSpaceLow", "warning", undefined, undefined],
    ["HighResponseTime", "warning", undefined, { op: ">", value: 2 }],
    ["LowSolverParticipation", "warning", undefined, { op: "<", value: 3 }],
    ["LowTradingVolume", "info", undefined, { op: "<", value: 1000 }],
    ["HighSlippageRate", "info", undefined, { op: ">", value: 50 }],
    ["SolverPerformanceDegraded", "info", undefined, { op: "<", value: 0.95 }],
  ] as const)("alerts %s at severity %s with the runbook's threshold", (name, severity, forDuration, limit) => {
    const rule = alert(planOf(file), name);
    expect(rule.severity).toBe(severity);
    if (forDuration) expect(rule.for).toBe(forDuration);
    if (limit) expect(threshold(rule.expr)).toEqual(limit);
  });

  it("routes critical to PagerDuty (30s/5m), warning to Slack (5m/30m), info to email (15m/24h)", () => {
    const routing = validatedConfig(file).monitoring!.routing;
    const route = (r: { receiver: string; groupInterval: string; repeatInterval: string }) => [r.receiver, r.groupInterval, r.repeatInterval];
    expect([route(routing.critical), route(routing.warning), route(routing.info)]).toEqual([
      ["pagerduty", "30s", "5m"],
      ["slack", "5m", "30m"],
      ["email", "15m", "24h"],
    ]);
    // The receivers exist in the plan (their settings are in the masked Secret).
    expect(ofType(planOf(file), "kubernetes:core/v1:Secret").some((r) => r.inputs.metadata?.name === "alertmanager-config")).toBe(true);
  });

  it("measures disk usage against 85 %", () => {
    expect(alert(planOf(file), "DiskSpaceLow").expr).toMatch(/> 0\.85( |$)/);
  });

  it("declares RTO 4 h / RPO 1 h (not stated in the runbook) and recovers relayer 3, WebSocket 2 in intendly-dr", () => {
    const plan = planOf(file);
    expect(recoveryObjectives(plan).targets).toEqual({ rtoMinutes: 240, rpoMinutes: 60 });
    expect(hpa(plan, "intendly-dr", "backend-relayer").min).toBe(3);
    expect(hpa(plan, "intendly-dr", "websocket-server").min).toBe(2);
  });
});

describe("003 Data Aggregator Platform (examples/data-aggregator)", () => {
  const prod = path.join("examples", "data-aggregator", "Pulumi.production.yaml");
  const staging = path.join("examples", "data-aggregator", "Pulumi.staging.yaml");

  it("declares RTO 4 h and RPO 24 h", () => {
    expect(recoveryObjectives(planOf(prod)).targets).toEqual({ rtoMinutes: 240, rpoMinutes: 1440 });
  });

  it("backs up daily at 02:00 UTC and keeps 30 days in production, 7 in staging", () => {
    const p = planOf(prod);
    expect(backupCronJob(p, "dataaggregator", "postgres-daily").schedule).toBe("0 2 * * *");
    expect(lifecycle(p, "postgresql/daily/").expireDays).toBe(30);
    expect(rds(p).backupRetentionPeriod).toBe(30);
    const s = planOf(staging);
    expect(backupCronJob(s, "dataaggregator", "postgres-daily").schedule).toBe("0 2 * * *");
    expect(lifecycle(s, "postgresql/daily/").expireDays).toBe(7);
    expect(rds(s).backupRetentionPeriod).toBe(7);
  });

  it("scales backend and frontend between 2 and 10 replicas", () => {
    const plan = planOf(prod);
    expect(hpa(plan, "dataaggregator", "backend")).toMatchObject({ min: 2, max: 10 });
    expect(hpa(plan, "dataaggregator", "frontend")).toMatchObject({ min: 2, max: 10 });
  });

  it.each([
    ["HighErrorRate", "critical", "5m", { op: ">", value: 0.05 }],
    ["HighResponseTime", "warning", "10m", { op: ">", value: 2 }],
    ["DatabaseDown", "critical", "1m", undefined],
    ["HighCPUUsage", "warning", "15m", { op: ">", value: 0.8 }],
    ["PipelineFailureRateHigh", "warning", undefined, { op: ">", value: 0.01 }],
  ] as const)("alerts %s at severity %s with the runbook's threshold", (name, severity, forDuration, limit) => {
    const rule = alert(planOf(prod), name);
    expect(rule.severity).toBe(severity);
    if (forDuration) expect(rule.for).toBe(forDuration);
    if (limit) expect(threshold(rule.expr)).toEqual(limit);
  });

  it("holds the backend to availability 99.9 % (error rate < 0.1 %), p95 < 500 ms and p99 < 2 s", () => {
    const plan = planOf(prod);
    expect(round(slo(plan, "backend", "availability").budget)).toBe(0.001);
    expect(slo(plan, "backend", "latency-p95")).toEqual({ budget: 0.05, thresholdSeconds: 0.5 });
    expect(slo(plan, "backend", "latency-p99")).toEqual({ budget: 0.01, thresholdSeconds: 2 });
  });
});

describe("004 Suuupra platform (examples/suuupra)", () => {
  const file = path.join("examples", "suuupra", "Pulumi.production.yaml");

  it.each([
    ["api-gateway", 99.9, 0.15],
    ["identity-service", 99.95, 0.2],
    ["payment-service", 99.99, 0.5],
    ["content-service", 99.5, 0.3],
  ] as const)("holds %s to %s %% availability and p95 < %s s", (service, availability, p95) => {
    const plan = planOf(file);
    expect(round(slo(plan, service, "availability").budget)).toBe(round(1 - availability / 100));
    expect(slo(plan, service, "latency-p95")).toEqual({ budget: 0.05, thresholdSeconds: p95 });
  });

  it("puts database and cache maintenance in the Tuesday 2–4 PM EST change window (19:00–21:00 UTC)", () => {
    const plan = planOf(file);
    expect(rds(plan).maintenanceWindow).toBe("tue:19:00-tue:21:00");
    expect(one(plan, "aws:elasticache/replicationGroup:ReplicationGroup", () => true, "").inputs.maintenanceWindow).toBe("tue:19:00-tue:21:00");
  });

  it("runs every service with an HPA and a PDB, at least 2 replicas", () => {
    const plan = planOf(file);
    for (const service of ["api-gateway", "identity-service", "payment-service", "content-service"]) {
      expect(hpa(plan, "suuupra", service).min).toBeGreaterThanOrEqual(2);
      expect(pdbExists(plan, "suuupra", service)).toBe(true);
    }
  });
});

describe("CI workflows (.github/workflows)", () => {
  const workflow = (name: string) => parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", name), "utf8"));
  const steps = (doc: any) => Object.values(doc.jobs).flatMap((job: any) => job.steps ?? []);

  it.each(["pull-request.yml", "deploy.yml"])("%s parses and pins every action by a major version tag", (name) => {
    const doc = workflow(name);
    const uses = steps(doc).map((s: any) => s.uses).filter(Boolean);
    expect(uses.length).toBeGreaterThan(0);
    for (const ref of uses) expect(ref).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
  });

  it("previews pull requests: tests, every stack and example offline, and the policy pack in the cloud only with credentials", () => {
    const doc = workflow("pull-request.yml");
    expect(Object.keys(doc.on)).toEqual(["pull_request"]);
    const run = steps(doc).map((s: any) => s.run ?? "").join("\n");
    expect(run).toContain("bash scripts/test-all.sh");
    expect(run).toContain("examples/*/Pulumi.*.yaml");
    expect(run).toContain("--json");
    const cloud = doc.jobs["cloud-preview"];
    expect(cloud.if).toContain("needs.credentials.outputs.available == 'true'");
    const pulumi = cloud.steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@"));
    expect(pulumi.with).toMatchObject({ command: "preview", policyPacks: "policies", policyPackConfigs: "policies/config/${{ matrix.stack }}.json", "comment-on-pr": true });
    expect(cloud.strategy.matrix.include.map((m: any) => m.stack).sort()).toEqual(["production", "staging"]);
    for (const m of cloud.strategy.matrix.include) expect(fs.existsSync(path.join(ROOT, "policies", "config", `${m.stack}.json`))).toBe(true);
    expect(cloud.steps.find((s: any) => String(s.uses).startsWith("aws-actions/configure-aws-credentials@")).with["role-to-assume"]).toBeTruthy();
  });

  it("deploys staging on a push to main and production only through the approved production environment", () => {
    const doc = workflow("deploy.yml");
    expect(doc.on.push.branches).toEqual(["main"]);
    expect(doc.on).toHaveProperty("workflow_dispatch");
    expect(doc.jobs.staging.environment).toBe("staging");
    expect(doc.jobs.production.environment.name).toBe("production");
    expect(doc.jobs.production.needs).toContain("staging");
    for (const job of ["staging", "production"]) {
      const up = doc.jobs[job].steps.find((s: any) => String(s.uses).startsWith("pulumi/actions@") && s.with.command === "up");
      expect(up.with.policyPacks).toBe("policies");
      expect(up.with.policyPackConfigs).toBe(`policies/config/${job}.json`);
      expect(fs.existsSync(path.join(ROOT, up.with.policyPackConfigs))).toBe(true);
    }
  });
});

describe("a first real pulumi up (issue 14): every example plan", () => {
  const dependsOn = (plan: Plan, r: Resource, match: (d: Resource) => boolean) =>
    ((r as unknown as { dependencies?: string[] }).dependencies ?? []).some((urn) => plan.resources.some((d) => d.urn === urn && match(d)));

  it.each(exampleFiles)("%s gives named principals access and maps the groups its RoleBindings name", (file) => {
    const plan = planOf(file);
    const cluster = one(plan, "aws:eks/cluster:Cluster", () => true, "");
    expect(cluster.inputs.accessConfig).toEqual({ authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false });
    const admins = ofType(plan, "aws:eks/accessPolicyAssociation:AccessPolicyAssociation").filter((a) => a.inputs.policyArn.endsWith("/AmazonEKSClusterAdminPolicy"));
    expect(admins.map((a) => a.inputs.principalArn)).toEqual(expect.arrayContaining([expect.stringMatching(/:role\/platform-admins$/), expect.stringMatching(/-deploy-(production|staging)$/)]));
    const mapped = new Set(ofType(plan, "aws:eks/accessEntry:AccessEntry").flatMap((e) => e.inputs.kubernetesGroups ?? []));
    const bound = ofType(plan, "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding").flatMap((b) => (b.inputs.subjects ?? []).filter((s: any) => s.kind === "Group").map((s: any) => s.name));
    for (const group of bound) expect(mapped).toContain(group);
  });

  it.each(exampleFiles)("%s declares how pulumi up reaches the private API, and the deploy workflow runs there", (file) => {
    const plan = planOf(file);
    const cluster = one(plan, "aws:eks/cluster:Cluster", () => true, "");
    expect(cluster.inputs.vpcConfig.endpointPublicAccess).toBe(false);
    const rules = ofType(plan, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.name.includes("deploy-path"));
    expect(rules.length).toBeGreaterThan(0);
    expect(rules.every((r) => r.inputs.fromPort === 443 && dependsOn(plan, r, (d) => d.urn === cluster.urn))).toBe(true);
  });

  it.each(exampleFiles)("%s creates the encrypted gp3 default StorageClass and names it on Prometheus's claim", (file) => {
    const plan = planOf(file);
    const sc = one(plan, "kubernetes:storage.k8s.io/v1:StorageClass", () => true, "");
    expect(sc.inputs).toMatchObject({ provisioner: "ebs.csi.aws.com", volumeBindingMode: "WaitForFirstConsumer", parameters: { type: "gp3", encrypted: "true" } });
    expect(sc.inputs.parameters.kmsKeyId).toMatch(/^arn:aws:kms:/);
    expect(sc.inputs.metadata.annotations["storageclass.kubernetes.io/is-default-class"]).toBe("true");
    for (const release of ofType(plan, "kubernetes:helm.sh/v3:Release").filter((r) => r.inputs.chart === "kube-prometheus-stack"))
      expect(release.inputs.values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.storageClassName).toBe(sc.inputs.metadata.name);
  });

  it.each(exampleFiles)("%s orders node groups after vpc-cni and Helm releases after nodes and coredns", (file) => {
    const plan = planOf(file);
    for (const group of ofType(plan, "aws:eks/nodeGroup:NodeGroup")) expect(dependsOn(plan, group, (d) => d.inputs.addonName === "vpc-cni")).toBe(true);
    const providers = ofType(plan, "pulumi:providers:kubernetes");
    for (const release of ofType(plan, "kubernetes:helm.sh/v3:Release")) {
      const provider = providers.find((p) => (release as unknown as { provider?: string }).provider?.startsWith(`${p.urn}::`));
      expect(provider).toBeDefined();
      expect(dependsOn(plan, provider!, (d) => d.type === "aws:eks/nodeGroup:NodeGroup")).toBe(true);
      expect(dependsOn(plan, provider!, (d) => d.inputs.addonName === "coredns")).toBe(true);
    }
  });

  it.each(exampleFiles)("%s runs versions in standard support and places cluster subnets by zone ID", (file) => {
    const plan = planOf(file);
    expect(one(plan, "aws:eks/cluster:Cluster", () => true, "").inputs.version).toBe("1.35");
    const versionFindings = (plan.policies?.violations ?? []).filter((v) => v.policy.startsWith("versions-"));
    expect(versionFindings).toEqual([]);
    // The DR stacks run in us-west-2 (no zone there that EKS refuses); the primaries in us-east-1 skip use1-az3.
    const zones = file.endsWith("production-dr.yaml") ? /^usw2-az\d$/ : /^use1-az[124-6]$/;
    for (const subnet of ofType(plan, "aws:ec2/subnet:Subnet")) expect(subnet.inputs.availabilityZoneId).toMatch(zones);
  });

  it("gives every system its own physical names and globally unique bucket names", () => {
    const names = new Map<string, string>();
    for (const file of exampleFiles.filter((f) => f.endsWith("Pulumi.production.yaml"))) {
      const plan = planOf(file);
      const system = one(plan, "aws:eks/cluster:Cluster", () => true, "").inputs.tags.system;
      for (const [type, key] of [["aws:eks/cluster:Cluster", "name"], ["aws:rds/instance:Instance", "identifier"], ["aws:s3/bucket:Bucket", "bucket"]]) {
        for (const r of ofType(plan, type)) {
          const value = r.inputs[key];
          expect(value.startsWith(`${system}-production`)).toBe(true);
          expect(names.get(value)).toBeUndefined();
          names.set(value, file);
          if (key === "bucket") expect(value).toMatch(/-\d{12}-(us-east-1|us-west-2)$/);
        }
      }
    }
    expect(names.size).toBeGreaterThanOrEqual(4 * 3);
  });
});
