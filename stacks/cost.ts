import { CostBudget } from "../components/cost-budget";
import type { StackContext } from "./context";

/** Records the stack's monthly budget in the plan when `cost.monthlyBudgetUsd` is set (the policy pack compares the estimate with it). */
export function deployCost(ctx: StackContext): Record<string, unknown> {
  const budget = ctx.config.cost?.monthlyBudgetUsd;
  if (budget === undefined) return {};
  new CostBudget("cost-budget", { monthlyBudgetUsd: budget });
  return { monthlyBudgetUsd: budget };
}
