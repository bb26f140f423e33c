/**
 * Runbook 004 4.20 "Standard changes Tuesday/Thursday 2-4 PM EST": windows in an IANA zone (daylight
 * saving included), validated in config, enforced by the production deploy workflow's gate, and
 * reported by the preview.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { ChangeWindows, currentWindow, isIanaTimeZone, nextWindow } from "../core/change-windows";
import { gate } from "../scripts/change-window";
import { parseStackConfig } from "../stacks/config/load";
import { loadStackFile } from "../preview/stack-files";

const ROOT = path.join(__dirname, "..");
const SUUUPRA = "examples/suuupra/Pulumi.production.yaml";
const RUNBOOK: ChangeWindows = { timeZone: "America/New_York", windows: [{ days: ["tue", "thu"], start: "14:00", end: "16:00" }] };
const at = (iso: string) => new Date(iso);

describe("change windows in America/New_York (core/change-windows)", () => {
  it("opens Tuesday 14:00 New York time = 19:00 UTC in winter (EST, UTC-5)", () => {
    expect(currentWindow(at("2026-12-01T18:59:00Z"), RUNBOOK)).toBeUndefined();
    expect(currentWindow(at("2026-12-01T19:00:00Z"), RUNBOOK)).toMatchObject({ startLocal: "2026-12-01T14:00:00-05:00", endLocal: "2026-12-01T16:00:00-05:00" });
    expect(currentWindow(at("2026-12-01T20:59:59Z"), RUNBOOK)).toBeDefined();
    expect(currentWindow(at("2026-12-01T21:00:00Z"), RUNBOOK)).toBeUndefined();
  });

  it("opens at 18:00 UTC in summer (EDT, UTC-4): the window follows the office clock, not a fixed UTC hour", () => {
    expect(currentWindow(at("2026-07-07T18:00:00Z"), RUNBOOK)).toMatchObject({ startLocal: "2026-07-07T14:00:00-04:00" });
    expect(currentWindow(at("2026-07-07T20:30:00Z"), RUNBOOK)).toBeUndefined(); // 16:30 EDT
  });

  it("moves with the clock in the week daylight saving starts and ends", () => {
    // DST starts Sunday 2026-03-08: Tuesday's window is already at 18:00 UTC.
    expect(nextWindow(at("2026-03-07T12:00:00Z"), RUNBOOK)!.start.toISOString()).toBe("2026-03-10T18:00:00.000Z");
    // DST ends Sunday 2026-11-01: Thursday 2026-10-29 is still 18:00 UTC, Tuesday 2026-11-03 is 19:00 UTC.
    expect(nextWindow(at("2026-10-29T12:00:00Z"), RUNBOOK)!.start.toISOString()).toBe("2026-10-29T18:00:00.000Z");
    expect(nextWindow(at("2026-10-30T12:00:00Z"), RUNBOOK)!.start.toISOString()).toBe("2026-11-03T19:00:00.000Z");
  });

  it("names the next window from any moment of the week: Thursday after Tuesday, Tuesday after the weekend", () => {
    expect(nextWindow(at("2026-12-01T21:00:00Z"), RUNBOOK)!.startLocal).toBe("2026-12-03T14:00:00-05:00");
    expect(nextWindow(at("2026-12-05T12:00:00Z"), RUNBOOK)!.startLocal).toBe("2026-12-08T14:00:00-05:00");
    // While a window is open, the next window is the open one.
    expect(nextWindow(at("2026-12-03T19:30:00Z"), RUNBOOK)!.startLocal).toBe("2026-12-03T14:00:00-05:00");
  });

  it("accepts IANA zone names and refuses abbreviations and fixed offsets", () => {
    for (const zone of ["America/New_York", "Europe/Berlin", "America/Argentina/Buenos_Aires", "UTC", "Etc/UTC"]) expect(isIanaTimeZone(zone)).toBe(true);
    for (const zone of ["EST", "EDT", "-05:00", "UTC-5", "America/Nowhere", ""]) expect(isIanaTimeZone(zone)).toBe(false);
  });
});

type Edit = (windows: any) => void;

function parseWith(edit: Edit): string {
  const file = loadStackFile("runbook-infra", path.join(ROOT, SUUUPRA));
  const raw = { ...file.config };
  const windows = JSON.parse(raw["runbook-infra:changeWindows"]);
  edit(windows);
  raw["runbook-infra:changeWindows"] = JSON.stringify(windows);
  try {
    parseStackConfig(file.stack, raw, new Set(file.secretKeys));
    return "(accepted)";
  } catch (error) {
    expect((error as Error).name).toBe("ConfigError");
    expect((error as Error).message).not.toContain("\n");
    return (error as Error).message;
  }
}

describe("changeWindows config", () => {
  it.each<[string, Edit, RegExp, Edit]>([
    ["a time zone abbreviation", (w) => (w.timeZone = "EST"), /^production: runbook-infra:changeWindows.timeZone: "EST" — must be an IANA time zone name such as "America\/New_York"/, (w) => (w.timeZone = "America/New_York")],
    ["an unknown zone", (w) => (w.timeZone = "America/Gotham"), /changeWindows.timeZone: "America\/Gotham" — must be an IANA time zone name/, (w) => (w.timeZone = "America/Chicago")],
    ["a clock time without a leading zero", (w) => (w.windows[0].start = "2:00"), /changeWindows.windows\[0\].start: "2:00" — must be a 24-hour local time "HH:MM"/, (w) => (w.windows[0].start = "02:00")],
    ["an end before the start", (w) => Object.assign(w.windows[0], { start: "16:00", end: "14:00" }), /changeWindows.windows\[0\].end: "14:00" — must be at least 30 minutes after start \(16:00\)/, (w) => Object.assign(w.windows[0], { start: "14:00", end: "16:00" })],
    ["a day named twice", (w) => (w.windows[0].days = ["tue", "tue"]), /changeWindows.windows\[0\].days: \["tue","tue"\] — must not repeat tue/, (w) => (w.windows[0].days = ["tue"])],
    ["an unknown day", (w) => (w.windows[0].days = ["tuesday"]), /changeWindows.windows\[0\].days\[0\]: "tuesday" — must be one of mon, tue, wed, thu, fri, sat, sun/, (w) => (w.windows[0].days = ["tue"])],
    [
      "overlapping windows",
      (w) => w.windows.push({ days: ["thu"], start: "15:00", end: "17:00" }),
      /changeWindows.windows\[1\]: .* — must not overlap windows\[0\] on thu/,
      (w) => w.windows.push({ days: ["thu"], start: "16:00", end: "17:00" }),
    ],
    ["no windows", (w) => (w.windows = []), /changeWindows.windows: \[\] — must hold at least one window/, () => {}],
  ])("rejects %s with one line, and accepts the fixed value", (_what, bad, message, good) => {
    expect(parseWith(bad)).toMatch(message);
    expect(parseWith(good)).toBe("(accepted)");
  });
});

describe("the deploy gate (scripts/change-window.ts)", () => {
  const raw = { timeZone: "America/New_York", windows: [{ days: ["tue", "thu"], start: "14:00", end: "16:00" }], emergencyLabel: "emergency-change" };
  const input = (now: string, extra: Partial<Parameters<typeof gate>[0]> = {}) => ({ stack: "production", raw, now: at(now), emergencyInput: false, labels: [], ...extra });

  it("lets a standard change through inside the window", () => {
    expect(gate(input("2026-12-01T19:30:00Z"))).toMatchObject({ allowed: true, code: 0, message: expect.stringContaining("inside the change window") });
  });

  it("refuses it outside, with one line naming the next window and how to mark an emergency", () => {
    const result = gate(input("2026-12-01T18:30:00Z"));
    expect(result).toMatchObject({ allowed: false, code: 1 });
    expect(result.message).toBe(
      'error: production: outside the change windows (tue/thu 14:00–16:00 America/New_York); next window 2026-12-01T14:00:00-05:00 – 2026-12-01T16:00:00-05:00 (2026-12-01T19:00:00.000Z UTC). Wait for it, or mark the change as an emergency: label the pull request "emergency-change" or run the workflow with emergency: true',
    );
  });

  it("lets an emergency through outside the window, by workflow input or pull-request label, and says so", () => {
    expect(gate(input("2026-12-02T03:00:00Z", { emergencyInput: true }))).toMatchObject({ allowed: true, message: expect.stringMatching(/^::warning::production: EMERGENCY change .* allowed by workflow input emergency=true/) });
    expect(gate(input("2026-12-02T03:00:00Z", { labels: ["infra", "emergency-change"] }))).toMatchObject({ allowed: true, message: expect.stringContaining("allowed by label emergency-change") });
    expect(gate(input("2026-12-02T03:00:00Z", { labels: ["infra", "urgent"] }))).toMatchObject({ allowed: false, code: 1 });
  });

  it("allows any time when the stack declares no windows, and stops on a broken windows config", () => {
    expect(gate(input("2026-12-02T03:00:00Z", { raw: undefined }))).toMatchObject({ allowed: true, code: 0 });
    expect(gate(input("2026-12-02T03:00:00Z", { raw: { ...raw, timeZone: "EST" } }))).toMatchObject({ allowed: false, code: 2, message: expect.stringMatching(/^error: production: runbook-infra:changeWindows.timeZone: "EST" — must be an IANA time zone/) });
  });

  it("runs as the workflow calls it, on the Suuupra stack file, with exit codes 1 outside and 0 inside", () => {
    execFileSync(process.execPath, ["scripts/transpile.mjs"], { cwd: ROOT, stdio: "pipe" });
    const run = (now: string) => spawnSync(process.execPath, [".build/scripts/change-window.js", "--config", SUUUPRA, "--now", now, "--emergency", "false", "--labels", ""], { cwd: ROOT, encoding: "utf8" });
    const outside = run("2026-12-01T18:30:00Z");
    expect(outside.status).toBe(1);
    expect(outside.stderr.trim().split("\n")).toHaveLength(1);
    expect(run("2026-12-01T19:30:00Z").status).toBe(0);
  });

  it("is wired into the production job of .github/workflows/deploy.yml before pulumi up, with an emergency input", () => {
    const doc = parse(fs.readFileSync(path.join(ROOT, ".github", "workflows", "deploy.yml"), "utf8"));
    expect(doc.on.workflow_dispatch.inputs.emergency).toMatchObject({ type: "boolean", default: false });
    const steps: any[] = doc.jobs.production.steps;
    const gateStep = steps.findIndex((s) => String(s.run ?? "").includes("scripts/change-window --stack production"));
    const up = steps.findIndex((s) => String(s.uses).startsWith("pulumi/actions@") && s.with.command === "up");
    const preview = steps.findIndex((s) => String(s.uses).startsWith("pulumi/actions@") && s.with.command === "preview");
    expect(gateStep).toBeGreaterThan(-1);
    expect(gateStep).toBeLessThan(Math.min(up, preview));
    expect(steps[gateStep].run).toContain('--emergency "$EMERGENCY" --labels "$labels"');
    expect(doc.jobs.production.permissions["pull-requests"]).toBe("read");
  });
});

describe("the preview reports the next window", () => {
  it("prints it and writes it into the plan's reports", () => {
    execFileSync(process.execPath, ["scripts/transpile.mjs"], { cwd: ROOT, stdio: "pipe" });
    const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "windows-")), "plan.json");
    const run = spawnSync(process.execPath, [".build/preview/cli.js", "--config", SUUUPRA, "--json", out], { cwd: ROOT, encoding: "utf8", env: { ...process.env, RUNBOOK_PREVIEW_NOW: "2026-12-05T12:00:00Z" }, timeout: 120_000 });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain("Change windows (America/New_York): tue, thu 14:00–16:00");
    expect(run.stdout).toContain("closed now; next window 2026-12-08T14:00:00-05:00 – 2026-12-08T16:00:00-05:00");
    const plan = JSON.parse(fs.readFileSync(out, "utf8"));
    expect(plan.reports.changeWindows).toMatchObject({ open: false, next: { startUtc: "2026-12-08T19:00:00.000Z", endUtc: "2026-12-08T21:00:00.000Z" }, emergencyLabel: "emergency-change" });
  });
});
