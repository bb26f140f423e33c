/**
 * The real `pulumi up` creates independent resources in parallel; only the dependency edges the
 * program declares serialise it. These tests read those edges from the production plan.
 */
import * as path from "node:path";
import { loadStackFile } from "../preview/stack-files";
import type { PlannedResource } from "../preview/engine";
import { planOf, TestPlan } from "./support/plan";

let plan: TestPlan;
beforeAll(async () => {
  const stack = loadStackFile("runbook-infra", path.join(__dirname, "..", "Pulumi.production.yaml"));
  const { main } = require("../stacks/program");
  plan = await planOf(main, { stack: "production", config: stack.config, secretKeys: stack.secretKeys });
});

function closure(resource: PlannedResource): Set<string> {
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  const seen = new Set<string>();
  const stack = [...resource.dependencies];
  while (stack.length) {
    const urn = stack.pop()!;
    if (seen.has(urn)) continue;
    seen.add(urn);
    stack.push(...(byUrn.get(urn)?.dependencies ?? []));
  }
  return seen;
}

describe("dependency edges of the production plan", () => {
  it("lets the database, the cache and the EKS cluster be created in parallel, each after the VPC only", () => {
    const vpc = plan.one("aws:ec2/vpc:Vpc");
    const database = plan.one("aws:rds/instance:Instance", "database-instance");
    const cache = plan.one("aws:elasticache/replicationGroup:ReplicationGroup");
    const cluster = plan.one("aws:eks/cluster:Cluster");
    const heavy = [database, cache, cluster];
    for (const resource of heavy) {
      const deps = closure(resource);
      expect(deps.has(vpc.urn)).toBe(true);
      for (const other of heavy) if (other !== resource) expect({ resource: resource.name, dependsOn: other.name, edge: deps.has(other.urn) }).toEqual({ resource: resource.name, dependsOn: other.name, edge: false });
    }
  });

  it("records the edges a Kubernetes object has on its namespace", () => {
    const namespace = plan.ofType("kubernetes:core/v1:Namespace").find((n) => (n.inputs.metadata as any).name === "stock-analysis-system");
    const hpa = plan.ofType("kubernetes:autoscaling/v2:HorizontalPodAutoscaler").find((h) => (h.inputs.metadata as any).namespace === "stock-analysis-system")!;
    expect(namespace).toBeDefined();
    expect(closure(hpa).has(namespace!.urn)).toBe(true);
  });

  it("has no dependency cycles and no edge to a resource that is not in the plan", () => {
    const urns = new Set(plan.resources.map((r) => r.urn));
    for (const resource of plan.resources) {
      for (const dep of resource.dependencies) expect(urns.has(dep)).toBe(true);
      expect(closure(resource).has(resource.urn)).toBe(false);
    }
  });
});
