import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";

export interface CostBudgetArgs {
  /** The stack's monthly budget in USD (config `cost.monthlyBudgetUsd`). No default. */
  monthlyBudgetUsd: number;
}

/**
 * Holds the stack's monthly budget as the component's registered inputs, so that it appears in the plan
 * (`runbook:cost:CostBudget`) where the policy pack compares the cost estimate of the same plan with it.
 * It creates no cloud resource: AWS Budgets alerts on actual spend are a separate concern.
 */
export class CostBudget extends pulumi.ComponentResource {
  public readonly monthlyBudgetUsd: number;

  constructor(name: string, args: CostBudgetArgs, opts?: pulumi.ComponentResourceOptions) {
    const budget = args?.monthlyBudgetUsd;
    if (typeof budget !== "number" || !Number.isFinite(budget) || budget <= 0) rejectArg("CostBudget", "monthlyBudgetUsd", budget, "must be a positive number of US dollars");
    super("runbook:cost:CostBudget", name, { monthlyBudgetUsd: budget }, opts);
    this.monthlyBudgetUsd = budget;
    this.registerOutputs({ monthlyBudgetUsd: budget });
  }
}
