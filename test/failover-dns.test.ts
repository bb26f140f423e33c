import * as aws from "@pulumi/aws";
import { FailoverDns, FailoverDnsArgs } from "../components/failover-dns";
import { planOf } from "./support/plan";

const args = (over: Partial<FailoverDnsArgs> = {}): FailoverDnsArgs => ({
  zoneId: "Z0123456789ABCDEFGHIJ",
  recordName: "api.stockanalysis.com",
  drRecordName: "dr.stockanalysis.com",
  primary: { alias: { dnsName: "primary-nlb.elb.us-east-1.amazonaws.com", zoneId: "Z26RNL4JYFTOTI" } },
  secondary: { alias: { dnsName: "dr-nlb.elb.us-west-2.amazonaws.com", zoneId: "Z18D5FSROUN65G" } },
  alarmActions: ["arn:aws:sns:us-east-1:123456789012:critical"],
  tags: { system: "stock-analysis" },
  ...over,
  // The primary's own site name: the host its load balancer serves (not the load balancer's DNS name).
  healthCheck: { fqdn: "primary.stockanalysis.com", path: "/health", intervalSeconds: 30, failureThreshold: 3, regions: ["us-east-1", "us-west-2", "eu-west-1"], ...over.healthCheck },
});
const HEALTH = "aws:route53/healthCheck:HealthCheck";
const RECORD = "aws:route53/record:Record";
const ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm";

describe("FailoverDns (runbook 001: detect primary failure on /health, fail DNS over to the DR site)", () => {
  it("checks https://<primary>/health from three regions every 30 s, unhealthy after 3 failures", async () => {
    const plan = await planOf(() => new FailoverDns("failover", args()), { stack: "production" });
    expect(plan.one(HEALTH).inputs).toMatchObject({
      type: "HTTPS",
      fqdn: "primary.stockanalysis.com",
      port: 443,
      resourcePath: "/health",
      requestInterval: 30,
      failureThreshold: 3,
      regions: ["us-east-1", "us-west-2", "eu-west-1"],
      enableSni: true,
    });
    expect(plan.one("runbook:dr:FailoverDns").type).toBe("runbook:dr:FailoverDns");
  });

  it("serves api.stockanalysis.com PRIMARY with the health check and SECONDARY to the DR site, as alias records that evaluate target health", async () => {
    const plan = await planOf(() => new FailoverDns("failover", args()), { stack: "production" });
    const health = plan.one(HEALTH);
    const primary = plan.one(RECORD, "failover-primary").inputs;
    const secondary = plan.one(RECORD, "failover-secondary").inputs;
    expect(primary).toMatchObject({
      name: "api.stockanalysis.com",
      type: "A",
      setIdentifier: "primary",
      failoverRoutingPolicies: [{ type: "PRIMARY" }],
      aliases: [{ name: "primary-nlb.elb.us-east-1.amazonaws.com", zoneId: "Z26RNL4JYFTOTI", evaluateTargetHealth: true }],
    });
    expect(typeof primary.healthCheckId).toBe("string");
    expect(plan.one(RECORD, "failover-primary").dependencies).toContain(health.urn);
    expect(primary.ttl).toBeUndefined();
    expect(secondary).toMatchObject({
      name: "api.stockanalysis.com",
      type: "A",
      setIdentifier: "secondary",
      failoverRoutingPolicies: [{ type: "SECONDARY" }],
      aliases: [{ name: "dr-nlb.elb.us-west-2.amazonaws.com", zoneId: "Z18D5FSROUN65G", evaluateTargetHealth: true }],
    });
    expect(plan.one(RECORD, "failover-dr-site").inputs).toMatchObject({ name: "dr.stockanalysis.com", type: "A", aliases: [{ name: "dr-nlb.elb.us-west-2.amazonaws.com" }] });
    expect(plan.one(RECORD, "failover-dr-site").inputs.setIdentifier).toBeUndefined();
  });

  it("serves CNAME targets with the configured TTL", async () => {
    const plan = await planOf(
      () => new FailoverDns("failover", args({ primary: { cname: "primary.stockanalysis.com" }, secondary: { cname: "dr.example.net" }, drRecordName: undefined, ttlSeconds: 30 })),
      { stack: "production" },
    );
    expect(plan.one(RECORD, "failover-primary").inputs).toMatchObject({ type: "CNAME", ttl: 30, records: ["primary.stockanalysis.com"] });
    expect(plan.one(RECORD, "failover-secondary").inputs).toMatchObject({ type: "CNAME", ttl: 30, records: ["dr.example.net"] });
    expect(plan.ofType(RECORD)).toHaveLength(2);
    expect(plan.one(HEALTH).inputs.fqdn).toBe("primary.stockanalysis.com");
  });

  it("checks an IP primary by address", async () => {
    const plan = await planOf(() => new FailoverDns("failover", args({ primary: { ip: "203.0.113.10" }, secondary: { ip: "198.51.100.7" }, healthCheck: { fqdn: undefined } })), { stack: "production" });
    expect(plan.one(HEALTH).inputs).toMatchObject({ ipAddress: "203.0.113.10", enableSni: false });
    expect(plan.one(HEALTH).inputs.fqdn).toBeUndefined();
    expect(plan.one(RECORD, "failover-primary").inputs).toMatchObject({ type: "A", ttl: 60, records: ["203.0.113.10"] });
  });

  it("alarms on HealthCheckStatus < 1 in us-east-1, treating missing data as down, and notifies the topics", async () => {
    const plan = await planOf(
      () => {
        const metrics = new aws.Provider("route53-metrics", { region: "us-east-1" });
        new FailoverDns("failover", args({ metricsProvider: metrics }));
      },
      { stack: "production", region: "eu-west-1" },
    );
    const alarm = plan.one(ALARM);
    expect(alarm.inputs).toMatchObject({
      namespace: "AWS/Route53",
      metricName: "HealthCheckStatus",
      statistic: "Minimum",
      comparisonOperator: "LessThanThreshold",
      threshold: 1,
      treatMissingData: "breaching",
      alarmActions: ["arn:aws:sns:us-east-1:123456789012:critical"],
      okActions: ["arn:aws:sns:us-east-1:123456789012:critical"],
    });
    expect(alarm.inputs.dimensions).toEqual({ HealthCheckId: expect.any(String) });
    expect(alarm.provider).toMatch(/route53-metrics/);
  });

  describe("rejects bad arguments before creating anything (and accepts the good ones)", () => {
    const cases: Array<[string, Partial<FailoverDnsArgs>, RegExp]> = [
      ["a 15-second interval", { healthCheck: { intervalSeconds: 15 } }, /FailoverDns\.healthCheck\.intervalSeconds: 15 — must be 10 or 30/],
      ["a failure threshold of 11", { healthCheck: { failureThreshold: 11 } }, /FailoverDns\.healthCheck\.failureThreshold: 11 — must be an integer from 1 to 10/],
      ["two checker regions", { healthCheck: { regions: ["us-east-1", "us-west-2"] } }, /FailoverDns\.healthCheck\.regions: .* — must list at least 3 different regions/],
      ["an unknown checker region", { healthCheck: { regions: ["us-east-1", "us-west-2", "eu-central-1"] } }, /FailoverDns\.healthCheck\.regions/],
      ["a relative path", { healthCheck: { path: "health" } }, /FailoverDns\.healthCheck\.path: "health" — must be an absolute path/],
      ["a health check on the failover name", { healthCheck: { fqdn: "api.stockanalysis.com" } }, /FailoverDns\.healthCheck\.fqdn: "api\.stockanalysis\.com" — must name the primary site itself/],
      ["a target with two kinds", { primary: { cname: "a.stockanalysis.com", ip: "203.0.113.1" } }, /FailoverDns\.primary: .* — must set exactly one of alias/],
      ["a pair of different types", { secondary: { cname: "dr.stockanalysis.com" } }, /FailoverDns\.secondary: .* — must have the primary's record type \(A\)/],
      ["a bad IP", { primary: { ip: "1.2.3" }, secondary: { ip: "1.2.3.4" } }, /FailoverDns\.primary\.ip: "1\.2\.3" — must be an IPv4 address/],
      ["a bad record name", { recordName: "api" }, /FailoverDns\.recordName: "api" — must be a DNS name/],
      ["a DR name equal to the record name", { drRecordName: "api.stockanalysis.com" }, /FailoverDns\.drRecordName: "api\.stockanalysis\.com" — must be a DNS name other than recordName/],
      ["a negative TTL", { ttlSeconds: -1 }, /FailoverDns\.ttlSeconds: -1 — must be an integer from 0 to 86400/],
      // Issue 14 item 4: the load balancer's own name carries the wrong Host header; the listener answers 404.
      ["an alias primary without a health-check host", { healthCheck: { fqdn: undefined } }, /FailoverDns\.healthCheck\.fqdn: \(missing\) — must be set for an alias primary/],
      ["a health check on the load balancer's own name", { healthCheck: { fqdn: "primary-nlb.elb.us-east-1.amazonaws.com" } }, /FailoverDns\.healthCheck\.fqdn: .* — must be a host the primary serves/],
    ];
    it.each(cases)("rejects %s", async (_, over, error) => {
      await planOf(() => expect(() => new FailoverDns("failover", args(over))).toThrow(error), { stack: "production" });
    });

    it("accepts a 10-second interval, a threshold of 1 and all eight checker regions", async () => {
      const regions = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"];
      const plan = await planOf(() => new FailoverDns("failover", args({ healthCheck: { intervalSeconds: 10, failureThreshold: 1, regions } })), { stack: "production" });
      expect(plan.one(HEALTH).inputs).toMatchObject({ requestInterval: 10, failureThreshold: 1, regions });
    });

    it("records the literal-target opt-in on the component, where the policy pack reads it", async () => {
      const plan = await planOf(() => new FailoverDns("failover", args({ allowLiteralTargets: true })), { stack: "production" });
      expect(plan.one("runbook:dr:FailoverDns").inputs).toMatchObject({ allowLiteralTargets: true, recordName: "api.stockanalysis.com" });
      const without = await planOf(() => new FailoverDns("failover", args()), { stack: "production" });
      expect(without.one("runbook:dr:FailoverDns").inputs.allowLiteralTargets).toBe(false);
    });

    it("accepts an alias primary with an IP secondary (both A records)", async () => {
      const plan = await planOf(() => new FailoverDns("failover", args({ secondary: { ip: "198.51.100.7" } })), { stack: "production" });
      expect(plan.one(RECORD, "failover-secondary").inputs).toMatchObject({ type: "A", records: ["198.51.100.7"], ttl: 60 });
    });
  });
});
