/**
 * Proof with Prometheus' and Alertmanager's own tools: the rendered rule files pass `promtool check
 * rules`, every alert fires (with its labels and annotations) and stays silent in `promtool test rules`,
 * the SLO burn-rate alerts page on a fast burn and not within budget, and the rendered alertmanager.yaml
 * passes `amtool check-config` and routes each severity to its receiver.
 *
 * The tools come from Debian (prometheus, prometheus-alertmanager). Without them the tests skip locally;
 * under CI (CI=true) a missing tool fails.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stringify } from "yaml";
import { ALERT_CATALOGUE, ALERT_FAMILIES } from "../monitoring/catalogue";
import { buildAlertGroups, runbookLink } from "../monitoring/rules";
import { buildSloGroups } from "../monitoring/slo";
import { renderRuleFile } from "../preview/render";
import { RUNBOOK_ROUTES, renderAlertmanagerConfig } from "../monitoring/alertmanager";
import { ALERT_CASES, InputSeries, RUNBOOK_URL, WATCHED_NAMESPACE } from "./promtool/cases";
import { loadStackFile } from "../preview/stack-files";
import { parseStackConfig } from "../stacks/config/load";
import { alertmanagerConfigArgs, serviceSlos } from "../stacks/monitoring";
import { alertmanagerSettings } from "../components/alertmanager-config";

const hasTool = (name: string) => spawnSync("sh", ["-c", `command -v ${name}`]).status === 0;
const underCi = process.env.CI === "true";
const tools = { promtool: hasTool("promtool"), amtool: hasTool("amtool") };

function run(tool: string, args: string[], cwd: string) {
  const result = spawnSync(tool, args, { cwd, encoding: "utf8" });
  return { status: result.status, output: `${result.stdout}\n${result.stderr}` };
}

const dir = mkdtempSync(join(tmpdir(), "monitoring-promtool-"));
const write = (name: string, content: string) => {
  writeFileSync(join(dir, name), content);
  return name;
};

const inputSeries = (series: InputSeries[]) => series.map((s) => ({ series: s.series, values: s.values }));

afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("has a firing and a silent case for every alert in the catalogue", () => {
  expect(Object.keys(ALERT_CASES).sort()).toEqual(ALERT_CATALOGUE.map((a) => a.name).sort());
});

describe("tool availability", () => {
  it.each(Object.entries(tools))("%s is installed (required under CI)", (name, present) => {
    if (underCi) expect({ tool: name, present }).toEqual({ tool: name, present: true });
  });
});

const withPromtool = tools.promtool ? describe : describe.skip;
const withAmtool = tools.amtool ? describe : describe.skip;

withPromtool("promtool", () => {
  const groups = buildAlertGroups({ families: ALERT_FAMILIES, namespaces: [WATCHED_NAMESPACE], runbookUrl: RUNBOOK_URL });
  const rulesFile = write("alerts.yaml", renderRuleFile(groups));

  const sloGroups = buildSloGroups({
    slos: [
      { service: "api", namespace: "shop", availability: 99.9 },
      { service: "web", namespace: "shop", latency: [{ percentile: 95, thresholdSeconds: 0.5 }, { percentile: 99, thresholdSeconds: 2 }] },
    ],
    runbookUrl: RUNBOOK_URL,
  });
  const sloFile = write("slo.yaml", renderRuleFile(sloGroups));

  // The default stacks' own rule files, exactly as the components build them from the stack files.
  const stackRuleFiles = ["production", "staging"].map((stack) => {
    const file = loadStackFile("runbook-infra", join(__dirname, "..", `Pulumi.${stack}.yaml`));
    const monitoring = parseStackConfig(stack, file.config, new Set(file.secretKeys)).monitoring!;
    const groups = [
      ...buildAlertGroups({ families: monitoring.families, overrides: monitoring.alerts, namespaces: monitoring.namespaces, runbookUrl: monitoring.runbookUrl }),
      ...buildSloGroups({ slos: serviceSlos(monitoring), runbookUrl: monitoring.runbookUrl }),
    ];
    return write(`${stack}.rules.yaml`, renderRuleFile(groups));
  });

  it("accepts the rendered rule files, the catalogue's and the default stacks' (promtool check rules, with its duplicate-rule lint)", () => {
    const { status, output } = run("promtool", ["check", "rules", rulesFile, sloFile, ...stackRuleFiles], dir);
    expect(output.match(/SUCCESS: \d+ rules found/g)).toHaveLength(4);
    expect({ status, output }).toMatchObject({ status: 0 });
  });

  const alertTests = ALERT_CATALOGUE.flatMap((def) => {
    const cases = ALERT_CASES[def.name];
    const runbook = runbookLink(RUNBOOK_URL, def.procedure);
    return [
      {
        name: `${def.name} fires`,
        interval: "1m",
        input_series: inputSeries(cases.firing.series),
        alert_rule_test: [
          {
            eval_time: cases.firing.at,
            alertname: def.name,
            exp_alerts: cases.firing.alerts.map((a) => ({ exp_labels: a.labels, exp_annotations: { summary: a.summary, description: a.description, runbook_url: runbook } })),
          },
        ],
      },
      {
        name: `${def.name} stays silent`,
        interval: "1m",
        input_series: inputSeries(cases.silent.series),
        alert_rule_test: [{ eval_time: cases.silent.at, alertname: def.name, exp_alerts: [] }],
      },
    ];
  });

  const sloRunbook = runbookLink(RUNBOOK_URL, "service-level-objectives-slos");
  const fastDescription = (objective: string, value: string) =>
    `api misses ${objective} at ${value} bad events, burning the budget at 14.4x over 1h/5m or 6x over 6h/30m; at this rate the 30-day budget is gone within days.`;
  const requests = (errorsPerMinute: number, okPerMinute: number, minutes: number) => [
    { series: 'http_requests_total{namespace="shop", service="api", status="500"}', values: `0+${errorsPerMinute}x${minutes}` },
    { series: 'http_requests_total{namespace="shop", service="api", status="200"}', values: `0+${okPerMinute}x${minutes}` },
  ];
  const sloTests = [
    {
      name: "availability: 5 % errors (50x the 0.1 % budget) pages within minutes",
      interval: "1m",
      input_series: requests(3, 57, 30),
      alert_rule_test: [
        {
          eval_time: "10m",
          alertname: "ErrorBudgetBurn",
          exp_alerts: [
            {
              exp_labels: { severity: "critical", service: "api", slo: "availability", namespace: "shop", sloth_id: "shop-api-availability", sloth_service: "api", sloth_slo: "availability", sloth_severity: "page" },
              exp_annotations: { summary: "api is burning its availability error budget fast", description: fastDescription("99.9% of requests without a 5xx", "5%"), runbook_url: sloRunbook },
            },
          ],
        },
      ],
    },
    {
      name: "availability: 0.4 % errors (4x) opens a ticket but does not page",
      interval: "1m",
      input_series: requests(4, 996, 30),
      alert_rule_test: [
        {
          // The error ratio is the same over every window once traffic is steady, so the 1d/2h pair holds after 15m "for".
          eval_time: "20m",
          alertname: "ErrorBudgetBurn",
          exp_alerts: [
            {
              exp_labels: { severity: "warning", service: "api", slo: "availability", namespace: "shop", sloth_id: "shop-api-availability", sloth_service: "api", sloth_slo: "availability", sloth_severity: "ticket" },
              exp_annotations: {
                summary: "api is burning its availability error budget steadily",
                description:
                  "api misses 99.9% of requests without a 5xx at 0.4% bad events, burning the budget at 3x over 1d/2h or 1x over 3d/6h; the 30-day budget will not last the month.",
                runbook_url: sloRunbook,
              },
            },
          ],
        },
      ],
    },
    {
      name: "availability: 0.05 % errors (within budget) never alerts",
      interval: "1m",
      input_series: requests(1, 1999, 90),
      alert_rule_test: [
        { eval_time: "10m", alertname: "ErrorBudgetBurn", exp_alerts: [] },
        { eval_time: "80m", alertname: "ErrorBudgetBurn", exp_alerts: [] },
      ],
    },
    {
      name: "latency: 80 % slower than 0.5 s and 50 % slower than 2 s page for p95 and p99 (le written as 2.0)",
      interval: "1m",
      input_series: [
        { series: 'http_request_duration_seconds_bucket{namespace="shop", service="web", le="0.5"}', values: "0+12x30" },
        { series: 'http_request_duration_seconds_bucket{namespace="shop", service="web", le="2.0"}', values: "0+30x30" },
        { series: 'http_request_duration_seconds_bucket{namespace="shop", service="web", le="+Inf"}', values: "0+60x30" },
        { series: 'http_request_duration_seconds_count{namespace="shop", service="web"}', values: "0+60x30" },
      ],
      alert_rule_test: [
        {
          eval_time: "10m",
          alertname: "ErrorBudgetBurn",
          exp_alerts: [
            {
              exp_labels: { severity: "critical", service: "web", slo: "latency-p95", namespace: "shop", sloth_id: "shop-web-latency-p95", sloth_service: "web", sloth_slo: "latency-p95", sloth_severity: "page" },
              exp_annotations: {
                summary: "web is burning its latency-p95 error budget fast",
                description: fastDescription("95% of requests faster than 0.5s", "80%").replace(/^api/, "web"),
                runbook_url: sloRunbook,
              },
            },
            {
              exp_labels: { severity: "critical", service: "web", slo: "latency-p99", namespace: "shop", sloth_id: "shop-web-latency-p99", sloth_service: "web", sloth_slo: "latency-p99", sloth_severity: "page" },
              exp_annotations: {
                summary: "web is burning its latency-p99 error budget fast",
                description: fastDescription("99% of requests faster than 2s", "50%").replace(/^api/, "web"),
                runbook_url: sloRunbook,
              },
            },
          ],
        },
      ],
    },
    {
      name: "latency: 3 % slower than 0.5 s and none slower than 2 s stay within budget",
      interval: "1m",
      input_series: [
        { series: 'http_request_duration_seconds_bucket{namespace="shop", service="web", le="0.5"}', values: "0+97x90" },
        { series: 'http_request_duration_seconds_bucket{namespace="shop", service="web", le="2"}', values: "0+100x90" },
        { series: 'http_request_duration_seconds_bucket{namespace="shop", service="web", le="+Inf"}', values: "0+100x90" },
        { series: 'http_request_duration_seconds_count{namespace="shop", service="web"}', values: "0+100x90" },
      ],
      alert_rule_test: [{ eval_time: "80m", alertname: "ErrorBudgetBurn", exp_alerts: [] }],
    },
  ];

  it("fires every alert with its labels and annotations, and keeps each silent below threshold; SLO alerts burn as the SRE workbook says (one promtool run)", () => {
    const alertTestFile = write("alerts.test.yaml", stringify({ rule_files: [rulesFile], evaluation_interval: "1m", tests: alertTests }, { lineWidth: 0 }));
    const sloTestFile = write("slo.test.yaml", stringify({ rule_files: [sloFile], evaluation_interval: "1m", tests: sloTests }, { lineWidth: 0 }));
    const { status, output } = run("promtool", ["test", "rules", alertTestFile, sloTestFile], dir);
    expect(status === 0 ? "exit 0" : output).toBe("exit 0");
    expect(output.match(/SUCCESS/g)).toHaveLength(2);
  });

  it("fails a case whose expectation is wrong (the harness can fail)", () => {
    const wrong = alertTests.find((t) => t.name === "HighErrorRate fires")!;
    const mutated = JSON.parse(JSON.stringify(wrong));
    mutated.alert_rule_test[0].exp_alerts[0].exp_labels.severity = "warning";
    const file = write("wrong.test.yaml", stringify({ rule_files: [rulesFile], evaluation_interval: "1m", tests: [mutated] }, { lineWidth: 0 }));
    const { status, output } = run("promtool", ["test", "rules", file], dir);
    expect(status).not.toBe(0);
    expect(output).toMatch(/alertname: HighErrorRate/);
  });
});

withAmtool("amtool", () => {
  const settings = {
    groupBy: ["alertname", "namespace", "service"],
    inhibitEqual: ["alertname", "service", "namespace"],
    routes: RUNBOOK_ROUTES,
    pagerduty: { routingKey: "placeholder-pagerduty-routing-key" },
    slack: { apiUrl: "https://hooks.slack.com/services/T00000000/B00000000/placeholder", channel: "#production-alerts" },
    email: { to: "ops@company.com", from: "alertmanager@company.com", smarthost: "smtp.company.com:587", authUsername: "alertmanager", authPassword: "placeholder", requireTls: true },
  };
  const file = write("alertmanager.yaml", renderAlertmanagerConfig(settings));

  it("accepts the rendered alertmanager.yaml (amtool check-config)", () => {
    const { status, output } = run("amtool", ["check-config", file], dir);
    expect(output).toMatch(/SUCCESS/);
    expect({ status, output }).toMatchObject({ status: 0 });
  });

  it("accepts the default stacks' alertmanager.yaml, with placeholders for their secret keys and webhooks (amtool check-config)", () => {
    const placeholders = { pagerdutyRoutingKey: "placeholder-key", slackWebhookUrl: "https://hooks.slack.com/services/T0/B0/placeholder", smtpPassword: "placeholder" };
    const files = ["production", "staging"].map((stack) => {
      const file = loadStackFile("runbook-infra", join(__dirname, "..", `Pulumi.${stack}.yaml`));
      const monitoring = parseStackConfig(stack, file.config, new Set(file.secretKeys)).monitoring!;
      return write(`${stack}.alertmanager.yaml`, renderAlertmanagerConfig(alertmanagerSettings(alertmanagerConfigArgs(monitoring, placeholders), placeholders)));
    });
    const { status, output } = run("amtool", ["check-config", ...files], dir);
    expect(output.match(/SUCCESS/g)).toHaveLength(2);
    expect({ status, output }).toMatchObject({ status: 0 });
    const staging = run("amtool", ["config", "routes", "test", `--config.file=${files[1]}`, "severity=critical", "alertname=DatabaseDown"], dir);
    expect(staging.output.trim().split("\n")[0]).toBe("slack");
  });

  it.each([
    ["critical", "pagerduty"],
    ["warning", "slack"],
    ["info", "email"],
  ])("routes %s alerts to %s", (severity, receiver) => {
    const { status, output } = run("amtool", ["config", "routes", "test", `--config.file=${file}`, `severity=${severity}`, "alertname=HighErrorRate", "service=api"], dir);
    expect(status).toBe(0);
    expect(output.trim().split("\n")[0]).toBe(receiver);
  });

  it("drops kube-prometheus-stack's Watchdog heartbeat instead of paging", () => {
    const { output } = run("amtool", ["config", "routes", "test", `--config.file=${file}`, "alertname=Watchdog", "severity=none"], dir);
    expect(output.trim().split("\n")[0]).toBe("null");
  });
});
