/**
 * The Alertmanager routing is reviewable although its Secret is "[secret]": the plan carries the same
 * configuration with placeholder credentials (component input `routing`, `reports.alertmanager`), and
 * `npm run preview -- --stack production --out <dir>` writes it as `alertmanager.yaml`, which
 * `amtool check-config` accepts and `amtool config routes test` routes as runbook 002 says.
 * amtool comes from Debian (prometheus-alertmanager); without it the amtool checks skip locally and fail under CI=true.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { planOf } from "./support/plan";
import { AlertmanagerConfig } from "../components/alertmanager-config";
import { PLACEHOLDER_CREDENTIALS, routingSummary } from "../monitoring/alertmanager";
import { ALERTMANAGER_CONFIG_TYPE, renderMonitoringFiles } from "../preview/render";

const root = path.join(__dirname, "..");
const hasAmtool = spawnSync("sh", ["-c", "command -v amtool"]).status === 0;
const underCi = process.env.CI === "true";

describe("AlertmanagerConfig in the plan", () => {
  const args = {
    namespace: "monitoring",
    pagerdutyRoutingKey: "pd-REAL-routing-key",
    slack: { channel: "#production-alerts", webhookUrl: "https://hooks.slack.com/services/T1/B2/REALHOOK" },
    email: { to: "ops@company.com", from: "alertmanager@stockanalysis.com", smarthost: "smtp.stockanalysis.com:587", authUsername: "alertmanager", authPassword: "REAL-smtp-pass" },
  };

  it("shows the routing with placeholders naming each secret, and never a credential", async () => {
    const plan = await planOf(() => new AlertmanagerConfig("alertmanager", args));
    const component = plan.one(ALERTMANAGER_CONFIG_TYPE);
    const routing = component.inputs.routing as string;
    const text = JSON.stringify(plan.resources);
    for (const real of ["pd-REAL-routing-key", "REALHOOK", "REAL-smtp-pass"]) expect(text).not.toContain(real);
    const config = parse(routing);
    expect(config.receivers.find((r: any) => r.name === "pagerduty").pagerduty_configs[0].routing_key).toBe(PLACEHOLDER_CREDENTIALS.pagerdutyRoutingKey);
    expect(config.receivers.find((r: any) => r.name === "slack").slack_configs[0]).toMatchObject({ api_url: PLACEHOLDER_CREDENTIALS.slackWebhookUrl, channel: "#production-alerts" });
    expect(config.receivers.find((r: any) => r.name === "email").email_configs[0]).toMatchObject({ auth_password: PLACEHOLDER_CREDENTIALS.smtpPassword, to: "ops@company.com" });
    // The deployed Secret stays secret.
    expect(plan.one("kubernetes:core/v1:Secret").inputs.stringData).toBe("[secret]");
  });

  it("leaves the SMTP password out of the shown file when the stack sets none", async () => {
    const plan = await planOf(() => new AlertmanagerConfig("alertmanager", { ...args, email: { ...args.email, authPassword: undefined } }));
    const config = parse(plan.one(ALERTMANAGER_CONFIG_TYPE).inputs.routing as string);
    expect(config.receivers.find((r: any) => r.name === "email").email_configs[0].auth_password).toBeUndefined();
  });

  it("writes the file under --out and summarises the tree in one line per route", async () => {
    const plan = await planOf(() => new AlertmanagerConfig("alertmanager", args));
    const file = renderMonitoringFiles(plan.resources).find((f) => f.path === "alertmanager.yaml");
    expect(file?.content).toBe(plan.one(ALERTMANAGER_CONFIG_TYPE).inputs.routing);
    const summary = routingSummary(file!.content);
    expect(summary).toMatch(/severity="critical"\s+→ pagerduty\s+wait 10s, group 30s, repeat 5m/);
    expect(summary).toMatch(/severity="warning"\s+→ slack\s+wait 30s, group 5m, repeat 30m/);
    expect(summary).toMatch(/severity="info"\s+→ email\s+wait 1m, group 15m, repeat 24h/);
  });
});

describe("npm run preview -- --stack production --out <dir>", () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "am-routing-"));
  const planFile = path.join(out, "plan.json");
  let plan: any;
  let file = "";
  beforeAll(() => {
    execFileSync(process.execPath, ["scripts/transpile.mjs"], { cwd: root });
    const run = spawnSync(process.execPath, [path.join(root, ".build/preview/cli.js"), "--stack", "production", "--out", out, "--json", planFile, "--quiet"], { cwd: root, encoding: "utf8" });
    if (run.status !== 0) throw new Error(`preview exited ${run.status}: ${run.stderr}`);
    plan = JSON.parse(fs.readFileSync(planFile, "utf8"));
    file = path.join(out, "alertmanager.yaml");
  });
  afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

  it("writes alertmanager.yaml, the same text as the plan's alertmanager report", () => {
    expect(fs.existsSync(file)).toBe(true);
    expect(plan.reports.alertmanager).toEqual([{ component: "alertmanager", namespace: "monitoring", config: fs.readFileSync(file, "utf8") }]);
  });

  it("uses the runbook's intervals: critical 30s/5m, warning 5m/30m, info 15m/24h", () => {
    const routes = parse(fs.readFileSync(file, "utf8")).route.routes;
    const of = (severity: string) => routes.find((r: any) => r.matchers.includes(`severity="${severity}"`));
    expect(of("critical")).toMatchObject({ receiver: "pagerduty", group_interval: "30s", repeat_interval: "5m" });
    expect(of("warning")).toMatchObject({ receiver: "slack", group_interval: "5m", repeat_interval: "30m" });
    expect(of("info")).toMatchObject({ receiver: "email", group_interval: "15m", repeat_interval: "24h" });
  });

  it("has amtool available (required under CI)", () => {
    if (underCi) expect(hasAmtool).toBe(true);
  });

  (hasAmtool ? it : it.skip)("passes amtool check-config", () => {
    const r = spawnSync("amtool", ["check-config", file], { encoding: "utf8" });
    expect(r.stdout).toMatch(/SUCCESS/);
    expect(r.status).toBe(0);
  });

  (hasAmtool ? it.each : it.skip.each)([
    ["critical", "DatabaseDown", "pagerduty"],
    ["warning", "DatabaseConnectionsHigh", "slack"],
    ["info", "LowTradingVolume", "email"],
  ])("routes severity=%s (%s) to %s (amtool config routes test)", (severity, alertname, receiver) => {
    const r = spawnSync("amtool", ["config", "routes", "test", `--config.file=${file}`, `--verify.receivers=${receiver}`, `severity=${severity}`, `alertname=${alertname}`, "namespace=stock-analysis-system"], { encoding: "utf8" });
    expect(r.stdout.trim()).toBe(receiver);
    expect(r.status).toBe(0);
  });

  (hasAmtool ? it : it.skip)("fails the route test when a severity would reach the wrong receiver (the check can fail)", () => {
    const r = spawnSync("amtool", ["config", "routes", "test", `--config.file=${file}`, "--verify.receivers=slack", "severity=critical", "alertname=DatabaseDown"], { encoding: "utf8" });
    expect(r.status).not.toBe(0);
  });
});
