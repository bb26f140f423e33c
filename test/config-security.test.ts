/** `runbook-infra:security`: the blocklist on-call edits, network policy and WAF switches, per-service flows. */
import * as path from "node:path";
import { parseStackConfig } from "../stacks/config/load";
import { loadStackFile, LoadedStack } from "../preview/stack-files";
import { parseCidr } from "../core/cidr";

const root = path.join(__dirname, "..");
const load = (stack: "production" | "staging") => loadStackFile("runbook-infra", path.join(root, `Pulumi.${stack}.yaml`));
const withSecurity = (stack: LoadedStack, security: unknown) => () =>
  parseStackConfig(stack.stack, { ...stack.config, "runbook-infra:security": JSON.stringify(security) }, new Set(stack.secretKeys));

describe("security config", () => {
  it("defaults to network policies and a WAF on, no blocked addresses", () => {
    const config = parseStackConfig("production", load("production").config, new Set(load("production").secretKeys));
    expect(config.security).toMatchObject({ networkPolicies: { enabled: true, services: {} }, blockedCidrs: [], waf: { enabled: true, rateLimit: 2000, rateLimitWindowSeconds: 300, countOnly: false } });
  });

  it("accepts IPv4 and IPv6 blocks as on-call writes them", () => {
    const config = withSecurity(load("production"), { blockedCidrs: ["203.0.113.7/32", "198.51.100.0/24", "2001:db8::/32", "2001:db8:abcd:12::1/128"] })();
    expect(config.security.blockedCidrs).toHaveLength(4);
  });

  it.each([
    ["203.0.113.7", /security\.blockedCidrs\[0\]: "203\.0\.113\.7" — must be a CIDR block with a prefix length/],
    ["198.51.100.7/24", /security\.blockedCidrs\[0\]: "198\.51\.100\.7\/24" — has host bits set: the \/24 network is 198\.51\.100\.0\/24/],
    ["2001:db8::1/32", /has host bits set: the \/32 network is 2001:db8::\/32/],
    ["0.0.0.0/0", /must have an IPv4 prefix length from 1 to 32 \(\/0 would block everyone\)/],
    ["300.1.1.1/32", /must be an IPv4 or IPv6 address with a prefix length/],
    ["10.0.0.0/33", /prefix length from 1 to 32/],
  ])("rejects %s in one line naming the key", (cidr, message) => {
    expect(withSecurity(load("production"), { blockedCidrs: [cidr] })).toThrow(message);
    expect(withSecurity(load("production"), { blockedCidrs: [cidr] })).toThrow(/^production: runbook-infra:security\.blockedCidrs\[0\]/);
  });

  it("rejects a duplicate entry (AWS WAF refuses it)", () => {
    expect(withSecurity(load("production"), { blockedCidrs: ["203.0.113.7/32", "203.0.113.7/32"] })).toThrow(/security\.blockedCidrs\[1\]: "203\.0\.113\.7\/32" — is listed twice/);
  });

  it("refuses to turn network policies, the WAF or blocking off in production, and allows it in staging", () => {
    expect(withSecurity(load("production"), { networkPolicies: { enabled: false } })).toThrow(/security\.networkPolicies\.enabled: false — must be true in production/);
    expect(withSecurity(load("production"), { waf: { enabled: false } })).toThrow(/security\.waf\.enabled: false — must be true in production/);
    expect(withSecurity(load("production"), { waf: { countOnly: true } })).toThrow(/security\.waf\.countOnly: true — must be false in production/);
    expect(withSecurity(load("staging"), { networkPolicies: { enabled: false }, waf: { enabled: false } })().security.networkPolicies.enabled).toBe(false);
  });

  it("takes per-service flows only for services the stack has", () => {
    const ok = withSecurity(load("production"), { networkPolicies: { services: { "stock-analysis-api": { ports: [8001], fromServices: ["stock-analysis-frontend"] } } } })();
    expect(ok.security.networkPolicies.services["stock-analysis-api"]).toEqual({ ports: [8001], fromServices: ["stock-analysis-frontend"], database: true, cache: true, messaging: true, internetHttps: false });
    expect(withSecurity(load("production"), { networkPolicies: { services: { "no-such-service": {} } } })).toThrow(/security\.networkPolicies\.services\.no-such-service: "no-such-service" — must name a service of application\.services/);
    expect(withSecurity(load("production"), { networkPolicies: { services: { "stock-analysis-api": { fromServices: ["ghost"] } } } })).toThrow(/fromServices\[0\]: "ghost" — must name a service/);
    expect(withSecurity(load("production"), { networkPolicies: { services: { "stock-analysis-api": { ports: [70000] } } } })).toThrow(/ports\[0\]: 70000 — must be an integer from 1 to 65535/);
  });

  it("checks the WAF's rate window and the load balancer ARN against what AWS accepts", () => {
    expect(withSecurity(load("production"), { waf: { rateLimitWindowSeconds: 30 } })).toThrow(/security\.waf\.rateLimitWindowSeconds: 30 — must be one of 60, 120, 300, 600/);
    expect(withSecurity(load("production"), { waf: { rateLimit: 5 } })).toThrow(/security\.waf\.rateLimit: 5 — must be an integer from 10/);
    expect(withSecurity(load("production"), { loadBalancerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/x/0123" })).toThrow(/security\.loadBalancerArn: .* — must be an Application Load Balancer ARN/);
    expect(withSecurity(load("production"), { loadBalancerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/api/0123456789abcdef" })().security.loadBalancerArn).toMatch(/loadbalancer\/app\//);
  });
});

describe("parseCidr (core/cidr.ts)", () => {
  it("normalises and classifies", () => {
    expect(parseCidr("2001:DB8::/32")).toEqual({ ok: true, value: { version: 6, cidr: "2001:db8::/32", prefix: 32 } });
    expect(parseCidr("::ffff:192.0.2.0/120")).toMatchObject({ ok: true, value: { version: 6 } });
    expect(parseCidr(42)).toMatchObject({ ok: false });
  });
});
