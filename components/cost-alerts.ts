import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";

export interface CostAlertsArgs {
  /** Name of the budget, the anomaly monitor and the SNS topic (1–100 letters, digits, '-', '_'). No default. */
  name: string;
  /** Monthly cost budget of the stack in USD. No default. */
  monthlyBudgetUsd: number;
  /** Budget notifications at these percentages of the budget, each for actual and for forecast spend. @default [80, 100] */
  thresholdsPercent?: number[];
  /** Cost-allocation tags that together select this stack's spend (the budget filters on all of them; the anomaly monitor, which takes one tag key, on the first). No default. */
  costTags: Array<{ key: string; value: string }>;
  /** Addresses mailed by the SNS topic: the runbook's info/warning receivers. @default [] */
  emails?: string[];
  /** Notify a cost anomaly when its total impact reaches this many USD. @default 100 */
  anomalyThresholdUsd?: number;
  /** Tag keys to activate for cost allocation reports (account-wide: activate them from one stack only). @default [] */
  activateTagKeys?: string[];
  /** Tags on the topic, key, budget and monitor. @default {} */
  tags?: Record<string, string>;
}

const NAME = /^[A-Za-z0-9_-]{1,100}$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;

function validate(args: CostAlertsArgs) {
  const reject = (arg: string, value: unknown, allowed: string) => rejectArg("CostAlerts", arg, value, allowed);
  if (!NAME.test(args.name)) reject("name", args.name, "must be 1–100 letters, digits, '-' or '_'");
  if (!(Number.isFinite(args.monthlyBudgetUsd) && args.monthlyBudgetUsd > 0)) reject("monthlyBudgetUsd", args.monthlyBudgetUsd, "must be a positive number of USD");
  const thresholds = args.thresholdsPercent ?? [80, 100];
  if (thresholds.length === 0 || thresholds.some((t) => !(Number.isFinite(t) && t > 0 && t <= 1000)))
    reject("thresholdsPercent", thresholds, "must list percentages above 0 and at most 1000");
  if (new Set(thresholds).size !== thresholds.length) reject("thresholdsPercent", thresholds, "must not repeat a percentage");
  // AWS Budgets allows five notifications per budget; each threshold makes two (actual and forecast).
  if (thresholds.length * 2 > 5) reject("thresholdsPercent", thresholds, "must have at most 2 entries: each makes an actual and a forecast notification and AWS Budgets allows 5 per budget");
  for (const email of args.emails ?? []) if (!EMAIL.test(email)) reject("emails", email, "must be e-mail addresses");
  if (args.costTags.length === 0) reject("costTags", [], "must name at least one tag (the stack's spend is selected by its tags)");
  const anomaly = args.anomalyThresholdUsd ?? 100;
  if (!(Number.isFinite(anomaly) && anomaly > 0)) reject("anomalyThresholdUsd", anomaly, "must be a positive number of USD");
}

/**
 * Runbook 004 4.9 "Weekly cost review", held by AWS instead of a calendar reminder: an AWS Budget over the
 * stack's spend (selected by its cost-allocation tag) that notifies at each threshold for actual and for
 * forecast spend, and a Cost Anomaly Detection monitor over the same tag with a subscription, both
 * publishing to one SNS topic encrypted with its own key (whose policy admits only the Budgets and Cost
 * Anomaly Detection services of this account) that mails the runbook's info/warning receivers.
 */
export class CostAlerts extends pulumi.ComponentResource {
  public readonly topicArn: pulumi.Output<string>;
  public readonly budgetName: pulumi.Output<string>;
  public readonly anomalyMonitorArn: pulumi.Output<string>;

  constructor(name: string, args: CostAlertsArgs, opts?: pulumi.ComponentResourceOptions) {
    validate(args);
    super("runbook:cost:CostAlerts", name, {}, opts);
    const tags = args.tags ?? {};
    const account = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const publishers = ["budgets.amazonaws.com", "costalerts.amazonaws.com"];

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `SNS topic ${args.name}: budget and cost-anomaly notifications`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            { Sid: "AccountAdministersKey", Effect: "Allow", Principal: { AWS: pulumi.interpolate`arn:${partition}:iam::${account}:root` }, Action: "kms:*", Resource: "*" },
            // Publishing to an encrypted topic needs the publisher to use the key.
            { Sid: "CostServicesPublish", Effect: "Allow", Principal: { Service: publishers }, Action: ["kms:GenerateDataKey*", "kms:Decrypt"], Resource: "*", Condition: { StringEquals: { "aws:SourceAccount": account } } },
          ],
        }),
        tags,
      },
      { parent: this },
    );
    const topic = new aws.sns.Topic(`${name}-topic`, { name: args.name, kmsMasterKeyId: key.arn, tags }, { parent: this });
    new aws.sns.TopicPolicy(
      `${name}-topic`,
      {
        arn: topic.arn,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [{ Sid: "CostServicesPublish", Effect: "Allow", Principal: { Service: publishers }, Action: "SNS:Publish", Resource: topic.arn, Condition: { StringEquals: { "aws:SourceAccount": account } } }],
        }),
      },
      { parent: this },
    );
    (args.emails ?? []).forEach((email, i) => new aws.sns.TopicSubscription(`${name}-email-${i}`, { topic: topic.arn, protocol: "email", endpoint: email }, { parent: this }));

    // Cost allocation tags: until a key is active, Budgets and Cost Explorer cannot filter by it.
    const activated = (args.activateTagKeys ?? []).map((tagKey) => new aws.costexplorer.CostAllocationTag(`${name}-tag-${tagKey}`, { tagKey, status: "Active" }, { parent: this }));

    const thresholds = args.thresholdsPercent ?? [80, 100];
    const budget = new aws.budgets.Budget(
      `${name}-budget`,
      {
        name: args.name,
        budgetType: "COST",
        timeUnit: "MONTHLY",
        limitAmount: args.monthlyBudgetUsd.toFixed(2),
        limitUnit: "USD",
        // All the tags at once (And): two projects may each have a "production" stack in one account.
        filterExpression:
          args.costTags.length === 1
            ? { tags: { key: args.costTags[0].key, values: [args.costTags[0].value], matchOptions: ["EQUALS"] } }
            : { ands: args.costTags.map((t) => ({ tags: { key: t.key, values: [t.value], matchOptions: ["EQUALS"] } })) },
        notifications: thresholds.flatMap((threshold) =>
          (["ACTUAL", "FORECASTED"] as const).map((notificationType) => ({
            comparisonOperator: "GREATER_THAN",
            threshold,
            thresholdType: "PERCENTAGE",
            notificationType,
            subscriberSnsTopicArns: [topic.arn],
          })),
        ),
        tags,
      },
      { parent: this, dependsOn: activated },
    );

    const monitor = new aws.costexplorer.AnomalyMonitor(
      `${name}-anomalies`,
      {
        name: args.name,
        monitorType: "CUSTOM",
        monitorSpecification: JSON.stringify({ Tags: { Key: args.costTags[0].key, Values: [args.costTags[0].value], MatchOptions: ["EQUALS"] } }),
        tags,
      },
      { parent: this, dependsOn: activated },
    );
    new aws.costexplorer.AnomalySubscription(
      `${name}-anomalies`,
      {
        name: args.name,
        // IMMEDIATE delivery exists only for SNS subscribers: an anomaly reaches people the day it is found.
        frequency: "IMMEDIATE",
        monitorArnLists: [monitor.arn],
        subscribers: [{ type: "SNS", address: topic.arn }],
        thresholdExpression: { dimension: { key: "ANOMALY_TOTAL_IMPACT_ABSOLUTE", matchOptions: ["GREATER_THAN_OR_EQUAL"], values: [String(args.anomalyThresholdUsd ?? 100)] } },
        tags,
      },
      { parent: this },
    );

    this.topicArn = topic.arn;
    this.budgetName = budget.name;
    this.anomalyMonitorArn = monitor.arn;
    this.registerOutputs({ topicArn: this.topicArn, budgetName: this.budgetName, anomalyMonitorArn: this.anomalyMonitorArn });
  }
}
