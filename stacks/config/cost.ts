/**
 * `runbook-infra:cost`: what the stack may cost (runbook 004 "Cost Review"). The offline preview estimates
 * the monthly cost from the plan (model/cost.ts); the policy `stack-monthly-budget` (advisory: an estimate
 * informs, it does not block) compares that estimate with the budget, which the stack records in the plan
 * as `runbook:cost:CostBudget`.
 */
import { z } from "zod";
import { num } from "./fields";

export const costSchema = z
  .object({
    /** Monthly budget of the stack in USD, compared with the preview's cost estimate (advisory policy `stack-monthly-budget`). @default none (no budget check) */
    monthlyBudgetUsd: num(1, 10_000_000).optional(),
  })
  .strict();

export type CostConfig = z.infer<typeof costSchema>;
