import * as path from "node:path";
import { parse as parseYaml } from "yaml";
import { planOf } from "./support/plan";
import { loadStackFile } from "../preview/stack-files";
import { AlertRules, AlertRulesArgs } from "../components/alert-rules";
import { SloRules } from "../components/slo-rules";
import { AlertmanagerConfig } from "../components/alertmanager-config";
import { GrafanaDashboards } from "../components/grafana-dashboards";
import { MonitoringStack } from "../components/monitoring-stack";
import { ALERT_CATALOGUE } from "../monitoring/catalogue";
import { renderMonitoringFiles, PROMETHEUS_RULE_TYPE } from "../preview/render";
import { RUNBOOK_ROUTES, renderAlertmanagerConfig } from "../monitoring/alertmanager";
import { DASHBOARDS, DASHBOARD_IDS, dashboardQueries } from "../monitoring/dashboards";
import { promqlProblem } from "../monitoring/promql";
import type { AlertingRule, RuleGroup } from "../monitoring/types";

const RUNBOOK = "https://runbooks.stockanalysis.com/operations.md";
const STOCK_ANALYSIS: AlertRulesArgs = {
  namespace: "monitoring",
  families: ["availability", "database", "cache", "resources", "security", "backups", "certificates", "kubernetes"],
  watchNamespaces: ["stock-analysis-system"],
  runbookUrl: RUNBOOK,
  overrides: { HighErrorRate: { threshold: 0.05, for: "5m" }, HighMemoryUsage: { threshold: 0.9 } },
};

const alertsOf = (groups: RuleGroup[]) => groups.flatMap((g) => g.rules).filter((r): r is AlertingRule => "alert" in r);
const specGroups = (inputs: Record<string, unknown>) => (inputs.spec as { groups: RuleGroup[] }).groups;

describe("AlertRules", () => {
  it("installs the Stock Analysis alerts from runbook 001 as one PrometheusRule with thresholds, for, severity and runbook links", async () => {
    const plan = await planOf(() => new AlertRules("runbook", STOCK_ANALYSIS), { stack: "production" });
    const rule = plan.one(PROMETHEUS_RULE_TYPE);
    expect(rule.inputs).toMatchObject({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: "runbook-alerts", namespace: "monitoring", labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "runbook-infra" } },
    });
    const alerts = alertsOf(specGroups(rule.inputs));
    const byName = Object.fromEntries(alerts.map((a) => [a.alert, a]));
    for (const name of ["HighErrorRate", "DatabaseDown", "RedisDown", "ServiceDown", "HighMemoryUsage", "HighCPUUsage", "DiskSpaceLow", "HighResponseTime", "HighFailedLogins", "SuspiciousAPIActivity", "BackupJobFailed", "BackupTooOld", "CertificateExpiringSoon", "PodCrashLooping", "HpaMaxedOut", "PersistentVolumeFillingUp"])
      expect(byName[name]).toBeDefined();
    // Runbook 002's trading alerts and 003's pipeline alert belong to other systems.
    expect(byName.IntentProcessingStalled).toBeUndefined();
    expect(byName.LowSolverParticipation).toBeUndefined();
    expect(byName.PipelineFailureRateHigh).toBeUndefined();

    expect(byName.HighErrorRate).toMatchObject({ for: "5m", labels: { severity: "critical" }, annotations: { runbook_url: `${RUNBOOK}#high-error-rates` } });
    expect(byName.HighErrorRate.expr).toMatch(/status=~"5\.\."\}\[5m\]\)\)\n\s+\/ sum by \(namespace, service\) \(rate\(http_requests_total\{namespace="stock-analysis-system"\}\[5m\]\)\)\n\s+> 0\.05$/);
    expect(byName.HighMemoryUsage.expr).toContain("container_spec_memory_limit_bytes{namespace=\"stock-analysis-system\", container!=\"\"} > 0");
    expect(byName.HighMemoryUsage.expr).toMatch(/> 0\.9$/);
    expect(byName.DatabaseDown).toMatchObject({ expr: "pg_up == 0", for: "1m", labels: { severity: "critical" } });
    expect(byName.HighFailedLogins).toMatchObject({ for: "2m", labels: { severity: "warning" } });
    expect(byName.BackupTooOld.expr).toContain("> 93600");
    for (const alert of alerts) {
      expect(["critical", "warning", "info"]).toContain(alert.labels.severity);
      expect(alert.annotations).toEqual({ summary: expect.any(String), description: expect.any(String), runbook_url: expect.stringMatching(/^https:\/\/runbooks\.stockanalysis\.com\/operations\.md#[a-z0-9-]+$/) });
    }
  });

  it("enables runbook 002's trading alerts when the family is on, and one alert of a family that is off", async () => {
    const ops = "https://github.com/intendly/intendly/blob/main/docs/OPERATIONS.md";
    const plan = await planOf(() =>
      new AlertRules("intendly", {
        ...STOCK_ANALYSIS,
        runbookUrl: ops,
        families: ["trading"],
        overrides: { PipelineFailureRateHigh: { enabled: true }, LowSolverParticipation: { threshold: 5 }, BlockchainConnectionLost: { runbookUrl: `${ops}#2-check-external-dependencies` } },
      }),
    );
    const alerts = alertsOf(specGroups(plan.one(PROMETHEUS_RULE_TYPE).inputs));
    expect(alerts.map((a) => a.alert).sort()).toEqual(["BlockchainConnectionLost", "HighSlippageRate", "IntentProcessingStalled", "LowSolverParticipation", "LowTradingVolume", "PipelineFailureRateHigh", "SolverPerformanceDegraded"]);
    expect(alerts.find((a) => a.alert === "LowSolverParticipation")!.expr).toMatch(/< 5$/);
    expect(alerts.find((a) => a.alert === "LowTradingVolume")!.labels.severity).toBe("info");
    expect(alerts.find((a) => a.alert === "IntentProcessingStalled")!.annotations.runbook_url).toBe(`${ops}#alert-configuration`);
    expect(alerts.find((a) => a.alert === "BlockchainConnectionLost")!.annotations.runbook_url).toBe(`${ops}#2-check-external-dependencies`);
  });

  it("keeps the catalogue complete: every runbook alert is in it with a severity, a for and a procedure", () => {
    const names = ALERT_CATALOGUE.map((a) => a.name);
    for (const name of ["HighErrorRate", "DatabaseDown", "RedisDown", "ServiceDown", "HighMemoryUsage", "HighCPUUsage", "DiskSpaceLow", "HighResponseTime", "HighFailedLogins", "SuspiciousAPIActivity", "IntentProcessingStalled", "LowSolverParticipation", "BlockchainConnectionLost", "LowTradingVolume", "HighSlippageRate", "SolverPerformanceDegraded"])
      expect(names).toContain(name);
    expect(new Set(names).size).toBe(names.length);
  });

  it("rejects a typo in a PromQL expression before anything is registered, naming the alert", async () => {
    const typo: RuleGroup = { name: "custom", rules: [{ alert: "QueueBacklog", expr: "sum(ratee(queue_depth[5m])) > 100", for: "5m", labels: { severity: "warning" }, annotations: { summary: "s", description: "d", runbook_url: `${RUNBOOK}#queue` } }] };
    const plan = await planOf(() => {
      expect(() => new AlertRules("runbook", { ...STOCK_ANALYSIS, extraGroups: [typo] }, {})).toThrow(
        /^production: AlertRules\.groups\[custom\]\.QueueBacklog\.expr: "sum\(ratee\(queue_depth\[5m\]\)\) > 100" — must be valid PromQL: syntax error at column 10 near "\(queue_depth/,
      );
    }, { stack: "production" });
    expect(plan.ofType(PROMETHEUS_RULE_TYPE)).toHaveLength(0);
  });

  it("accepts the same custom alert once the expression is right", async () => {
    const fixed: RuleGroup = { name: "custom", rules: [{ alert: "QueueBacklog", expr: "sum(rate(queue_depth[5m])) > 100", for: "5m", labels: { severity: "warning" }, annotations: { summary: "s", description: "d", runbook_url: `${RUNBOOK}#queue` } }] };
    const plan = await planOf(() => new AlertRules("runbook", { ...STOCK_ANALYSIS, extraGroups: [fixed] }));
    expect(specGroups(plan.one(PROMETHEUS_RULE_TYPE).inputs).map((g) => g.name)).toContain("custom");
  });

  it.each<[string, Partial<AlertRulesArgs>, RegExp]>([
    ["a range vector as an alert", { extraGroups: [{ name: "x", rules: [{ alert: "Raw", expr: "up[5m]", labels: { severity: "warning" }, annotations: { summary: "s", description: "d", runbook_url: `${RUNBOOK}#x` } }] }] }, /Raw\.expr: "up\[5m\]" — must return an instant vector/],
    ["a bad range duration", { extraGroups: [{ name: "x", rules: [{ alert: "Bad", expr: "rate(up[5x]) > 0", labels: { severity: "warning" }, annotations: { summary: "s", description: "d", runbook_url: `${RUNBOOK}#x` } }] }] }, /Bad\.expr: .* — must be valid PromQL/],
    ["severity outside critical/warning/info", { extraGroups: [{ name: "x", rules: [{ alert: "Loud", expr: "up == 0", labels: { severity: "page" }, annotations: { summary: "s", description: "d", runbook_url: `${RUNBOOK}#x` } }] }] }, /Loud\.labels\.severity: "page" — must be one of critical, warning, info/],
    ["a missing runbook_url", { extraGroups: [{ name: "x", rules: [{ alert: "Lost", expr: "up == 0", labels: { severity: "info" }, annotations: { summary: "s", description: "d" } }] }] }, /Lost\.annotations\.runbook_url: \(missing\) — must be set/],
    ["an empty label value", { extraGroups: [{ name: "x", rules: [{ alert: "Empty", expr: "up == 0", labels: { severity: "info", team: "" }, annotations: { summary: "s", description: "d", runbook_url: `${RUNBOOK}#x` } }] }] }, /Empty\.labels\.team: "" — must be a non-empty string/],
    ["a group name used twice", { extraGroups: [{ name: "runbook-availability", rules: [{ alert: "Dup", expr: "up == 0", labels: { severity: "info" }, annotations: { summary: "s", description: "d", runbook_url: `${RUNBOOK}#x` } }] }] }, /groups\[runbook-availability\]\.name: "runbook-availability" — must be unique/],
    ["a for that is not a duration", { overrides: { HighErrorRate: { for: "5 minutes" } } }, /AlertRules\.overrides\.HighErrorRate\.for: "5 minutes" — must be a Prometheus duration/],
    ["a threshold out of range", { overrides: { HighErrorRate: { threshold: 5 } } }, /overrides\.HighErrorRate\.threshold: 5 — must be ratio of 5xx responses .* from 0\.0001 to 1/],
    ["a threshold on an alert without one", { overrides: { ServiceDown: { threshold: 1 } } }, /overrides\.ServiceDown\.threshold: 1 — ServiceDown has no threshold/],
    ["an unknown alert", { overrides: { HighErorRate: { threshold: 0.1 } } }, /AlertRules\.overrides: "HighErorRate" — must name a catalogue alert/],
    ["an unknown family", { families: ["availability", "blockchain" as never] }, /AlertRules\.families: "blockchain" — must be one of availability, database/],
    ["a runbook URL with a fragment", { runbookUrl: `${RUNBOOK}#top` }, /AlertRules\.runbookUrl: .* — must be an https URL of the runbook document of at most 1024 URL characters, without #fragment/],
  ])("rejects %s", async (_what, change, error) => {
    await planOf(() => expect(() => new AlertRules("runbook", { ...STOCK_ANALYSIS, ...change })).toThrow(error), { stack: "production" });
  });
});

describe("SloRules", () => {
  it("records the error ratio over the seven workbook windows and pages at 14.4x/6x, tickets at 3x/1x of a 99.9 % budget", async () => {
    const plan = await planOf(() => new SloRules("slo", { namespace: "monitoring", runbookUrl: RUNBOOK, slos: [{ service: "stock-analysis-api", namespace: "stock-analysis-system", availability: 99.9 }] }));
    const [group] = specGroups(plan.one(PROMETHEUS_RULE_TYPE).inputs);
    const records = group.rules.filter((r) => "record" in r);
    expect(records.map((r) => ("record" in r ? r.record : "")).slice(0, 8)).toEqual(["5m", "30m", "1h", "2h", "6h", "1d", "3d", "30d"].map((w) => `slo:sli_error:ratio_rate${w}`));
    const sloth = { sloth_id: "stock-analysis-system-stock-analysis-api-availability", sloth_service: "stock-analysis-api", sloth_slo: "availability" };
    expect(records[0].labels).toEqual({ service: "stock-analysis-api", slo: "availability", namespace: "stock-analysis-system", ...sloth, sloth_window: "5m" });
    const [page, ticket] = alertsOf([group]);
    expect(page).toMatchObject({ alert: "ErrorBudgetBurn", for: "2m", labels: { severity: "critical" } });
    expect(page.expr).toMatch(/ratio_rate1h\{[^}]*\}\) > 0\.0144\n\s+and max without \(sloth_window\) \(slo:sli_error:ratio_rate5m\{[^}]*\}\) > 0\.0144\)\nor\n\(max without \(sloth_window\) \(slo:sli_error:ratio_rate6h\{[^}]*\}\) > 0\.006\n\s+and max without \(sloth_window\) \(slo:sli_error:ratio_rate30m\{[^}]*\}\) > 0\.006\)/);
    expect(ticket).toMatchObject({ alert: "ErrorBudgetBurn", labels: { severity: "warning" } });
    expect(ticket.expr).toMatch(/ratio_rate1d\{[^}]*\}\) > 0\.003\n\s+and max without \(sloth_window\) \(slo:sli_error:ratio_rate2h\{[^}]*\}\) > 0\.003\)\nor\n\(max without \(sloth_window\) \(slo:sli_error:ratio_rate3d\{[^}]*\}\) > 0\.001\n\s+and max without \(sloth_window\) \(slo:sli_error:ratio_rate6h\{[^}]*\}\) > 0\.001\)/);
    // Sloth's meta recordings, which its dashboards and Grafana's SLO views read.
    const byRecord = Object.fromEntries(records.map((r) => ["record" in r ? r.record : "", r]));
    expect(byRecord["slo:objective:ratio"]).toMatchObject({ expr: "vector(0.999)", labels: sloth });
    expect(byRecord["slo:error_budget:ratio"]).toMatchObject({ expr: "vector(0.001)", labels: sloth });
    expect(byRecord["slo:time_period:days"]).toMatchObject({ expr: "vector(30)" });
    for (const name of ["slo:current_burn_rate:ratio", "slo:period_burn_rate:ratio", "slo:period_error_budget_remaining:ratio"]) expect(byRecord[name].labels).toMatchObject(sloth);
    expect(byRecord.sloth_slo_info.labels).toMatchObject({ ...sloth, sloth_objective: "99.9", sloth_spec: "prometheus/v1" });
  });

  it("gives runbook 004's payment service its 99.99 % budget and latency objectives their own SLIs", async () => {
    const plan = await planOf(() =>
      new SloRules("slo", { namespace: "monitoring", runbookUrl: RUNBOOK, slos: [{ service: "payment", namespace: "suuupra", availability: 99.99, latency: [{ percentile: 95, thresholdSeconds: 0.5 }] }] }),
    );
    const groups = specGroups(plan.one(PROMETHEUS_RULE_TYPE).inputs);
    expect(groups.map((g) => g.name)).toEqual(["slo-suuupra-payment-availability", "slo-suuupra-payment-latency-p95"]);
    expect(alertsOf([groups[0]])[0].expr).toContain("> 0.00144");
    expect(alertsOf([groups[1]])[0].expr).toContain("> 0.72"); // 14.4 x 5 %
    const latencyRecord = groups[1].rules[0];
    expect(latencyRecord.expr).toContain('le=~"0\\\\.50*"');
    expect(latencyRecord.expr).toContain("http_request_duration_seconds_count{service=\"payment\", namespace=\"suuupra\"}[5m]");
  });

  it.each<[string, object, RegExp]>([
    ["a target whose 14.4x burn exceeds 100 %", { service: "api", availability: 90 }, /SloRules\.slos\[0\]\.availability: 90 — must be a percentage from 93\.1/],
    ["a target of 100 %", { service: "api", availability: 100 }, /slos\[0\]\.availability: 100 — /],
    ["an objective-less service", { service: "api" }, /SloRules\.slos\[0\]: .* — must set availability or latency/],
    ["a p50 latency objective", { service: "api", latency: [{ percentile: 50, thresholdSeconds: 1 }] }, /slos\[0\]\.latency\[0\]\.percentile: 50 — must be from 93\.1/],
  ])("rejects %s", async (_what, slo, error) => {
    await planOf(() => expect(() => new SloRules("slo", { namespace: "monitoring", runbookUrl: RUNBOOK, slos: [slo as never] })).toThrow(error), { stack: "production" });
  });

  it("rejects the same service twice in one namespace, and accepts it in two namespaces", async () => {
    await planOf(() => {
      expect(() => new SloRules("dup", { namespace: "monitoring", runbookUrl: RUNBOOK, slos: [{ service: "api", namespace: "a", availability: 99.9 }, { service: "api", namespace: "a", availability: 99 }] })).toThrow(
        /SloRules\.slos\[1\]\.service: "api" — must be unique per namespace/,
      );
      new SloRules("ok", { namespace: "monitoring", runbookUrl: RUNBOOK, slos: [{ service: "api", namespace: "a", availability: 99.9 }, { service: "api", namespace: "b", availability: 99 }] });
    });
  });
});

describe("AlertmanagerConfig", () => {
  const args = {
    namespace: "monitoring",
    pagerdutyRoutingKey: "pd-key",
    slack: { channel: "#production-alerts", webhookUrl: "https://hooks.slack.com/services/T/B/X" },
    email: { to: "ops@company.com", from: "alertmanager@stockanalysis.com", smarthost: "smtp.stockanalysis.com:587", authUsername: "alertmanager", authPassword: "smtp-pass" },
  };

  it("renders the routing into the Secret kube-prometheus-stack's Alertmanager reads, with the whole file secret", async () => {
    const plan = await planOf(() => new AlertmanagerConfig("alertmanager", args));
    const secret = plan.one("kubernetes:core/v1:Secret");
    // The rendered file holds the routing key and webhook: the whole stringData is a secret in the plan.
    expect(secret.inputs).toMatchObject({ metadata: { name: "alertmanager-config", namespace: "monitoring" }, type: "Opaque", stringData: "[secret]" });
  });

  it("routes critical to PagerDuty (30s/5m), warning to Slack (5m/30m), info to email (15m/24h) and lets a critical alert silence the matching warning", () => {
    const config = parseYaml(
      renderAlertmanagerConfig({
        groupBy: ["alertname", "namespace", "service"],
        inhibitEqual: ["alertname", "service", "namespace"],
        routes: RUNBOOK_ROUTES,
        pagerduty: { routingKey: "pd-key" },
        slack: { apiUrl: "https://hooks.slack.com/services/T/B/X", channel: "#production-alerts" },
        email: { to: "ops@company.com", from: "am@company.com", smarthost: "smtp.company.com:587", requireTls: true },
      }),
    );
    const routes = Object.fromEntries(config.route.routes.slice(1).map((r: any) => [r.matchers[0], r]));
    expect(routes['severity="critical"']).toMatchObject({ receiver: "pagerduty", group_interval: "30s", repeat_interval: "5m" });
    expect(routes['severity="warning"']).toMatchObject({ receiver: "slack", group_interval: "5m", repeat_interval: "30m" });
    expect(routes['severity="info"']).toMatchObject({ receiver: "email", group_interval: "15m", repeat_interval: "24h" });
    expect(config.inhibit_rules[0]).toEqual({ source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ["alertname", "service", "namespace"] });
    expect(config.receivers.find((r: any) => r.name === "pagerduty").pagerduty_configs[0].routing_key).toBe("pd-key");
  });

  it.each<[string, object, RegExp]>([
    ["a route to Slack without Slack settings", { slack: undefined }, /AlertmanagerConfig\.routes\.warning\.receiver: "slack" — needs the slack receiver settings/],
    ["repeating faster than the group interval", { routes: { info: { receiver: "email", groupWait: "1m", groupInterval: "15m", repeatInterval: "5m" } } }, /routes\.info\.repeatInterval: "5m" — must not be shorter than groupInterval \(15m\)/],
    ["a duration that is not one", { routes: { critical: { receiver: "pagerduty", groupWait: "10s", groupInterval: "half a minute", repeatInterval: "5m" } } }, /routes\.critical\.groupInterval: "half a minute" — must be a non-zero Prometheus duration/],
    ["inhibition across different alerts", { inhibitEqual: ["service", "namespace"] }, /AlertmanagerConfig\.inhibitEqual: .* — must include alertname/],
    ["a bad Slack channel", { slack: { channel: "production alerts", webhookUrl: "https://x" } }, /slack\.channel: "production alerts" — must be a Slack channel/],
  ])("rejects %s", async (_what, change, error) => {
    await planOf(() => expect(() => new AlertmanagerConfig("alertmanager", { ...args, ...change })).toThrow(error), { stack: "production" });
  });
});

describe("GrafanaDashboards", () => {
  it("provisions the runbook dashboards as ConfigMaps the Grafana sidecar loads", async () => {
    const plan = await planOf(() => new GrafanaDashboards("dashboards", { namespace: "monitoring", dashboards: [...DASHBOARD_IDS] }));
    const maps = plan.ofType("kubernetes:core/v1:ConfigMap");
    expect(maps.map((m) => (m.inputs.metadata as any).name).sort()).toEqual(DASHBOARD_IDS.map((id) => `dashboard-${id}`).sort());
    for (const map of maps) {
      expect((map.inputs.metadata as any).labels).toMatchObject({ grafana_dashboard: "1", "app.kubernetes.io/part-of": "runbook-infra" });
      const [json] = Object.values(map.inputs.data as Record<string, string>);
      const dashboard = JSON.parse(json);
      expect(dashboard.panels.length).toBeGreaterThan(4);
      expect(dashboard.uid).toMatch(/^runbook-/);
    }
    const overview = JSON.parse((maps.find((m) => (m.inputs.metadata as any).name === "dashboard-system-overview")!.inputs.data as any)["system-overview.json"]);
    expect(overview.panels.map((p: any) => p.title)).toEqual(expect.arrayContaining(["Request rate", "Error ratio (5xx)", "Response time p95"]));
  });

  it("uses only queries that parse as PromQL (including the runbooks' own)", () => {
    for (const id of DASHBOARD_IDS) for (const { panel, expr } of dashboardQueries(DASHBOARDS[id])) expect({ panel, problem: promqlProblem(expr) }).toEqual({ panel, problem: undefined });
    expect(dashboardQueries(DASHBOARDS["application-performance"]).map((q) => q.expr).join("\n")).toContain("redis_keyspace_hits_total");
  });

  it("rejects an unknown dashboard", async () => {
    await planOf(() => expect(() => new GrafanaDashboards("d", { namespace: "monitoring", dashboards: ["alerts" as never] })).toThrow(/GrafanaDashboards\.dashboards: "alerts" — must be one of system-overview/), { stack: "production" });
  });
});

describe("MonitoringStack", () => {
  it("installs kube-prometheus-stack from a pinned chart into a restricted namespace, wired to the library's rules, Alertmanager Secret and dashboards", async () => {
    const plan = await planOf(() => new MonitoringStack("monitoring", { retention: "15d", storageGiB: 100 }));
    const release = plan.one("kubernetes:helm.sh/v3:Release");
    expect(release.inputs).toMatchObject({ chart: "kube-prometheus-stack", version: "75.8.1", repositoryOpts: { repo: "https://prometheus-community.github.io/helm-charts" }, namespace: "monitoring" });
    const values = release.inputs.values as any;
    expect(values.prometheus.prometheusSpec).toMatchObject({ retention: "15d", ruleSelectorNilUsesHelmValues: false, serviceMonitorSelectorNilUsesHelmValues: false });
    expect(values.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe("100Gi");
    expect(values.alertmanager.alertmanagerSpec).toMatchObject({ useExistingSecret: true, configSecret: "alertmanager-config", replicas: 2 });
    expect(values["kube-state-metrics"].metricLabelsAllowlist).toEqual(["cronjobs=[runbook.dev/backup]"]);
    expect(values.grafana.sidecar.dashboards).toMatchObject({ enabled: true, label: "grafana_dashboard", labelValue: "1" });
    expect(values.grafana.admin.existingSecret).toBe("grafana-admin");
    expect(values.defaultRules.disabled).toEqual({ KubePodCrashLooping: true, KubeHpaMaxedOut: true, KubePersistentVolumeFillingUp: true });

    const namespaces = Object.fromEntries(plan.ofType("kubernetes:core/v1:Namespace").map((n) => [(n.inputs.metadata as any).name, (n.inputs.metadata as any).labels]));
    expect(namespaces.monitoring).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/audit": "restricted", "pod-security.kubernetes.io/warn": "restricted" });
    expect(namespaces["monitoring-node-exporter"]).toMatchObject({ "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/warn": "restricted" });
    expect(plan.one("kubernetes:core/v1:Secret").inputs).toMatchObject({ metadata: { name: "grafana-admin" }, stringData: "[secret]" });
  });

  it.each<[string, object, RegExp]>([
    ["a chart version range", { chartVersion: "^75.0.0" }, /MonitoringStack\.chartVersion: "\^75\.0\.0" — must be an exact chart version/],
    ["retention shorter than the 3-day SLO window", { retention: "2d" }, /MonitoringStack\.retention: "2d" — must be a Prometheus duration of at least "3d"/],
    ["a tiny volume", { storageGiB: 5 }, /MonitoringStack\.storageGiB: 5 — must be an integer from 10/],
  ])("rejects %s", async (_what, args, error) => {
    await planOf(() => expect(() => new MonitoringStack("monitoring", args)).toThrow(error), { stack: "production" });
  });
});

describe("monitoring in the whole program (production stack file, runbook 001)", () => {
  it("installs the stack, the Stock Analysis alerts and SLOs, the Alertmanager Secret and three dashboards; renders the rule files for --out", async () => {
    const file = loadStackFile("runbook-infra", path.join(__dirname, "..", "Pulumi.production.yaml"));
    const plan = await planOf(() => require("../stacks/program").main(), { stack: "production", config: file.config, secretKeys: file.secretKeys });
    expect(plan.ofType("runbook:monitoring:MonitoringStack")).toHaveLength(1);
    const rules = plan.ofType(PROMETHEUS_RULE_TYPE);
    expect(rules.map((r) => (r.inputs.metadata as any).name).sort()).toEqual(["runbook-alerts", "slo-slos"]);
    const alerts = alertsOf(rules.flatMap((r) => specGroups(r.inputs)));
    expect(alerts.find((a) => a.alert === "HighErrorRate")!.expr).toContain('namespace="stock-analysis-system"');
    expect(alerts.some((a) => a.alert === "IntentProcessingStalled")).toBe(false);
    expect(alerts.filter((a) => a.alert === "ErrorBudgetBurn").map((a) => a.labels.slo)).toEqual(["availability", "availability", "latency-p95", "latency-p95", "latency-p99", "latency-p99"]);
    const secret = plan.resources.find((r) => r.type === "kubernetes:core/v1:Secret" && (r.inputs.metadata as any).name === "alertmanager-config")!;
    expect(secret.inputs.stringData).toBe("[secret]");
    expect(plan.ofType("kubernetes:core/v1:ConfigMap").filter((m) => (m.inputs.metadata as any).labels?.grafana_dashboard === "1")).toHaveLength(3);
    expect(plan.outputs).toMatchObject({ monitoringNamespace: "monitoring", alertCount: alerts.filter((a) => a.alert !== "ErrorBudgetBurn").length + 1 });
    // PrometheusRules are registered after the chart that installs their CRD.
    const releaseUrn = plan.one("kubernetes:helm.sh/v3:Release", "monitoring").urn;
    expect(plan.ofType("runbook:monitoring:AlertRules")[0].dependencies).toContain(releaseUrn);
    expect(plan.ofType("runbook:monitoring:SloRules")[0].dependencies).toContain(releaseUrn);

    const files = renderMonitoringFiles(plan.resources);
    expect(files.map((f) => f.path).sort()).toEqual(["alertmanager.yaml", "rules/runbook-alerts.yaml", "rules/slo-slos.yaml"]);
    const rendered = parseYaml(files.find((f) => f.path === "rules/runbook-alerts.yaml")!.content);
    expect(rendered.groups).toEqual(specGroups(rules.find((r) => (r.inputs.metadata as any).name === "runbook-alerts")!.inputs));
  });
});

describe("deployMonitoring (stacks/monitoring.ts)", () => {
  const { deployMonitoring } = require("../stacks/monitoring") as typeof import("../stacks/monitoring");
  const { parseStackConfig } = require("../stacks/config/load") as typeof import("../stacks/config/load");
  const k8s = require("@pulumi/kubernetes") as typeof import("@pulumi/kubernetes");
  const pulumi = require("@pulumi/pulumi") as typeof import("@pulumi/pulumi");
  const configOf = (monitoring: object) =>
    parseStackConfig("staging", {
      "aws:region": "us-east-1",
      "runbook-infra:environment": "staging",
      "runbook-infra:cluster": JSON.stringify({ nodeGroups: [{ name: "general", minSize: 2, maxSize: 6, desiredSize: 3 }] }),
      "runbook-infra:monitoring": JSON.stringify({ runbookUrl: RUNBOOK, slack: { channel: "#alerts" }, email: { to: "ops@company.com", from: "am@company.com", smarthost: "smtp.company.com:587" }, ...monitoring }),
    }, new Set(["runbook-infra:pagerdutyRoutingKey", "runbook-infra:slackWebhookUrl"]));
  const ctxOf = (config: ReturnType<typeof configOf>, secrets: Record<string, string>) => ({
    stack: "staging",
    prefix: "runbook-infra-staging",
    config,
    secrets: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, pulumi.secret(v)])),
    tags: {},
    network: {} as never,
    cluster: { provider: new k8s.Provider("k8s", { kubeconfig: "{}" }) } as never,
  });

  it("names the missing secret when a route needs PagerDuty and no routing key is set", async () => {
    await planOf(
      () => {
        const ctx = ctxOf(configOf({ routing: { critical: { receiver: "pagerduty" } } }), { slackWebhookUrl: "https://hooks.slack.com/x" });
        expect(() => deployMonitoring(ctx)).toThrow(/^staging: runbook-infra:pagerdutyRoutingKey: \(missing\) — must be set with pulumi config set --secret runbook-infra:pagerdutyRoutingKey/);
      },
      { stack: "staging" },
    );
  });

  it("adds rules, Alertmanager config and dashboards to an existing stack without installing one, with its rule labels", async () => {
    const plan = await planOf(
      () => {
        const ctx = ctxOf(configOf({ stack: "existing", namespace: "observability", ruleLabels: { release: "prom" }, routing: { critical: { receiver: "slack" } } }), { slackWebhookUrl: "https://hooks.slack.com/x" });
        ctx.config.application = undefined;
        deployMonitoring(ctx);
        expect((ctx as any).monitoring).toMatchObject({ namespace: "observability", managedStack: false, alertmanagerSecretName: "alertmanager-config", ruleLabels: { release: "prom" } });
      },
      { stack: "staging" },
    );
    expect(plan.ofType("kubernetes:helm.sh/v3:Release")).toHaveLength(0);
    const rule = plan.one(PROMETHEUS_RULE_TYPE);
    expect(rule.inputs.metadata).toMatchObject({ namespace: "observability", labels: { release: "prom" } });
    expect(plan.one("kubernetes:core/v1:Secret").inputs.metadata).toMatchObject({ name: "alertmanager-config", namespace: "observability" });
  });
});

describe("monitoring/README.md", () => {
  it("lists the alert catalogue exactly as the code defines it", () => {
    const { catalogueMarkdown } = require("../monitoring/catalogue-doc") as typeof import("../monitoring/catalogue-doc");
    const readme = require("node:fs").readFileSync(path.join(__dirname, "..", "monitoring", "README.md"), "utf8") as string;
    expect(readme).toContain(catalogueMarkdown());
  });
});
