/**
 * The DR site as a stack of its own (issue 18): the offline previews of production-dr and production, the
 * stack reference between them answered from the saved DR plan, and failover records that alias load
 * balancers the two plans create.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const root = path.join(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dr-stack-"));
const cli = path.join(root, ".build/preview/cli.js");
const preview = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8" });

const LB = "aws:lb/loadBalancer:LoadBalancer";
const RECORD = "aws:route53/record:Record";

beforeAll(() => execFileSync(process.execPath, ["scripts/transpile.mjs"], { cwd: root }));

describe("production and its DR stack", () => {
  let dr: any;
  let production: any;
  beforeAll(() => {
    const drFile = path.join(tmp, "production-dr.json");
    const drRun = preview("--stack", "production-dr", "--json", drFile, "--quiet");
    if (drRun.status !== 0) throw new Error(`production-dr exited ${drRun.status}: ${drRun.stderr}`);
    dr = JSON.parse(fs.readFileSync(drFile, "utf8"));
    const file = path.join(tmp, "production.json");
    const run = preview("--stack", "production", "--json", file, "--quiet", "--stack-reference", `production-dr=${drFile}`);
    if (run.status !== 0) throw new Error(`production exited ${run.status}: ${run.stderr}`);
    production = JSON.parse(fs.readFileSync(file, "utf8"));
  });

  it("builds the DR site in us-west-2: VPC, cluster, cache, the DR namespace and its own load balancer", () => {
    const of = (type: string) => dr.resources.filter((r: any) => r.type === type);
    expect(of("aws:eks/cluster:Cluster")).toHaveLength(1);
    expect(of("aws:elasticache/replicationGroup:ReplicationGroup")).toHaveLength(1);
    expect(of("kubernetes:core/v1:Namespace").map((n: any) => n.inputs.metadata.name)).toContain("stock-analysis-system-dr");
    expect(of(LB)).toHaveLength(1);
    expect(dr.outputs.edgeRegion).toBe("us-west-2");
    expect(dr.outputs.edgeLoadBalancerDnsName).toMatch(/\.us-west-2\.elb\.amazonaws\.com$/);
    expect(dr.outputs.clusterEndpoint).toMatch(/\.us-west-2\.eks\.amazonaws\.com$/);
    expect(dr.policies.violations.filter((v: any) => v.level === "mandatory")).toEqual([]);
  });

  it("aliases PRIMARY to production's own load balancer and SECONDARY to the DR stack's, read through the stack reference", () => {
    const records = production.resources.filter((r: any) => r.type === RECORD && r.inputs.failoverRoutingPolicies);
    const primary = records.find((r: any) => r.inputs.failoverRoutingPolicies[0].type === "PRIMARY");
    const secondary = records.find((r: any) => r.inputs.failoverRoutingPolicies[0].type === "SECONDARY");
    const ownLb = production.resources.find((r: any) => r.type === LB);
    expect(primary.inputs.aliases[0].name).toBe(production.outputs.edgeLoadBalancerDnsName);
    expect(primary.dependencies).toContain(ownLb.urn);
    expect(secondary.inputs.aliases[0]).toEqual({ name: dr.outputs.edgeLoadBalancerDnsName, zoneId: dr.outputs.edgeLoadBalancerZoneId, evaluateTargetHealth: true });
    const reference = production.resources.find((r: any) => r.type === "pulumi:pulumi:StackReference");
    expect(reference.inputs.name).toBe("production-dr");
    expect(secondary.dependencies).toContain(reference.urn);
    // No typed load-balancer name anywhere in the plan's records.
    expect(JSON.stringify(records)).not.toMatch(/stock-analysis-(primary|dr)\.elb/);
  });

  it("health-checks primary.stockanalysis.com, the name production's load balancer serves", () => {
    const check = production.resources.find((r: any) => r.type === "aws:route53/healthCheck:HealthCheck");
    expect(check.inputs).toMatchObject({ fqdn: "primary.stockanalysis.com", enableSni: true, resourcePath: "/health" });
    const edge = production.resources.find((r: any) => r.type === "runbook:edge:ApiLoadBalancer");
    expect(edge.inputs.hosts).toEqual(["primary.stockanalysis.com", "api.stockanalysis.com"]);
    expect(production.policies.violations).toEqual([]);
  });

  it("fails in one line when the DR stack's plan cannot be read", () => {
    const bad = path.join(tmp, "not-a-plan.json");
    fs.writeFileSync(bad, "{");
    const run = preview("--stack", "production", "--quiet", "--stack-reference", `production-dr=${bad}`);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: production: stack reference "production-dr": .*not-a-plan\.json is not a plan written by --json/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("fails in one line when the referenced stack has no stack file and no plan", () => {
    const dir = fs.mkdtempSync(path.join(tmp, "lonely-"));
    fs.copyFileSync(path.join(root, "Pulumi.production.yaml"), path.join(dir, "Pulumi.production.yaml"));
    const run = preview("--config", path.join(dir, "Pulumi.production.yaml"), "--quiet");
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: production: stack reference "production-dr": no plan given and no .*Pulumi\.production-dr\.yaml — pass --stack-reference production-dr=<plan\.json>/);
  });
});
