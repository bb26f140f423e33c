/**
 * `runbook-infra:cost`: what the stack may cost (runbook 004 "Cost Review"). The offline preview estimates
 * the monthly cost from the plan (model/cost.ts); the policy `stack-monthly-budget` (advisory: an estimate
 * informs, it does not block) compares that estimate with the budget, which the stack records in the plan
 * as `runbook:cost:CostBudget`.
 */
import { z } from "zod";
import { bool, num } from "./fields";
import type { Refinement } from "./refinement";

export const costSchema = z
  .object({
    /** Monthly budget of the stack in USD, compared with the preview's cost estimate (advisory policy `stack-monthly-budget`). @default none (no budget check) */
    monthlyBudgetUsd: num(1, 10_000_000).optional(),
    /** Alerts on the real bill (runbook 004 4.9): an AWS Budget over monthlyBudgetUsd and Cost Anomaly Detection, mailed through SNS. @default none (the preview's estimate only) */
    alerts: z
      .object({
        /** Notify at these percentages of monthlyBudgetUsd, each for actual and forecast spend (AWS Budgets allows 5 notifications: at most 2 thresholds). @default [80, 100] */
        thresholdsPercent: z.array(num(1, 1000)).min(1, { error: "must list at least one percentage" }).max(2, { error: "must list at most 2 percentages (each makes an actual and a forecast notification; AWS Budgets allows 5)" }).default([80, 100]),
        /** Notify a cost anomaly from this total impact (USD). @default 100 */
        anomalyThresholdUsd: num(1, 1_000_000).default(100),
        /** Addresses the notifications are mailed to. @default [monitoring.email.to] (the info receiver) */
        emails: z.array(z.email({ error: "must be an e-mail address" })).optional(),
        /** Activate the project/stack/environment tags for cost allocation (an account-wide setting: turn it on in one stack per account). @default false */
        activateCostAllocationTags: bool().default(false),
      })
      .strict()
      .optional(),
  })
  .strict();

export type CostConfig = z.infer<typeof costSchema>;

/** Where the cost notifications go: the configured addresses, else the info receiver's. */
export function costAlertEmails(config: { cost?: CostConfig; monitoring?: { email?: { to: string } } }): string[] {
  return config.cost?.alerts?.emails ?? (config.monitoring?.email?.to ? [config.monitoring.email.to] : []);
}

export const refineCost: Refinement = (config, report) => {
  const alerts = config.cost?.alerts;
  if (!alerts) return;
  if (config.cost?.monthlyBudgetUsd === undefined) report(["cost", "monthlyBudgetUsd"], undefined, "must be set when cost.alerts is (the budget the alerts measure against)");
  if (new Set(alerts.thresholdsPercent).size !== alerts.thresholdsPercent.length) report(["cost", "alerts", "thresholdsPercent"], alerts.thresholdsPercent, "must not repeat a percentage");
  if (costAlertEmails(config).length === 0) report(["cost", "alerts", "emails"], undefined, "must name an address when monitoring.email.to is not set (someone has to read the alerts)");
};
