import { CostBudget } from "../components/cost-budget";
import { CostAlerts } from "../components/cost-alerts";
import { costAlertEmails } from "./config/cost";
import { PROJECT } from "./config/schema";
import type { StackContext } from "./context";

/**
 * Records the stack's monthly budget in the plan when `cost.monthlyBudgetUsd` is set (the policy pack
 * compares the estimate with it) and, with `cost.alerts`, watches the real bill: an AWS Budget and Cost
 * Anomaly Detection over the stack's own tags (runbook 004 4.9).
 */
export function deployCost(ctx: StackContext): Record<string, unknown> {
  const budget = ctx.config.cost?.monthlyBudgetUsd;
  if (budget === undefined) return {};
  new CostBudget("cost-budget", { monthlyBudgetUsd: budget });
  const outputs: Record<string, unknown> = { monthlyBudgetUsd: budget };
  const alerts = ctx.config.cost?.alerts;
  if (alerts) {
    const costAlerts = new CostAlerts("cost-alerts", {
      name: `${ctx.prefix}-cost`,
      monthlyBudgetUsd: budget,
      thresholdsPercent: alerts.thresholdsPercent,
      anomalyThresholdUsd: alerts.anomalyThresholdUsd,
      // The tags the program puts on every resource; `stack` first: the anomaly monitor takes one key.
      costTags: [
        { key: "stack", value: ctx.stack },
        { key: "project", value: PROJECT },
      ],
      emails: costAlertEmails(ctx.config),
      activateTagKeys: alerts.activateCostAllocationTags ? ["project", "stack", "environment"] : [],
      tags: ctx.tags,
    });
    outputs.costAlertsTopicArn = costAlerts.topicArn;
  }
  return outputs;
}
