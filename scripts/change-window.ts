/**
 * The production deploy gate of runbook 004 4.20 ("standard changes Tue/Thu 14:00–16:00 EST"): exits 0
 * when `pulumi up` may run now — inside one of the stack's change windows, or marked as an emergency —
 * and 1 with one line naming the next window otherwise. `.github/workflows/deploy.yml` runs it before
 * the production update:
 *
 *   node scripts/run.js scripts/change-window --stack production [--emergency true] [--labels a,b] [--now ISO]
 *
 * Reads only `runbook-infra:changeWindows` from the stack file and validates it with the config schema's
 * own rules, so the gate and `pulumi up` agree on what the windows are.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { changeWindowsSchema, ChangeWindowsConfig } from "../stacks/config/change-windows";
import { changeWindowProblems, currentWindow, nextWindow } from "../core/change-windows";

const KEY = "runbook-infra:changeWindows";

export interface GateInput {
  stack: string;
  /** The stack file's `runbook-infra:changeWindows` value (undefined when the key is absent). */
  raw: unknown;
  now: Date;
  emergencyInput: boolean;
  labels: string[];
}

export interface GateResult {
  allowed: boolean;
  /** Exit code: 0 allowed, 1 outside the windows, 2 a bad windows config. */
  code: 0 | 1 | 2;
  message: string;
}

/** The decision, as a pure function (the CLI below only reads arguments and the stack file). */
export function gate(input: GateInput): GateResult {
  const { stack } = input;
  if (input.raw === undefined) return { allowed: true, code: 0, message: `${stack}: no change windows configured (${KEY}): deploy allowed at any time` };
  const parsed = changeWindowsSchema.safeParse(input.raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { allowed: false, code: 2, message: `error: ${stack}: ${KEY}${issue.path.length ? "." + issue.path.join(".") : ""}: ${issue.message}` };
  }
  const config: ChangeWindowsConfig = parsed.data;
  const problem = changeWindowProblems(config)[0];
  if (problem) return { allowed: false, code: 2, message: `error: ${stack}: ${KEY}.${problem[0].join(".")}: ${JSON.stringify(problem[1])} — ${problem[2]}` };

  const windows = `${config.windows.map((w) => `${w.days.join("/")} ${w.start}–${w.end}`).join(", ")} ${config.timeZone}`;
  const open = currentWindow(input.now, config);
  if (open) return { allowed: true, code: 0, message: `${stack}: inside the change window (${windows}) until ${open.endLocal}` };
  const next = nextWindow(input.now, config);
  const nextText = next ? `next window ${next.startLocal} – ${next.endLocal} (${next.start.toISOString()} UTC)` : "no window in the coming week";
  const emergency = input.emergencyInput || input.labels.includes(config.emergencyLabel);
  if (emergency) {
    const how = input.emergencyInput ? "workflow input emergency=true" : `label ${config.emergencyLabel}`;
    return { allowed: true, code: 0, message: `::warning::${stack}: EMERGENCY change outside the change windows (${windows}), allowed by ${how}; ${nextText}` };
  }
  return {
    allowed: false,
    code: 1,
    message: `error: ${stack}: outside the change windows (${windows}); ${nextText}. Wait for it, or mark the change as an emergency: label the pull request "${config.emergencyLabel}" or run the workflow with emergency: true`,
  };
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function main(args: string[]): number {
  const stack = argValue(args, "--stack");
  const file = argValue(args, "--config") ?? (stack ? `Pulumi.${stack}.yaml` : undefined);
  if (!file || !fs.existsSync(file)) {
    process.stderr.write(`error: change-window: ${file ?? "(no stack)"}: not found — pass --stack <name> or --config <stack file>\n`);
    return 2;
  }
  const nowText = argValue(args, "--now");
  const now = nowText ? new Date(nowText) : new Date();
  if (Number.isNaN(now.getTime())) {
    process.stderr.write(`error: change-window: --now ${JSON.stringify(nowText)} — must be an ISO 8601 time\n`);
    return 2;
  }
  const doc = (parse(fs.readFileSync(file, "utf8")) ?? {}) as { config?: Record<string, unknown> };
  const result = gate({
    stack: stack ?? path.basename(file).replace(/^Pulumi\.|\.yaml$/g, ""),
    raw: doc.config?.[KEY],
    now,
    emergencyInput: argValue(args, "--emergency") === "true",
    labels: (argValue(args, "--labels") ?? "").split(",").map((l) => l.trim()).filter(Boolean),
  });
  (result.code === 0 ? process.stdout : process.stderr).write(`${result.message}\n`);
  return result.code;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
