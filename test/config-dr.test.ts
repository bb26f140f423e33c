import * as path from "node:path";
import { parseStackConfig } from "../stacks/config/load";
import { loadStackFile, LoadedStack } from "../preview/stack-files";

const root = path.join(__dirname, "..");
const production = () => loadStackFile("runbook-infra", path.join(root, "Pulumi.production.yaml"));
const staging = () => loadStackFile("runbook-infra", path.join(root, "Pulumi.staging.yaml"));

type Raw = Record<string, string>;
function editKey(raw: Raw, key: string, edit: (value: any) => void): Raw {
  const value = JSON.parse(raw[`runbook-infra:${key}`]);
  edit(value);
  return { ...raw, [`runbook-infra:${key}`]: JSON.stringify(value) };
}
const parse = (stack: LoadedStack, raw: Raw = stack.config) => parseStackConfig(stack.stack, raw, new Set(stack.secretKeys));
/** Typed failover targets (the old placeholder style), accepted only with the visible opt-in. */
const typed = (d: any, primary: object, secondary: object) => Object.assign(d.records, { allowLiteralTargets: true, primary, secondary });
const ALIAS_PRIMARY = { alias: { dnsName: "primary.example.net", zoneId: "Z26RNL4JYFTOTI" } };
const editDr = (edit: (dr: any) => void) => {
  const stack = production();
  return () => parse(stack, editKey(stack.config, "dr", edit));
};

describe("dr config: the default stacks", () => {
  it("holds production to runbook 001: RTO 4 h, RPO 1 h, api/dr names and 5 DR replicas", () => {
    const dr = parse(production()).dr!;
    expect(dr).toMatchObject({ enabled: true, rtoMinutes: 240, rpoMinutes: 60, drReplicas: { "stock-analysis-api": 5, "celery-worker": 5 } });
    expect(dr.records).toMatchObject({ name: "api.stockanalysis.com", allowLiteralTargets: false });
    expect(dr.records!.primary).toBeUndefined();
    expect(dr.records!.secondary).toBeUndefined();
    expect(dr.stack).toBe("production-dr");
    expect(dr.healthCheck).toEqual({ path: "/health", port: 443, intervalSeconds: 30, failureThreshold: 3, regions: ["us-east-1", "us-west-2", "eu-west-1"] });
  });

  it("keeps staging without a DR site", () => {
    const config = parse(staging());
    expect(config.dr?.enabled).toBe(false);
    expect(config.drRegion).toBeUndefined();
  });

  it("fills the documented planning defaults", () => {
    const stack = production();
    // The default operator group must still have members (cluster.access.groups), or the config refuses it.
    const raw = editKey(stack.config, "cluster", (c) => (c.access.groups[0].kubernetesGroups = ["dr-operators"]));
    const dr = parse(
      stack,
      editKey(raw, "dr", (d) => {
        delete d.restoreThroughputGiBPerHour;
        delete d.healthCheck;
        delete d.operatorGroup;
      }),
    ).dr!;
    expect(dr).toMatchObject({ restoreThroughputGiBPerHour: 50, restoreOverheadMinutes: 20, activationMinutes: 30, replicationLagMinutes: 15, drMaxReplicasFactor: 2, operatorGroup: "dr-operators" });
    expect(dr.healthCheck).toMatchObject({ path: "/health", intervalSeconds: 30, failureThreshold: 3 });
  });
});

describe("dr config: rejected values name the key, the value and what is allowed", () => {
  const cases: Array<[string, () => unknown, RegExp]> = [
    ["a 15-second health check interval", editDr((d) => (d.healthCheck.intervalSeconds = 15)), /^production: runbook-infra:dr\.healthCheck\.intervalSeconds: 15 — must be 10 or 30/],
    ["a failure threshold of 0", editDr((d) => (d.healthCheck.failureThreshold = 0)), /dr\.healthCheck\.failureThreshold: 0 — must be an integer from 1 to 10/],
    ["a failure threshold of 11", editDr((d) => (d.healthCheck.failureThreshold = 11)), /dr\.healthCheck\.failureThreshold: 11 — must be an integer from 1 to 10/],
    ["only two checker regions", editDr((d) => (d.healthCheck.regions = ["us-east-1", "us-west-2"])), /dr\.healthCheck\.regions: .* — must list at least 3 checker regions/],
    ["a checker region Route53 does not offer", editDr((d) => (d.healthCheck.regions = ["us-east-1", "us-west-2", "eu-central-1"])), /dr\.healthCheck\.regions\[2\]: "eu-central-1" — must be one of us-east-1/],
    ["a repeated checker region", editDr((d) => (d.healthCheck.regions = ["us-east-1", "us-west-2", "us-east-1"])), /dr\.healthCheck\.regions: .* — must not repeat a region \(us-east-1\)/],
    ["a relative health path", editDr((d) => (d.healthCheck.path = "health")), /dr\.healthCheck\.path: "health" — must be an absolute URL path/],
    ["a health check on the failover name itself", editDr((d) => (d.healthCheck.fqdn = "api.stockanalysis.com")), /dr\.healthCheck\.fqdn: "api\.stockanalysis\.com" — must name the primary site itself/],
    ["a negative RTO", editDr((d) => (d.rtoMinutes = 0)), /dr\.rtoMinutes: 0 — must be an integer from 1 to 43200/],
    ["a missing RPO", editDr((d) => delete d.rpoMinutes), /dr\.rpoMinutes: \(missing\) — must be an integer/],
    ["DR disabled in production", editDr((d) => (d.enabled = false)), /dr\.enabled: false — must be true in production/],
    ["no failover records while enabled", editDr((d) => delete d.records), /dr\.records: \(missing\) — must be set when DR is enabled/],
    ["a record outside the zone", editDr((d) => (d.records.drName = "dr.example.org")), /dr\.records\.drName: "dr\.example\.org" — must be inside the zone stockanalysis\.com/],
    ["a target with both alias and cname", editDr((d) => typed(d, { ...ALIAS_PRIMARY, cname: "primary.stockanalysis.com" }, ALIAS_PRIMARY)), /dr\.records\.primary: .* — must set exactly one of alias/],
    ["a target with none", editDr((d) => typed(d, ALIAS_PRIMARY, {})), /dr\.records\.secondary: \{\} — must set exactly one of alias/],
    ["an alias primary with a CNAME secondary", editDr((d) => typed(d, ALIAS_PRIMARY, { cname: "dr.stockanalysis.com" })), /dr\.records\.secondary: .* — must be the same record type as primary \(A\)/],
    ["a CNAME pair at the zone apex", editDr((d) => typed(Object.assign(d, { records: { ...d.records, name: "stockanalysis.com" } }), { cname: "a.stockanalysis.com" }, { cname: "b.stockanalysis.com" })), /dr\.records\.name: "stockanalysis\.com" — must not be the zone apex/],
    ["a malformed alias zone id", editDr((d) => typed(d, { alias: { dnsName: "primary.example.net", zoneId: "abc" } }, ALIAS_PRIMARY)), /dr\.records\.primary\.alias\.zoneId: "abc" — must be a Route53 hosted zone id/],
    ["a malformed IP target", editDr((d) => typed(d, { ip: "300.1.1.1" }, { ip: "203.0.113.9" })), /dr\.records\.primary\.ip: "300\.1\.1\.1" — must be an IPv4 address/],
    ["DR replicas for an unknown service", editDr((d) => (d.drReplicas["payment-api"] = 5)), /dr\.drReplicas\.payment-api: 5 — unknown service; application\.services has: stock-analysis-api/],
    ["zero DR replicas", editDr((d) => (d.drReplicas["celery-worker"] = 0)), /dr\.drReplicas\.celery-worker: 0 — must be an integer from 1 to 200/],
    ["no DR replicas while enabled", editDr((d) => (d.drReplicas = {})), /dr\.drReplicas: \{\} — must list the services to run at DR scale/],
    ["a zero restore throughput", editDr((d) => (d.restoreThroughputGiBPerHour = 0)), /dr\.restoreThroughputGiBPerHour: 0 — must be a number from 0\.1/],
    ["an operator group with spaces", editDr((d) => (d.operatorGroup = "dr operators")), /dr\.operatorGroup: "dr operators" — must be a Kubernetes group name/],
    // Issue 14 item 4: no typed load-balancer name reaches a plan without the visible opt-in.
    [
      "a typed load-balancer placeholder without the opt-in",
      editDr((d) => (d.records.primary = { alias: { dnsName: "stock-analysis-primary.elb.us-east-1.amazonaws.com", zoneId: "Z26RNL4JYFTOTI" } })),
      /dr\.records\.primary: .* — names a load balancer by hand .*set dr\.records\.allowLiteralTargets: true/,
    ],
    ["a typed CNAME target without the opt-in", editDr((d) => (d.records.secondary = { cname: "dr.example.net" })), /dr\.records\.secondary: .* — is typed by hand; remove it .* or set dr\.records\.allowLiteralTargets: true/],
    ["production DR without a DR stack", editDr((d) => delete d.stack), /dr\.stack: \(missing\) — must name the DR stack in production/],
    ["a health check on a load balancer's own name", editDr((d) => (d.healthCheck.fqdn = "x-1.us-east-1.elb.amazonaws.com")), /dr\.healthCheck\.fqdn: .* — must be a host the primary serves/],
    ["a typed alias primary without a health-check host", editDr((d) => typed(d, ALIAS_PRIMARY, ALIAS_PRIMARY)), /dr\.healthCheck\.fqdn: \(missing\) — must be set when the primary is a typed alias/],
    ["no secondary and no DR stack outside production", editDr((d) => { delete d.stack; d.records.allowLiteralTargets = true; }), /dr\.(stack|records\.secondary): \(missing\)/],
    ["an unknown dr key", editDr((d) => (d.rto = 240)), /runbook-infra:dr\.rto: 240 — unknown key; allowed keys here: enabled, rtoMinutes/],
  ];
  it.each(cases)("rejects %s", (_, run, error) => {
    expect(run).toThrow(error);
  });

  it("rejects a production stack without a dr section", () => {
    const stack = production();
    const { ["runbook-infra:dr"]: _, ...raw } = stack.config;
    expect(() => parse(stack, raw)).toThrow(/^production: runbook-infra:dr: \(missing\) — must be set in production/);
  });

  it("rejects DR enabled without a DR region", () => {
    const stack = production();
    const { ["runbook-infra:drRegion"]: _, ...raw } = stack.config;
    expect(() => parse(stack, editKey(raw, "database", (d) => (d.replicateBackupsToDr = false)))).toThrow(/dr\.enabled: true — needs runbook-infra:drRegion/);
  });

  it("rejects a DR region equal to the primary region", () => {
    const stack = production();
    expect(() => parse(stack, { ...stack.config, "runbook-infra:drRegion": "us-east-1" })).toThrow(/runbook-infra:drRegion: "us-east-1" — must differ from aws:region/);
  });
});

describe("dr config: accepted variants", () => {
  it("accepts a 10-second interval, one failure and all eight checker regions", () => {
    const regions = ["us-east-1", "us-west-1", "us-west-2", "eu-west-1", "ap-southeast-1", "ap-southeast-2", "ap-northeast-1", "sa-east-1"];
    const dr = editDr((d) => Object.assign(d.healthCheck, { intervalSeconds: 10, failureThreshold: 1, regions }))().dr!;
    expect(dr.healthCheck).toMatchObject({ intervalSeconds: 10, failureThreshold: 1, regions });
  });

  it("accepts a CNAME pair with its TTL, and an alias primary with an IP secondary (both A records)", () => {
    expect(editDr((d) => typed(Object.assign(d.records, { ttlSeconds: 30 }) && d, { cname: "primary.stockanalysis.com" }, { cname: "dr.stockanalysis.com" }))().dr!.records).toMatchObject({ ttlSeconds: 30 });
    expect(editDr((d) => ((d.healthCheck.fqdn = "primary.stockanalysis.com"), typed(d, ALIAS_PRIMARY, { ip: "203.0.113.9" })))().dr!.records!.secondary).toEqual({ ip: "203.0.113.9" });
  });

  it("accepts typed targets with the visible opt-in (allowLiteralTargets), placeholders included", () => {
    const dr = editDr((d) => {
      d.healthCheck.fqdn = "primary.stockanalysis.com";
      typed(d, { alias: { dnsName: "stock-analysis-primary.elb.us-east-1.amazonaws.com", zoneId: "Z26RNL4JYFTOTI" } }, { alias: { dnsName: "stock-analysis-dr.elb.us-west-2.amazonaws.com", zoneId: "Z18D5FSROUN65G" } });
    })().dr!;
    expect(dr.records).toMatchObject({ allowLiteralTargets: true, primary: { alias: { dnsName: "stock-analysis-primary.elb.us-east-1.amazonaws.com" } } });
  });

  it("accepts an explicit health-check host and an explicit zone", () => {
    const dr = editDr((d) => {
      d.healthCheck.fqdn = "primary.stockanalysis.com";
      d.records.zone = "stockanalysis.com";
    })().dr!;
    expect(dr.healthCheck.fqdn).toBe("primary.stockanalysis.com");
  });

  it("accepts DR disabled outside production without records", () => {
    const stack = staging();
    expect(parse(stack, editKey(stack.config, "dr", (d) => (d.rpoMinutes = 60))).dr).toMatchObject({ enabled: false, rpoMinutes: 60 });
  });
});
