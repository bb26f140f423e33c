/**
 * Cost rules: the plan's estimated monthly cost (model/cost.ts, the same estimate the offline preview
 * prints) against the budget the stack declares (`cost.monthlyBudgetUsd`, recorded in the plan as
 * `runbook:cost:CostBudget`). Advisory: an estimate from list prices and stated assumptions informs a
 * reviewer; it does not block an update.
 */
import type { PolicyResource } from "@pulumi/policy";
import { estimateCost, formatUsd, type CostResource } from "../../model/cost";
import { get, ofType, stackRule, type RunbookPolicy } from "./common";

export const COST_BUDGET = "runbook:cost:CostBudget";

/** A policy resource as the estimate reads it; component resources are the ones without a provider module (`runbook:area:Name`). */
function asCostResource(r: PolicyResource): CostResource {
  const module = r.type.split(":")[1] ?? "";
  return {
    urn: r.urn,
    type: r.type,
    name: r.name,
    parent: r.parent?.urn ?? null,
    custom: module.includes("/") || r.type.startsWith("pulumi:providers:"),
    inputs: (r.props ?? {}) as Record<string, unknown>,
    dependencies: (r.dependencies ?? []).map((d) => d.urn),
  };
}

export const costPolicies: RunbookPolicy[] = [
  stackRule({
    name: "stack-monthly-budget",
    description:
      "The estimated monthly cost of the plan (on-demand list prices, model/prices) stays within the stack's declared budget `cost.monthlyBudgetUsd` (runbook 004 cost review). Advisory: it is an estimate.",
    grade: "advisory",
    remediation: "Reduce what the change adds (node group size, instance classes, NAT per AZ, retention) or raise cost.monthlyBudgetUsd after review.",
    check: (resources) => {
      const budget = ofType(resources, COST_BUDGET)[0];
      const limit = Number(get(budget?.props, "monthlyBudgetUsd"));
      if (!budget || !Number.isFinite(limit) || limit <= 0) return [];
      const estimate = estimateCost(resources.map(asCostResource));
      if (estimate.monthlyUsd <= limit) return [];
      const top = estimate.components
        .slice(0, 3)
        .map((c) => `${c.component} ${formatUsd(c.monthlyUsd)}`)
        .join(", ");
      return [{ urn: budget.urn, message: `the estimated cost ${formatUsd(estimate.monthlyUsd)} per month exceeds cost.monthlyBudgetUsd ${formatUsd(limit)} (largest: ${top})` }];
    },
  }),
];
