/**
 * Stack keys of security containment (`runbook-infra:security`): the NetworkPolicies of the namespaces
 * the library creates, the address blocklist on-call edits during an incident, and the web firewall in
 * front of the public load balancer. Runbooks 002 ("Containment") and 003 ("block malicious IPs,
 * isolate affected systems").
 */
import { z } from "zod";
import { parseCidr } from "../../core/cidr";
import { bool, int, k8sName, str } from "./fields";
import { logRetentionDays } from "./network";
import type { Refinement } from "./refinement";

/** A CIDR as on-call writes it: IPv4 or IPv6, no host bits, not /0. */
const blockedCidr = () =>
  z.string({ error: "must be a CIDR block such as 203.0.113.7/32 or 2001:db8::/32" }).superRefine((value, ctx) => {
    const parsed = parseCidr(value);
    if (!parsed.ok) ctx.addIssue({ code: "custom", message: parsed.reason, input: value });
  });

export const serviceNetworkSchema = z
  .object({
    /** Container ports the load balancer and calling services reach. @default [] (every port) */
    ports: z.array(int(1, 65535)).default([]),
    /** The load balancer forwards to this service (ALB IP targets). @default true for `edge.service` when the stack builds the edge, else true for every service */
    fromLoadBalancer: bool().optional(),
    /** Services of the same namespace that call this one. @default [] */
    fromServices: z.array(k8sName()).default([]),
    /** Reaches the database (when the stack has one). @default true */
    database: bool().default(true),
    /** Reaches the cache (when the stack has one). @default true */
    cache: bool().default(true),
    /** Reaches Kafka (when the stack has messaging.kafka): port 9098 on the private subnets, and STS for IAM auth. @default true */
    messaging: bool().default(true),
    /** Calls HTTPS endpoints outside the VPC (AWS APIs, third parties). @default false */
    internetHttps: bool().default(false),
  })
  .strict();

export const networkPoliciesSchema = z
  .object({
    /** Default-deny plus derived allow policies and the quarantine policy in every namespace the library creates. Production refuses false. @default true */
    enabled: bool().default(true),
    /** Flows per application service, by name from application.services; a service not listed gets the defaults. @default {} */
    services: z.record(k8sName(), serviceNetworkSchema).default({}),
  })
  .strict();

export const wafSchema = z
  .object({
    /** Put an AWS WAF web ACL in front of the public load balancer. Production refuses false. @default true */
    enabled: bool().default(true),
    /** Requests one client IP may send per window before it is blocked (AWS WAF rate-based rule, 10 or more). @default 2000 */
    rateLimit: int(10, 2_000_000_000).default(2000),
    /** Window the rate limit counts over, in seconds (AWS WAF accepts 60, 120, 300, 600). @default 300 */
    rateLimitWindowSeconds: z.union([z.literal(60), z.literal(120), z.literal(300), z.literal(600)], { error: "must be one of 60, 120, 300, 600 (AWS WAF evaluation windows)" }).default(300),
    /** Days WAF logs are kept in CloudWatch Logs. @default cluster.logRetentionDays (the stack's audit-log retention) */
    logRetentionDays: logRetentionDays().optional(),
    /** Blocked requests in 5 minutes that raise the block-spike alarm. @default 1000 */
    blockedRequestsAlarmThreshold: int(1, 100_000_000).default(1000),
    /** Requests the rate-based rule blocked in 5 minutes that raise the rate-limit alarm. @default 100 */
    rateLimitedAlarmThreshold: int(1, 100_000_000).default(100),
    /** Only count (not block) the managed rule groups' matches while tuning false positives. Production refuses true. @default false */
    countOnly: bool().default(false),
  })
  .strict();

export const securitySchema = z
  .object({
    /** NetworkPolicies: default-deny, derived allows, quarantine. */
    networkPolicies: networkPoliciesSchema.prefault({}),
    /**
     * Addresses the web firewall blocks (IPv4 and IPv6 CIDRs). On-call adds an entry during an incident
     * and applies it with a reviewed `pulumi up`. @default []
     */
    blockedCidrs: z.array(blockedCidr()).max(10000, { error: "must hold at most 10000 entries (AWS WAF IP set limit)" }).default([]),
    /** AWS WAF web ACL for the public load balancer. */
    waf: wafSchema.prefault({}),
    /**
     * ARN of the public Application Load Balancer to protect, when it is made outside this stack's edge
     * component. @default none (the edge's load balancer, when the stack builds one)
     */
    loadBalancerArn: str(/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/app\/[A-Za-z0-9-]+\/[0-9a-f]+$/, "an Application Load Balancer ARN (arn:aws:elasticloadbalancing:<region>:<account>:loadbalancer/app/<name>/<id>)").optional(),
  })
  .strict();

export type SecurityConfig = z.infer<typeof securitySchema>;

export const refineSecurity: Refinement = (config, report) => {
  const security = config.security;
  if (!security) return;
  const production = config.environment === "production";
  if (production && !security.networkPolicies.enabled)
    report(["security", "networkPolicies", "enabled"], false, "must be true in production (every application namespace needs default-deny; the policy pack refuses it)");
  if (production && !security.waf.enabled) report(["security", "waf", "enabled"], false, "must be true in production (the public load balancer needs a web firewall; the policy pack refuses it)");
  if (production && security.waf.countOnly) report(["security", "waf", "countOnly"], true, "must be false in production (managed rules must block)");
  const services = config.application?.services.map((s) => s.name) ?? [];
  for (const [name, service] of Object.entries(security.networkPolicies.services)) {
    if (!services.includes(name)) report(["security", "networkPolicies", "services", name], name, `must name a service of application.services: ${services.join(", ") || "(none)"}`);
    service.fromServices.forEach((caller, i) => {
      if (!services.includes(caller)) report(["security", "networkPolicies", "services", name, "fromServices", i], caller, `must name a service of application.services: ${services.join(", ") || "(none)"}`);
    });
  }
  const seen = new Set<string>();
  security.blockedCidrs.forEach((cidr, i) => {
    const key = cidr.trim().toLowerCase();
    if (seen.has(key)) report(["security", "blockedCidrs", i], cidr, "is listed twice (AWS WAF rejects duplicate addresses in an IP set)");
    seen.add(key);
  });
};
