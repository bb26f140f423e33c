/**
 * The cost estimate (model/cost.ts): lines recomputed by hand from the dated price table, per-component
 * and stack totals, projections capped by what the stack allows, and unknown types listed as not counted.
 */
import { estimateCost, renderCost, type CostResource } from "../model/cost";
import { AWS_US_EAST_1 } from "../model/prices/aws-us-east-1";

const STACK = "urn:pulumi:production::runbook-infra::";
const ROOT = `${STACK}pulumi:pulumi:Stack::runbook-infra-production`;

function component(type: string, name: string): CostResource {
  return { urn: `${STACK}pulumi:pulumi:Stack$${type}::${name}`, type, name, parent: ROOT, custom: false, inputs: {} };
}
function res(parent: CostResource, type: string, name: string, inputs: Record<string, unknown>, extra: Partial<CostResource> = {}): CostResource {
  return { urn: `${STACK}${parent.type}$${type}::${name}`, type, name, parent: parent.urn, custom: true, inputs, dependencies: [], ...extra };
}

function plan(): CostResource[] {
  const root: CostResource = { urn: ROOT, type: "pulumi:pulumi:Stack", name: "runbook-infra-production", parent: null, custom: false, inputs: {} };
  const cluster = component("runbook:eks:EksCluster", "cluster");
  const database = component("runbook:data:PostgresDatabase", "database");
  const backups = component("runbook:backup:BackupBucket", "backups");
  return [
    root,
    cluster,
    database,
    backups,
    res(cluster, "aws:eks/cluster:Cluster", "cluster-eks", { name: "c", version: "1.35" }),
    res(cluster, "aws:eks/nodeGroup:NodeGroup", "cluster-general", { instanceTypes: ["m5.xlarge"], scalingConfig: { minSize: 5, desiredSize: 8, maxSize: 20 }, diskSize: 100 }),
    res(cluster, "aws:iam/role:Role", "cluster-role", {}),
    res(cluster, "kubernetes:core/v1:Namespace", "apps", {}),
    res(database, "aws:rds/instance:Instance", "database-instance", { instanceClass: "db.r5.large", multiAz: true, allocatedStorage: 100, maxAllocatedStorage: 500, storageType: "gp3", backupRetentionPeriod: 30 }),
    res(backups, "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration", "backups-lifecycle", {
      bucket: "b",
      rules: [
        { id: "daily", status: "Enabled", filter: { prefix: "postgresql/daily/" }, expiration: { days: 30 }, transitions: [] },
        { id: "monthly", status: "Enabled", filter: { prefix: "postgresql/monthly/" }, expiration: { days: 365 }, transitions: [{ days: 30, storageClass: "GLACIER" }, { days: 60, storageClass: "DEEP_ARCHIVE" }] },
      ],
    }),
    res(backups, "aws:kms/key:Key", "backups-key", {}),
    res(cluster, "aws:quantum/computer:Computer", "mystery", {}),
  ];
}

const line = (estimate: ReturnType<typeof estimateCost>, item: RegExp) => {
  const found = estimate.lines.filter((l) => item.test(l.item));
  if (found.length !== 1) throw new Error(`expected one line matching ${item}, found ${found.length}`);
  return found[0];
};

describe("cost estimate", () => {
  const estimate = estimateCost(plan());

  it("prices the node group at desired size, recomputed by hand: 8 × 730 h × $0.192 = $1,121.28; at max 20 × 730 × 0.192", () => {
    const nodes = line(estimate, /m5\.xlarge nodes/);
    expect(AWS_US_EAST_1.ec2.instanceHour["m5.xlarge"]).toBe(0.192);
    expect(nodes.monthlyUsd).toBe(1121.28);
    expect(nodes.atMaxMonthlyUsd).toBe(2803.2);
    expect(line(estimate, /node volumes/).monthlyUsd).toBe(8 * 100 * 0.08);
  });

  it("prices a Multi-AZ RDS instance twice, its storage twice and backups beyond the free share", () => {
    expect(line(estimate, /db\.r5\.large instance/).monthlyUsd).toBe(2 * 730 * 0.25);
    expect(line(estimate, /gp3 storage/).monthlyUsd).toBe(23);
    // 100 GiB × 2 % per day × 30 days = 60 GiB beyond the free 100 GiB, at $0.095.
    expect(line(estimate, /automated backups/).monthlyUsd).toBe(5.7);
  });

  it("prices backups by storage class under the lifecycle, with each class's minimum duration", () => {
    // One 25 GiB dump a day (25 % of 100 GiB) kept 30 days in STANDARD: 750 GiB × $0.023.
    expect(line(estimate, /daily\/ in STANDARD/).monthlyUsd).toBe(17.25);
    // Monthly copies: 30 days in GLACIER would be billed for its 90-day minimum.
    const glacier = line(estimate, /monthly\/ in GLACIER/);
    expect(glacier.item).toMatch(/billed 90/);
    expect(glacier.quantity).toBeCloseTo((1 / 30.4) * 25 * 90, 6);
  });

  it("has a total and per-component figures that add up", () => {
    const sum = estimate.lines.reduce((s, l) => s + l.monthlyUsd, 0);
    expect(estimate.monthlyUsd).toBeCloseTo(sum, 2);
    expect(estimate.components.map((c) => c.component)).toEqual(["runbook:eks:EksCluster cluster", "runbook:data:PostgresDatabase database", "runbook:backup:BackupBucket backups"]);
    expect(estimate.components.reduce((s, c) => s + c.monthlyUsd, 0)).toBeCloseTo(estimate.monthlyUsd, 2);
    expect(line(estimate, /EKS control plane/).monthlyUsd).toBe(73);
  });

  it("lists an unknown type as not counted, and free types (IAM, Kubernetes objects) nowhere", () => {
    expect(estimate.notCounted).toEqual([{ type: "aws:quantum/computer:Computer", count: 1, reason: expect.stringMatching(/no price rule/) }]);
    expect(estimate.lines.some((l) => l.type === "aws:iam/role:Role" || l.type.startsWith("kubernetes:"))).toBe(false);
    expect(renderCost(estimate)).toMatch(/not counted: 1× aws:quantum\/computer:Computer/);
  });

  it("dates the price table and names its source and region", () => {
    expect(estimate.priceTable).toEqual({ region: "us-east-1", asOf: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/), source: expect.stringMatching(/aws\.amazon\.com/) });
    expect(renderCost(estimate)).toMatch(/us-east-1 as of \d{4}-\d{2}-\d{2}/);
  });

  it("projects growth: compute in whole nodes up to maxSize, storage up to maxAllocatedStorage, fixed lines unchanged", () => {
    const grown = estimateCost(plan(), { growth: [{ months: 12, compute: 10, storage: 10, requests: 1 }] });
    const [p] = grown.projections;
    const nodesAtMax = 20 * 730 * 0.192 + 20 * 100 * 0.08; // capped at maxSize 20
    const storageAtMax = 500 * 2 * 0.115; // capped at maxAllocatedStorage 500, Multi-AZ
    const fixed = 73 + 365 + 1; // control plane, instance, KMS key
    const backups = 10 * (5.7 + grown.lines.filter((l) => l.type.includes("Lifecycle")).reduce((s, l) => s + l.quantity * l.unitPriceUsd, 0));
    expect(p.monthlyUsd).toBeCloseTo(nodesAtMax + storageAtMax + fixed + backups, 1);
    const flat = estimateCost(plan(), { growth: [{ months: 6, compute: 1, storage: 1, requests: 1 }] });
    expect(flat.projections[0].monthlyUsd).toBeCloseTo(flat.monthlyUsd, 1);
  });

  it("prices an EKS version in extended support at the extended rate", () => {
    const extended = estimateCost(plan(), { eksExtendedSupportVersions: ["1.35"] });
    expect(line(extended, /EKS control plane/).monthlyUsd).toBe(730 * 0.6);
  });

  it("skips an instance type missing from the price table instead of guessing", () => {
    const resources = plan();
    const group = resources.find((r) => r.name === "cluster-general")!;
    group.inputs.instanceTypes = ["x9.huge"];
    const out = estimateCost(resources);
    expect(out.lines.some((l) => l.urn === group.urn)).toBe(false);
    expect(out.notCounted).toContainEqual({ type: "aws:eks/nodeGroup:NodeGroup", count: 1, reason: "on-demand price of x9.huge is not in the price table" });
  });
});

describe("EKS support window", () => {
  it("prices a version past standard support at the extended rate by the versions table's dates", () => {
    const resources = plan();
    resources.find((r) => r.type === "aws:eks/cluster:Cluster")!.inputs.version = "1.30";
    const previous = process.env.RUNBOOK_TODAY;
    process.env.RUNBOOK_TODAY = "2026-01-15"; // 1.30: standard support ended 2025-07-23, extended until 2026-07-23
    try {
      expect(line(estimateCost(resources), /EKS control plane/)).toMatchObject({ monthlyUsd: 438, item: expect.stringMatching(/1\.30: extended support/) });
      process.env.RUNBOOK_TODAY = "2025-01-15"; // still in standard support
      expect(line(estimateCost(resources), /EKS control plane/).monthlyUsd).toBe(73);
    } finally {
      if (previous === undefined) delete process.env.RUNBOOK_TODAY;
      else process.env.RUNBOOK_TODAY = previous;
    }
  });
});
