/**
 * The SLO rules in Sloth's shape: every series Sloth's and Grafana's SLO dashboards read is recorded with
 * the sloth_* labels, and the budget figures are right — checked by promtool's own rule evaluation
 * (`promtool test rules`, Debian package prometheus; skipped locally without it, a failure under CI=true).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { buildSloGroups } from "../monitoring/slo";
import { renderRuleFile } from "../preview/render";
import { isAlertingRule } from "../monitoring/types";

const hasPromtool = spawnSync("sh", ["-c", "command -v promtool"]).status === 0;
const underCi = process.env.CI === "true";

/** The series every Sloth dashboard panel queries (Grafana dashboard 14348 / 14643 and Sloth's docs). */
const SLOTH_SERIES = [
  "slo:sli_error:ratio_rate5m",
  "slo:sli_error:ratio_rate30d",
  "slo:objective:ratio",
  "slo:error_budget:ratio",
  "slo:time_period:days",
  "slo:current_burn_rate:ratio",
  "slo:period_burn_rate:ratio",
  "slo:period_error_budget_remaining:ratio",
  "sloth_slo_info",
];

const groups = buildSloGroups({
  slos: [
    { service: "api", namespace: "shop", availability: 99.9 },
    { service: "web", namespace: "shop", latency: [{ percentile: 95, thresholdSeconds: 0.5 }] },
  ],
  runbookUrl: "https://runbooks.example.com/ops.md",
});

describe("Sloth-compatible SLO series", () => {
  it.each(groups.map((g) => [g.name, g]))("%s records every series Sloth's dashboards read, each with sloth_id, sloth_service and sloth_slo", (_name, group) => {
    const records = group.rules.filter((r) => !isAlertingRule(r)) as Array<{ record: string; labels: Record<string, string> }>;
    expect(records.map((r) => r.record)).toEqual(expect.arrayContaining(SLOTH_SERIES));
    const ids = new Set(records.map((r) => r.labels.sloth_id));
    expect(ids.size).toBe(1);
    for (const r of records) expect(Object.keys(r.labels)).toEqual(expect.arrayContaining(["sloth_id", "sloth_service", "sloth_slo"]));
    for (const r of records.filter((x) => x.record.startsWith("slo:sli_error:"))) expect(r.labels.sloth_window).toBe(r.record.replace("slo:sli_error:ratio_rate", ""));
  });

  it("keeps the alerts' labels stable: the window label is dropped before the two windows are joined", () => {
    const alerts = groups.flatMap((g) => g.rules.filter(isAlertingRule));
    expect(alerts).toHaveLength(4);
    for (const alert of alerts) {
      expect(alert.expr).not.toMatch(/(?<!max without \(sloth_window\) \()slo:sli_error:ratio_rate\w+\{/);
      expect(alert.labels.sloth_severity).toBe(alert.labels.severity === "critical" ? "page" : "ticket");
    }
  });

  it("has promtool available (required under CI)", () => {
    if (underCi) expect(hasPromtool).toBe(true);
  });

  (hasPromtool ? describe : describe.skip)("budget figures (promtool test rules)", () => {
    const dir = mkdtempSync(join(tmpdir(), "slo-sloth-"));
    afterAll(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, "slo.yaml"), renderRuleFile(groups));
    const api = 'service="api", slo="availability", namespace="shop", sloth_id="shop-api-availability", sloth_service="api", sloth_slo="availability"';
    /** good and bad requests per minute of `api` for `minutes` minutes. */
    const requests = (good: number, bad: number, minutes: number) => [
      { series: 'http_requests_total{namespace="shop", service="api", status="200"}', values: `0+${good}x${minutes}` },
      { series: 'http_requests_total{namespace="shop", service="api", status="500"}', values: `0+${bad}x${minutes}` },
    ];
    const figure = (expr: string, value: number, labels = `{${api}}`) => ({ expr, eval_time: "2h", exp_samples: [{ labels, value }] });
    const rounded = (record: string) => `round(${record}{sloth_id="shop-api-availability"}, 0.0001)`;
    // As in Sloth's own output, a burn rate keeps the window label of the SLI it divides.
    const current = `{${api}, sloth_window="5m"}`;
    const period = `{${api}, sloth_window="30d"}`;

    const tests = [
      {
        name: "99.9 % objective, 0.05 % of requests fail: half the budget burns (burn rate 0.5), half remains",
        interval: "1m",
        input_series: requests(1999, 1, 130),
        promql_expr_test: [
          figure('slo:objective:ratio{sloth_id="shop-api-availability"}', 0.999, `slo:objective:ratio{${api}}`),
          figure('slo:error_budget:ratio{sloth_id="shop-api-availability"}', 0.001, `slo:error_budget:ratio{${api}}`),
          figure('slo:time_period:days{sloth_id="shop-api-availability"}', 30, `slo:time_period:days{${api}}`),
          figure(rounded("slo:sli_error:ratio_rate5m"), 0.0005, `{${api}, sloth_window="5m"}`),
          figure(rounded("slo:sli_error:ratio_rate30d"), 0.0005, `{${api}, sloth_window="30d"}`),
          figure(rounded("slo:current_burn_rate:ratio"), 0.5, current),
          figure(rounded("slo:period_burn_rate:ratio"), 0.5, period),
          figure(rounded("slo:period_error_budget_remaining:ratio"), 0.5, period),
          figure('sloth_slo_info{sloth_id="shop-api-availability"}', 1, `sloth_slo_info{${api}, sloth_mode="runbook-infra", sloth_objective="99.9", sloth_spec="prometheus/v1", sloth_version="runbook-infra"}`),
        ],
      },
      {
        name: "0.2 % of requests fail: the budget burns twice as fast as allowed and is overspent (remaining -1)",
        interval: "1m",
        input_series: requests(998, 2, 130),
        promql_expr_test: [figure(rounded("slo:current_burn_rate:ratio"), 2, current), figure(rounded("slo:period_burn_rate:ratio"), 2, period), figure(rounded("slo:period_error_budget_remaining:ratio"), -1, period)],
      },
      {
        name: "a burst of 1 % errors in the first hour only: the current burn is back to 0, the period keeps the spent budget",
        interval: "1m",
        input_series: [
          { series: 'http_requests_total{namespace="shop", service="api", status="200"}', values: "0+990x60 59400+1000x70" },
          { series: 'http_requests_total{namespace="shop", service="api", status="500"}', values: "0+10x60 600+0x70" },
        ],
        promql_expr_test: [
          figure(rounded("slo:current_burn_rate:ratio"), 0, current),
          // Roughly half of the 2 h of 5m ratios saw 1 % errors (burn 10): the period burn is about 5, the budget 4 times overspent.
          figure(`(slo:period_burn_rate:ratio{sloth_id="shop-api-availability"} > bool 4) * (slo:period_burn_rate:ratio{sloth_id="shop-api-availability"} < bool 6)`, 1, period),
          figure(`slo:period_error_budget_remaining:ratio{sloth_id="shop-api-availability"} < bool -3`, 1, period),
        ],
      },
    ];

    it("computes objective, budget, period, current and period burn rates and the remaining budget", () => {
      writeFileSync(join(dir, "slo.test.yaml"), stringify({ rule_files: ["slo.yaml"], evaluation_interval: "1m", tests }, { lineWidth: 0 }));
      const r = spawnSync("promtool", ["test", "rules", "slo.test.yaml"], { cwd: dir, encoding: "utf8" });
      expect(r.status === 0 ? "SUCCESS" : `${r.stdout}${r.stderr}`).toBe("SUCCESS");
    });

    it("fails when a budget figure is wrong (the harness can fail)", () => {
      const wrong = [{ ...tests[0], promql_expr_test: [figure(rounded("slo:period_error_budget_remaining:ratio"), 0.9)] }];
      writeFileSync(join(dir, "wrong.test.yaml"), stringify({ rule_files: ["slo.yaml"], evaluation_interval: "1m", tests: wrong }, { lineWidth: 0 }));
      const r = spawnSync("promtool", ["test", "rules", "wrong.test.yaml"], { cwd: dir, encoding: "utf8" });
      expect(r.status).not.toBe(0);
      expect(`${r.stdout}${r.stderr}`).toMatch(/period_error_budget_remaining/);
    });
  });
});
