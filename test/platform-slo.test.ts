/**
 * Runbook 004 4.14 "Platform SLOs: 99.9 % availability, p95 < 500 ms, error rate < 0.1 %": one objective
 * over every service's requests together, beside the per-service ones, with the same burn-rate alerts.
 * Proven with promtool (required under CI, skipped locally without it, like the other rule tests).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { buildSloGroups } from "../monitoring/slo";
import { runbookLink } from "../monitoring/rules";
import { isAlertingRule } from "../monitoring/types";
import { renderRuleFile } from "../preview/render";
import { serviceSlos } from "../stacks/monitoring";
import { parseStackConfig } from "../stacks/config/load";
import { loadStackFile } from "../preview/stack-files";

const RUNBOOK_URL = "https://runbooks.example.com/operations.md";
const SUUUPRA = join(__dirname, "..", "examples", "suuupra", "Pulumi.production.yaml");

function suuupraMonitoring(edit: (monitoring: any) => void = () => {}) {
  const file = loadStackFile("runbook-infra", SUUUPRA);
  const raw = { ...file.config };
  const monitoring = JSON.parse(raw["runbook-infra:monitoring"]);
  edit(monitoring);
  raw["runbook-infra:monitoring"] = JSON.stringify(monitoring);
  return parseStackConfig(file.stack, raw, new Set(file.secretKeys)).monitoring!;
}

describe("the platform objective (monitoring.slo.platform)", () => {
  it("adds one objective over every service in the watched namespaces to Suuupra's per-service ones", () => {
    const monitoring = suuupraMonitoring();
    const slos = serviceSlos(monitoring);
    const platform = slos.find((s) => s.service === "platform")!;
    expect(platform).toEqual({ service: "platform", aggregate: { namespaces: monitoring.namespaces }, availability: 99.9, latency: [{ percentile: 95, thresholdSeconds: 0.5 }] });
    expect(slos.filter((s) => !s.aggregate).map((s) => s.service)).toEqual(expect.arrayContaining(["api-gateway", "identity-service", "payment-service"]));
  });

  it("counts all services' requests together (no service matcher) and alerts on its burn rate like a service", () => {
    const groups = buildSloGroups({ slos: [{ service: "platform", aggregate: { namespaces: ["shop", "shop-api"] }, availability: 99.9, latency: [{ percentile: 95, thresholdSeconds: 0.5 }] }], runbookUrl: RUNBOOK_URL });
    expect(groups.map((g) => g.name)).toEqual(["slo-platform-availability", "slo-platform-latency-p95"]);
    const availability = groups[0].rules;
    const sli5m = availability.find((r) => !isAlertingRule(r) && r.record === "slo:sli_error:ratio_rate5m" && r.labels?.sloth_window === "5m")!;
    expect(sli5m.expr).toBe('sum(rate(http_requests_total{namespace=~"shop|shop-api", status=~"5.."}[5m]))\n  / sum(rate(http_requests_total{namespace=~"shop|shop-api"}[5m]))');
    expect(sli5m.expr).not.toContain("service=");
    const alerts = availability.filter(isAlertingRule);
    expect(alerts.map((a) => [a.alert, a.labels.severity, a.labels.service, a.labels.sloth_severity])).toEqual([
      ["ErrorBudgetBurn", "critical", "platform", "page"],
      ["ErrorBudgetBurn", "warning", "platform", "ticket"],
    ]);
    expect(alerts[0].expr).toContain("> 0.0144"); // 14.4 × the 0.1 % budget
  });

  it("rejects a platform name that is also a service's, and accepts another", () => {
    expect(() => suuupraMonitoring((m) => (m.slo.platform.name = "api-gateway"))).toThrow(/^production: runbook-infra:monitoring.slo.platform.name: "api-gateway" — must differ from every slo.services\[\].name/);
    expect(() => suuupraMonitoring((m) => (m.slo.platform.name = "suuupra"))).not.toThrow();
  });
});

const hasPromtool = spawnSync("sh", ["-c", "command -v promtool"]).status === 0;
const underCi = process.env.CI === "true";

describe("promtool: the platform pages when the whole platform burns, not for one small service's outage", () => {
  it("has promtool (required under CI)", () => {
    if (underCi) expect(hasPromtool).toBe(true);
  });

  (hasPromtool ? it : it.skip)("pages for the platform when a service's outage is 2 % of all requests, and only for that service at 0.5 %", () => {
    const dir = mkdtempSync(join(tmpdir(), "platform-slo-"));
    try {
      const groups = buildSloGroups({
        slos: [
          { service: "search", namespace: "shop", availability: 99.9 },
          { service: "platform", aggregate: { namespaces: ["shop"] }, availability: 99.9 },
        ],
        runbookUrl: RUNBOOK_URL,
      });
      writeFileSync(join(dir, "slo.yaml"), renderRuleFile(groups));
      const traffic = (searchErrors: number, apiOk: number) => [
        { series: 'http_requests_total{namespace="shop", service="search", status="500"}', values: `0+${searchErrors}x30` },
        { series: 'http_requests_total{namespace="shop", service="search", status="200"}', values: "0+0x30" },
        { series: 'http_requests_total{namespace="shop", service="api", status="200"}', values: `0+${apiOk}x30` },
      ];
      const runbook = runbookLink(RUNBOOK_URL, "service-level-objectives-slos");
      const page = (service: string, value: string, namespace?: string) => ({
        exp_labels: { severity: "critical", service, slo: "availability", ...(namespace ? { namespace } : {}), sloth_id: [namespace, service, "availability"].filter(Boolean).join("-"), sloth_service: service, sloth_slo: "availability", sloth_severity: "page" },
        exp_annotations: {
          summary: `${service} is burning its availability error budget fast`,
          description: `${service} misses 99.9% of requests without a 5xx at ${value} bad events, burning the budget at 14.4x over 1h/5m or 6x over 6h/30m; at this rate the 30-day budget is gone within days.`,
          runbook_url: runbook,
        },
      });
      const tests = [
        {
          name: "search down, 2 % of all traffic: search and the platform page",
          interval: "1m",
          input_series: traffic(20, 980),
          alert_rule_test: [{ eval_time: "10m", alertname: "ErrorBudgetBurn", exp_alerts: [page("search", "100%", "shop"), page("platform", "2%")] }],
        },
        {
          name: "search down, 0.5 % of all traffic: only search pages; the platform is within its page thresholds",
          interval: "1m",
          input_series: traffic(5, 995),
          alert_rule_test: [{ eval_time: "10m", alertname: "ErrorBudgetBurn", exp_alerts: [page("search", "100%", "shop")] }],
        },
      ];
      writeFileSync(join(dir, "slo.test.yaml"), stringify({ rule_files: ["slo.yaml"], evaluation_interval: "1m", tests }, { lineWidth: 0 }));
      const check = spawnSync("promtool", ["check", "rules", "slo.yaml"], { cwd: dir, encoding: "utf8" });
      expect({ status: check.status, output: check.stdout + check.stderr }).toMatchObject({ status: 0 });
      const result = spawnSync("promtool", ["test", "rules", "slo.test.yaml"], { cwd: dir, encoding: "utf8" });
      expect({ status: result.status, output: result.stdout + result.stderr }).toMatchObject({ status: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
