/**
 * The reports the offline preview prints after the resource summary, computed from the validated
 * config and the plan: capacity plan, recovery objectives, policy violations.
 */
import type { PlannedResource } from "./engine";
import type { LoadedStack } from "./stack-files";
import { parseStackConfig } from "../stacks/config/load";
import { capacityPlan, renderCapacityPlan } from "../model/capacity-plan";
import { recoveryReport, renderRecoveryReport } from "../model/recovery-report";
import { changeWindowReport, renderChangeWindowReport } from "../model/change-window-report";
import { evaluatePlan, loadPackConfig } from "../policies/evaluate";
import { alertmanagerConfigsOf } from "./render";
import { routingSummary } from "../monitoring/alertmanager";
import { costOptionsFor } from "./cost-inputs";
import { estimateCost, renderCost, type CostEstimate, type CostOptions } from "../model/cost";

export interface Violation {
  policy: string;
  level: "mandatory" | "advisory";
  urn: string;
  message: string;
}

export interface StackReports {
  /** Sections printed after the summary. */
  text: string[];
  /** Machine-readable reports for the `--json` plan. */
  json: Record<string, unknown>;
  violations: Violation[];
  /** Reasons the preview fails (missed recovery targets, mandatory policy violations). */
  failures: string[];
  /** The same sections by name (the PR summary places them). */
  sections: { capacity: string; recovery?: string; cost: string; policies: string };
  /** The cost estimate (also `json.cost`). */
  cost: CostEstimate;
  /** What the estimate took from the config (to price a base plan the same way for `--diff`). */
  costOptions: CostOptions;
}

function renderViolations(violations: Violation[]): string {
  if (violations.length === 0) return "Policies: no violations";
  const lines = violations.map((v) => `  [${v.level}] ${v.policy}: ${v.message}\n      ${v.urn}`);
  return [`Policies: ${violations.length} violation(s)`, ...lines].join("\n");
}

export function stackReports(loaded: LoadedStack, resources: PlannedResource[]): StackReports {
  const config = parseStackConfig(loaded.stack, loaded.config, new Set(loaded.secretKeys));
  const reports = { text: [], json: {}, violations: [], failures: [], sections: {} } as unknown as StackReports;

  // Capacity flags are warnings: growth projections are estimates, so they inform rather than block.
  const capacity = capacityPlan(config);
  reports.sections.capacity = renderCapacityPlan(capacity);
  reports.text.push(reports.sections.capacity);
  reports.json.capacityPlan = capacity;

  if (config.dr) {
    const recovery = recoveryReport(config);
    reports.sections.recovery = renderRecoveryReport(recovery);
    reports.text.push(reports.sections.recovery);
    reports.json.recovery = recovery;
    if (!recovery.meetsTargets) reports.failures.push(`the recovery objectives (RTO ${config.dr.rtoMinutes} min, RPO ${config.dr.rpoMinutes} min) are missed — see the recovery table`);
  }

  // When the deploy workflow would let this change through (RUNBOOK_PREVIEW_NOW pins "now" for reproducible runs).
  if (config.changeWindows) {
    const now = process.env.RUNBOOK_PREVIEW_NOW ? new Date(process.env.RUNBOOK_PREVIEW_NOW) : new Date();
    const windows = changeWindowReport(config.changeWindows, now);
    reports.text.push(renderChangeWindowReport(windows));
    reports.json.changeWindows = windows;
  }

  // The Alertmanager Secret is "[secret]" in the plan; its routing with placeholder credentials is reviewable here.
  const alertmanager = alertmanagerConfigsOf(resources);
  if (alertmanager.length) {
    reports.json.alertmanager = alertmanager.map((a) => ({ component: a.name, namespace: a.namespace, config: a.routing }));
    reports.text.push(alertmanager.map((a) => routingSummary(a.routing)).join("\n"));
  }
  // What the stack costs, from the plan, with the capacity plan's growth for the projections.
  reports.costOptions = costOptionsFor(config, capacity);
  reports.cost = estimateCost(resources, reports.costOptions);
  reports.sections.cost = renderCost(reports.cost);
  reports.text.push(reports.sections.cost);
  reports.json.cost = reports.cost;

  // The same policy code the CrossGuard pack runs before `pulumi up`, over the recorded plan.
  const environment = config.environment;
  reports.violations = evaluatePlan({ project: loaded.project, stack: loaded.stack, environment, resources }, { environment, config: loadPackConfig(environment) }) as Violation[];
  reports.sections.policies = renderViolations(reports.violations);
  reports.text.push(reports.sections.policies);
  const mandatory = reports.violations.filter((v) => v.level === "mandatory");
  if (mandatory.length > 0) reports.failures.push(`${mandatory.length} mandatory policy violation(s) — see the policy section`);

  return reports;
}
