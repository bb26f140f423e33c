/**
 * `runbook-infra:cost`: the monthly budget the policy pack compares the cost estimate with. Bad values
 * are refused with one line naming the key; good ones are accepted; the CostBudget component refuses
 * what the config would have refused.
 */
import * as path from "node:path";
import { parseStackConfig } from "../stacks/config/load";
import { loadStackFile } from "../preview/stack-files";
import { CostBudget } from "../components/cost-budget";

const root = path.join(__dirname, "..");
const production = () => loadStackFile("runbook-infra", path.join(root, "Pulumi.production.yaml"));
const withCost = (cost: unknown) => {
  const stack = production();
  return () => parseStackConfig(stack.stack, { ...stack.config, "runbook-infra:cost": JSON.stringify(cost) }, new Set(stack.secretKeys));
};

describe("cost config", () => {
  it("accepts a monthly budget and leaves it out by default", () => {
    expect(withCost({ monthlyBudgetUsd: 4500 })().cost).toEqual({ monthlyBudgetUsd: 4500 });
    expect(withCost({ monthlyBudgetUsd: 1234.5 })().cost?.monthlyBudgetUsd).toBe(1234.5);
    const stack = production();
    expect(parseStackConfig(stack.stack, stack.config, new Set(stack.secretKeys)).cost).toBeUndefined();
  });

  it.each([
    [{ monthlyBudgetUsd: 0 }, /^production: runbook-infra:cost\.monthlyBudgetUsd: 0 — must be a number from 1 to 10000000$/],
    [{ monthlyBudgetUsd: -5 }, /runbook-infra:cost\.monthlyBudgetUsd: -5 — must be a number from 1 to 10000000/],
    [{ monthlyBudgetUsd: "4500" }, /runbook-infra:cost\.monthlyBudgetUsd: "4500" — must be a number from 1 to 10000000/],
    [{ monthlyBudgetUSD: 4500 }, /runbook-infra:cost\.monthlyBudgetUSD/],
  ])("refuses %j with one line naming the key", (cost, message) => {
    let error: Error | undefined;
    try {
      withCost(cost)();
    } catch (e) {
      error = e as Error;
    }
    expect(error?.name).toBe("ConfigError");
    expect(error?.message).toMatch(message);
    expect(error?.message.split("\n")).toHaveLength(1);
  });

  it("CostBudget refuses a budget that is not a positive number", () => {
    expect(() => new CostBudget("b", { monthlyBudgetUsd: Number.NaN })).toThrow(/CostBudget.*monthlyBudgetUsd.*must be a positive number of US dollars/);
    expect(() => new CostBudget("b", { monthlyBudgetUsd: -1 })).toThrow(/must be a positive number/);
  });
});
