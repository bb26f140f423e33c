import * as path from "node:path";
import { parseStackConfig } from "../stacks/config/load";
import type { StackConfig } from "../stacks/config/schema";
import { loadStackFile } from "../preview/stack-files";
import { serviceSlos } from "../stacks/monitoring";

const CLUSTER = { nodeGroups: [{ name: "general", instanceTypes: ["m5.xlarge"], minSize: 2, maxSize: 6, desiredSize: 3 }] };
const BASE = {
  runbookUrl: "https://runbooks.stockanalysis.com/operations.md",
  namespaces: ["stock-analysis-system"],
  slack: { channel: "#alerts" },
  email: { to: "ops@company.com", from: "alertmanager@company.com", smarthost: "smtp.company.com:587" },
};

function parse(monitoring: unknown, environment = "staging"): StackConfig {
  return parseStackConfig(environment, {
    "aws:region": "us-east-1",
    "runbook-infra:environment": environment,
    "runbook-infra:cluster": JSON.stringify(CLUSTER),
    "runbook-infra:monitoring": JSON.stringify(monitoring),
  }, new Set(["runbook-infra:pagerdutyRoutingKey", "runbook-infra:slackWebhookUrl"]));
}

const withBase = (change: Record<string, unknown>) => ({ ...BASE, ...change });

describe("monitoring config: the default stacks", () => {
  it("gives production (Stock Analysis) PagerDuty/Slack/email routing, its own thresholds and no trading alerts", () => {
    const file = loadStackFile("runbook-infra", path.join(__dirname, "..", "Pulumi.production.yaml"));
    const monitoring = parseStackConfig("production", file.config, new Set(file.secretKeys)).monitoring!;
    expect(monitoring.families).not.toContain("trading");
    expect(monitoring.alerts.HighMemoryUsage).toEqual({ threshold: 0.9 });
    expect(monitoring.routing.critical).toEqual({ receiver: "pagerduty", groupWait: "10s", groupInterval: "30s", repeatInterval: "5m" });
    expect(monitoring.routing.warning).toMatchObject({ receiver: "slack", groupInterval: "5m", repeatInterval: "30m" });
    expect(monitoring.routing.info).toMatchObject({ receiver: "email", groupInterval: "15m", repeatInterval: "24h" });
    expect(serviceSlos(monitoring)).toEqual([
      { service: "stock-analysis-api", namespace: "stock-analysis-system", availability: 99.9, latency: [{ percentile: 95, thresholdSeconds: 0.5 }, { percentile: 99, thresholdSeconds: 2 }] },
    ]);
    expect(file.secretKeys).toEqual(expect.arrayContaining(["runbook-infra:pagerdutyRoutingKey", "runbook-infra:slackWebhookUrl"]));
  });

  it("sends staging's critical alerts to Slack instead of paging", () => {
    const file = loadStackFile("runbook-infra", path.join(__dirname, "..", "Pulumi.staging.yaml"));
    const monitoring = parseStackConfig("staging", file.config, new Set(file.secretKeys)).monitoring!;
    expect(monitoring.routing.critical).toMatchObject({ receiver: "slack", repeatInterval: "1h" });
    expect(monitoring.retention).toBe("7d");
  });

  it("fills the runbooks' defaults: SLO 99.9 % / p95 0.5 s / p99 2 s, kube-prometheus-stack pinned, 001's alert families", () => {
    const monitoring = parse(BASE).monitoring!;
    expect(monitoring).toMatchObject({ stack: "managed", namespace: "monitoring", chartVersion: "75.8.1", alertmanagerSecretName: "alertmanager-config" });
    expect(monitoring.slo.defaults).toEqual({ availability: 99.9, latency: [{ percentile: 95, thresholdSeconds: 0.5 }, { percentile: 99, thresholdSeconds: 2 }] });
    expect(monitoring.families).toEqual(["availability", "database", "cache", "resources", "security", "backups", "certificates", "kubernetes"]);
  });

  it("lets a service set its own SLO (runbook 004: payment 99.99 %)", () => {
    const monitoring = parse(withBase({ slo: { services: [{ name: "payment", availability: 99.99 }, { name: "content", availability: 99.5, latency: [{ percentile: 95, thresholdSeconds: 0.3 }] }] } })).monitoring!;
    expect(serviceSlos(monitoring).map((s) => [s.service, s.availability, s.latency?.[0].thresholdSeconds])).toEqual([
      ["payment", 99.99, 0.5],
      ["content", 99.5, 0.3],
    ]);
  });
});

describe("monitoring config: rejected values, each with an accepted counterpart", () => {
  it.each<[string, Record<string, unknown>, RegExp, Record<string, unknown>]>([
    ["an alert name with a typo", { alerts: { HighErorRate: { threshold: 0.1 } } }, /^staging: runbook-infra:monitoring\.alerts\.HighErorRate: .* — unknown key; allowed keys here: ServiceDown, HighErrorRate/, { alerts: { HighErrorRate: { threshold: 0.1 } } }],
    ["a threshold out of the alert's range", { alerts: { HighErrorRate: { threshold: 5 } } }, /monitoring\.alerts\.HighErrorRate\.threshold: 5 — must be a number from 0\.0001 to 1/, { alerts: { HighErrorRate: { threshold: 0.5 } } }],
    ["a threshold on an alert that has none", { alerts: { ServiceDown: { threshold: 1 } } }, /monitoring\.alerts\.ServiceDown\.threshold: 1 — ServiceDown has no threshold/, { alerts: { ServiceDown: { for: "2m" } } }],
    ["a for that is not a duration", { alerts: { DatabaseDown: { for: "1 minute" } } }, /monitoring\.alerts\.DatabaseDown\.for: "1 minute" — must be a Prometheus duration/, { alerts: { DatabaseDown: { for: "1m" } } }],
    ["a procedure link that is not https", { alerts: { RedisDown: { runbookUrl: "wiki/redis" } } }, /monitoring\.alerts\.RedisDown\.runbookUrl: "wiki\/redis" — must be an https URL of the procedure/, { alerts: { RedisDown: { runbookUrl: "https://wiki.example.com/redis#down" } } }],
    ["a severity outside critical/warning/info", { alerts: { DiskSpaceLow: { severity: "page" } } }, /monitoring\.alerts\.DiskSpaceLow\.severity: "page" — must be one of critical, warning, info/, { alerts: { DiskSpaceLow: { severity: "critical" } } }],
    ["an unknown alert family", { families: ["availability", "blockchain"] }, /monitoring\.families\[1\]: "blockchain" — must be one of availability, database/, { families: ["availability", "trading"] }],
    ["a family listed twice", { families: ["availability", "availability"] }, /monitoring\.families: .* — must not list a family twice/, { families: ["availability"] }],
    ["repeat faster than the group interval", { routing: { info: { repeatInterval: "10m" } } }, /monitoring\.routing\.info\.repeatInterval: "10m" — must not be shorter than groupInterval \(15m\)/, { routing: { info: { repeatInterval: "12h" } } }],
    ["a zero group interval", { routing: { warning: { groupInterval: "0s" } } }, /monitoring\.routing\.warning\.groupInterval: "0s" — must be a non-zero duration/, { routing: { warning: { groupInterval: "1m" } } }],
    ["an unknown receiver", { routing: { info: { receiver: "sms" } } }, /monitoring\.routing\.info\.receiver: "sms" — must be one of pagerduty, slack, email/, { routing: { info: { receiver: "slack" } } }],
    ["a Slack route without a Slack channel", { slack: undefined }, /monitoring\.routing\.warning\.receiver: "slack" — needs monitoring\.slack/, { slack: { channel: "#ops" } }],
    ["an email route without email settings", { email: undefined }, /monitoring\.routing\.info\.receiver: "email" — needs monitoring\.email/, { email: undefined, routing: { info: { receiver: "slack" } } }],
    ["inhibition that ignores the alert name", { routing: { inhibitEqual: ["service"] } }, /monitoring\.routing\.inhibitEqual: \["service"\] — must include alertname/, { routing: { inhibitEqual: ["alertname", "service"] } }],
    ["an availability target that can never page", { slo: { services: [{ name: "api", availability: 90 }] } }, /monitoring\.slo\.services\[0\]\.availability: 90 — must be a number from 93\.1 to 99\.999/, { slo: { services: [{ name: "api", availability: 99 }] } }],
    ["a p50 latency objective", { slo: { defaults: { latency: [{ percentile: 50, thresholdSeconds: 1 }] } } }, /monitoring\.slo\.defaults\.latency\[0\]\.percentile: 50 — must be a number from 93\.1/, { slo: { defaults: { latency: [{ percentile: 99.9, thresholdSeconds: 1 }] } } }],
    ["the same SLO service twice", { slo: { services: [{ name: "api" }, { name: "api" }] } }, /monitoring\.slo\.services\[1\]\.name: "api" — must be unique per namespace/, { slo: { services: [{ name: "api" }, { name: "api", namespace: "other" }] } }],
    ["retention shorter than the 3-day SLO window", { retention: "2d", slo: { services: [{ name: "api" }] } }, /monitoring\.retention: "2d" — must be at least 3d/, { retention: "3d", slo: { services: [{ name: "api" }] } }],
    ["a chart version range", { chartVersion: "75.x" }, /monitoring\.chartVersion: "75\.x" — must be an exact chart version/, { chartVersion: "75.8.1" }],
    ["an http runbook URL", { runbookUrl: "http://wiki/ops" }, /monitoring\.runbookUrl: "http:\/\/wiki\/ops" — must be an https URL/, { runbookUrl: "https://wiki.example.com/ops" }],
    ["a rule label key Kubernetes rejects", { ruleLabels: { "release label": "x" } }, /monitoring\.ruleLabels: \{"release label":"x"\} — keys must be Kubernetes label keys/, { ruleLabels: { release: "kube-prometheus-stack", "app.kubernetes.io/part-of": "x" } }],
    ["a Slack channel with spaces", { slack: { channel: "prod alerts" } }, /monitoring\.slack\.channel: "prod alerts" — must be a Slack channel/, { slack: { channel: "#prod-alerts" } }],
    ["an unknown dashboard", { dashboards: ["alerts"] }, /monitoring\.dashboards\[0\]: "alerts" — must be one of system-overview/, { dashboards: ["business-metrics"] }],
  ])("rejects %s", (_what, bad, error, good) => {
    expect(() => parse(withBase(bad))).toThrow(error);
    expect(parse(withBase(good)).monitoring).toBeDefined();
  });

  it("requires PagerDuty for critical alerts in production, and allows Slack elsewhere", () => {
    const slackCritical = withBase({ routing: { critical: { receiver: "slack" } } });
    expect(() => parse(slackCritical, "production")).toThrow(/^production: runbook-infra:monitoring\.routing\.critical\.receiver: "slack" — must be pagerduty in production/);
    expect(parse(slackCritical, "staging").monitoring!.routing.critical.receiver).toBe("slack");
  });

  it("requires a runbook URL (every alert links to its procedure)", () => {
    const { runbookUrl: _omit, ...noUrl } = BASE;
    expect(() => parse(noUrl)).toThrow(/monitoring\.runbookUrl: \(missing\) — must be an https URL/);
  });
});

describe("monitoring config: credentials", () => {
  it("rejects a PagerDuty key in plaintext, and accepts it as a secret", () => {
    const raw = { "aws:region": "us-east-1", "runbook-infra:environment": "staging", "runbook-infra:cluster": JSON.stringify(CLUSTER), "runbook-infra:smtpPassword": "hunter2" };
    expect(() => parseStackConfig("staging", raw)).toThrow(/runbook-infra:smtpPassword: "\(plaintext\)" — must be set as a secret/);
    expect(parseStackConfig("staging", raw, new Set(["runbook-infra:smtpPassword"]))).toBeDefined();
  });

  it("rejects a route to PagerDuty without its routing key before any resource exists, and accepts it with the key", () => {
    const raw = { "aws:region": "us-east-1", "runbook-infra:environment": "staging", "runbook-infra:cluster": JSON.stringify(CLUSTER), "runbook-infra:monitoring": JSON.stringify(BASE) };
    expect(() => parseStackConfig("staging", raw, new Set(["runbook-infra:slackWebhookUrl"]))).toThrow(
      /^staging: runbook-infra:pagerdutyRoutingKey: \(missing\) — must be set with pulumi config set --secret runbook-infra:pagerdutyRoutingKey: monitoring.routing sends alerts to pagerduty$/,
    );
    expect(parseStackConfig("staging", raw, new Set(["runbook-infra:slackWebhookUrl", "runbook-infra:pagerdutyRoutingKey"])).monitoring).toBeDefined();
  });
});
