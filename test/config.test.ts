import * as path from "node:path";
import { parseStackConfig } from "../stacks/config/load";
import { loadStackFile, LoadedStack } from "../preview/stack-files";

const root = path.join(__dirname, "..");
const production = () => loadStackFile("runbook-infra", path.join(root, "Pulumi.production.yaml"));
const staging = () => loadStackFile("runbook-infra", path.join(root, "Pulumi.staging.yaml"));

type Raw = Record<string, string>;
/** Edits one structured key of the raw config (as the CLI passes it: JSON text). */
function editKey(raw: Raw, key: string, edit: (value: any) => void): Raw {
  const value = JSON.parse(raw[`runbook-infra:${key}`]);
  edit(value);
  return { ...raw, [`runbook-infra:${key}`]: JSON.stringify(value) };
}
const parse = (stack: LoadedStack, raw: Raw = stack.config) => parseStackConfig(stack.stack, raw, new Set(stack.secretKeys));

describe("stack config: the default stacks", () => {
  it("accepts the production stack file with the runbook's values", () => {
    const config = parse(production());
    expect(config.environment).toBe("production");
    expect(config.region).toBe("us-east-1");
    expect(config.network.natGateways).toBe("perAz");
    expect(config.cluster.nodeGroups[0]).toMatchObject({ name: "general", minSize: 5, maxSize: 20, desiredSize: 8 });
  });

  it("accepts the staging stack file, which shares one NAT gateway and runs fewer nodes", () => {
    const config = parse(staging());
    expect(config.environment).toBe("staging");
    expect(config.network.natGateways).toBe("single");
    expect(config.cluster.nodeGroups[0].maxSize).toBeLessThan(20);
  });

  it("fills defaults for keys a stack leaves out", () => {
    const stack = production();
    const raw = editKey(stack.config, "network", (n) => {
      delete n.flowLogRetentionDays;
      delete n.cidr;
    });
    const config = parse(stack, raw);
    expect(config.network).toMatchObject({ cidr: "10.0.0.0/16", flowLogRetentionDays: 90 });
  });

  it("allows a public API endpoint limited to office/VPN ranges outside production (never the internet: the EksCluster component refuses it in every environment)", () => {
    const stack = staging();
    const raw = editKey(stack.config, "cluster", (c) => (c.publicAccessCidrs = ["203.0.113.0/24"]));
    expect(parse(stack, raw).cluster.publicAccessCidrs).toEqual(["203.0.113.0/24"]);
    const open = editKey(stack.config, "cluster", (c) => (c.publicAccessCidrs = ["0.0.0.0/0"]));
    expect(() => parse(stack, open)).toThrow(/^staging: runbook-infra:cluster.publicAccessCidrs: \["0.0.0.0\/0"\] — must not open the API endpoint to the internet/);
  });

  it("hands every caller its own copy of a config validated before (the program and the reports share the work)", () => {
    const first = parse(production());
    first.cluster.nodeGroups[0].maxSize = 99;
    const second = parse(production());
    expect(second.cluster.nodeGroups[0].maxSize).toBe(20);
    expect(second.cluster.nodeGroups).toBeInstanceOf(Array);
  });

  it("accepts a credential set as a secret", () => {
    const stack = production();
    const raw = { ...stack.config, "runbook-infra:slackWebhookUrl": "placeholder" };
    expect(() => parseStackConfig("production", raw, new Set([...stack.secretKeys, "runbook-infra:slackWebhookUrl"]))).not.toThrow();
  });
});

describe("stack config: every bad value is one line naming stack, key, value and what is allowed", () => {
  const cases: Array<[string, (raw: Raw) => Raw, RegExp]> = [
    ["missing aws:region", ({ "aws:region": _, ...rest }) => rest, /^production: aws:region: \(missing\) — must be an AWS region name/],
    ["malformed aws:region", (r) => ({ ...r, "aws:region": "us-east" }), /^production: aws:region: "us-east" — must be an AWS region name/],
    ["unknown environment", (r) => ({ ...r, "runbook-infra:environment": "prod" }), /^production: runbook-infra:environment: "prod" — must be one of production, staging, development$/],
    ["missing environment", ({ "runbook-infra:environment": _, ...rest }) => rest, /^production: runbook-infra:environment: \(missing\) — must be one of/],
    ["malformed drRegion", (r) => ({ ...r, "runbook-infra:drRegion": "mars-1" }), /^production: runbook-infra:drRegion: "mars-1" — must be an AWS region name/],
    ["malformed domain", (r) => ({ ...r, "runbook-infra:domain": "not a domain" }), /^production: runbook-infra:domain: "not a domain" — must be a DNS domain/],
    ["typo in a top-level key", (r) => ({ ...r, "runbook-infra:netwrok": "{}" }), /^production: runbook-infra:netwrok: "\{\}" — unknown key; allowed keys: aws:region, runbook-infra:environment/],
    ["primary region under the project namespace", (r) => ({ ...r, "runbook-infra:region": "us-east-1" }), /^production: runbook-infra:region: "us-east-1" — the primary region is the AWS provider's key aws:region/],
    ["typo in a nested key", (r) => editKey(r, "network", (n) => (n.natGateway = "single")), /^production: runbook-infra:network.natGateway: "single" — unknown key; allowed keys here: cidr, availabilityZones, natGateways, flowLogRetentionDays$/],
    ["structured key given as plain text", (r) => ({ ...r, "runbook-infra:network": "fast" }), /^production: runbook-infra:network: "fast" — must be a structured value/],
    ["CIDR with prefix /33", (r) => editKey(r, "network", (n) => (n.cidr = "10.0.0.0/33")), /^production: runbook-infra:network.cidr: "10.0.0.0\/33" — must be an IPv4 CIDR block/],
    ["VPC too small for the subnet layout", (r) => editKey(r, "network", (n) => (n.cidr = "10.0.0.0/24")), /^production: runbook-infra:network.cidr: "10.0.0.0\/24" — must have a prefix length from \/16 to \/20$/],
    ["seven availability zones", (r) => editKey(r, "network", (n) => (n.availabilityZones = 7)), /^production: runbook-infra:network.availabilityZones: 7 — must be an integer from 2 to 6$/],
    ["fractional availability zones", (r) => editKey(r, "network", (n) => (n.availabilityZones = 2.5)), /^production: runbook-infra:network.availabilityZones: 2.5 — must be an integer from 2 to 6$/],
    ["unknown NAT mode", (r) => editKey(r, "network", (n) => (n.natGateways = "two")), /^production: runbook-infra:network.natGateways: "two" — must be one of perAz, single$/],
    ["log retention CloudWatch does not offer", (r) => editKey(r, "network", (n) => (n.flowLogRetentionDays = 45)), /^production: runbook-infra:network.flowLogRetentionDays: 45 — must be one of 1, 3, 5, 7, 14, 30/],
    ["missing cluster", ({ "runbook-infra:cluster": _, ...rest }) => rest, /^production: runbook-infra:cluster: \(missing\) — /],
    ["unsupported Kubernetes version", (r) => editKey(r, "cluster", (c) => (c.version = "1.20")), /^production: runbook-infra:cluster.version: "1.20" — must be an EKS version AWS still creates: 1.32, 1.33, 1.34, 1.35 \(EKS 1.20: not in the versions table/],
    ["Kubernetes version past extended support", (r) => editKey(r, "cluster", (c) => (c.version = "1.31")), /^production: runbook-infra:cluster.version: "1.31" — must be an EKS version AWS still creates: 1.32, 1.33, 1.34, 1.35 \(EKS 1.31: support ended 2026-11-26\)$/],
    ["unquoted Kubernetes version", (r) => editKey(r, "cluster", (c) => (c.version = 1.31)), /^production: runbook-infra:cluster.version: 1.31 — must be an EKS Kubernetes minor version such as "1.35" \(quoted\)$/],
    ["API endpoint open to the world in production", (r) => editKey(r, "cluster", (c) => (c.publicAccessCidrs = ["0.0.0.0/0"])), /^production: runbook-infra:cluster.publicAccessCidrs: \["0.0.0.0\/0"\] — must not open the API endpoint to the internet: the blocks together cover the whole internet \(0.0.0.0\/0\)/],
    ["malformed public access CIDR", (r) => editKey(r, "cluster", (c) => (c.publicAccessCidrs = ["999.0.0.0/8"])), /^production: runbook-infra:cluster.publicAccessCidrs\[0\]: "999.0.0.0\/8" — must be an IPv4 CIDR block/],
    ["cluster log retention CloudWatch does not offer", (r) => editKey(r, "cluster", (c) => (c.logRetentionDays = 10)), /^production: runbook-infra:cluster.logRetentionDays: 10 — must be one of 1, 3, 5/],
    ["no node groups", (r) => editKey(r, "cluster", (c) => (c.nodeGroups = [])), /^production: runbook-infra:cluster.nodeGroups: \[\] — must define at least one node group$/],
    ["node group min above max", (r) => editKey(r, "cluster", (c) => Object.assign(c.nodeGroups[0], { minSize: 25, desiredSize: 25 })), /^production: runbook-infra:cluster.nodeGroups\[0\].minSize: 25 — must not exceed maxSize \(20\)$/],
    ["desired size outside min..max", (r) => editKey(r, "cluster", (c) => (c.nodeGroups[0].desiredSize = 30)), /^production: runbook-infra:cluster.nodeGroups\[0\].desiredSize: 30 — must be between minSize \(5\) and maxSize \(20\)$/],
    ["duplicate node group names", (r) => editKey(r, "cluster", (c) => c.nodeGroups.push({ ...c.nodeGroups[0] })), /^production: runbook-infra:cluster.nodeGroups\[1\].name: "general" — must be unique among node groups$/],
    ["instance type without size", (r) => editKey(r, "cluster", (c) => (c.nodeGroups[0].instanceTypes = ["m5"])), /^production: runbook-infra:cluster.nodeGroups\[0\].instanceTypes\[0\]: "m5" — must be an EC2 instance type/],
    ["unknown capacity type", (r) => editKey(r, "cluster", (c) => (c.nodeGroups[0].capacityType = "RESERVED")), /^production: runbook-infra:cluster.nodeGroups\[0\].capacityType: "RESERVED" — must be one of ON_DEMAND, SPOT$/],
    ["root volume below 20 GiB", (r) => editKey(r, "cluster", (c) => (c.nodeGroups[0].diskSizeGiB = 10)), /^production: runbook-infra:cluster.nodeGroups\[0\].diskSizeGiB: 10 — must be an integer from 20 to 16384$/],
    ["typo in a node group key", (r) => editKey(r, "cluster", (c) => (c.nodeGroups[0].maxsize = 20)), /^production: runbook-infra:cluster.nodeGroups\[0\].maxsize: 20 — unknown key; allowed keys here: name, instanceTypes, minSize, maxSize/],
    ["node group name that is not a Kubernetes name", (r) => editKey(r, "cluster", (c) => (c.nodeGroups[0].name = "General_Pool")), /^production: runbook-infra:cluster.nodeGroups\[0\].name: "General_Pool" — must be a Kubernetes name/],
    ["tag value that is not a string", (r) => editKey(r, "tags", (t) => (t.costCenter = 42)), /^production: runbook-infra:tags.costCenter: 42 — must be a string \(quote numbers and booleans\)$/],
    ["credential in plaintext", (r) => ({ ...r, "runbook-infra:pagerdutyRoutingKey": "abc123" }), /^production: runbook-infra:pagerdutyRoutingKey: "\(plaintext\)" — must be set as a secret: pulumi config set --secret runbook-infra:pagerdutyRoutingKey$/],
  ];

  it.each(cases)("rejects %s", (_, mutate, expected) => {
    const stack = production();
    const raw = mutate(stack.config);
    // A case that replaces a `secure:` value by plain text makes that key no longer a secret.
    stack.secretKeys = stack.secretKeys.filter((key) => raw[key] === stack.config[key]);
    let message = "";
    try {
      parse(stack, raw);
    } catch (error) {
      message = (error as Error).message;
      expect((error as Error).name).toBe("ConfigError");
    }
    expect(message).toMatch(expected);
    expect(message).not.toContain("\n");
  });

  it("covers at least 25 distinct bad-config cases", () => {
    expect(new Set(cases.map(([name]) => name)).size).toBeGreaterThanOrEqual(25);
  });
});
