/**
 * Runbook 004 4.9 "Weekly cost review": AWS Budgets at 80 %/100 % of the month's budget (actual and
 * forecast) and Cost Anomaly Detection over the stack's cost-allocation tag, both reaching people
 * through one encrypted SNS topic.
 */
import { planOf, TestPlan } from "./support/plan";
import { CostAlerts, CostAlertsArgs } from "../components/cost-alerts";

const base: CostAlertsArgs = {
  name: "suuupra-production-cost",
  monthlyBudgetUsd: 9000,
  costTags: [
    { key: "stack", value: "production" },
    { key: "project", value: "runbook-infra" },
  ],
  emails: ["platform-team@suuupra.com"],
  activateTagKeys: ["project", "stack", "environment"],
};

describe("CostAlerts", () => {
  let plan: TestPlan;
  beforeAll(async () => {
    plan = await planOf(() => new CostAlerts("cost", base), { stack: "production" });
  });

  it("budgets 9000 USD a month over the stack's tag and notifies at 80 % and 100 %, actual and forecast", () => {
    const budget = plan.one("aws:budgets/budget:Budget").inputs as any;
    expect(budget).toMatchObject({ name: "suuupra-production-cost", budgetType: "COST", timeUnit: "MONTHLY", limitAmount: "9000.00", limitUnit: "USD" });
    expect(budget.filterExpression).toEqual({
      ands: [{ tags: { key: "stack", values: ["production"], matchOptions: ["EQUALS"] } }, { tags: { key: "project", values: ["runbook-infra"], matchOptions: ["EQUALS"] } }],
    });
    expect(budget.notifications.map((n: any) => [n.threshold, n.notificationType, n.thresholdType, n.comparisonOperator])).toEqual([
      [80, "ACTUAL", "PERCENTAGE", "GREATER_THAN"],
      [80, "FORECASTED", "PERCENTAGE", "GREATER_THAN"],
      [100, "ACTUAL", "PERCENTAGE", "GREATER_THAN"],
      [100, "FORECASTED", "PERCENTAGE", "GREATER_THAN"],
    ]);
    for (const n of budget.notifications) expect(n.subscriberSnsTopicArns).toEqual(["arn:aws:sns:us-east-1:123456789012:suuupra-production-cost"]);
  });

  it("watches the same tag for cost anomalies and notifies at once through SNS from 100 USD of impact", () => {
    const monitor = plan.one("aws:costexplorer/anomalyMonitor:AnomalyMonitor").inputs as any;
    expect(monitor.monitorType).toBe("CUSTOM");
    expect(JSON.parse(monitor.monitorSpecification)).toEqual({ Tags: { Key: "stack", Values: ["production"], MatchOptions: ["EQUALS"] } });
    const subscription = plan.one("aws:costexplorer/anomalySubscription:AnomalySubscription").inputs as any;
    expect(subscription).toMatchObject({ frequency: "IMMEDIATE", subscribers: [{ type: "SNS", address: expect.stringMatching(/^arn:aws:sns:/) }] });
    expect(subscription.thresholdExpression.dimension).toEqual({ key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE", matchOptions: ["GREATER_THAN_OR_EQUAL"], values: ["100"] });
  });

  it("encrypts the topic with its own key that only this account's Budgets and Cost Anomaly Detection may use to publish", () => {
    const topic = plan.one("aws:sns/topic:Topic").inputs as any;
    expect(topic.kmsMasterKeyId).toMatch(/^arn:aws:kms:/);
    const keyPolicy = JSON.parse((plan.one("aws:kms/key:Key").inputs as any).policy);
    const publish = keyPolicy.Statement.find((s: any) => s.Sid === "CostServicesPublish");
    expect(publish).toMatchObject({ Principal: { Service: ["budgets.amazonaws.com", "costalerts.amazonaws.com"] }, Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } });
    const topicPolicy = JSON.parse((plan.one("aws:sns/topicPolicy:TopicPolicy").inputs as any).policy);
    expect(topicPolicy.Statement).toEqual([expect.objectContaining({ Action: "SNS:Publish", Condition: { StringEquals: { "aws:SourceAccount": "123456789012" } } })]);
  });

  it("mails the info/warning receivers and activates the cost-allocation tags before the budget reads them", () => {
    expect(plan.ofType("aws:sns/topicSubscription:TopicSubscription").map((s) => [(s.inputs as any).protocol, (s.inputs as any).endpoint])).toEqual([["email", "platform-team@suuupra.com"]]);
    const tags = plan.ofType("aws:costexplorer/costAllocationTag:CostAllocationTag");
    expect(tags.map((t) => [(t.inputs as any).tagKey, (t.inputs as any).status])).toEqual([
      ["project", "Active"],
      ["stack", "Active"],
      ["environment", "Active"],
    ]);
    const budget = plan.one("aws:budgets/budget:Budget");
    for (const tag of tags) expect(budget.dependencies).toContain(tag.urn);
  });

  it.each([
    ["a budget of 0", { monthlyBudgetUsd: 0 }, /^production: CostAlerts.monthlyBudgetUsd: 0 — must be a positive number of USD/],
    ["more notifications than AWS Budgets allows", { thresholdsPercent: [50, 80, 100] }, /CostAlerts.thresholdsPercent: \[50,80,100\] — must have at most 2 entries/],
    ["a repeated threshold", { thresholdsPercent: [80, 80] }, /CostAlerts.thresholdsPercent: \[80,80\] — must not repeat a percentage/],
    ["a receiver that is not an address", { emails: ["#platform-alerts"] }, /CostAlerts.emails: "#platform-alerts" — must be e-mail addresses/],
  ])("rejects %s before registering anything", async (_what, args, message) => {
    let error = "(accepted)";
    const p = await planOf(() => {
      try {
        new CostAlerts("cost", { ...base, ...(args as Partial<CostAlertsArgs>) });
      } catch (e) {
        error = (e as Error).message;
      }
    }, { stack: "production" });
    expect(error).toMatch(message);
    expect(p.resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toHaveLength(0);
  });

  it("accepts a single 100 % threshold", async () => {
    const p = await planOf(() => new CostAlerts("cost", { ...base, thresholdsPercent: [100] }), { stack: "production" });
    expect((p.one("aws:budgets/budget:Budget").inputs as any).notifications).toHaveLength(2);
  });
});

import * as path from "node:path";
import { parseStackConfig } from "../stacks/config/load";
import { loadStackFile } from "../preview/stack-files";

const SUUUPRA = path.join(__dirname, "..", "examples", "suuupra", "Pulumi.production.yaml");

function parseCost(edit: (cost: any, raw: Record<string, string>) => void): string {
  const file = loadStackFile("runbook-infra", SUUUPRA);
  const raw = { ...file.config };
  const cost = JSON.parse(raw["runbook-infra:cost"]);
  edit(cost, raw);
  raw["runbook-infra:cost"] = JSON.stringify(cost);
  try {
    parseStackConfig(file.stack, raw, new Set(file.secretKeys));
    return "(accepted)";
  } catch (error) {
    return (error as Error).message;
  }
}

describe("cost.alerts config", () => {
  it.each<[string, (cost: any, raw: Record<string, string>) => void, RegExp, (cost: any, raw: Record<string, string>) => void]>([
    ["three thresholds", (c) => (c.alerts.thresholdsPercent = [50, 80, 100]), /^production: runbook-infra:cost.alerts.thresholdsPercent: \[50,80,100\] — must list at most 2 percentages/, (c) => (c.alerts.thresholdsPercent = [80, 100])],
    ["a repeated threshold", (c) => (c.alerts.thresholdsPercent = [90, 90]), /cost.alerts.thresholdsPercent: \[90,90\] — must not repeat a percentage/, (c) => (c.alerts.thresholdsPercent = [90])],
    ["alerts without a budget", (c) => delete c.monthlyBudgetUsd, /^production: runbook-infra:cost.monthlyBudgetUsd: \(missing\) — must be set when cost.alerts is/, (c) => (c.monthlyBudgetUsd = 3000)],
    [
      "alerts nobody reads",
      (_c, raw) => {
        const monitoring = JSON.parse(raw["runbook-infra:monitoring"]);
        delete monitoring.email;
        monitoring.routing = { ...monitoring.routing, info: { receiver: "slack" } };
        raw["runbook-infra:monitoring"] = JSON.stringify(monitoring);
        // The edge's ACME account falls back to monitoring.email.to too; give it its own so only cost.alerts is left.
        if (raw["runbook-infra:edge"]) raw["runbook-infra:edge"] = JSON.stringify({ ...JSON.parse(raw["runbook-infra:edge"]), acmeEmail: "certs@suuupra.com" });
      },
      /^production: runbook-infra:cost.alerts.emails: \(missing\) — must name an address when monitoring.email.to is not set/,
      (c) => (c.alerts.emails = ["finops@suuupra.com"]),
    ],
  ])("rejects %s with one line, and accepts the fixed value", (_what, bad, message, good) => {
    expect(parseCost(bad)).toMatch(message);
    expect(parseCost(good)).toBe("(accepted)");
  });
});

describe("examples/suuupra: the budget in the plan (runbook 004 4.9)", () => {
  it("budgets 2500 USD a month over the stack's own tags and mails the platform team", async () => {
    const file = loadStackFile("runbook-infra", SUUUPRA);
    const plan = await planOf(() => require("../stacks/program").main(), { stack: file.stack, config: file.config, secretKeys: file.secretKeys });
    const budget = plan.one("aws:budgets/budget:Budget").inputs as any;
    expect(budget).toMatchObject({ limitAmount: "2500.00", timeUnit: "MONTHLY" });
    expect(budget.filterExpression.ands.map((a: any) => [a.tags.key, a.tags.values])).toEqual([
      ["stack", ["production"]],
      ["project", ["runbook-infra"]],
    ]);
    expect(plan.ofType("aws:sns/topicSubscription:TopicSubscription").filter((s) => s.name.startsWith("cost-alerts")).map((s) => (s.inputs as any).endpoint)).toEqual(["platform-team@suuupra.com"]);
    expect(plan.outputs.costAlertsTopicArn).toMatch(/^arn:aws:sns:/);
  });
});
