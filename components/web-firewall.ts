import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { rejectArg } from "../core/errors";
import { parseCidr } from "../core/cidr";
import { LOG_RETENTION_DAYS } from "../core/retention";

export interface WebFirewallArgs {
  /** Physical name of the web ACL (also names the IP sets, metrics and log group); letters, digits, '-' and '_'. No default. */
  aclName: string;
  /** Region of the load balancer (the REGIONAL web ACL's and its metrics' region). No default. */
  region: string;
  /** ARN of the Application Load Balancer to protect. @default none (the ACL stands ready; associate it later) */
  resourceArn?: pulumi.Input<string>;
  /** IPv4 and IPv6 CIDRs blocked before any other rule (on-call's blocklist). @default [] */
  blockedCidrs?: string[];
  /** Requests one client IP may send per window before it is blocked (AWS allows 10 to 2,000,000,000). @default 2000 */
  rateLimit?: number;
  /** Window the rate limit counts over, in seconds: 60, 120, 300 or 600. @default 300 */
  rateLimitWindowSeconds?: number;
  /** AWS managed rule groups, in evaluation order. @default ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"] */
  managedRuleGroups?: string[];
  /** Count instead of block the managed groups' matches (tuning false positives). @default false */
  countOnly?: boolean;
  /** Days the WAF logs are kept in CloudWatch Logs (a CloudWatch retention value). @default 365 */
  logRetentionDays?: number;
  /** Blocked requests (all rules) in 5 minutes that raise the block-spike alarm. @default 1000 */
  blockedRequestsAlarmThreshold?: number;
  /** Requests blocked by the rate-based rule in 5 minutes that raise the rate-limit alarm. @default 100 */
  rateLimitedAlarmThreshold?: number;
  /** SNS topics (or other alarm actions) the two alarms notify. @default [] */
  alarmActions?: pulumi.Input<string>[];
  /** Tags for every AWS resource. @default {} */
  tags?: Record<string, string>;
}

export const DEFAULT_MANAGED_RULE_GROUPS = ["AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet"] as const;
/** Metric (and rule) names of the firewall's own rules; the alarms read them. */
export const WAF_RULES = { blocklist: "blocklist", rateLimit: "rate-limit" } as const;
const RATE_WINDOWS = [60, 120, 300, 600];

/**
 * AWS WAF (REGIONAL) in front of the public Application Load Balancer: the blocklist first (two IP sets,
 * IPv4 and IPv6, both always present so adding the first address of a family changes a set, not the
 * rules), then a per-IP rate limit, then the AWS managed rule groups. Every request's log goes to a
 * CloudWatch log group named `aws-waf-logs-<acl>` (AWS requires the prefix) with Authorization and Cookie
 * headers redacted. Two CloudWatch alarms watch for block and rate-limit spikes (runbook 003 alerts).
 */
export class WebFirewall extends pulumi.ComponentResource {
  public readonly webAclArn: pulumi.Output<string>;
  public readonly webAclName: string;
  public readonly ipv4SetArn: pulumi.Output<string>;
  public readonly ipv6SetArn: pulumi.Output<string>;
  public readonly logGroupName: pulumi.Output<string>;
  /** Names of the alarms on block and rate-limit spikes. */
  public readonly alarmNames: pulumi.Output<string>[];

  constructor(name: string, args: WebFirewallArgs, opts?: pulumi.ComponentResourceOptions) {
    const C = "WebFirewall";
    if (!/^[A-Za-z0-9_-]{1,100}$/.test(args.aclName)) rejectArg(C, "aclName", args.aclName, "must be 1–100 letters, digits, '-' or '_' (AWS WAF names)");
    const rateLimit = args.rateLimit ?? 2000;
    if (!Number.isInteger(rateLimit) || rateLimit < 10 || rateLimit > 2_000_000_000) rejectArg(C, "rateLimit", rateLimit, "must be an integer from 10 to 2000000000");
    const window = args.rateLimitWindowSeconds ?? 300;
    if (!RATE_WINDOWS.includes(window)) rejectArg(C, "rateLimitWindowSeconds", window, "must be one of 60, 120, 300, 600");
    const retention = args.logRetentionDays ?? 365;
    if (!(LOG_RETENTION_DAYS as readonly number[]).includes(retention)) rejectArg(C, "logRetentionDays", retention, `must be one of ${LOG_RETENTION_DAYS.join(", ")}`);
    const v4: string[] = [];
    const v6: string[] = [];
    for (const cidr of args.blockedCidrs ?? []) {
      const parsed = parseCidr(cidr);
      if (!parsed.ok) rejectArg(C, "blockedCidrs", cidr, parsed.reason);
      (parsed.value.version === 4 ? v4 : v6).push(parsed.value.cidr);
    }
    const groups = args.managedRuleGroups ?? [...DEFAULT_MANAGED_RULE_GROUPS];
    if (groups.some((g) => !/^AWSManagedRules[A-Za-z0-9]+$/.test(g))) rejectArg(C, "managedRuleGroups", groups, 'must name AWS managed rule groups such as "AWSManagedRulesCommonRuleSet"');
    for (const key of ["blockedRequestsAlarmThreshold", "rateLimitedAlarmThreshold"] as const)
      if (args[key] !== undefined && !(Number.isInteger(args[key]) && args[key]! >= 1)) rejectArg(C, key, args[key], "must be a positive integer");
    super("runbook:security:WebFirewall", name, {}, opts);

    const tags = args.tags ?? {};
    const acl = args.aclName;
    const visibility = (metricName: string) => ({ cloudwatchMetricsEnabled: true, metricName, sampledRequestsEnabled: true });
    const ipSet = (family: "IPV4" | "IPV6", addresses: string[]) =>
      new aws.wafv2.IpSet(
        `${name}-blocklist-${family.toLowerCase()}`,
        { name: `${acl}-blocklist-${family.toLowerCase()}`, description: `Addresses on-call blocks (security.blockedCidrs, ${family})`, scope: "REGIONAL", ipAddressVersion: family, addresses, tags },
        { parent: this },
      );
    const ipv4 = ipSet("IPV4", v4);
    const ipv6 = ipSet("IPV6", v6);

    const rules: aws.types.input.wafv2.WebAclRule[] = [
      {
        name: WAF_RULES.blocklist,
        priority: 0,
        action: { block: {} },
        statement: { orStatement: { statements: [{ ipSetReferenceStatement: { arn: ipv4.arn } }, { ipSetReferenceStatement: { arn: ipv6.arn } }] } },
        visibilityConfig: visibility(`${acl}-${WAF_RULES.blocklist}`),
      },
      {
        name: WAF_RULES.rateLimit,
        priority: 1,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: "IP", evaluationWindowSec: window } },
        visibilityConfig: visibility(`${acl}-${WAF_RULES.rateLimit}`),
      },
      ...groups.map((group, i) => ({
        name: group,
        priority: 10 + i,
        // Managed groups carry their own actions; `none` keeps them, `count` only records matches.
        overrideAction: args.countOnly ? { count: {} } : { none: {} },
        statement: { managedRuleGroupStatement: { vendorName: "AWS", name: group } },
        visibilityConfig: visibility(`${acl}-${group}`),
      })),
    ];
    const webAcl = new aws.wafv2.WebAcl(
      `${name}-acl`,
      { name: acl, description: "Public API: blocklist, per-IP rate limit, AWS managed rules", scope: "REGIONAL", defaultAction: { allow: {} }, rules, visibilityConfig: visibility(acl), tags },
      { parent: this },
    );

    // AWS WAF only logs to CloudWatch log groups whose name starts with aws-waf-logs-.
    const logGroup = new aws.cloudwatch.LogGroup(`${name}-logs`, { name: `aws-waf-logs-${acl}`, retentionInDays: retention, tags }, { parent: this });
    new aws.wafv2.WebAclLoggingConfiguration(
      `${name}-logging`,
      {
        resourceArn: webAcl.arn,
        logDestinationConfigs: [logGroup.arn],
        // Credentials never reach the logs; the rest of each request stays for forensics.
        redactedFields: [{ singleHeader: { name: "authorization" } }, { singleHeader: { name: "cookie" } }],
      },
      { parent: this },
    );

    if (args.resourceArn !== undefined) new aws.wafv2.WebAclAssociation(`${name}-association`, { resourceArn: args.resourceArn, webAclArn: webAcl.arn }, { parent: this });

    const alarm = (suffix: string, rule: string, threshold: number, description: string) =>
      new aws.cloudwatch.MetricAlarm(
        `${name}-${suffix}`,
        {
          name: `${acl}-${suffix}`,
          alarmDescription: description,
          namespace: "AWS/WAFV2",
          metricName: "BlockedRequests",
          dimensions: { WebACL: acl, Region: args.region, Rule: rule },
          statistic: "Sum",
          period: 300,
          evaluationPeriods: 1,
          threshold,
          comparisonOperator: "GreaterThanOrEqualToThreshold",
          // No blocked request publishes no datapoint: that is the quiet state, not missing data.
          treatMissingData: "notBreaching",
          alarmActions: args.alarmActions ?? [],
          okActions: args.alarmActions ?? [],
          tags,
        },
        { parent: this, dependsOn: [webAcl] },
      );
    const blocked = alarm("block-spike", "ALL", args.blockedRequestsAlarmThreshold ?? 1000, "Web firewall blocks spiked: an attack or a bad deploy of rules (runbook 003: check WAF logs, block the sources)");
    const limited = alarm(
      "rate-limit-spike",
      `${acl}-${WAF_RULES.rateLimit}`,
      args.rateLimitedAlarmThreshold ?? 100,
      "Clients hit the per-IP rate limit: credential stuffing or scraping (runbook 003 HighFailedLogins/SuspiciousAPIActivity)",
    );

    this.webAclArn = webAcl.arn;
    this.webAclName = acl;
    this.ipv4SetArn = ipv4.arn;
    this.ipv6SetArn = ipv6.arn;
    this.logGroupName = logGroup.name;
    this.alarmNames = [blocked.name, limited.name];
    this.registerOutputs({ webAclArn: this.webAclArn, ipv4SetArn: this.ipv4SetArn, ipv6SetArn: this.ipv6SetArn, logGroupName: this.logGroupName });
  }
}
