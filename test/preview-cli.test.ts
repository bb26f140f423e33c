/**
 * The offline preview as a user runs it: a child process on the transpiled sources, the default stack
 * files, `--json` plans, and one-line errors for bad config.
 */
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";

const root = path.join(__dirname, "..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "preview-cli-"));
const cli = path.join(root, ".build/preview/cli.js");

function preview(...args: string[]) {
  return spawnSync(process.execPath, [cli, ...args], { cwd: root, encoding: "utf8" });
}
function planFor(stack: string) {
  const file = path.join(tmp, `plan-${stack}.json`);
  const run = preview("--stack", stack, "--json", file, "--quiet");
  if (run.status !== 0) throw new Error(`preview ${stack} exited ${run.status}: ${run.stderr}`);
  return JSON.parse(fs.readFileSync(file, "utf8"));
}

beforeAll(() => execFileSync(process.execPath, ["scripts/transpile.mjs"], { cwd: root }));

describe("offline preview", () => {
  let production: any;
  let staging: any;
  beforeAll(() => {
    production = planFor("production");
    staging = planFor("staging");
  });

  it("writes the plan in the documented shape", () => {
    expect(production).toMatchObject({ project: "runbook-infra", stack: "production" });
    for (const resource of production.resources) {
      expect(Object.keys(resource)).toEqual(expect.arrayContaining(["urn", "type", "name", "parent", "inputs", "dependencies"]));
      if (resource.parent !== null) expect(production.resources.some((r: any) => r.urn === resource.parent)).toBe(true);
    }
  });

  it("plans an EKS cluster with secrets encryption and all five log types in production", () => {
    const cluster = production.resources.find((r: any) => r.type === "aws:eks/cluster:Cluster");
    expect(cluster.inputs.encryptionConfig.resources).toEqual(["secrets"]);
    expect(cluster.inputs.enabledClusterLogTypes).toHaveLength(5);
  });

  it("plans the production node group 5/20/8, three private subnets in three AZs and a NAT per AZ", () => {
    const group = production.resources.find((r: any) => r.type === "aws:eks/nodeGroup:NodeGroup" && r.inputs.nodeGroupName === "general");
    expect(group.inputs.scalingConfig).toEqual({ minSize: 5, maxSize: 20, desiredSize: 8 });
    const privateSubnets = production.resources.filter((r: any) => r.type === "aws:ec2/subnet:Subnet" && r.inputs.tags.tier === "private");
    expect(new Set(privateSubnets.map((s: any) => s.inputs.availabilityZoneId)).size).toBe(3);
    expect(production.resources.filter((r: any) => r.type === "aws:ec2/natGateway:NatGateway")).toHaveLength(3);
  });

  it("passes every mandatory policy of the pack in both default stacks, and says so in the plan", () => {
    expect(production.policies.violations).toEqual([]);
    expect(staging.policies.violations.filter((v: any) => v.level === "mandatory")).toEqual([]);
    // Staging's cheaper choices (single-AZ database, one Redis node) are advisory findings, not silence.
    expect(staging.policies.violations.length).toBeGreaterThan(0);
  });

  it("writes plans the policy CLI accepts as one graph (every parent, dependency and provider in the plan, URNs unique, no cycle)", () => {
    const { validatePlanGraph } = require("../policies/evaluate") as typeof import("../policies/evaluate");
    expect(() => validatePlanGraph(production)).not.toThrow();
    expect(() => validatePlanGraph(staging)).not.toThrow();
  });

  it("plans a single NAT gateway in staging", () => {
    expect(staging.resources.filter((r: any) => r.type === "aws:ec2/natGateway:NatGateway")).toHaveLength(1);
  });

  it("never writes a secret value into the plan", () => {
    const text = JSON.stringify(production);
    expect(text).not.toMatch(/offline-placeholder-for-/);
    expect(text).not.toMatch(/"offline-[0-9a-f]{8,}"/); // random passwords from the mocks
  });

  it("prints a summary tree and counts by type", () => {
    const run = preview("--stack", "staging");
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/\+ runbook:network:Network network/);
    expect(run.stdout).toMatch(/Resources by type:/);
    expect(run.stdout).toMatch(/Resources: \d+ to create/);
  });

  it("rejects a stack file with a wrong value in one line naming the key, exit 1", () => {
    const doc = parse(fs.readFileSync(path.join(root, "Pulumi.production.yaml"), "utf8"));
    doc.config["runbook-infra:network"].natGateways = "sometimes";
    const file = path.join(tmp, "Pulumi.broken.yaml");
    fs.writeFileSync(file, stringify(doc));
    const run = preview("--config", file);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split("\n")).toEqual(['error: broken: runbook-infra:network.natGateways: "sometimes" — must be one of perAz, single']);
  });

  it("prints the capacity plan and the recovery objectives", () => {
    const run = preview("--stack", "production");
    expect(run.stdout).toMatch(/^Capacity plan$/m);
    expect(run.stdout).toMatch(/^Recovery objectives \(targets: RPO 1 h, RTO 4 h\)$/m);
    expect(run.stdout).toMatch(/^result: meets targets$/m);
    expect(run.stdout).toMatch(/^Policies: no violations$/m);
  });

  it("fails a stack that keeps only daily dumps (no PITR, no replication) against a 1 h RPO", () => {
    const doc = parse(fs.readFileSync(path.join(root, "Pulumi.staging.yaml"), "utf8"));
    doc.config["runbook-infra:database"].backupRetentionDays = 0;
    doc.config["runbook-infra:dr"].rpoMinutes = 60;
    doc.config["runbook-infra:dr"].rtoMinutes = 240;
    const file = path.join(tmp, "Pulumi.daily-only.yaml");
    fs.writeFileSync(file, stringify(doc));
    const run = preview("--config", file);
    expect(run.stdout).toMatch(/MISSES/);
    expect(run.stderr).toMatch(/^error: daily-only: the recovery objectives \(RTO 240 min, RPO 60 min\) are missed — see the recovery table$/m);
    expect(run.status).toBe(1);
  });

  it("writes Kubernetes manifests, Helm values and Prometheus rule files with --out", () => {
    const out = path.join(tmp, "rendered");
    const run = preview("--stack", "production", "--quiet", "--out", out);
    expect(run.status).toBe(0);
    const cronJob = parse(fs.readFileSync(path.join(out, "kubernetes/stock-analysis-system", fs.readdirSync(path.join(out, "kubernetes/stock-analysis-system")).find((f) => f.startsWith("cronjob-"))!), "utf8"));
    expect(cronJob).toMatchObject({ apiVersion: "batch/v1", kind: "CronJob" });
    expect(fs.readdirSync(path.join(out, "rules")).length).toBeGreaterThan(0);
    expect(parse(fs.readFileSync(path.join(out, "rules", fs.readdirSync(path.join(out, "rules"))[0]), "utf8")).groups.length).toBeGreaterThan(0);
    expect(fs.readdirSync(path.join(out, "helm")).length).toBeGreaterThan(0);
  });

  it("rejects a missing stack file and unknown flags without a stack trace", () => {
    const missing = preview("--stack", "nope");
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/^error: .*Pulumi\.nope\.yaml: not found/);
    const badFlag = preview("--stak", "production");
    expect(badFlag.status).toBe(2);
    expect(badFlag.stderr).not.toMatch(/\n\s+at /);
  });
});
