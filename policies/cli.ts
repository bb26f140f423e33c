/**
 * `npm run policy -- <plan.json> [--environment production|staging|development] [--config <file>] [--json]`
 * Evaluates the policy pack over a plan written by `npm run preview -- --json`, prints the violations
 * and exits 1 when any is mandatory (2 when the input cannot be used). Errors are one line, no stack.
 */
import { readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import type { PolicyPackConfig } from "@pulumi/policy";
import { evaluatePlan, loadPackConfig, PlanError, validatePlan, validatePlanGraph, Violation } from "./evaluate";
import { policies } from "./rules";
import { escapeText } from "../core/text";

const USAGE = "usage: npm run policy -- <plan.json> [--environment production|staging|development] [--config <policy-pack-config.json>] [--json]";

export interface CliIo {
  out: (line: string) => void;
  err: (line: string) => void;
}

function readJson(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new PlanError(`${path}: cannot read ${what} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PlanError(`${path}: ${what} is not valid JSON (${(error as Error).message.split("\n")[0]})`);
  }
}

/** A short, stable rendering of a URN: type and name. */
function shortUrn(urn: string): string {
  if (!urn) return "(stack)";
  const parts = urn.split("::");
  const type = (parts[2] ?? "").split("$").pop();
  return `${type}::${parts[3] ?? ""}`;
}

export function formatViolations(violations: Violation[], policyCount: number): string[] {
  const lines: string[] = [];
  for (const level of ["mandatory", "advisory"] as const) {
    const group = violations.filter((v) => v.level === level);
    if (group.length === 0) continue;
    lines.push(`${level} (${group.length}):`);
    // A plan is input like any other: names and messages are escaped and cut before they reach a terminal.
    for (const v of group) lines.push(`  [${v.policy}] ${escapeText(shortUrn(v.urn), 160)}: ${v.message.split("\n").map((line) => escapeText(line, 500)).join("\n")}`);
  }
  const mandatory = violations.filter((v) => v.level === "mandatory").length;
  lines.push(`${policyCount} policies: ${mandatory} mandatory, ${violations.length - mandatory} advisory violation(s)${mandatory ? " — the plan must not be applied" : ""}`);
  return lines;
}

/** Runs the CLI; returns the exit code (0 clean or advisory only, 1 mandatory violation, 2 bad input). */
export function main(argv: string[], io: CliIo = { out: (l) => console.log(l), err: (l) => console.error(l) }): number {
  try {
    let parsed;
    try {
      parsed = parseArgs({
        args: argv,
        allowPositionals: true,
        options: { environment: { type: "string", short: "e" }, config: { type: "string", short: "c" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
      });
    } catch (error) {
      throw new PlanError(`${(error as Error).message.split("\n")[0]} — ${USAGE}`);
    }
    if (parsed.values.help) {
      io.out(USAGE);
      return 0;
    }
    if (parsed.positionals.length !== 1) throw new PlanError(`expected one plan file, got ${parsed.positionals.length} — ${USAGE}`);
    const planPath = parsed.positionals[0];
    const plan = validatePlan(readJson(planPath, "the plan"));
    validatePlanGraph(plan);
    const environment = parsed.values.environment ?? plan.environment;
    // Without --config, the stack's own file is used, as `pulumi preview --policy-pack-config` would be given it.
    const config = parsed.values.config ? (readJson(parsed.values.config, "the policy pack config") as PolicyPackConfig) : loadPackConfig(environment);
    if (config !== undefined && (typeof config !== "object" || config === null || Array.isArray(config))) throw new PlanError(`${parsed.values.config}: the policy pack config must be a JSON object`);
    const violations = evaluatePlan(plan, { environment: parsed.values.environment, config });
    if (parsed.values.json) io.out(JSON.stringify({ violations }, null, 2));
    else {
      const configName = parsed.values.config ?? (config ? `policies/config/${environment}.json` : "defaults");
      io.out(`Policy pack runbook-infra on ${escapeText(String(plan.stack ?? planPath), 80)}${environment ? ` (${environment})` : ""}: ${plan.resources.length} resources, config ${configName}`);
      for (const line of formatViolations(violations, policies.length)) io.out(line);
    }
    return violations.some((v) => v.level === "mandatory") ? 1 : 0;
  } catch (error) {
    io.err(`policy: ${error instanceof PlanError ? error.message : (error as Error).message?.split("\n")[0] ?? String(error)}`);
    return 2;
  }
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
