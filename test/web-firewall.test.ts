/**
 * Issue 21 item 3: AWS WAF in front of the public load balancer — managed rule groups, a per-IP rate
 * limit from config, the blocklist on-call edits (`security.blockedCidrs`), logs in CloudWatch with the
 * stack's retention, and alarms on block and rate-limit spikes.
 */
import * as path from "node:path";
import { planOf, TestPlan } from "./support/plan";
import { loadStackFile } from "../preview/stack-files";
import { WebFirewall } from "../components/web-firewall";
import { evaluatePlan, Plan } from "../policies/evaluate";

const root = path.join(__dirname, "..");
const ACL = "aws:wafv2/webAcl:WebAcl";
const IPSET = "aws:wafv2/ipSet:IpSet";
const LOGGING = "aws:wafv2/webAclLoggingConfiguration:WebAclLoggingConfiguration";
const ASSOCIATION = "aws:wafv2/webAclAssociation:WebAclAssociation";
const LOG_GROUP = "aws:cloudwatch/logGroup:LogGroup";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";
const ALB_ARN = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/stock-analysis-api/0123456789abcdef";

/** A default stack with `security` overridden. Staging has no edge load balancer of its own (issue 18): the ARN path. */
async function stackPlan(stack: "production" | "staging", security?: object): Promise<TestPlan> {
  const file = loadStackFile("runbook-infra", path.join(root, `Pulumi.${stack}.yaml`));
  const config: Record<string, string> = security ? { ...file.config, "runbook-infra:security": JSON.stringify(security) } : { ...file.config };
  return planOf(() => require("../stacks/program").main(), { stack, config, secretKeys: file.secretKeys });
}

describe("the production plan's web firewall", () => {
  let plan: TestPlan;
  beforeAll(async () => {
    plan = await stackPlan("production", { blockedCidrs: ["203.0.113.7/32", "2001:db8:bad::/48"] });
  }, 120_000);

  it("is a REGIONAL web ACL: blocklist first, then the per-IP rate limit, then the AWS managed groups", () => {
    const acl = plan.one(ACL).inputs as any;
    expect(acl).toMatchObject({ scope: "REGIONAL", defaultAction: { allow: {} }, name: expect.stringMatching(/-api$/) });
    expect(acl.rules.map((r: any) => [r.priority, r.name])).toEqual([
      [0, "blocklist"],
      [1, "rate-limit"],
      [10, "AWSManagedRulesCommonRuleSet"],
      [11, "AWSManagedRulesKnownBadInputsRuleSet"],
    ]);
    expect(acl.rules[1]).toMatchObject({ action: { block: {} }, statement: { rateBasedStatement: { limit: 2000, aggregateKeyType: "IP", evaluationWindowSec: 300 } } });
    for (const managed of acl.rules.slice(2)) expect(managed).toMatchObject({ overrideAction: { none: {} }, statement: { managedRuleGroupStatement: { vendorName: "AWS" } } });
    for (const rule of acl.rules) expect(rule.visibilityConfig).toMatchObject({ cloudwatchMetricsEnabled: true, sampledRequestsEnabled: true });
  });

  it("blocks security.blockedCidrs through one IP set per address family", () => {
    const sets = plan.ofType(IPSET).map((s) => s.inputs as any);
    expect(sets.map((s) => [s.ipAddressVersion, s.scope, s.addresses])).toEqual([
      ["IPV4", "REGIONAL", ["203.0.113.7/32"]],
      ["IPV6", "REGIONAL", ["2001:db8:bad::/48"]],
    ]);
    const blocklist = (plan.one(ACL).inputs as any).rules[0];
    expect(blocklist.action).toEqual({ block: {} });
    expect(blocklist.statement.orStatement.statements).toHaveLength(2);
  });

  it("logs every request to an aws-waf-logs- group kept as long as the stack's audit logs, credentials redacted", () => {
    const group = plan.ofType(LOG_GROUP).find((g) => String(g.inputs.name).startsWith("aws-waf-logs-"))!;
    expect(group.inputs.retentionInDays).toBe(365);
    const logging = plan.one(LOGGING).inputs as any;
    expect(logging.logDestinationConfigs).toEqual([expect.stringContaining("aws-waf-logs-")]);
    expect(logging.redactedFields).toEqual([{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }]);
    // The pack's waf-logging rule passes it, and refuses a destination AWS would refuse.
    const judged = (resources: typeof plan.resources) => evaluatePlan({ project: "runbook-infra", stack: "production", environment: "production", resources } as Plan).filter((v) => v.policy === "waf-logging");
    expect(judged(plan.resources)).toEqual([]);
    const renamed = plan.resources.map((r) => (r.type === LOGGING ? { ...r, inputs: { ...r.inputs, logDestinationConfigs: ["arn:aws:logs:us-east-1:123456789012:log-group:/waf/api"] } } : r));
    expect(judged(renamed).map((v) => v.message).join("\n")).toMatch(/is not named aws-waf-logs-\* \(AWS refuses it\)/);
  });

  it("alarms on block spikes (all rules) and rate-limit spikes, to the security topic", () => {
    const alarms = plan.ofType(ALARM).filter((a) => (a.inputs as any).namespace === "AWS/WAFV2").map((a) => a.inputs as any);
    expect(alarms.map((a) => [a.metricName, a.dimensions.Rule, a.threshold])).toEqual([
      ["BlockedRequests", "ALL", 1000],
      ["BlockedRequests", expect.stringMatching(/-rate-limit$/), 100],
    ]);
    for (const a of alarms) {
      expect(a).toMatchObject({ statistic: "Sum", period: 300, treatMissingData: "notBreaching", dimensions: { Region: "us-east-1", WebACL: expect.stringMatching(/-api$/) } });
      expect(a.alarmActions).toEqual([expect.stringContaining("security-alerts")]);
    }
  });
});

describe("with the stack's own edge load balancer (issue 18), when the stack file configures one", () => {
  it("associates the ACL with that ALB, and the pack finds no WAF-less public load balancer", async () => {
    const file = loadStackFile("runbook-infra", path.join(root, "Pulumi.production.yaml"));
    if (!("runbook-infra:edge" in file.config)) return; // no edge in this stack file: the ARN path above covers it
    const plan = await stackPlan("production");
    const albs = plan.ofType("aws:lb/loadBalancer:LoadBalancer").filter((lb) => lb.inputs.internal !== true);
    expect(albs.length).toBeGreaterThan(0);
    const association = plan.one(ASSOCIATION);
    for (const alb of albs) expect(association.dependencies).toContain(alb.urn);
    const violations = evaluatePlan({ project: "runbook-infra", stack: "production", environment: "production", resources: plan.resources } as Plan).filter((v) => ["waf-public-load-balancer", "waf-logging"].includes(v.policy));
    expect(violations).toEqual([]);
  }, 120_000);
});

describe("a stack without its own load balancer (staging)", () => {
  it("stands ready: the ACL exists, nothing is associated, and its ARN is a stack output", async () => {
    const plan = await stackPlan("staging");
    expect(plan.ofType("aws:lb/loadBalancer:LoadBalancer")).toHaveLength(0);
    expect(plan.ofType(ACL)).toHaveLength(1);
    expect(plan.ofType(ASSOCIATION)).toHaveLength(0);
    expect(plan.outputs.webAclArn).toMatch(/^arn:aws:wafv2:/);
  }, 120_000);

  it("associates the ACL with security.loadBalancerArn, which satisfies the pack's WAF rule for that ALB", async () => {
    const plan = await stackPlan("staging", { loadBalancerArn: ALB_ARN });
    expect(plan.one(ASSOCIATION).inputs).toMatchObject({ resourceArn: ALB_ARN });
    // The ALB as a plan resource the association names (as an ALB made by this stack would be).
    const alb = { urn: "urn:pulumi:staging::runbook-infra::aws:lb/loadBalancer:LoadBalancer::edge-alb", type: "aws:lb/loadBalancer:LoadBalancer", name: "edge-alb", parent: null, custom: true, inputs: { arn: ALB_ARN, internal: false, loadBalancerType: "application" }, dependencies: [] };
    const judged = (resources: typeof plan.resources) => evaluatePlan({ project: "runbook-infra", stack: "staging", environment: "production", resources: [...resources, alb] } as Plan).filter((v) => v.policy === "waf-public-load-balancer");
    expect(judged(plan.resources)).toEqual([]);
    expect(judged(plan.resources.filter((r) => r.type !== ASSOCIATION)).map((v) => v.level)).toEqual(["mandatory"]);
  }, 120_000);
});

describe("WebFirewall arguments", () => {
  const args = { aclName: "api", region: "us-east-1" };
  it("counts instead of blocking the managed groups only when asked", async () => {
    const plan = await planOf(() => void new WebFirewall("waf", { ...args, countOnly: true, rateLimit: 500, rateLimitWindowSeconds: 60, logRetentionDays: 90 }));
    const rules = (plan.one(ACL).inputs as any).rules;
    expect(rules.slice(2).map((r: any) => r.overrideAction)).toEqual([{ count: {} }, { count: {} }]);
    expect(rules[1].statement.rateBasedStatement).toMatchObject({ limit: 500, evaluationWindowSec: 60 });
    expect(plan.one(LOG_GROUP).inputs).toMatchObject({ name: "aws-waf-logs-api", retentionInDays: 90 });
  });

  it.each([
    [{ aclName: "my api" }, /WebFirewall\.aclName: "my api" — must be 1–100 letters, digits/],
    [{ rateLimit: 5 }, /WebFirewall\.rateLimit: 5 — must be an integer from 10/],
    [{ rateLimitWindowSeconds: 30 }, /WebFirewall\.rateLimitWindowSeconds: 30 — must be one of 60, 120, 300, 600/],
    [{ logRetentionDays: 100 }, /WebFirewall\.logRetentionDays: 100 — must be one of 1, 3/],
    [{ blockedCidrs: ["10.1.2.3/24"] }, /WebFirewall\.blockedCidrs: "10\.1\.2\.3\/24" — has host bits set: the \/24 network is 10\.1\.2\.0\/24/],
    [{ managedRuleGroups: ["SomeoneElsesRules"] }, /WebFirewall\.managedRuleGroups: .* — must name AWS managed rule groups/],
  ])("rejects %j in one line", async (bad, message) => {
    await planOf(() => {
      expect(() => new WebFirewall("waf", { ...args, ...(bad as object) })).toThrow(message);
    });
  });
});
